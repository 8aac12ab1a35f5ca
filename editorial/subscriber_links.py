"""The signed links a subscriber receives, and their checks.

- The confirmation link expires (DIGEST_SUBSCRIBE_CONFIRM_SECONDS) and works once: it carries
  the subscriber's current opt-in nonce, which a new request replaces and confirming clears.
- The unsubscribe and preferences links never expire: an unsubscribe link in a mail from years
  ago must still work (RFC 8058, and China's rules on a working way to refuse mail). They are
  signed with SECRET_KEY; rotating it through SECRET_KEY_FALLBACKS keeps old links valid.

Each kind of link has its own salt, so one can never be used as another.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from editorial.models import Subscriber

_CONFIRM = "editorial.subscriptions.confirm"
_UNSUBSCRIBE = "editorial.subscriptions.unsubscribe"
_PREFERENCES = "editorial.subscriptions.preferences"


class BadLink(Exception):
    """A link that is forged, expired or already used; its message is what the reader sees."""


def _absolute(path: str) -> str:
    return settings.DIGEST_SITE_URL.rstrip("/") + path


def confirm_url(subscriber: Subscriber) -> str:
    token = signing.TimestampSigner(salt=_CONFIRM).sign_object(
        [subscriber.pk, subscriber.optin_nonce]
    )
    return _absolute(reverse("subscriptions:confirm", args=[token]))


def unsubscribe_path(subscriber: Subscriber) -> str:
    token = signing.Signer(salt=_UNSUBSCRIBE).sign_object(subscriber.pk)
    return reverse("subscriptions:unsubscribe", args=[token])


def unsubscribe_url(subscriber: Subscriber) -> str:
    """The List-Unsubscribe URL: GET shows a one-button page, a one-click POST unsubscribes."""
    return _absolute(unsubscribe_path(subscriber))


def preferences_url(subscriber: Subscriber) -> str:
    token = signing.Signer(salt=_PREFERENCES).sign_object(subscriber.pk)
    return _absolute(reverse("subscriptions:preferences", args=[token]))


_INVALID = "链接无效，请检查是否完整复制了邮件中的链接。"


def _subscriber(pk: object) -> Subscriber:
    if not isinstance(pk, int):
        raise BadLink(_INVALID)
    subscriber = Subscriber.objects.filter(pk=pk, erased_at__isnull=True).first()
    if subscriber is None:
        raise BadLink(_INVALID)
    return subscriber


def confirm_subscriber(token: str) -> Subscriber:
    """The subscriber a confirmation link is for, while it is valid, unexpired and unused."""
    try:
        pk, nonce = signing.TimestampSigner(salt=_CONFIRM).unsign_object(
            token, max_age=settings.DIGEST_SUBSCRIBE_CONFIRM_SECONDS
        )
    except signing.SignatureExpired as error:
        raise BadLink("确认链接已过期，请重新提交订阅申请。") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadLink(_INVALID) from error
    subscriber = _subscriber(pk)
    if not nonce or nonce != subscriber.optin_nonce:
        raise BadLink("该确认链接已使用或已被新的申请取代。")
    return subscriber


def _unsign(token: str, salt: str) -> Subscriber:
    try:
        pk = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadLink(_INVALID) from error
    return _subscriber(pk)


def unsubscribe_subscriber(token: str) -> Subscriber:
    """The subscriber an unsubscribe link is for (BadLink if forged or erased)."""
    return _unsign(token, _UNSUBSCRIBE)


def preferences_subscriber(token: str) -> Subscriber:
    """The subscriber a preferences link is for (BadLink if forged or erased)."""
    return _unsign(token, _PREFERENCES)
