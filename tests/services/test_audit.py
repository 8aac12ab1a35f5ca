"""Audit rows name what changed: an article row points at its issue, a shared record at itself."""

import pytest
from django.contrib.contenttypes.models import ContentType

from editorial.models import Organisation
from editorial.services.audit import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_article_row_points_at_the_article_and_its_issue() -> None:
    article = factories.ArticleFactory.create(title="河南发布方案")
    entry = audit_record(actor=None, action="update", obj=article, note="修改正文")
    assert (entry.article, entry.issue, entry.object_repr) == (
        article,
        article.issue,
        "河南发布方案",
    )
    assert (entry.actor, entry.note) == (None, "修改正文")


def test_a_shared_record_row_points_at_the_record() -> None:
    organisation = factories.OrganisationFactory.create(name="贵阳智能大数据战略研究院")
    entry = audit_record(actor=None, action="update", obj=organisation)
    assert entry.issue is None and entry.article is None
    assert entry.content_type == ContentType.objects.get_for_model(Organisation)
    assert entry.object_id == organisation.pk
