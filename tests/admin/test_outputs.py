"""The issue page's 输出 panel for the PDF: the rendition of the current content and its state,
生成 PDF, download and preview with their headers and permission, earlier renditions; and the
rendition records, read-only.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from editorial.models import Article, AuditEntry, Figure, Issue, IssueStatus, Rendition
from editorial.models import RenditionStatus as R
from editorial.rendering.print import pdf_filename
from editorial.selectors import issue_edition
from editorial.services.renditions import rendition_generate, rendition_request
from tests import factories
from tests.admin.workflow_setup import actor, logged_in, messages_of
from tests.workflow.states import bring_to, small_issue

pytestmark = pytest.mark.django_db


def issue_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def request_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_pdf_request", args=[issue.pk])


def status_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_outputs_status", args=[issue.pk])


def download_url(rendition: Rendition) -> str:
    return reverse("admin:editorial_issue_pdf_download", args=[rendition.issue_id, rendition.pk])


def preview_url(rendition: Rendition) -> str:
    return reverse("admin:editorial_issue_pdf_preview", args=[rendition.issue_id, rendition.pk])


def panel(html: str) -> str:
    match = re.search(
        r'<section class="module outputs-panel" id="outputs".*?</section>', html, re.S
    )
    assert match, "no outputs panel"
    return match.group(0)


def rendered(issue: Issue) -> Rendition:
    """The PDF of the issue's current content, made as the task makes it."""
    done = rendition_generate(rendition_request(actor=None, issue_id=issue.pk, enqueue=False).pk)
    assert done is not None and done.status == R.DONE
    return done


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_an_issue_without_a_pdf_offers_to_make_one() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)

    html = panel(logged_in(actor("board_member")).get(issue_url(issue)).content.decode())

    none = "本期当前内容尚未生成 PDF；批准前生成的是带“样稿”水印的样稿。"
    assert f'<p class="help" id="pdf-none">{none}</p>' in html
    assert f'<form method="post" action="{request_url(issue)}" id="pdf-generate"' in html
    assert '<button type="submit" class="button">生成 PDF</button>' in html
    assert 'id="pdf-download"' not in html and 'id="pdf-earlier"' not in html
    wechat = reverse("admin:editorial_issue_wechat_preview", args=[issue.pk])
    assert f'id="wechat-preview-link" href="{wechat}">公众号预览</a>' in html
    assert 'id="wechat-disabled"' in html and "推送到公众号</button>" not in html


@pytest.mark.django_db(transaction=True)
def test_generate_pdf_completes_at_once_when_tasks_run_eagerly(superuser: User) -> None:
    """The embedded demo runs tasks in the web process: the PDF is there when the page returns."""
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    client = logged_in(superuser)

    response = client.post(request_url(issue))

    assert response.status_code == 302
    assert response["Location"] == issue_url(issue) + "#outputs"
    rendition = Rendition.objects.get(issue=issue)
    assert (rendition.status, rendition.proof, rendition.attempts) == (R.DONE, True, 1)
    assert rendition.page_count and rendition.size and rendition.duration
    [message] = messages_of(response)
    assert message.startswith(f"PDF 已生成（样稿）：{rendition.page_count} 页，")
    html = panel(client.get(issue_url(issue)).content.decode())
    assert 'data-status="done">已完成</strong>' in html
    assert f" · {rendition.page_count} 页 · " in html and " 秒</span>" in html
    assert '<span id="pdf-kind">样稿</span>' in html
    assert f'id="pdf-download" href="{download_url(rendition)}">下载</a>' in html
    assert f'id="pdf-preview" href="{preview_url(rendition)}" target="_blank"' in html
    assert 'id="pdf-generate"' not in html  # the current content has its PDF

    again = client.post(request_url(issue))

    assert messages_of(again) == [
        f"本期内容未变，沿用已生成的 PDF（样稿，{rendition.page_count} 页，"
        f"{filesizeformat(rendition.size)}）。"
    ]
    assert Rendition.objects.count() == 1


