"""The reading site's pages: only published content, the cover facts, the PDF with its size
and checksum, sections across issues, Open Graph and canonical links, the footer from settings,
the favicon."""

import pytest
from django.test import Client
from django.utils import timezone

from editorial.models import Issue, Rendition, RenditionKind, RenditionStatus
from editorial.workflow import IssueStatus
from tests.builders import published_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def issues() -> list[Issue]:
    return published_archive(3)


@pytest.mark.parametrize(
    "status",
    [IssueStatus.DRAFT, IssueStatus.IN_REVIEW, IssueStatus.APPROVED, IssueStatus.SCHEDULED],
)
def test_unpublished_issues_are_nowhere(client: Client, issues: list[Issue], status: str) -> None:
    hidden = issues[-1]
    Issue.objects.filter(pk=hidden.pk).update(
        status=status,
        published_at=None,
        scheduled_at=timezone.now() if status == IssueStatus.SCHEDULED else None,
    )
    slug = hidden.publication.slug
    for path in (f"/archive/{slug}/102/", f"/archive/{slug}/102/1/", f"/archive/{slug}/102.pdf"):
        assert client.get(path).status_code == 404, path
    for path in ("/", "/archive/", "/archive/2024/", f"/feeds/{slug}/atom.xml"):
        assert "第102期文章" not in client.get(path).content.decode(), path
    assert "第101期文章0" in client.get("/").content.decode()  # the latest published


def test_the_pdf_is_offered_with_its_size_and_checksum(client: Client, issues: list[Issue]) -> None:
    issue = issues[-1]
    Rendition.objects.create(
        issue=issue,
        kind=RenditionKind.PDF,
        proof=False,
        content_hash="f" * 64,
        status=RenditionStatus.DONE,
        file="renditions/x.pdf",
        checksum="ab" * 32,
        size=2_400_000,
    )
    slug = issue.publication.slug
    for path in (f"/archive/{slug}/102/", "/"):
        page = client.get(path).content.decode()
        assert f'href="/archive/{slug}/102.pdf"' in page and "2.3 MB" in page, path
        assert "ab" * 32 in page
    assert "2.3 MB" in client.get("/archive/2024/").content.decode()


def test_a_section_page_lists_its_articles_across_issues(
    client: Client, issues: list[Issue]
) -> None:
    slug = issues[0].publication.slug
    section = issues[0].articles.get(position=1).section
    page = client.get(f"/archive/{slug}/sections/{section.slug}/").content.decode()
    assert page.index("第102期文章1") < page.index("第101期文章1") < page.index("第100期文章1")
    assert "文章0" not in page
    assert f'href="/archive/{slug}/102/2/"' in page
    assert client.get(f"/archive/{slug}/sections/nothing/").status_code == 404


def test_pages_have_open_graph_canonical_links_and_the_footer(
    client: Client, issues: list[Issue], settings: object
) -> None:
    settings.DIGEST_ICP_NUMBER = "黔ICP备12345678号-1"  # type: ignore[attr-defined]
    settings.DIGEST_SITE_CONTACT = "0851-12345678"  # type: ignore[attr-defined]
    slug = issues[0].publication.slug
    page = client.get(f"/archive/{slug}/102/1/").content.decode()
    url = f"http://127.0.0.1:8000/archive/{slug}/102/1/"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="第102期文章0">' in page
    assert (
        '<a href="https://beian.miit.gov.cn/" rel="noopener noreferrer">黔ICP备12345678号-1</a>'
        in page
    )
    assert "联系方式：0851-12345678" in page
    assert '<link rel="icon" href="/static/public/favicon.svg"' in page
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301 and favicon["Location"] == "/static/public/favicon.svg"


def test_the_archive_is_one_year_a_page(client: Client) -> None:
    issues = published_archive(60)  # 2024 and 2025
    latest = client.get("/archive/").content.decode()
    assert "往期 · 2025年" in latest and 'href="/archive/2024/"' in latest
    assert "第1期 总第153期" in latest and "总第152期" not in latest
    year = client.get("/archive/2024/").content.decode()
    assert year.count('class="issue-entry"') == 53 and "2 篇文章" in year
    assert client.get("/archive/2023/").status_code == 404
    assert len(issues) == 60
