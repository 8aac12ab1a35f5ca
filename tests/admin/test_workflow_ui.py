"""The issue page's 工作流 panel: state, buttons, forms, pre-flight, sign-off, audit log; the
transition URLs' answers; the changelist's bulk transitions.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial.models import Article, AuditEntry, Comment, Issue, IssueStatus
from editorial.roles import Role
from editorial.services.approvals import issue_approve
from editorial.services.articles import article_save
from editorial.services.comments import comment_add
from tests.admin.forms import form_data
from tests.admin.workflow_setup import actor, logged_in, messages_of, post_confirmed
from tests.workflow.states import bring_to, small_issue, snapshot
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def issue_url(issue: Issue) -> str:
    return reverse("admin:editorial_issue_change", args=[issue.pk])


def transition_url(issue: Issue, name: str) -> str:
    return reverse("admin:editorial_issue_transition", args=[issue.pk, name])


def panel(html: str) -> str:
    match = re.search(
        r'<section class="module workflow-panel" id="workflow".*?</section>', html, re.S
    )
    assert match, "no workflow panel"
    return match.group(0)


def test_executive_sees_the_state_and_the_submit_button() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)

    html = logged_in(actor("executive_editor")).get(issue_url(issue)).content.decode()

    workflow = panel(html)
    assert 'data-status="in_edit">编辑中<' in workflow
    assert 'id="transition-submit"' in workflow
    assert f'action="{transition_url(issue, "submit")}"' in workflow
    assert 'id="transition-approve"' not in workflow
    assert '<p class="preflight-ok">全部通过</p>' in workflow


def test_a_board_member_is_offered_approve_and_request_changes_with_their_forms() -> None:
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)

    workflow = panel(logged_in(actor("board_member")).get(issue_url(issue)).content.decode())

    # Approving moves the issue on: it comes first and is the prominent button.
    assert re.findall(r'id="transition-(\w+)"', workflow) == ["approve", "request_changes"]
    buttons = re.findall(r'<button type="submit" class="([^"]+)">(\w+)</button>', workflow)
    assert buttons == [("button default", "批准"), ("button danger", "退回修改")]
    assert 'name="comment"' in workflow
    assert "退回意见" in workflow and "意见（可选）" in workflow
    assert 'id="approval-progress">0 / 2<' in workflow


def test_nobody_is_offered_a_transition_of_a_draft_they_may_not_take() -> None:
    issue = small_issue()

    workflow = panel(logged_in(actor("board_member")).get(issue_url(issue)).content.decode())

    assert "transition-" not in workflow
    assert "您在本期当前状态下没有可执行的工作流操作" in workflow


def test_pre_flight_lists_blocking_items_in_red_and_warnings_in_amber() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    article = issue.articles.get()
    Article.objects.filter(pk=article.pk).update(source="", title="标题" * 20)

    workflow = panel(logged_in(actor("executive_editor")).get(issue_url(issue)).content.decode())

    blocking = re.findall(r'<li class="preflight-block">(.*?)</li>', workflow)
    warnings = re.findall(r'<li class="preflight-warn">(.*?)</li>', workflow)
    assert len(blocking) == 1 and "缺少来源" in blocking[0]
    assert reverse("admin:editorial_article_change", args=[article.pk]) in blocking[0]
    assert len(warnings) == 1 and "超过微信的 32 字上限" in warnings[0]
    assert "全部通过" not in workflow


def test_a_refused_submit_lists_the_reasons_and_changes_nothing() -> None:
    issue = bring_to(small_issue(articles=2), IssueStatus.IN_EDIT)
    Article.objects.filter(issue=issue).update(source="")
    client = logged_in(actor("executive_editor"))
    before = snapshot(issue.pk)

    response = client.post(transition_url(issue, "submit"))

    assert response.status_code == 302
    assert response["Location"] == issue_url(issue)
    [message] = messages_of(response)
    # Each distinct reason once: two articles without a source are one reason, linked to both.
    assert message.startswith("“提交审核”未执行：")
    assert message.count("缺少来源") == 1
    assert "2 篇文章缺少来源。" in message
    ids = ",".join(str(pk) for pk in issue.articles.values_list("pk", flat=True))
    assert f'href="{reverse("admin:editorial_article_changelist")}?id__in={ids}"' in message
    assert snapshot(issue.pk) == before


def test_submitting_through_the_button_moves_the_issue_and_says_so() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    client = logged_in(actor("executive_editor"))

    response = client.post(transition_url(issue, "submit"), follow=True)

    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_REVIEW
    assert "已执行“提交审核”：本期现为“审核中”。" in messages_of(response)
    html = response.content.decode()
    assert 'data-status="in_review">审核中<' in html
    entry = AuditEntry.objects.get(issue=issue, action="submit")
    assert entry.actor is not None and entry.actor.username == "actor_executive_editor"


def test_request_changes_needs_a_comment_and_changes_nothing_without_one() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    client = logged_in(actor("board_member"))
    before = snapshot(issue.pk)

    response = client.post(transition_url(issue, "request_changes"), {"comment": "  "})

    assert messages_of(response) == ["“退回修改”未执行：请填写退回意见。"]
    assert snapshot(issue.pk) == before


def test_request_changes_with_a_comment_returns_the_issue_and_records_the_comment() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    client = logged_in(actor("board_member"))

    post_confirmed(client, transition_url(issue, "request_changes"), {"comment": "第1篇来源请核对"})

    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_EDIT
    assert Comment.objects.get(issue=issue).body == "第1篇来源请核对"
    assert AuditEntry.objects.get(issue=issue, action="request_changes").note == "第1篇来源请核对"


def test_the_schedule_time_is_read_in_beijing_time_and_shown_in_it() -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    client = logged_in(actor("executive_editor"))

    response = client.post(transition_url(issue, "schedule"), {"at": "2031-05-06T09:30"})

    issue.refresh_from_db()
    assert issue.status == IssueStatus.SCHEDULED
    assert issue.scheduled_at == datetime.datetime(2031, 5, 6, 1, 30, tzinfo=datetime.UTC)
    assert messages_of(response) == ["已排期：本期将于 2031-05-06 09:30（北京时间）发布。"]
    html = client.get(issue_url(issue)).content.decode()
    assert "计划发布时间：2031-05-06 09:30（北京时间）" in html


@pytest.mark.parametrize(
    ("value", "reason"), [("", "请填写发布时间。"), ("2020-01-01T09:00", "排期时间必须晚于现在。")]
)
def test_a_missing_or_past_schedule_time_is_refused(value: str, reason: str) -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    client = logged_in(actor("executive_editor"))
    before = snapshot(issue.pk)

    response = client.post(transition_url(issue, "schedule"), {"at": value})

    assert messages_of(response) == [f"“排期发布”未执行：{reason}"]
    assert snapshot(issue.pk) == before


def test_the_schedule_form_proposes_the_next_full_hour_in_beijing_time() -> None:
    issue = bring_to(small_issue(), IssueStatus.APPROVED)
    html = logged_in(actor("executive_editor")).get(issue_url(issue)).content.decode()

    value = form_data(html, "transition-schedule")["at"][0]

    beijing = datetime.timezone(datetime.timedelta(hours=8))
    proposed = datetime.datetime.fromisoformat(value).replace(tzinfo=beijing)
    assert proposed.minute == 0
    assert timezone.now() < proposed <= timezone.now() + datetime.timedelta(hours=1)


def test_approvals_show_who_when_progress_and_invalidation() -> None:
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    first = actor("board_member")
    issue_approve(actor=first, issue_id=issue.pk, comment="同意发布")
    # An edit invalidates the approval; a second approval of the new content counts.
    article = issue.articles.get()
    article.title = "改过的标题"
    article_save(actor=None, article=article, base_version=article.lock_version)
    second = actor("editor_in_chief")
    client = logged_in(first)

    workflow = panel(client.get(issue_url(issue)).content.decode())

    assert 'id="approval-progress">0 / 2<' in workflow
    assert "人员_board_member" in workflow and "同意发布" in workflow
    assert "已失效：内容变更：《改过的标题》修改文章" in workflow
    # The first approval no longer counts, so its author is offered approve again.
    assert 'id="transition-approve"' in workflow

    issue_approve(actor=second, issue_id=issue.pk)
    workflow = panel(client.get(issue_url(issue)).content.decode())
    assert "总编辑已批准" in workflow
    assert 'data-status="approved">已批准<' in workflow


def test_a_board_member_who_approved_is_not_offered_approve_again() -> None:
    issue = bring_to(small_issue(quorum=2), IssueStatus.IN_REVIEW)
    member = actor("board_member")
    client = logged_in(member)

    response = client.post(transition_url(issue, "approve"), {"comment": "同意"}, follow=True)

    assert messages_of(response) == ["已记录您的批准（编委 1 / 2），还需其他编委批准。"]
    workflow = panel(response.content.decode())
    assert 'id="transition-approve"' not in workflow
    assert "您已于" in workflow and "批准本期当前内容" in workflow
    assert 'id="approval-progress">1 / 2<' in workflow
    before = snapshot(issue.pk)
    again = client.post(transition_url(issue, "approve"), {"comment": "再批一次"})
    assert messages_of(again) == ["“批准”未执行：您已批准过本期的当前内容。"]
    assert snapshot(issue.pk) == before


def test_correcting_a_published_issue_opens_the_revision() -> None:
    issue = bring_to(small_issue(), IssueStatus.PUBLISHED)
    client = logged_in(actor("executive_editor"))

    response = post_confirmed(client, transition_url(issue, "correct"), {"reason": "第1篇来源有误"})

    revision = Issue.objects.get(corrects=issue)
    assert response["Location"] == issue_url(revision)
    assert messages_of(response) == [f"已开启勘误修订：{revision}，现为“编辑中”。"]
    html = client.get(issue_url(issue)).content.decode()
    assert "本期的勘误修订版" in html and issue_url(revision) in html
    assert 'id="transition-correct"' not in html


def test_the_audit_log_shows_the_latest_entries_and_links_to_all_of_them() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    client = logged_in(actor("board_member"))

    html = client.get(issue_url(issue)).content.decode()

    log = html[html.index('id="audit-log"') :]
    assert log.index("提交审核") < log.index("开始编辑")  # newest first
    assert "编辑中 → 审核中" in log
    assert f'href="{reverse("admin:editorial_auditentry_changelist")}?issue_id={issue.pk}"' in log


def test_the_transition_urls_take_only_posts() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    client = logged_in(actor("executive_editor"))

    assert client.get(transition_url(issue, "submit")).status_code == 405
    assert client.post(transition_url(issue, "reopen_review")).status_code == 404
    assert client.post(transition_url(issue, "supersede")).status_code == 404
    missing = reverse("admin:editorial_issue_transition", args=[issue.pk + 999, "submit"])
    assert client.post(missing).status_code == 404


def test_a_transition_post_without_the_csrf_token_is_refused() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(actor("executive_editor"))
    before = snapshot(issue.pk)

    response = client.post(transition_url(issue, "submit"))

    assert response.status_code == 403
    assert snapshot(issue.pk) == before


def test_the_changelist_reports_each_issue_of_a_bulk_submit() -> None:
    ready = bring_to(small_issue(), IssueStatus.IN_EDIT)
    broken = bring_to(small_issue(), IssueStatus.IN_EDIT)
    Article.objects.filter(issue=broken).update(source="")
    client = logged_in(actor("executive_editor"))

    response = client.post(
        reverse("admin:editorial_issue_changelist"),
        {"action": "submit_selected", "_selected_action": [ready.pk, broken.pk]},
    )

    assert response.status_code == 302
    ready.refresh_from_db()
    broken.refresh_from_db()
    assert (ready.status, broken.status) == (IssueStatus.IN_REVIEW, IssueStatus.IN_EDIT)
    messages = messages_of(response)
    assert f"“提交审核”已执行 1 期：{ready.label}。" in messages
    [failure] = [m for m in messages if "未执行" in m]
    assert failure.startswith(f"{broken.label}：“提交审核”未执行：") and "缺少来源" in failure


def test_the_changelist_offers_the_bulk_transitions_by_role() -> None:
    url = reverse("admin:editorial_issue_changelist")
    small_issue()

    executive = logged_in(actor("executive_editor")).get(url).content.decode()
    board = logged_in(actor("board_member")).get(url).content.decode()
    chief = logged_in(actor("editor_in_chief")).get(url).content.decode()

    for name in ("start_edit_selected", "submit_selected", "publish_selected"):
        assert f'value="{name}"' in executive
        assert f'value="{name}"' not in board
    assert 'value="publish_selected"' in chief
    assert 'value="submit_selected"' not in chief


def test_the_issue_page_costs_the_same_queries_for_a_small_and_a_busy_issue() -> None:
    reader = actor("board_member")
    executive = actor("executive_editor")
    small = bring_to(small_issue(quorum=3, articles=1), IssueStatus.IN_REVIEW)
    busy = bring_to(small_issue(quorum=3, articles=6), IssueStatus.IN_REVIEW)
    for member in ("m1", "m2"):
        board_member = staff(member, f"编委{member}", Role.BOARD_MEMBER)
        issue_approve(actor=board_member, issue_id=busy.pk, comment="同意")
    for n in range(5):
        parent = comment_add(actor=executive, issue=busy, body=f"意见{n}")
        comment_add(actor=reader, issue=busy, body="回复", parent=parent)
    client = logged_in(reader)

    counts = []
    for issue in (small, busy):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(issue_url(issue)).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1]
    assert counts[0] <= 40


def test_the_audit_changelist_filters_by_issue_and_shows_labels() -> None:
    shown = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    other = bring_to(small_issue(), IssueStatus.IN_EDIT)
    client = logged_in(actor("board_member"))

    html = client.get(
        reverse("admin:editorial_auditentry_changelist"), {"issue_id": shown.pk}
    ).content.decode()

    assert html.count('class="field-action_name"') == 2
    assert "提交审核" in html and "编辑中 → 审核中" in html
    assert str(other) not in html.split('id="changelist-filter"')[0]


def test_the_filtered_audit_log_costs_the_same_queries_for_few_and_many_rows() -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    client = logged_in(actor("board_member"))
    url = reverse("admin:editorial_auditentry_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"issue_id": str(issue.pk), "q": "意见"}).status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        member = staff(f"m{n}", f"编委{n}", Role.BOARD_MEMBER)
        comment_add(actor=member, issue=issue, body=f"意见{n}")
        small_issue()  # another issue for the filter's list

    assert queries() == few <= 15  # with the header's unread count of 我的通知


def test_on_a_published_issue_the_correction_is_offered_but_not_urged() -> None:
    issue = bring_to(small_issue(), IssueStatus.PUBLISHED)

    workflow = panel(logged_in(actor("executive_editor")).get(issue_url(issue)).content.decode())

    buttons = re.findall(r'<button type="submit" class="([^"]+)">([^<]+)</button>', workflow)
    assert buttons == [("button", "开启勘误修订")]
