"""The data migration that binds approvals to the Edition: approvals and renditions of unchanged
content are re-keyed from the old manifest hash to the fingerprint, image checksums are filled,
and every signed-off issue keeps its Edition."""

import datetime
import hashlib
from importlib import import_module

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from editorial.editions import edition_from_data
from editorial.models import Approval, ApprovedEdition, Figure, Rendition
from editorial.selectors import issue_live_edition
from tests import factories

BEFORE = [("editorial", "0007_editions")]
fingerprints = import_module("editorial.migrations.0008_edition_fingerprints")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approvals_and_renditions_are_re_keyed_and_the_edition_kept() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("editorial")
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    hist = {
        name: apps.get_model("editorial", name)
        for name in (
            "Publication",
            "Section",
            "CopyrightNotice",
            "Issue",
            "Article",
            "Figure",
            "Approval",
            "Rendition",
            "Organisation",
            "Person",
            "MastheadOrganisation",
            "MastheadMember",
        )
    }
    user = factories.UserFactory.create()
    publication = hist["Publication"].objects.create(slug="dsjfzdt", name="大数据发展动态")
    section = hist["Section"].objects.create(publication=publication, slug="guoce", name="国策要论")
    notice = hist["CopyrightNotice"].objects.create(publication=publication, version=1, text="声明")
    issue = hist["Issue"].objects.create(
        publication=publication,
        date=datetime.date(2024, 5, 6),
        number=16,
        total_number=179,
        notice=notice,
        status="approved",
    )
    hist["MastheadOrganisation"].objects.create(
        issue=issue,
        role="chief_editor",
        organisation=hist["Organisation"].objects.create(name="贵阳智能大数据战略研究院"),
    )
    hist["MastheadMember"].objects.create(
        issue=issue, role="editor_in_chief", person=hist["Person"].objects.create(name="宋希贤")
    )
    article = hist["Article"].objects.create(
        issue=issue, section=section, title="标题", body="<p>正文</p>", status="ready"
    )
    figure = hist["Figure"](article=article, number=1, caption="图题")
    figure.image.save("fig.png", ContentFile(factories.png_bytes()), save=False)
    hist["Figure"].objects.bulk_create([figure])
    loaded = hist["Issue"].objects.get(pk=issue.pk)
    old = fingerprints.legacy_content_hash(loaded)
    hist["Approval"].objects.create(
        issue=issue, approver_id=user.pk, content_hash=old, as_editor_in_chief=True
    )
    hist["Approval"].objects.create(
        issue=issue, approver_id=factories.UserFactory.create().pk, content_hash="0" * 64
    )
    hist["Rendition"].objects.create(issue=issue, kind="pdf", proof=False, content_hash=old)

    executor.loader.build_graph()
    executor.migrate(latest)

    edition = issue_live_edition(issue.pk)
    stored = Figure.objects.get(article_id=article.pk)
    with stored.image.open("rb") as handle:
        assert stored.image_checksum == hashlib.sha256(handle.read()).hexdigest()
    hashes = sorted(
        Approval.objects.filter(issue_id=issue.pk).values_list("content_hash", flat=True)
    )
    assert hashes == sorted([edition.fingerprint, "0" * 64])  # other content stays other
    assert Rendition.objects.get(issue_id=issue.pk).content_hash == edition.fingerprint
    kept = ApprovedEdition.objects.get(issue_id=issue.pk)
    assert kept.fingerprint == edition.fingerprint
    assert edition_from_data(kept.data) == edition
