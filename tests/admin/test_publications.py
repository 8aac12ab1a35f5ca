"""The publication's screen: the approval quorum and the WeChat push switch are set here, and a
change is audited (every issue prints the publication)."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from editorial.models import AuditEntry, Publication
from tests import factories
from tests.admin.forms import form_data
from tests.admin.workflow_setup import logged_in

pytestmark = pytest.mark.django_db


def test_the_quorum_and_the_push_switch_are_set_on_the_publication_page(superuser: User) -> None:
    publication = factories.PublicationFactory.create(approval_quorum=2)
    factories.SectionFactory.create(publication=publication)
    client = logged_in(superuser)
    url = reverse("admin:editorial_publication_change", args=[publication.pk])
    page = client.get(url).content.decode()
    assert "批准所需编委人数" in page and "推送到公众号" in page

    data = form_data(page, "publication_form")
    data["approval_quorum"] = ["3"]
    data["wechat_push_enabled"] = ["on"]
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    publication.refresh_from_db()
    assert (publication.approval_quorum, publication.wechat_push_enabled) == (3, True)
    entry = AuditEntry.objects.get(action="update", object_repr=str(publication))
    assert "批准所需编委人数" in entry.note and "推送到公众号" in entry.note


def test_a_quorum_below_one_is_refused_and_nothing_changes(superuser: User) -> None:
    publication = factories.PublicationFactory.create(approval_quorum=2)
    client = logged_in(superuser)
    url = reverse("admin:editorial_publication_change", args=[publication.pk])
    data = form_data(client.get(url).content.decode(), "publication_form")
    data["approval_quorum"] = ["0"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert Publication.objects.get(pk=publication.pk).approval_quorum == 2
    assert not AuditEntry.objects.filter(object_repr=str(publication)).exists()
