"""The audit log: every transition, approval, comment, take-over and restore leaves a row."""

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
    """Write one audit row; call it inside the transaction of the change it records."""
    article = obj if isinstance(obj, Article) else None
    issue = obj if isinstance(obj, Issue) else (article.issue if article else None)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        issue=issue if issue is None or issue.pk else None,
        article=article,
        object_repr=str(obj)[:300],
        from_state=from_state,
        to_state=to_state,
        note=note,
    )