def test_generate_pdf_queues_a_rendition_that_the_task_completes(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """With a worker the request only queues the job; the panel shows its progress."""
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    client = logged_in(actor("board_member"))  # reading is enough to ask for a proof

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(request_url(issue))

    rendition = Rendition.objects.get(issue=issue)
    assert (rendition.status, rendition.proof) == (R.PENDING, True)
    assert messages_of(response) == [
        "已加入生成队列（样稿）：本页自动显示进度，生成后可在“输出”中下载。"
    ]
    assert len(callbacks) == 1
    html = panel(client.get(issue_url(issue)).content.decode())
    assert 'data-status="pending">排队中</strong>' in html and "本页自动显示进度" in html
    assert 'id="pdf-generate"' not in html and 'id="pdf-download"' not in html
    # While the job is on its way the panel asks its status view for itself every 2 s.
    polling = f'hx-get="{status_url(issue)}" hx-trigger="every 2s" hx-swap="outerHTML"'
    assert polling in html
    fragment = client.get(status_url(issue))
    assert "no-store" in fragment["Cache-Control"]  # never cached, as every admin page
    assert panel(fragment.content.decode()) == fragment.content.decode().strip()
    assert polling in fragment.content.decode()

    callbacks[0]()  # the worker picks the job up

    rendition.refresh_from_db()
    assert rendition.status == R.DONE
    # The panel the status view returns now has no trigger: the page stops asking.
    html = panel(client.get(status_url(issue)).content.decode())
    assert 'data-status="done">已完成</strong>' in html and 'id="pdf-download"' in html
    assert "hx-get" not in html and "hx-trigger" not in html
    assert panel(client.get(issue_url(issue)).content.decode()) == html


def test_download_and_preview_stream_the_stored_pdf() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    rendition = rendered(issue)
    stored = rendition.file.read()
    name = pdf_filename(issue_edition(issue.pk), proof=True)
    assert rendition.file.name.endswith("/" + name)
    client = logged_in(actor("board_member"))

    download = client.get(download_url(rendition))
    preview = client.get(preview_url(rendition))

    assert download.status_code == preview.status_code == 200
    assert body(download) == body(preview) == stored
    assert stored.startswith(b"%PDF-")
    assert download["Content-Type"] == preview["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'
    assert preview["Content-Disposition"] == f'inline; filename="{name}"'
    assert download["Content-Length"] == str(len(stored))


def test_an_approved_issue_gets_the_final_pdf_without_the_proof_mark(superuser: User) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    rendition = rendered(issue)

    html = panel(logged_in(superuser).get(issue_url(issue)).content.decode())
    download = logged_in(superuser).get(download_url(rendition))

    assert rendition.proof is False
    assert '<span id="pdf-kind">正式版</span>' in html
    expected = pdf_filename(issue_edition(issue.pk), proof=False)
    assert download["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert "-proof" not in expected


def test_a_user_without_view_permission_is_refused_and_nothing_is_made() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    rendition = rendered(issue)
    audit = AuditEntry.objects.count()
    client = logged_in(actor("no_role"))  # staff, but no role and so no view_issue

    answers = [
        client.get(issue_url(issue)).status_code,
        client.get(download_url(rendition)).status_code,
        client.get(preview_url(rendition)).status_code,
        client.post(request_url(issue)).status_code,
        client.get(status_url(issue)).status_code,
    ]

    assert answers == [403, 403, 403, 403, 403]
    assert list(Rendition.objects.values_list("pk", "status")) == [(rendition.pk, R.DONE)]
    assert AuditEntry.objects.count() == audit


def test_a_rendition_of_another_issue_or_not_done_is_not_served(superuser: User) -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    other = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    done = rendered(issue)
    pending = rendition_request(actor=None, issue_id=other.pk, enqueue=False)
    client = logged_in(superuser)

    wrong_issue = reverse("admin:editorial_issue_pdf_download", args=[other.pk, done.pk])

    assert client.get(wrong_issue).status_code == 404
    assert client.get(download_url(pending)).status_code == 404
    assert client.get(preview_url(pending)).status_code == 404
    assert client.get(request_url(issue)).status_code == 405  # asking is a POST


def test_a_failed_rendition_shows_its_error_and_can_be_asked_for_again(
    superuser: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    article = Article.objects.get(issue=issue)
    figure = factories.FigureFactory.create(article=article, number=1)
    with figure.image.open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n truncated")
    failed = rendition_generate(rendition_request(actor=None, issue_id=issue.pk).pk)
    assert failed is not None and failed.status == R.FAILED
    client = logged_in(superuser)

    html = panel(client.get(issue_url(issue)).content.decode())

    assert 'data-status="failed">失败</strong>' in html
    error = re.search(r'<p class="rendition-error" id="pdf-error">(.*?)</p>', html, re.S)
    assert error and "图 1" in error.group(1) and failed.error.startswith(error.group(1)[:10])
    assert 'id="pdf-generate"' in html and 'id="pdf-download"' not in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url(issue))

    assert Rendition.objects.get().pk == failed.pk  # the same job, queued again
    [message] = messages_of(response)
    assert message == "已加入生成队列（样稿）：本页自动显示进度，生成后可在“输出”中下载。"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (R.FAILED, 2)  # the image is still broken
    assert "图 1" in failed.error


def test_earlier_pdfs_are_listed_after_the_content_changed(superuser: User) -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    first = rendered(issue)
    Article.objects.filter(issue=issue).update(title="改过的标题")

    html = panel(logged_in(superuser).get(issue_url(issue)).content.decode())

    assert 'id="pdf-none"' in html and 'id="pdf-generate"' in html  # new content, no PDF yet
    earlier = re.search(r'<details id="pdf-earlier">.*?</details>', html, re.S)
    assert earlier and "本期较早的 PDF（最近 1 份）" in earlier.group(0)
    assert f'<a href="{download_url(first)}">下载</a>' in earlier.group(0)
    assert f'<a href="{preview_url(first)}" target="_blank"' in earlier.group(0)


def test_the_panel_costs_the_same_queries_with_many_renditions(superuser: User) -> None:
    few = bring_to(small_issue(), IssueStatus.IN_EDIT)
    many = bring_to(small_issue(), IssueStatus.IN_EDIT)
    rendered(few)
    for n in range(6):
        Article.objects.filter(issue=many).update(title=f"第 {n} 稿")
        rendered(many)
    Article.objects.filter(issue=many).update(title="定稿")
    failed = rendition_request(actor=None, issue_id=many.pk, enqueue=False)
    Rendition.objects.filter(pk=failed.pk).update(status=R.FAILED, error="渲染失败")
    client = logged_in(superuser)
    client.get(issue_url(few))  # warm caches (content types, permissions)

    counts = []
    for issue in (few, many):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(issue_url(issue)).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1] <= 40
    assert panel(client.get(issue_url(many)).content.decode()).count('class="rendition-row"') == 6


# The rendition records --------------------------------------------------------------------


def test_renditions_are_listed_read_only() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    done = rendered(issue)
    Article.objects.filter(issue=issue).update(title="新标题")
    failed = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    Rendition.objects.filter(pk=failed.pk).update(status=R.FAILED, error="渲染失败")
    reader = logged_in(actor("board_member"))
    url = reverse("admin:editorial_rendition_changelist")

    html = reader.get(url).content.decode()

    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', html)
    assert headers == [
        "issue",
        "kind",
        "proof",
        "status",
        "page_count",
        "size_label",
        "duration_label",
        "created_at",
    ]
    thead = re.search(r"<thead>.*?</thead>", html, re.S)
    assert thead
    labels = [t.strip() for t in re.findall(r">([^<>]+)</(?:a|span)>", thead.group(0))]
    assert labels == ["期", "类型", "样稿", "状态", "页数", "大小", "耗时", "请求时间"]
    assert html.count('class="field-status"') == 2
    assert f"{done.duration:.1f} 秒" in html and "已完成" in html and "失败" in html
    filters = re.search(r'<nav id="changelist-filter".*?</nav>', html, re.S)
    assert filters and "状态" in filters.group(0) and "样稿" in filters.group(0)
    assert "addlink" not in html and 'name="action"' not in html
    assert (
        reader.get(url, {"status__exact": "failed"}).content.decode().count('class="field-status"')
        == 1
    )
    assert reader.get(url, {"proof__exact": "1", "issue_id": str(issue.pk)}).status_code == 200

    detail = reader.get(reverse("admin:editorial_rendition_change", args=[done.pk]))
    page = detail.content.decode()
    assert detail.status_code == 200 and 'name="_save"' not in page
    assert f'<a href="{download_url(done)}">下载</a>' in page
    assert reader.get(reverse("admin:editorial_rendition_add")).status_code == 403
    delete = reverse("admin:editorial_rendition_delete", args=[done.pk])
    assert reader.post(delete, {"post": "yes"}).status_code == 403
    assert Rendition.objects.count() == 2


def test_the_rendition_list_costs_the_same_queries_for_few_and_many(superuser: User) -> None:
    client = logged_in(superuser)
    url = reverse("admin:editorial_rendition_changelist")
    rendition_request(actor=None, issue_id=small_issue().pk, enqueue=False)
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(5):
        rendition_request(actor=None, issue_id=small_issue().pk, enqueue=False)

    assert queries() == few <= 12


def test_asking_for_a_pdf_changes_nothing_but_the_rendition(superuser: User) -> None:
    """Asking for a PDF writes only the rendition: the issue and its content stay as they were."""
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    before = (
        Issue.objects.filter(pk=issue.pk).values_list("status", "lock_version", "updated_at").get(),
        list(Article.objects.filter(issue=issue).values_list("lock_version", "updated_at")),
        Figure.objects.count(),
        AuditEntry.objects.count(),
    )

    logged_in(superuser).post(request_url(issue))

    after = (
        Issue.objects.filter(pk=issue.pk).values_list("status", "lock_version", "updated_at").get(),
        list(Article.objects.filter(issue=issue).values_list("lock_version", "updated_at")),
        Figure.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before
