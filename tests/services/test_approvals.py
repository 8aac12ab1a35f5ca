"""Approvals are of exact content: any change makes them stop counting, visibly and logged."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from editorial.models import (
    Approval,
    ApprovedEdition,
    Article,
    AuditEntry,
    Issue,
    Notification,
    Organisation,
    Person,
    Publication,
    Section,
)
from editorial.rendering.print import render_issue_pdf
from editorial.roles import Role
from editorial.selectors import issue_edition, issue_live_edition
from editorial.services import approvals, articles, issue_transitions
from editorial.services.renditions import rendition_request
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, chief, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def without_nonce(page: str) -> str:
    """A page without its per-response CSP nonces, which differ on every request."""
    return re.sub(r' nonce="[^"]*"', "", page)


@pytest.fixture
def executive() -> User:
    return staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)


@pytest.fixture
def board() -> tuple[User, User]:
    return (
        staff("board1", "程茹", Role.BOARD_MEMBER),
        staff("board2", "钟新敏", Role.BOARD_MEMBER),
    )


def edit_body(actor: User, article_id: int, body: str) -> Article:
    article = Article.objects.get(pk=article_id)
    article.body = body
    return articles.article_save(actor=actor, article=article, base_version=article.lock_version)


def current_hash(issue_id: int) -> str:
    return issue_live_edition(issue_id).fingerprint


def test_an_edit_invalidates_a_board_approval_which_then_stops_counting(
    executive: User, board: tuple[User, User]
) -> None:
    board1, board2 = board
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    article = issue.articles.get()
    first = approvals.issue_approve(actor=board1, issue_id=issue.pk, comment="同意")
    assert first.content_hash == current_hash(issue.pk)

    edit_body(executive, article.pk, "<p>补充了一句。</p>")

    first.refresh_from_db()
    assert first.invalidated_at is not None
    assert first.invalidated_reason == f"内容变更：《{article.title}》修改文章"
    assert not first.is_valid
    logged = AuditEntry.objects.get(issue=issue, action="approval_invalidated")
    assert (logged.actor, logged.note) == (executive, f"《{article.title}》修改文章")
    assert first.content_hash != current_hash(issue.pk)
    # Still under review, and not sent back: it was never approved.
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    assert not AuditEntry.objects.filter(issue=issue, action="reopen_review").exists()

    # The second member's approval is the only one that counts: no quorum yet.
    approvals.issue_approve(actor=board2, issue_id=issue.pk)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    assert not AuditEntry.objects.filter(issue=issue, action="approve").exists()
    # The first member may approve the new content; now two count.
    again = approvals.issue_approve(actor=board1, issue_id=issue.pk)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.APPROVED
    assert AuditEntry.objects.get(issue=issue, action="approve").actor == board1
    valid = Approval.objects.filter(issue=issue, invalidated_at__isnull=True)
    assert set(valid.values_list("approver__username", flat=True)) == {"board1", "board2"}
    assert set(valid.values_list("content_hash", flat=True)) == {current_hash(issue.pk)}
    assert again.pk != first.pk
    assert Approval.objects.filter(issue=issue).count() == 3


def test_an_edit_after_full_approval_sends_the_issue_back_and_publish_is_refused(
    executive: User, board: tuple[User, User]
) -> None:
    board1, board2 = board
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    article = issue.articles.get()
    approvals.issue_approve(actor=board1, issue_id=issue.pk)
    approvals.issue_approve(actor=board2, issue_id=issue.pk)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.APPROVED
    Notification.objects.all().delete()

    edit_body(executive, article.pk, "<p>批准之后又改了。</p>")

    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_REVIEW
    back = AuditEntry.objects.get(issue=issue, action="reopen_review")
    assert (back.actor, back.from_state, back.to_state) == (
        None,
        IssueStatus.APPROVED,
        IssueStatus.IN_REVIEW,
    )
    assert back.note == f"杨婷：《{article.title}》修改文章"  # the person, not the login
    assert not Approval.objects.filter(issue=issue, invalidated_at__isnull=True).exists()
    assert AuditEntry.objects.filter(issue=issue, action="approval_invalidated").count() == 1
    # The approvers are told their approval was voided (the one notice of the change).
    assert sorted(
        Notification.objects.filter(event="approval_invalidated").values_list(
            "recipient__username", flat=True
        )
    ) == ["board1", "board2"]
    assert not Notification.objects.filter(event="reopen_review").exists()

    before = snapshot(issue.pk)
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        issue_transitions.issue_publish(actor=executive, issue_id=issue.pk)
    assert refused.value.code == "wrong_state"
    assert snapshot(issue.pk) == before


def change_behind_the_services(issue: Issue, what: str) -> None:
    """A change the admin makes to a row the issue prints but does not own."""
    if what == "article body":
        Article.objects.filter(issue=issue).update(body="<p>绕过服务改的。</p>")
    elif what == "section name":
        Section.objects.filter(articles__issue=issue).update(name="改了名的栏目")
    elif what == "organisation name":
        Organisation.objects.filter(masthead_entries__issue=issue).update(name="改了名的机构")
    elif what == "person name":
        Person.objects.filter(masthead_entries__issue=issue).update(name="改了名的人")
    elif what == "publication tagline":
        Publication.objects.filter(issues=issue).update(tagline="新的封面标语")


SHARED_CHANGES = [
    "article body",
    "section name",
    "organisation name",
    "person name",
    "publication tagline",
]


@pytest.mark.parametrize("what", SHARED_CHANGES)
def test_publish_ships_the_approved_edition_whatever_changed_behind_the_services_back(
    executive: User, what: str
) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    approved_hash = Approval.objects.get(issue=issue).content_hash
    change_behind_the_services(issue, what)
    assert current_hash(issue.pk) != approved_hash

    issue_transitions.issue_publish(actor=executive, issue_id=issue.pk)

    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.PUBLISHED
    assert issue_edition(issue.pk).fingerprint == approved_hash
    assert "绕过服务" not in issue_edition(issue.pk).articles[0].body


def test_publish_refuses_when_no_valid_approval_names_the_kept_edition(executive: User) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    Approval.objects.filter(issue=issue).update(content_hash="0" * 64)
    before = snapshot(issue.pk)
    with pytest.raises(issue_transitions.TransitionRefused) as refused:
        issue_transitions.issue_publish(actor=executive, issue_id=issue.pk)
    assert refused.value.code == "not_approved_content"
    assert snapshot(issue.pk) == before


@pytest.mark.parametrize("what", SHARED_CHANGES[1:])
def test_after_a_shared_row_changed_a_board_member_may_approve_again(
    board: tuple[User, User], what: str
) -> None:
    board1, board2 = board
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    first = approvals.issue_approve(actor=board1, issue_id=issue.pk)
    change_behind_the_services(issue, what)
    approvals.issue_approve(actor=board2, issue_id=issue.pk)
    # Only one approval is of the content as it is now: no quorum.
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    approvals.issue_approve(actor=board1, issue_id=issue.pk)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.APPROVED
    first.refresh_from_db()
    assert first.invalidated_at is not None


def test_published_content_is_the_approved_content(executive: User) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    approved_hash = Approval.objects.get(issue=issue).content_hash
    issue_transitions.issue_publish(actor=executive, issue_id=issue.pk)
    assert current_hash(issue.pk) == approved_hash
    entry = AuditEntry.objects.get(issue=issue, action="publish")
    assert entry.note == f"内容指纹 {approved_hash[:12]}"


@pytest.mark.parametrize(
    ("action", "reason"),
    [("request_changes", "退回修改"), ("withdraw", "撤回")],
)
def test_sending_back_invalidates_approvals_with_its_reason(
    executive: User, action: str, reason: str
) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    if action == "request_changes":
        reviewer = staff("board1", "程茹", Role.BOARD_MEMBER)
        issue_transitions.issue_request_changes(actor=reviewer, issue_id=issue.pk, comment="再改改")
    else:
        issue_transitions.issue_withdraw(actor=executive, issue_id=issue.pk)
    approval = Approval.objects.get(issue=issue)
    assert approval.invalidated_at is not None
    assert approval.invalidated_reason == reason
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_EDIT


def test_a_figure_change_invalidates_approvals_too(executive: User) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    article = issue.articles.get()
    factories.FigureFactory.create(article=article, number=1, caption="新增的图")
    articles.article_content_changed(actor=executive, article_id=article.pk, what="增加图 1")
    approval = Approval.objects.get(issue=issue)
    assert approval.invalidated_reason == f"内容变更：《{article.title}》增加图 1"
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    assert Article.objects.get(pk=article.pk).lock_version == article.lock_version + 1


def test_deleting_an_article_from_an_approved_issue_sends_it_back(executive: User) -> None:
    issue = bring_to(small_issue(articles=2), IssueStatus.APPROVED)
    doomed = issue.articles.first()
    assert doomed is not None
    articles.article_delete(actor=executive, article_id=doomed.pk)
    approval = Approval.objects.get(issue=issue)
    assert approval.invalidated_reason == f"内容变更：删除文章《{doomed.title}》"
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    assert approval.content_hash != current_hash(issue.pk)


# The approved Edition is kept: what the board approved is what every channel shows.


def archive_page(client: Client, issue: Issue) -> str:
    url = reverse("public:issue", args=[issue.publication.slug, issue.total_number])
    response = client.get(url)
    assert response.status_code == 200
    return without_nonce(response.content.decode())


RENAMES = {
    "person": lambda issue: Person.objects.filter(masthead_entries__issue=issue).update(
        name="改了名的人"
    ),
    "organisation": lambda issue: Organisation.objects.filter(masthead_entries__issue=issue).update(
        name="改了名的机构"
    ),
    "section": lambda issue: Section.objects.filter(articles__issue=issue).update(
        name="改了名的栏目"
    ),
    "publication tagline": lambda issue: Publication.objects.filter(issues=issue).update(
        tagline="新的封面标语"
    ),
}


def test_approval_keeps_the_edition_it_approved() -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    kept = ApprovedEdition.objects.get(issue=issue)
    approval = Approval.objects.get(issue=issue)
    assert kept.fingerprint == approval.content_hash == issue_live_edition(issue.pk).fingerprint
    assert issue_edition(issue.pk) == issue_live_edition(issue.pk)


@pytest.mark.parametrize("what", list(RENAMES))
def test_renaming_a_shared_record_changes_nothing_a_published_issue_shows(
    what: str, client: Client
) -> None:
    issue = bring_to(small_issue(), IssueStatus.PUBLISHED)
    pdf_before = render_issue_pdf(issue_edition(issue.pk), proof=False).data
    page_before = archive_page(client, issue)
    live_before = issue_live_edition(issue.pk).fingerprint

    RENAMES[what](issue)

    assert issue_live_edition(issue.pk).fingerprint != live_before  # the records did change
    assert render_issue_pdf(issue_edition(issue.pk), proof=False).data == pdf_before
    assert archive_page(client, issue) == page_before
    assert "改了名" not in page_before and "新的封面标语" not in page_before


@pytest.mark.parametrize("what", list(RENAMES))
def test_an_approved_issue_publishes_the_approved_edition_after_a_rename(what: str) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    approved = issue_edition(issue.pk)
    RENAMES[what](issue)

    issue_transitions.issue_publish(actor=None, issue_id=issue.pk)

    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.PUBLISHED
    assert issue_edition(issue.pk) == approved
    final = rendition_request(actor=None, issue_id=issue.pk)
    assert (final.proof, final.content_hash) == (False, approved.fingerprint)


def test_a_proof_follows_the_live_records_until_approval() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    RENAMES["section"](issue)
    assert issue_edition(issue.pk).articles[0].section.name == "改了名的栏目"


def test_editing_the_wechat_title_of_an_approved_issue_invalidates_its_approvals() -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    article = Article.objects.get(issue=issue)
    article.wechat_title = "新的公众号标题"
    articles.article_save(actor=None, article=article, base_version=article.lock_version)

    approval = Approval.objects.get(issue=issue)
    assert approval.invalidated_at is not None
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.IN_REVIEW
    assert issue_live_edition(issue.pk).articles[0].wechat_title == "新的公众号标题"
    assert issue_live_edition(issue.pk).fingerprint != approval.content_hash


def test_re_approval_keeps_the_new_edition_and_outputs_follow_it() -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    article = Article.objects.get(issue=issue)
    article.wechat_digest = "改过的摘要"
    articles.article_save(actor=None, article=article, base_version=article.lock_version)
    approvals.issue_approve(actor=chief(), issue_id=issue.pk)

    assert ApprovedEdition.objects.filter(issue=issue).count() == 2
    assert issue_edition(issue.pk).articles[0].wechat_digest == "改过的摘要"


def test_an_edit_to_an_article_with_a_200_character_title_invalidates_with_a_cut_reason() -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    article = Article.objects.get(issue=issue)
    article.title = "长" * 200
    articles.article_save(actor=None, article=article, base_version=article.lock_version)

    approval = Approval.objects.get(issue=issue)
    assert approval.invalidated_at is not None
    assert len(approval.invalidated_reason) == 200
    assert approval.invalidated_reason.startswith(
        "内容变更：《长长"
    ) and approval.invalidated_reason.endswith("…")
