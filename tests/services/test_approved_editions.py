"""An approved Edition is kept: a signed-off issue shows what the board approved, whatever
changes afterwards in the shared records it prints (people, organisations, sections, the
publication), and what ships on publication is that Edition."""

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import (
    Approval,
    ApprovedEdition,
    Article,
    Issue,
    Organisation,
    Person,
    Publication,
    Section,
)
from editorial.rendering.print import render_issue_pdf
from editorial.selectors import issue_edition, issue_live_edition
from editorial.services import approvals, articles, issue_transitions
from editorial.services.renditions import rendition_request
from editorial.workflow import IssueStatus
from tests.workflow.states import bring_to, chief, small_issue

pytestmark = pytest.mark.django_db


def archive_page(client: Client, issue: Issue) -> str:
    url = reverse("public:issue", args=[issue.publication.slug, issue.total_number])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


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
