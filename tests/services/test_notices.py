"""A new notice text is a new version; issues keep the version they pinned."""

import pytest

from editorial.models import Publication
from editorial.services.notices import notice_revise
from tests import factories

pytestmark = pytest.mark.django_db


def test_notice_revision_adds_a_version_and_keeps_pinned_ones(publication: Publication) -> None:
    first = notice_revise(actor=None, publication=publication, text="声明: 第一版。")
    issue = factories.IssueFactory.create(publication=publication, notice=first)
    second = notice_revise(actor=None, publication=publication, text="  声明: 第二版。 ")

    assert (first.version, second.version, second.text) == (1, 2, "声明: 第二版。")
    issue.refresh_from_db()
    assert issue.notice == first
