"""The admin's home page: 我的待办 and each open issue's progress for whoever logs in, the
publications to come, the latest activity by name; internal records listed only for operators;
a fixed number of queries however many issues are open."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from editorial.models import (
    Article,
    Issue,
    Rendition,
    RenditionKind,
    RenditionStatus,
    WechatPush,
    WechatPushStatus,
)
from editorial.roles import Role
from editorial.services import approvals
from editorial.workflow import ArticleStatus, IssueStatus
from tests.admin.workflow_setup import actor, logged_in
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

HOME = "/admin/"
INTERNAL = ("编辑锁", "渲染件", "通知", "批准")


def home(user: User) -> str:
    response = logged_in(user).get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, issue: Issue) -> list[str]:
    """The cells of the issue's row in 进行中的期, as text."""
    match = re.search(rf'<tr id="progress-{issue.pk}">(.*?)</tr>', html, re.S)
    assert match, f"no progress row for {issue}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def sidebar_models(html: str) -> list[str]:
    return re.findall(r'<th scope="row" id="[^"]*">\s*<a href="[^"]*"[^>]*>([^<]+)</a>', html)


def test_each_open_issue_shows_how_far_it_has_come() -> None:
    """定稿 x/n, the board's count, the latest PDF and push, the scheduled time; the published
    issue is not listed."""
    in_edit = bring_to(small_issue(articles=3), IssueStatus.IN_EDIT)
    Article.objects.filter(pk=in_edit.articles.order_by("pk")[0].pk).update(
        status=ArticleStatus.IN_EDIT
    )
    in_review = bring_to(small_issue(quorum=2, articles=2), IssueStatus.IN_REVIEW)
    board1 = staff("board1", "程茹", Role.BOARD_MEMBER)
    approvals.issue_approve(actor=board1, issue_id=in_review.pk, comment="同意")
    Rendition.objects.create(
        issue=in_review,
        kind=RenditionKind.PDF,
        proof=True,
        status=RenditionStatus.RUNNING,
        lease_expires_at=timezone.now(),
        content_hash="a" * 64,
    )
    scheduled = bring_to(small_issue(), IssueStatus.SCHEDULED)
    scheduled.publication.wechat_push_enabled = True
    scheduled.publication.save()
    WechatPush.objects.create(issue=scheduled, status=WechatPushStatus.DRAFTED)
    published = bring_to(small_issue(), IssueStatus.PUBLISHED)

    html = home(actor("executive_editor"))

    assert row(html, in_edit) == [str(in_edit), "编辑中", "2 / 3", "0 / 1", "未生成", "未开启", "—"]
    assert row(html, in_review) == [
        str(in_review),
        "审核中",
        "2 / 2",
        "1 / 2",
        "生成中（样稿）",
        "未开启",
        "—",
    ]
    at = timezone.localtime(scheduled.scheduled_at).strftime("%Y-%m-%d %H:%M")
    assert row(html, scheduled) == [
        str(scheduled),
        "已排期",
        "1 / 1",
        "总编辑已批准",
        "未生成",
        "已存草稿",
        at,
    ]
    assert f'id="progress-{published.pk}"' not in html
    upcoming = html[html.index('id="upcoming"') :]
    upcoming = upcoming[: upcoming.index("</section>")]
    assert str(scheduled) in upcoming and str(in_review) not in upcoming


def test_the_home_page_shows_my_work_by_role() -> None:
    """A board member finds the issue to approve at the top; the executive its changes."""
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    board = home(actor("board_member"))
    to_approve = board[board.index('id="to-approve"') :]
    assert str(issue) in to_approve[: to_approve.index("</section>")]
    assert 'id="my-work-link"' in board
    executive = home(actor("executive_editor"))
    assert 'id="to-approve"' not in executive and 'id="in-edit"' in executive


def test_recent_activity_names_people_not_logins() -> None:
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    board1 = staff("board1", "程茹", Role.BOARD_MEMBER)
    approvals.issue_approve(actor=board1, issue_id=issue.pk, comment="同意")

    html = home(actor("responsible_editor"))

    activity = html[html.index('id="recent-activity"') :]
    assert f"<strong>程茹</strong> 批准意见：{issue}" in activity
    assert "board1" not in html
    assert '<strong id="user-name">人员_responsible_editor</strong>' in html  # the greeting


@pytest.mark.parametrize("role", ["responsible_editor", "executive_editor", "board_member"])
def test_internal_records_are_not_listed_for_editors_and_board_members(role: str) -> None:
    user = actor(role)
    html = home(user)
    listed = sidebar_models(html)
    assert listed[:4] == ["期", "文章", "编辑意见", "操作日志"]  # the week's work first
    assert not set(INTERNAL) & set(listed), listed
    # The pages themselves stay open: the issue and article pages link there.
    client = logged_in(user)
    assert client.get(reverse("admin:editorial_rendition_changelist")).status_code == 200
    changelist = client.get(reverse("admin:editorial_issue_changelist")).content.decode()
    assert "渲染件" not in changelist  # the sidebar of every page


def test_operators_still_see_every_table(superuser: User) -> None:
    listed = sidebar_models(home(superuser))
    assert set(INTERNAL) <= set(listed), listed
    assert set(INTERNAL) <= set(sidebar_models(home(actor("publisher"))))


def _open_issues(count: int) -> None:
    for index in range(count):
        issue = small_issue(articles=2)
        if index % 2:
            Rendition.objects.create(
                issue=issue, kind=RenditionKind.PDF, proof=True, content_hash=f"{index:064d}"
            )


@pytest.mark.parametrize("count", [1, 20])
def test_the_home_page_costs_the_same_whatever_the_number_of_issues(
    count: int, django_assert_max_num_queries: Any
) -> None:
    _open_issues(count)
    client = logged_in(actor("executive_editor"))
    client.get(HOME)  # the session and the permissions cached as on any later page
    assert Issue.objects.count() == count
    with django_assert_max_num_queries(16):
        page = client.get(HOME).content.decode()
    assert page.count('<tr id="progress-') == count
