"""The audit log: every transition, approval, comment, take-over, restore and edit leaves a row."""

import reversion
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from editorial.models import Article, AuditEntry, Issue

from .permissions import Actor


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: Model,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
) -> AuditEntry:
    """Write one audit row; call it inside the transaction of the change it records.

    Rows about an issue or an article point at them; any other record (a shared one such as a
    publication or a person) is named by its content type and id.
    """
    article = obj if isinstance(obj, Article) else None
    issue = obj if isinstance(obj, Issue) else (article.issue if article else None)
    shared = not isinstance(obj, Article | Issue)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        issue=issue if issue is None or issue.pk else None,
        article=article,
        content_type=ContentType.objects.get_for_model(obj) if shared else None,
        object_id=obj.pk if shared else None,
        object_repr=str(obj)[:300],
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def revision_meta(actor: Actor, comment: str) -> None:
    """Who made the django-reversion revision being created, and why (shown in 修订历史)."""
    if isinstance(actor, User):
        reversion.set_user(actor)
    reversion.set_comment(comment)
