"""The confirmation step before 发布, 撤回, 退回, 勘误, 接管 and restoring a revision: it says what
will happen, changes nothing until confirmed, and then does exactly what was asked."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial.models import EditLock, Issue, IssueStatus
from editorial.roles import Role
from tests import factories
from tests.admin.forms import form_data
from tests.admin.workflow_setup import actor, logged_in, messages_of, post_confirmed
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def transition_url(issue: Issue, name: str) -> str:
    return reverse("admin:editorial_issue_transition", args=[issue.pk, name])


def issue_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def confirmation(response: object) -> tuple[str, list[str], list[str]]:
    """The confirmation page's title, its consequences and its warnings, as text."""
    html = response.content.decode()  # type: ignore[attr-defined]
    assert 'id="confirmation"' in html, "no confirmation page"
    title = re.search(r"<h1>(.*?)</h1>", html, re.S)
    consequences = re.findall(r'<ul class="consequences">(.*?)</ul>', html, re.S)[0]
    return (
        title.group(1).strip() if title else "",
        re.findall(r"<li>(.*?)</li>", consequences),
        re.findall(r'<li class="confirm-warning">注意：(.*?)</li>', html),
    )


def dated(issue: Issue, days_from_today: int) -> Issue:
    today = timezone.localdate(timezone=datetime.timezone(datetime.timedelta(hours=8)))
    Issue.objects.filter(pk=issue.pk).update(date=today + datetime.timedelta(days_from_today))
    return Issue.objects.get(pk=issue.pk)


def test_publishing_asks_first_says_what_will_happen_and_changes_nothing() -> None:
    issue = dated(bring_to(small_issue(), IssueStatus.APPROVED), 3)
    for status in ("confirmed", "confirmed", "pending", "unsubscribed"):
        factories.SubscriberFactory.create(status=status)
    client = logged_in(actor("executive_editor"))
    before = snapshot(issue.pk)

    asked = client.post(transition_url(issue, "publish"))

    title, consequences, warnings = confirmation(asked)
    assert title == f"确认发布 {issue.label}"
    assert consequences == [
        "本期将在公开网站上线，并开始生成供读者下载的定稿 PDF。",
        "发布后不能撤回；之后的修改只能通过“勘误”开启修订版。",
        "已确认的 2 位订阅者将收到本期的电子邮件版。",
    ]
    assert warnings == []
    page = asked.content.decode()
    assert f'<a href="{issue_url(issue)}" class="closelink">取消，返回</a>' in page
    assert snapshot(issue.pk) == before

    done = client.post(transition_url(issue, "publish"), form_data(page, "confirm"))

    assert done.status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.PUBLISHED


def test_publishing_an_issue_dated_in_the_past_warns_of_the_date() -> None:
    issue = dated(bring_to(small_issue(), IssueStatus.APPROVED), -30)

    asked = logged_in(actor("executive_editor")).post(transition_url(issue, "publish"))

    [warning] = confirmation(asked)[2]
    assert warning.startswith(f"{issue.label}的日期 {issue.date:%Y-%m-%d} 早于今天")


def test_withdrawing_says_which_approvals_it_voids_and_that_the_schedule_goes() -> None:
    issue = bring_to(small_issue(), IssueStatus.SCHEDULED)
    client = logged_in(actor("executive_editor"))

    title, consequences, _ = confirmation(client.post(transition_url(issue, "withdraw")))

    assert title == f"确认撤回 {issue.label}"
    assert consequences[0] == "本期将回到“编辑中”。"
    assert consequences[1].startswith("宋希贤 的批准将失效")  # the approver, named
    assert consequences[2].startswith("已排定的发布时间（") and consequences[2].endswith("将取消。")
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SCHEDULED


def test_returning_for_changes_repeats_the_comment_and_sends_exactly_it() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    client = logged_in(actor("board_member"))
    comment = "第1篇的数据 13.8% 请核对 <原文>"

    asked = client.post(transition_url(issue, "request_changes"), {"comment": comment})

    assert (
        f"退回意见将记入评论：{comment.replace('<', '&lt;').replace('>', '&gt;')}"
        in (confirmation(asked)[1])
    )
    post_confirmed(client, transition_url(issue, "request_changes"), {"comment": comment})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_EDIT
    assert issue.comments.get().body == comment


def test_a_form_error_is_reported_before_any_confirmation() -> None:
    issue = bring_to(small_issue(), IssueStatus.PUBLISHED)

    response = logged_in(actor("executive_editor")).post(
        transition_url(issue, "correct"), {"reason": ""}
    )

    assert response.status_code == 302
    assert messages_of(response) == ["“开启勘误修订”未执行：请说明勘误原因。"]


def test_publishing_selected_issues_from_the_list_asks_first() -> None:
    issues = [bring_to(small_issue(), IssueStatus.APPROVED) for _ in range(2)]
    client = logged_in(actor("executive_editor"))
    changelist = reverse("admin:editorial_issue_changelist")
    post = {"action": "publish_selected", "_selected_action": [i.pk for i in issues]}

    asked = client.post(changelist, post)

    title, consequences, _ = confirmation(asked)
    assert title == "确认发布所选的 2 期"
    assert consequences[0].startswith("将发布：")
    assert all(i.label in consequences[0] for i in issues)
    assert {i.status for i in Issue.objects.filter(pk__in=[i.pk for i in issues])} == {
        IssueStatus.APPROVED
    }
    post_confirmed(client, changelist, post)
    assert {i.status for i in Issue.objects.filter(pk__in=[i.pk for i in issues])} == {
        IssueStatus.PUBLISHED
    }


def test_taking_over_names_the_holder_and_says_when_they_cannot_be_told() -> None:
    holder: User = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    User.objects.filter(pk=holder.pk).update(email="")
    article = bring_to(small_issue(editor=holder), "in_edit").articles.get()
    # The holder started editing (opening alone takes no lock).
    logged_in(holder).post(reverse("admin:editorial_article_lock", args=[article.pk]))
    executive: Client = logged_in(staff("yang", "杨婷", Role.EXECUTIVE_EDITOR))
    url = reverse("admin:editorial_article_take_over", args=[article.pk])

    title, consequences, _ = confirmation(executive.post(url))

    assert title == f"确认接管《{article.title}》"
    assert consequences[0].startswith("熊灵犀 自 ")
    assert consequences[1] == "熊灵犀 没有登记电子邮箱，收不到通知，请另行告知。"
    assert EditLock.objects.get(article=article).holder == holder

    done = post_confirmed(executive, url)

    assert messages_of(done) == [
        f"您已接管《{article.title}》的编辑；熊灵犀 没有登记电子邮箱，收不到通知，请另行告知。"
    ]
    assert EditLock.objects.get(article=article).holder.username == "yang"
