"""Comments: participants add and reply, resolve and reopen; each leaves an audit row."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from editorial.models import Article, AuditEntry, Comment, Issue
from editorial.roles import Role
from editorial.services.articles import article_delete
from editorial.services.comments import comment_add, comment_resolve
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def test_comment_reply_resolve_and_reopen() -> None:
    board = staff("board1", "程茹", Role.BOARD_MEMBER)
    editor = staff("editor", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    article = factories.ArticleFactory.create()
    first = comment_add(
        actor=board, issue=article.issue, article=article, body=" 第二段数据需核实。 "
    )
    reply = comment_add(
        actor=editor, issue=article.issue, parent=first, body="已核实，改为 13.6%。"
    )

    assert (first.body, reply.article, reply.parent) == ("第二段数据需核实。", article, first)
    resolved = comment_resolve(actor=editor, comment_id=first.pk)
    assert resolved.resolved_by == editor and resolved.resolved_at is not None
    reopened = comment_resolve(actor=board, comment_id=first.pk, resolved=False)
    assert reopened.resolved_at is None and reopened.resolved_by is None
    assert list(AuditEntry.objects.order_by("id").values_list("action", "actor__username")) == [
        ("comment", "board1"),
        ("comment", "editor"),
        ("comment_resolve", "editor"),
        ("comment_reopen", "board1"),
    ]


def test_outsiders_cannot_comment_and_nothing_is_saved() -> None:
    outsider = factories.UserFactory.create(is_staff=True)
    issue = factories.IssueFactory.create()
    with pytest.raises(PermissionDenied):
        comment_add(actor=outsider, issue=issue, body="x")
    assert (Comment.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_article_of_another_issue_is_refused() -> None:
    board = staff("board1", "程茹", Role.BOARD_MEMBER)
    with pytest.raises(ValidationError):
        comment_add(
            actor=board,
            issue=factories.IssueFactory.create(),
            article=factories.ArticleFactory.create(),
            body="x",
        )


def test_article_delete_is_logged_and_refused_once_published() -> None:
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    article = factories.ArticleFactory.create(title="待删除")
    article_delete(actor=executive, article_id=article.pk)
    assert not Article.objects.filter(pk=article.pk).exists()
    assert AuditEntry.objects.get(action="delete").note == "删除文章《待删除》"

    published = factories.ArticleFactory.create()
    Issue.objects.filter(pk=published.issue_id).update(status=IssueStatus.PUBLISHED)
    with pytest.raises(ValidationError):
        article_delete(actor=executive, article_id=published.pk)
    assert Article.objects.filter(pk=published.pk).exists()
