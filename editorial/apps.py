from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "编辑部"
    default_auto_field = "django.db.models.BigAutoField"
