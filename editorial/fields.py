"""Model fields with an invariant of their own."""

from typing import Any

from django.db import models

from .richtext import sanitize_html


class RichTextField(models.TextField):
    """HTML that is sanitized to the allow-list whenever it is saved, whatever path wrote it."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value:
            value = sanitize_html(value)
            setattr(model_instance, self.attname, value)
        return value

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        return super().clean(sanitize_html(value) if value else value, model_instance)
