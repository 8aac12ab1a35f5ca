"""The ESP's tracking webhooks, through django-anymail: authenticated, then applied to the ledger.

anymail's views check the ESP's own signature where it has one (Mailgun's HMAC with
``ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"]``, SendGrid's, Amazon SNS's…) and HTTP basic auth with
``ANYMAIL["WEBHOOK_SECRET"]`` (Postmark has only that). anymail lets a webhook through without
the secret, with a warning; here there is no webhook at all until the secret is set. Each event
goes to ``services.deliveries.delivery_track``, which keeps it once per event id.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from editorial.services.deliveries import delivery_track


def _require_secret(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            raise Http404("未配置邮件服务回调。")
        return view(request, *args, **kwargs)

    guarded.csrf_exempt = True  # type: ignore[attr-defined]
    return guarded


def webhook_urls() -> list[URLPattern | URLResolver]:
    """anymail's webhook URLs (``/anymail/<esp>/tracking/``), each behind the secret's check."""
    from anymail import urls as anymail_urls

    guarded: list[URLPattern | URLResolver] = [
        URLPattern(p.pattern, _require_secret(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in anymail_urls.urlpatterns
    ]
    return [path("anymail/", include((guarded, "anymail")))]


def tracking_received(sender: object, event: Any, esp_name: str, **_: Any) -> None:
    """anymail's ``tracking`` signal: one normalised event, applied once."""
    metadata = event.metadata or {}
    event_id = (
        event.event_id
        or hashlib.sha256(
            f"{event.message_id}|{event.event_type}|{event.timestamp}|{event.recipient}".encode()
        ).hexdigest()
    )
    delivery_track(
        esp=esp_name,
        event_id=str(event_id),
        event_type=str(event.event_type),
        message_id=str(event.message_id or ""),
        delivery_hint=str(metadata.get("delivery", "")),
        recipient=str(event.recipient or ""),
        description=str(event.description or event.mta_response or event.reject_reason or ""),
    )
