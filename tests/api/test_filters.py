"""The query parameters: year, number, section, publication, updated_since, the body format —
each one narrowing exactly, a bad value a 400 naming it."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from editorial.models import ApprovedEdition, Article, Issue
from tests.builders import published_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive() -> list[Issue]:
    return published_archive(60, articles=2, figures=True)  # 2024 and 2025, weekly


def ids(response: object) -> list[int]:
    return [row["id"] for row in response.json()["results"]]  # type: ignore[attr-defined]


def test_issues_by_year_number_section_and_change(archive: list[Issue]) -> None:
    reader = Client()
    in_2025 = [i.pk for i in archive if i.date.year == 2025]
    assert 0 < len(in_2025) < 60
    assert sorted(ids(reader.get("/api/v1/issues/?year=2025"))) == sorted(in_2025)
    number_3 = [i.pk for i in archive if i.number == 3]
    assert sorted(ids(reader.get("/api/v1/issues/?number=3"))) == sorted(number_3)
    # Every issue has articles in both sections; each is listed once.
    section = archive[0].articles.order_by("position")[0].section.slug
    assert len(ids(reader.get(f"/api/v1/issues/?section={section}&page_size=200"))) == 60
    assert ids(reader.get("/api/v1/issues/?section=none")) == []
    since = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    Issue.objects.update(updated_at=timezone.now() - datetime.timedelta(days=2))
    Issue.objects.filter(pk=archive[5].pk).update(updated_at=timezone.now())
    assert ids(reader.get("/api/v1/issues/", {"updated_since": since})) == [archive[5].pk]


def test_articles_by_section_and_issue_with_their_bodies_rendered(archive: list[Issue]) -> None:
    reader = Client()
    issue = archive[0]
    second = issue.articles.order_by("position")[1]
    slug = second.section.slug
    listed = reader.get(f"/api/v1/articles/?issue={issue.pk}&section={slug}").json()["results"]
    assert [a["section_slug"] for a in listed] == [slug]
    article = Article.objects.get(pk=listed[0]["id"])
    figure = article.figures.get()
    url = f"/api/v1/articles/{article.pk}/"
    assert reader.get(url).json()["body"] == article.body
    html = reader.get(url, {"format": "html"}).json()["body"]
    image = (
        f"/archive/{issue.publication.slug}/{issue.total_number}/files/{figure.image_checksum}.png"
    )
    assert html == (
        "<p><strong>一是</strong>正文段落。</p>"
        f'<figure><img src="{image}" alt="图 1" loading="lazy"><figcaption>图 1 图题</figcaption>'
        "</figure>"
    )
    assert reader.get(url, {"format": "text"}).json()["body"] == "一是正文段落。\n图 1 图题"
    detail = reader.get(f"/api/v1/issues/{issue.pk}/", {"format": "text"}).json()
    assert detail["sections"][1]["articles"][0]["body"] == "一是正文段落。\n图 1 图题"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("year=二〇二四", "year"),
        ("number=-1", "number"),
        ("updated_since=yesterday", "updated_since"),
        ("updated_since=2024-05-06T08:00:00", "updated_since"),
        ("format=pdf", "format"),
    ],
)
def test_a_bad_value_is_refused_naming_it(query: str, field: str) -> None:
    response = Client().get(f"/api/v1/articles/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and list(response.json()["fields"]) == [field]


def test_rendered_bodies_give_the_text_as_written_the_site_sets_it() -> None:
    """The API's html and text are the content: no typesetting gap is put in for integrators
    to index or set; the site's article page puts the quarter-em gaps in."""
    (issue,) = published_archive(1, articles=1)
    stored = ApprovedEdition.objects.get(issue=issue)
    stored.data["articles"][0]["body"] = "<p>到2026年建成 5G网络。</p>"
    stored.save(update_fields=["data"])
    reader = Client()
    detail = reader.get(f"/api/v1/issues/{issue.pk}/", {"format": "html"}).json()
    assert detail["sections"][0]["articles"][0]["body"] == "<p>到2026年建成 5G网络。</p>"
    text = reader.get(f"/api/v1/issues/{issue.pk}/", {"format": "text"}).json()
    assert text["sections"][0]["articles"][0]["body"] == "到2026年建成 5G网络。"
    page = reader.get(f"/archive/{issue.publication.slug}/{issue.total_number}/1/")
    assert page.status_code == 200
    assert "到\u20052026\u2005年建成\u20055G\u2005网络。" in page.content.decode()
