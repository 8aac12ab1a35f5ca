"""Outputs for the interfaces: the 公众号 review is the push's rendering, checked, one page each;
publishing asks for the final PDF of the Edition it ships."""

import pytest
from django.core.exceptions import PermissionDenied

from editorial.models import Rendition
from editorial.selectors import issue_edition
from editorial.services.outputs import ImageSource, issue_wechat_review
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import sample_issue

pytestmark = pytest.mark.django_db


def test_the_review_holds_the_digest_then_each_article_checked_and_in_a_page() -> None:
    issue = sample_issue()
    placed: list[str] = []

    def image_url(image: ImageSource) -> str:
        placed.append(image.name)
        return f"images/{image.name}"

    review = issue_wechat_review(actor=None, issue_id=issue.pk, image_url=image_url)

    assert [item.number for item in review.items] == list(range(17))
    assert review.items[0].source is None and review.items[1].source is not None
    assert review.violations == []
    assert all(item.article.content in item.page for item in review.items)
    assert review.edition == issue_edition(issue.pk)
    assert review.cover.name == "cover-179.png" and placed


def test_the_review_needs_permission_to_see_the_issue() -> None:
    issue = small_issue()
    outsider = factories.UserFactory.create(is_staff=True)
    with pytest.raises(PermissionDenied):
        issue_wechat_review(actor=outsider, issue_id=issue.pk, image_url=lambda image: "x")


def test_publishing_asks_for_the_final_pdf_of_the_approved_edition() -> None:
    issue = bring_to(small_issue(), IssueStatus.PUBLISHED)
    final = Rendition.objects.get(issue=issue, proof=False)
    assert final.content_hash == issue_edition(issue.pk).fingerprint
