"""The public archive: only published issues, readable in full, with their final PDF."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from editorial.models import Issue, Rendition, RenditionKind
from editorial.rendering.typography import GAP
from editorial.services.renditions import rendition_generate, rendition_request
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow_helpers import sample_issue

pytestmark = pytest.mark.django_db


def publish(issue: Issue) -> Issue:
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    issue.refresh_from_db()
    return issue


def test_drafts_are_not_public(client: Client) -> None:
    issue = sample_issue()
    assert "总第179期" not in client.get("/archive/").content.decode()
    assert client.get("/archive/dsjfzdt/179/").status_code == 404
    assert client.get("/archive/dsjfzdt/179.pdf").status_code == 404
    publish(issue)
    assert "第16期 总第179期" in client.get("/archive/").content.decode()


def article_pages(client: Client, issue: Issue) -> list[str]:
    count = issue.articles.count()
    return [
        client.get(f"/archive/dsjfzdt/179/{number}/").content.decode()
        for number in range(1, count + 1)
    ]


def test_an_issue_page_lists_every_article_and_links_its_page(client: Client) -> None:
    issue = publish(sample_issue())
    page = client.get("/archive/dsjfzdt/179/").content.decode()
    assert "本期要目" in page and "2024年5月6日" in page
    for number, article in enumerate(issue.articles.order_by("position", "id"), start=1):
        assert article.title in page
        assert f'href="/archive/dsjfzdt/179/{number}/"' in page
    assert page.index("国策要论") < page.index("地方新政") < page.index("产业前沿")
    assert client.get(f"/archive/dsjfzdt/179/{issue.articles.count() + 1}/").status_code == 404


def test_article_pages_hold_the_body_with_figures_in_place(client: Client) -> None:
    issue = publish(sample_issue())
    pages = article_pages(client, issue)
    for page, article in zip(pages, issue.articles.order_by("position", "id"), strict=True):
        assert article.title in page
        if article.source:
            assert f"（来源：{article.source}）" in page
    joined = "".join(pages)
    assert joined.count("<figure>") == 18
    assert "<figcaption>图 1 电子信息制造业和工业增加值累计增速</figcaption>" in joined
    assert 'data-figure="' not in joined
    assert 'class="qr"><path' in joined and "原文链接：" in joined
    assert ">下一篇<" in pages[0] and ">上一篇<" not in pages[0]
    assert ">上一篇<" in pages[-1] and ">下一篇<" not in pages[-1]


def test_the_notice_is_shown_only_when_the_publication_says_so(client: Client) -> None:
    issue = publish(sample_issue())
    assert issue.notice is not None
    notice = issue.notice.text.split(",")[0]
    assert notice not in client.get("/archive/dsjfzdt/179/").content.decode()
    issue.publication.notice_public = True
    issue.publication.save()
    assert notice in client.get("/archive/dsjfzdt/179/").content.decode()


def test_body_text_has_the_quarter_em_gap_between_scripts(client: Client) -> None:
    issue = publish(sample_issue())
    page = "".join(article_pages(client, issue))
    assert f"同比增长{GAP}13%" in page
    assert "同比增长 13%" not in page


def test_query_counts_do_not_grow_with_the_issue(client: Client) -> None:
    issue = publish(sample_issue())
    with CaptureQueriesContext(connection) as before:
        client.get("/archive/dsjfzdt/179/")
    section = issue.articles.first().section  # type: ignore[union-attr]
    for n in range(5):
        factories.FigureFactory.create(
            article=factories.ArticleFactory.create(issue=issue, section=section, position=100 + n)
        )
    with CaptureQueriesContext(connection) as after:
        client.get("/archive/dsjfzdt/179/")
    assert len(after) == len(before)


def test_the_final_pdf_is_offered_once_rendered(client: Client, make_bundle: object) -> None:
    from editorial.services.bundles import issue_import

    issue = publish(issue_import(actor=None, source=make_bundle()))  # type: ignore[operator]
    assert client.get("/archive/dsjfzdt/179.pdf").status_code == 404
    rendition = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    assert rendition.proof is False
    rendition_generate(rendition.pk)
    response = client.get("/archive/dsjfzdt/179.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert "/archive/dsjfzdt/179.pdf" in client.get("/archive/").content.decode()


def test_a_superseded_issue_points_to_its_correction(client: Client) -> None:
    from editorial.services.issue_transitions import issue_correct

    issue = publish(sample_issue())
    revision = issue_correct(actor=None, issue_id=issue.pk, reason="勘误")
    Issue.objects.filter(pk=revision.pk).update(status=IssueStatus.PUBLISHED)
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SUPERSEDED)
    page = client.get("/archive/dsjfzdt/179/").content.decode()
    assert "本期已发布勘误修订版" in page and "/archive/dsjfzdt/179/r2/" in page
    assert client.get("/archive/dsjfzdt/179/r2/").status_code == 200


def test_the_site_root_is_the_home_with_the_latest_issue(client: Client) -> None:
    assert "还没有已发布的期" in client.get("/").content.decode()
    publish(sample_issue())
    page = client.get("/").content.decode()
    assert "最新一期" in page and "本期要目" in page and "第16期 总第179期" in page
    assert 'href="/archive/2024/"' in page


def test_the_archive_counts_each_article_once_however_many_pdfs_were_rendered(
    client: Client,
) -> None:
    """Two joined counts without distinct showed "32 篇文章" for a 16-article issue."""
    issue = publish(sample_issue())
    rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    Rendition.objects.create(issue=issue, kind=RenditionKind.PDF, proof=True, content_hash="0" * 64)
    assert Rendition.objects.filter(issue=issue).count() == 2
    page = client.get("/archive/").content.decode()
    assert "16 篇文章" in page and "32 篇文章" not in page
