"""A confirmation step before an action that cannot simply be undone.

The action's form posts as usual; the view, seeing no ``confirmed``, answers with a page that
says what will happen and posts the same fields again with ``confirmed=1``. Without JavaScript,
so it works the same for every browser, and a test client walks it as a person does.
"""

from dataclasses import dataclass, field

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.template.response import TemplateResponse

CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says: the action, what it will do, and what to check first."""

    title: str
    button: str
    consequences: list[str]
    warnings: list[str] = field(default_factory=list)
    danger: bool = False


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "1"


def confirmation_response(
    request: HttpRequest, site: AdminSite, confirmation: Confirmation, *, back: str
) -> TemplateResponse:
    """The page that asks; its form posts the fields it was given back to the same URL."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", CONFIRMED}
        for value in values
    ]
    context = {
        **site.each_context(request),
        "title": confirmation.title,
        "confirmation": confirmation,
        "fields": fields,
        "action_url": request.get_full_path(),
        "back": back,
    }
    return TemplateResponse(request, "admin/editorial/confirm.html", context)
