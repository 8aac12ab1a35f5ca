"""Editorial comments on an issue or an article: add, reply, resolve and reopen."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from editorial.models import Article, Comment, Issue

from .audit import audit_record
from .notifications import notify_comment_reply
from .permissions import Actor, actor_roles


def _participant(actor: Actor) -> User:
    """Everyone working on issues (any editorial role) may comment; others may not."""
    if not isinstance(actor, User) or not actor_roles(actor):
        raise PermissionDenied("只有编辑部成员可以发表编辑意见。")
    return actor


@transaction.atomic
def comment_add(
    *,
    actor: Actor,
    issue: Issue,
    body: str,
    article: Article | None = None,
    parent: Comment | None = None,
) -> Comment:
    author = _participant(actor)
    if article is not None and article.issue_id != issue.pk:
        raise ValidationError("文章不属于这一期。")
    if parent is not None:
        if parent.issue_id != issue.pk:
            raise ValidationError("回复的意见不属于这一期。")
        article = parent.article
    comment = Comment(issue=issue, article=article, parent=parent, author=author, body=body.strip())
    comment.full_clean()
    comment.save()
    target = article or issue
    entry = audit_record(actor=actor, action="comment", obj=target, note=comment.body[:500])
    notify_comment_reply(entry=entry, comment=comment)
    return comment


@transaction.atomic
def comment_resolve(*, actor: Actor, comment_id: int, resolved: bool = True) -> Comment:
    author = _participant(actor)
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("issue", "article")
        .get(pk=comment_id)
    )
    if resolved == (comment.resolved_at is not None):
        return comment
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = author if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="comment_resolve" if resolved else "comment_reopen",
        obj=comment.article or comment.issue,
        note=comment.body[:200],
    )
    return comment
