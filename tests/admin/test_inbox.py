"""我的通知: one's own notifications, the unread count in the header, opening marks read and goes
to what it is about, 全部标为已读; nobody opens another's."""

import re

import pytest
from django.urls import reverse

from editorial.models import Notification
from editorial.roles import Role
from editorial.workflow import IssueStatus
from tests.admin.forms import form_data
from tests.admin.workflow_setup import logged_in, messages_of
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

INBOX = "admin:editorial_notification_mine"


def header_count(html: str) -> str:
    link = re.search(r'<a href="[^"]*" id="inbox-link">(.*?)</a>', html, re.S)
    assert link is not None, "no 我的通知 link in the header"
    return re.sub(r"<[^>]+>", "", link.group(1))


def test_the_inbox_lists_ones_notifications_and_opening_one_marks_it_read() -> None:
    board = staff("cheng", "程茹", Role.BOARD_MEMBER)
    other = staff("zhong", "钟新敏", Role.BOARD_MEMBER)
    issues = [bring_to(small_issue(), IssueStatus.IN_REVIEW) for _ in range(2)]
    client = logged_in(board)

    html = client.get(reverse(INBOX)).content.decode()

    assert header_count(html) == "我的通知（2 条未读）"
    rows = re.findall(r'<tr class="unread" id="notification-(\d+)">', html)
    mine = Notification.objects.filter(recipient=board).order_by("-created_at", "-pk")
    assert [int(pk) for pk in rows] == [n.pk for n in mine]
    assert all(issue.label in html for issue in issues)
    assert "（未读 2）" in html

    first = mine[0]
    opened = client.get(reverse("admin:editorial_notification_open", args=[first.pk]))

    assert opened.status_code == 302
    assert opened["Location"] == first.url
    assert first.url.endswith(f"/issue/{first.issue_id}/change/#workflow")
    html = client.get(reverse(INBOX)).content.decode()
    assert header_count(html) == "我的通知（1 条未读）"
    assert f'<tr class="read" id="notification-{first.pk}">' in html

    theirs = Notification.objects.filter(recipient=other).first()
    assert theirs is not None
    url = reverse("admin:editorial_notification_open", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_and_the_header_without_unread() -> None:
    board = staff("cheng", "程茹", Role.BOARD_MEMBER)
    board.email = ""
    board.save(update_fields=["email"])
    bring_to(small_issue(), IssueStatus.IN_REVIEW)
    client = logged_in(board)
    page = client.get(reverse(INBOX)).content.decode()
    assert "您没有登记电子邮箱" in page
    assert "无邮箱，仅站内" in page

    response = client.post(
        reverse("admin:editorial_notification_read_all"), form_data(page, "read-all-form")
    )

    assert messages_of(response) == ["已将 1 条通知标为已读。"]
    html = client.get(reverse(INBOX)).content.decode()
    assert header_count(html) == "我的通知"
    assert 'id="read-all"' not in html
    assert not Notification.objects.filter(recipient=board, read_at__isnull=True).exists()


def test_an_empty_inbox_says_so() -> None:
    client = logged_in(staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR))

    html = client.get(reverse(INBOX)).content.decode()

    assert 'id="no-notifications"' in html and header_count(html) == "我的通知"


def test_a_hostile_publication_name_is_shown_as_text() -> None:
    board = staff("cheng", "程茹", Role.BOARD_MEMBER)
    issue = small_issue()
    issue.publication.name = "<script>alert(1)</script>"
    issue.publication.save(update_fields=["name"])
    bring_to(issue, IssueStatus.IN_REVIEW)

    html = logged_in(board).get(reverse(INBOX)).content.decode()

    assert "[&lt;script&gt;alert(1)&lt;/script&gt;]" in html  # escaped once, on the page
    assert "<script>alert(1)</script>" not in html
    # The e-mail is plain text: its subject is the name as typed.
    assert Notification.objects.get(recipient=board).subject.startswith(
        "[<script>alert(1)</script>]"
    )
