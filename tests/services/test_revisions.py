"""Revisions: every save keeps one; diffs are readable; a restore is itself a logged revision."""

import pytest
from django.core.exceptions import PermissionDenied
from reversion.models import Version

from editorial.diffs import article_version_diff
from editorial.models import Article, AuditEntry, Issue
from editorial.models.issues import PersonRole
from editorial.roles import Role
from editorial.services import approvals, issue_transitions
from editorial.services.articles import article_save
from editorial.services.issue_edits import Masthead, MastheadRow, issue_update
from editorial.services.revisions import (
    article_revision_restore,
    article_versions,
    issue_revision_restore,
    issue_versions,
)
from editorial.workflow import ArticleStatus, IssueStatus
from tests import factories
from tests.workflow.states import bring_to, chief, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def edit(article: Article, actor: object, **changes: str) -> Article:
    fresh = Article.objects.get(pk=article.pk)
    for name, value in changes.items():
        setattr(fresh, name, value)
    return article_save(actor=actor, article=fresh, base_version=fresh.lock_version)  # type: ignore[arg-type]


def test_each_save_keeps_a_revision_with_user_and_diff() -> None:
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    article = factories.ArticleFactory.create(body="<p>第一段。</p><p>第二段。</p>", source="甲")
    edit(article, executive, body="<p>第一段。</p><p>第二段改了。</p>")
    edit(article, executive, source="乙")

    versions = article_versions(article)
    assert len(versions) == 2
    assert all(v.revision.user == executive for v in versions)
    newest, older = versions
    diffs = {d.name: d for d in article_version_diff(older, newest)}
    assert set(diffs) == {"source"}
    assert str(diffs["source"].html) == "<del>甲</del><br><ins>乙</ins>"
    first_diff = article_version_diff(older, older)
    assert first_diff == []


def test_restore_brings_back_text_keeps_state_and_is_logged() -> None:
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    article = factories.ArticleFactory.create(body="<p>原文。</p>", status=ArticleStatus.READY)
    edit(article, executive, body="<p>原文。</p>")
    edit(article, executive, body="<p>改坏了。</p>")
    original = article_versions(article)[-1]

    restored = article_revision_restore(
        actor=executive, article_id=article.pk, version_id=original.pk
    )

    assert restored.body == "<p>原文。</p>"
    assert restored.status == ArticleStatus.READY
    assert restored.lock_version == 3
    assert len(article_versions(article)) == 3
    entry = AuditEntry.objects.get(action="revision_restore")
    assert (entry.actor, entry.article) == (executive, restored)
    assert f"#{original.pk}" in entry.note


def test_restore_is_refused_for_someone_who_may_not_edit() -> None:
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    board = staff("board1", "程茹", Role.BOARD_MEMBER)
    article = factories.ArticleFactory.create(body="<p>原文。</p>")
    edit(article, executive, body="<p>新。</p>")
    version = article_versions(article)[0]
    before = (Version.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PermissionDenied):
        article_revision_restore(actor=board, article_id=article.pk, version_id=version.pk)
    assert (Version.objects.count(), AuditEntry.objects.count()) == before
    assert Article.objects.get(pk=article.pk).body == "<p>新。</p>"


def test_a_version_of_another_article_cannot_be_restored() -> None:
    executive = staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    one, other = factories.ArticleFactory.create(), factories.ArticleFactory.create()
    edit(other, executive, body="<p>别的文章。</p>")
    foreign = article_versions(other)[0]
    with pytest.raises(PermissionDenied):
        article_revision_restore(actor=executive, article_id=one.pk, version_id=foreign.pk)


# Issues: issue_revision_restore.


def fresh(issue: Issue) -> Issue:
    return Issue.objects.get(pk=issue.pk)


def test_restore_brings_back_fields_and_masthead_and_invalidates_approvals() -> None:
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    original = Masthead.of(issue)
    issue_update(
        actor=executive,
        issue_id=issue.pk,
        base_version=issue.lock_version,
        changes={"cover_headline": "原来的要闻"},
    )
    first = issue_versions(issue)[0]
    issue = fresh(issue)
    issue_update(
        actor=executive,
        issue_id=issue.pk,
        base_version=issue.lock_version,
        changes={"cover_headline": "改坏了的要闻"},
        masthead=Masthead(
            organisations=original.organisations,
            members=(
                MastheadRow(PersonRole.EDITOR_IN_CHIEF, factories.PersonFactory.create().pk, 0),
            ),
        ),
    )
    issue = bring_to_approved(issue)

    restored = issue_revision_restore(actor=executive, issue_id=issue.pk, version_id=first.pk)

    restored = fresh(restored)
    assert restored.cover_headline == "原来的要闻"
    assert Masthead.of(restored) == original
    assert restored.status == IssueStatus.IN_REVIEW
    assert not restored.approvals.filter(invalidated_at__isnull=True).exists()
    entry = AuditEntry.objects.filter(issue=issue).latest("pk")
    assert entry.action == "revision_restore" and f"#{first.pk}" in entry.note
    assert len(issue_versions(issue)) == 3


def test_a_version_of_another_issue_cannot_be_restored() -> None:
    one = bring_to(small_issue(), IssueStatus.IN_EDIT)
    other = bring_to(small_issue(), IssueStatus.IN_EDIT)
    issue_update(
        actor=None,
        issue_id=other.pk,
        base_version=other.lock_version,
        changes={"cover_headline": "别的期"},
    )
    before = snapshot(one.pk)

    with pytest.raises(PermissionDenied):
        issue_revision_restore(actor=None, issue_id=one.pk, version_id=issue_versions(other)[0].pk)

    assert snapshot(one.pk) == before


def bring_to_approved(issue: Issue) -> Issue:
    """From in edit to approved, as the board would."""
    issue_transitions.issue_submit(actor=None, issue_id=issue.pk)
    approvals.issue_approve(actor=chief(), issue_id=issue.pk)
    approved = fresh(issue)
    assert approved.status == IssueStatus.APPROVED
    return approved
