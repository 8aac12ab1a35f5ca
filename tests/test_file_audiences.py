"""Files by audience: every file of an issue that is not published answers 404 to visitors and to
accounts without an editorial role, whatever URL names it; a published issue's images and final
PDF answer 200 to anyone, its proofs never; editors get every file through the checked view."""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from editorial.models import Issue, Rendition, RenditionKind, RenditionStatus
from editorial.public.views import edition_images
from editorial.roles import Role
from editorial.selectors import issue_edition
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

S = IssueStatus
UNPUBLISHED = [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.SCHEDULED]


def issue_with_every_file(status: str) -> Issue:
    """A small issue with a figure, a cover, a logo and a WeChat QR code, brought to ``status``,
    with a proof and a final PDF stored (rows made directly: rendering is not what is tested)."""
    issue = small_issue()
    factories.FigureFactory.create(article=issue.articles.get(), number=1)
    issue.cover_image.save("cover.png", factories.png_file(), save=True)
    issue.publication.wechat_qr.save("qr.png", factories.png_file(), save=True)
    organisation = issue.masthead_organisations.get().organisation
    organisation.logo.save("logo.png", factories.png_file(), save=True)
    issue = bring_to(issue, status)
    fingerprint = issue_edition(issue.pk).fingerprint
    for proof in (True, False):  # approving may have asked for the final PDF already
        rendition, _ = Rendition.objects.get_or_create(
            issue=issue, kind=RenditionKind.PDF, proof=proof, content_hash=fingerprint
        )
        rendition.status = RenditionStatus.DONE
        rendition.file.save("issue-proof.pdf" if proof else "issue.pdf", ContentFile(b"%PDF-1.7"))
    return issue


def stored_names(issue: Issue) -> list[str]:
    article = issue.articles.get()
    organisation = issue.masthead_organisations.get().organisation
    return [
        article.figures.get().image.name,
        issue.cover_image.name,
        organisation.logo.name,
        issue.publication.wechat_qr.name,
        *(r.file.name for r in Rendition.objects.filter(issue=issue).exclude(file="")),
    ]


def public_urls(issue: Issue) -> list[str]:
    """Every archive URL of the issue: its page, its PDF and each image its Edition names."""
    base = f"/archive/{issue.publication.slug}/{issue.total_number}"
    edition = issue_edition(issue.pk)
    images = [f"{base}/files/{i.checksum}{i.suffix}" for i in edition_images(edition)]
    assert len(images) == 4
    return [f"{base}/", f"{base}.pdf", *images]


def private_urls(issue: Issue) -> list[str]:
    names = stored_names(issue)
    return [*(f"/files/{n}" for n in names), *(f"/media/{n}" for n in names)]


@pytest.fixture
def outsider_client() -> Client:
    """An account that logs in but holds no editorial role."""
    client = Client()
    client.force_login(factories.UserFactory.create(username="reader"))
    return client


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_no_file_of_an_unpublished_issue_reaches_visitors_or_accounts_without_a_role(
    status: str, client: Client, outsider_client: Client
) -> None:
    issue = issue_with_every_file(status)
    urls = [*public_urls(issue), *private_urls(issue)]
    for visitor in (client, outsider_client):
        for url in urls:
            assert visitor.get(url).status_code == 404, (status, url)


def test_a_published_issue_is_public_but_its_proofs_and_stored_names_are_not(
    client: Client, outsider_client: Client
) -> None:
    issue = issue_with_every_file(S.PUBLISHED)
    for visitor in (client, outsider_client):
        for url in public_urls(issue):
            response = visitor.get(url)
            assert response.status_code == 200, url
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Cache-Control"].startswith("public"), url
        for url in private_urls(issue):
            assert visitor.get(url).status_code == 404, url
    page = client.get(f"/archive/{issue.publication.slug}/{issue.total_number}/1/").content.decode()
    figure = issue.articles.get().figures.get()
    suffix = figure.image.name.rsplit(".", 1)[-1]
    assert f"/files/{figure.image_checksum}.{suffix}" in page
    assert figure.image.name not in page


def test_a_correction_keeps_the_old_revision_public_and_the_new_one_private_until_published(
    client: Client,
) -> None:
    from editorial.services.issue_transitions import issue_correct

    issue = issue_with_every_file(S.PUBLISHED)
    revision = issue_correct(actor=None, issue_id=issue.pk, reason="勘误")
    base = f"/archive/{issue.publication.slug}/{issue.total_number}"
    assert client.get(f"{base}/r{revision.revision}/").status_code == 404
    assert all(client.get(url).status_code == 200 for url in public_urls(issue))


@pytest.mark.parametrize("status", [*UNPUBLISHED, S.PUBLISHED])
def test_an_editor_who_may_view_gets_every_file_through_the_checked_view(
    status: str, client: Client
) -> None:
    issue = issue_with_every_file(status)
    client.force_login(staff("exec", "执行编辑甲", Role.EXECUTIVE_EDITOR))
    for name in stored_names(issue):
        response = client.get(f"/files/{name}")
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_stored_names_carry_an_unguessable_part() -> None:
    issue = issue_with_every_file(S.DRAFT)
    for name in stored_names(issue):
        assert re.fullmatch(r"[a-z/]+/(\d{4}/)?[\w-]{22}/[\w.-]+", name), name


def test_behind_a_proxy_the_checked_view_hands_the_file_over(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DIGEST_FILES_X_ACCEL_PREFIX = "/_files/"
    issue = issue_with_every_file(S.DRAFT)
    client.force_login(staff("exec", "执行编辑甲", Role.EXECUTIVE_EDITOR))
    name = issue.cover_image.name
    response = client.get(f"/files/{name}")
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/_files/{name}"
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
