"""The article's 修订历史 page: the versions, a diff of any two, and restoring one."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from editorial.models import Article, AuditEntry, Issue, IssueStatus
from editorial.roles import Role
from editorial.services.articles import article_save
from tests.admin.workflow_setup import logged_in, messages_of, post_confirmed
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def revisions_url(article: Article) -> str:
    return reverse("admin:editorial_article_revisions", args=[article.pk])


def restore_url(article: Article, version: Version) -> str:
    return reverse("admin:editorial_article_revision_restore", args=[article.pk, version.pk])


def edited_article() -> tuple[Article, list[Version]]:
    """An article saved three times by 杨婷: title, then body, then source changed."""
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    article = bring_to(small_issue(), "in_edit").articles.get()
    for field, value in [
        ("title", "第一版标题"),
        ("body", "<p>第二版正文。</p>"),
        ("source", "第三版来源"),
    ]:
        setattr(article, field, value)
        article = article_save(
            actor=executive, article=article, base_version=article.lock_version, what=f"改{field}"
        )
    return article, list(Version.objects.get_for_object(article))  # newest first


def bring_to_status(article: Article, status: str) -> None:
    """Only the issue's state changes (as if it had been published), for refusals to show."""
    Issue.objects.filter(pk=article.issue_id).update(status=status)


def test_the_change_page_links_to_the_history() -> None:
    article, _ = edited_article()
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))

    html = client.get(reverse("admin:editorial_article_change", args=[article.pk])).content.decode()

    assert f'<a href="{revisions_url(article)}" id="revisions-link">修订历史</a>' in html


def test_the_history_lists_every_version_in_beijing_time_with_user_and_comment() -> None:
    article, versions = edited_article()
    client = logged_in(staff("cheng", "程茹", Role.BOARD_MEMBER))

    response = client.get(revisions_url(article))

    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr id="version-(\d+)">(.*?)</tr>', html, re.S)
    assert [int(pk) for pk, _ in rows] == [v.pk for v in versions]
    newest = versions[0].revision.date_created.astimezone(BEIJING)
    first_row = " ".join(rows[0][1].split())
    assert "第 3 版（当前）" in first_row
    assert f"{newest:%Y-%m-%d %H:%M}" in first_row
    assert "杨婷" in first_row and "改source" in first_row
    # A board member reads the history but may not restore.
    assert "恢复到此版本" not in html


def test_by_default_the_two_newest_versions_are_compared() -> None:
    article, _ = edited_article()
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))

    html = client.get(revisions_url(article)).content.decode()

    diff = html[html.index('id="diff"') : html.index('id="versions"')]
    assert "第 2 版" in diff and "第 3 版" in diff
    assert "<th>来源</th>" in diff
    assert "<del>国家数据局</del>" in diff and "<ins>第三版来源</ins>" in diff
    assert "<th>正文</th>" not in diff


def test_any_two_versions_can_be_compared_in_either_order() -> None:
    article, versions = edited_article()
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))

    html = client.get(
        revisions_url(article), {"old": versions[0].pk, "new": versions[2].pk}
    ).content.decode()

    diff = html[html.index('id="diff"') : html.index('id="versions"')]
    assert "第 1 版" in diff and "第 3 版" in diff
    labels = re.findall(r"<tr><th>(.*?)</th>", diff)
    assert labels == ["正文", "来源"]
    assert "<del>原来的</del><ins>第二版</ins>正文。" in diff  # the changed characters marked
    assert ".diff ins" in html and ".diff del" in html  # the green / red strike-through styles


def test_restoring_a_version_through_the_button() -> None:
    article, versions = edited_article()
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    oldest = versions[-1]
    html = client.get(revisions_url(article)).content.decode()
    assert f'action="{restore_url(article, oldest)}"' in html

    response = post_confirmed(client, restore_url(article, oldest))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:editorial_article_change", args=[article.pk])
    assert messages_of(response) == ["已将《第一版标题》恢复到所选版本（保存为新的一版）。"]
    article.refresh_from_db()
    assert (article.title, article.body, article.source) == (
        "第一版标题",
        "<p>原来的正文。</p>",
        "国家数据局",
    )
    assert article.lock_version == 4
    assert AuditEntry.objects.filter(article=article, action="revision_restore").count() == 1
    assert Version.objects.get_for_object(article).count() == 4


def test_a_restore_in_a_published_issue_is_refused_with_a_message() -> None:
    article, versions = edited_article()
    bring_to_status(article, IssueStatus.PUBLISHED)
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    before = snapshot(article.issue_id)

    response = client.post(restore_url(article, versions[-1]))

    assert response["Location"] == revisions_url(article)
    [message] = messages_of(response)
    assert message.startswith("未能恢复：已发布的期不能修改")
    assert snapshot(article.issue_id) == before


def test_a_restore_by_someone_who_may_not_edit_changes_nothing() -> None:
    article, versions = edited_article()
    client = logged_in(staff("cheng", "程茹", Role.BOARD_MEMBER))
    before = snapshot(article.issue_id)

    response = client.post(restore_url(article, versions[-1]))

    assert response.status_code == 403
    assert snapshot(article.issue_id) == before


def test_a_version_of_another_article_cannot_be_restored() -> None:
    article, _ = edited_article()
    _, others = edited_article_elsewhere()
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    before = snapshot(article.issue_id)

    response = client.post(restore_url(article, others[0]))

    assert response.status_code == 403
    assert snapshot(article.issue_id) == before


def edited_article_elsewhere() -> tuple[Article, list[Version]]:
    other = small_issue().articles.get()
    other.title = "另一篇"
    other = article_save(actor=None, article=other, base_version=0)
    return other, list(Version.objects.get_for_object(other))


def test_the_history_page_costs_the_same_queries_for_few_and_many_versions() -> None:
    few, _ = edited_article()
    many = small_issue().articles.get()
    for n in range(8):
        editor = staff(f"exec{n % 4}", f"执行编辑{n % 4}", Role.EXECUTIVE_EDITOR)
        many.title = f"第{n}次"
        many = article_save(actor=editor, article=many, base_version=many.lock_version)
    client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))

    counts = []
    for article in (few, many):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(revisions_url(article)).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1] <= 20
