"""The feeds: Atom and RSS with every article's full content, per publication and per section,
only published issues, found from every page by autodiscovery."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from editorial.models import Issue
from editorial.workflow import IssueStatus
from tests.builders import published_archive

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def issues() -> list[Issue]:
    archive = published_archive(3)
    Issue.objects.filter(pk=archive[-1].pk).update(status=IssueStatus.IN_EDIT)  # not public
    return archive


def test_the_atom_feed_holds_the_latest_published_issues_whole(
    client: Client, issues: list[Issue]
) -> None:
    slug = issues[0].publication.slug
    response = client.get(f"/feeds/{slug}/atom.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == ["第101期文章0", "第101期文章1", "第100期文章0", "第100期文章1"]
    content = entries[0].find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    assert "<strong>一是</strong>正文段落。" in (content.text or "")
    assert "（来源：国家数据局）" in (content.text or "")
    link = entries[0].find(f"{ATOM}link")
    assert link is not None and link.get("href") == f"http://127.0.0.1:8000/archive/{slug}/101/1/"


def test_the_rss_and_section_feeds(client: Client, issues: list[Issue]) -> None:
    slug = issues[0].publication.slug
    section = issues[0].articles.get(position=1).section
    rss = ET.fromstring(client.get(f"/feeds/{slug}/rss.xml").content)  # noqa: S314 - our own feed
    assert len(rss.findall("channel/item")) == 4
    assert "正文段落" in (rss.findtext("channel/item/description") or "")
    only = ET.fromstring(client.get(f"/feeds/{slug}/{section.slug}/atom.xml").content)  # noqa: S314 - our own feed
    titles = [e.findtext(f"{ATOM}title") for e in only.findall(f"{ATOM}entry")]
    assert titles == ["第101期文章1", "第100期文章1"]
    assert section.name in (only.findtext(f"{ATOM}title") or "")
    assert client.get(f"/feeds/{slug}/no-such-section/atom.xml").status_code == 404
    assert client.get("/feeds/no-such-publication/atom.xml").status_code == 404


def test_every_page_points_to_its_feeds(client: Client, issues: list[Issue]) -> None:
    slug = issues[0].publication.slug
    section = issues[0].articles.get(position=1).section.slug
    atom = f'<link rel="alternate" type="application/atom+xml" title="{issues[0].publication.name}'
    for path in ("/", "/archive/", f"/archive/{slug}/101/", f"/archive/{slug}/101/2/"):
        page = client.get(path).content.decode()
        assert atom in page and f'href="/feeds/{slug}/rss.xml"' in page, path
    article = client.get(f"/archive/{slug}/101/2/").content.decode()
    assert f'href="/feeds/{slug}/{section}/atom.xml"' in article
