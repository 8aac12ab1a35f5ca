"""我的待办: what each role is shown, the link from the admin index, and a fixed query count."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from editorial.models import Article
from editorial.roles import Role
from editorial.services.approvals import issue_approve
from editorial.services.articles import article_save
from editorial.services.comments import comment_add, comment_resolve
from editorial.services.issue_transitions import issue_request_changes
from editorial.workflow import ArticleStatus
from tests.admin.workflow_setup import logged_in
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db

URL = "admin:editorial_my_work"


class Desk:
    """People in each role and issues and articles in every situation the page lists."""

    def __init__(self) -> None:
        self.board = staff("cheng", "程茹", Role.BOARD_MEMBER)
        self.chief = staff("song", "宋总编", Role.EDITOR_IN_CHIEF)
        self.executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
        self.editor = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)

        self.unapproved = bring_to(small_issue(quorum=2), "in_review")
        self.approved_by_board = bring_to(small_issue(quorum=2), "in_review")
        issue_approve(actor=self.board, issue_id=self.approved_by_board.pk)
        self.invalidated = bring_to(small_issue(quorum=2), "in_review")
        issue_approve(actor=self.board, issue_id=self.invalidated.pk)
        article = self.invalidated.articles.get()
        article.title = "改过"
        article_save(actor=None, article=article, base_version=0)

        self.draft = small_issue()
        self.in_edit = bring_to(small_issue(editor=self.editor), "in_edit")
        self.sent_back = bring_to(small_issue(), "in_review")
        issue_request_changes(actor=self.chief, issue_id=self.sent_back.pk, comment="请补充来源")
        self.approved = bring_to(small_issue(), "approved")
        self.scheduled = bring_to(small_issue(), "scheduled")
        self.published = bring_to(small_issue(editor=self.editor), "published")

        self.my_open = self.in_edit.articles.get()
        Article.objects.filter(pk=self.my_open.pk).update(status=ArticleStatus.IN_EDIT)
        # Ready, or in a published issue: nothing to do.
        self.my_ready = small_issue(editor=self.editor).articles.get()
        Article.objects.filter(issue=self.published).update(status=ArticleStatus.IN_EDIT)

        self.open_comment = comment_add(
            actor=self.chief, issue=self.in_edit, article=self.my_open, body="第二段数据请核对"
        )
        done = comment_add(actor=self.chief, issue=self.in_edit, article=self.my_open, body="已改")
        comment_resolve(actor=self.editor, comment_id=done.pk)
        comment_add(actor=self.chief, issue=self.in_edit, body="本期整体意见")  # not on an article

    def more(self) -> None:
        """Another issue of each kind, more articles and comments for the responsible editor."""
        bring_to(small_issue(quorum=2), "in_review")
        sent_back = bring_to(small_issue(), "in_review")
        issue_request_changes(actor=self.chief, issue_id=sent_back.pk, comment="再改")
        bring_to(small_issue(), "approved")
        issue = bring_to(small_issue(editor=self.editor, articles=2), "in_edit")
        Article.objects.filter(issue=issue).update(status=ArticleStatus.IN_EDIT)
        for article in issue.articles.all():
            comment_add(actor=self.chief, issue=issue, article=article, body="请改")


@pytest.fixture
def desk() -> Desk:
    return Desk()


def sections(html: str) -> dict[str, list[str]]:
    """Each section's id and the link texts of its rows."""
    found = {}
    for section_id, body in re.findall(
        r'<section class="module" id="([\w-]+)">(.*?)</section>', html, re.S
    ):
        found[section_id] = re.findall(r"<tr><td><a href=\"[^\"]+\">(.*?)</a>", body)
    return found


def page(user: User) -> str:
    response = logged_in(user).get(reverse(URL))
    assert response.status_code == 200
    return response.content.decode()


def test_a_board_member_sees_the_issues_waiting_for_their_approval(desk: Desk) -> None:
    shown = sections(page(desk.board))

    assert shown == {"to-approve": [str(desk.unapproved), str(desk.invalidated)]}


def test_the_editor_in_chief_sees_every_issue_in_review(desk: Desk) -> None:
    html = page(desk.chief)

    assert sections(html) == {
        "to-approve": [str(desk.unapproved), str(desk.approved_by_board), str(desk.invalidated)]
    }
    assert "<td>1 / 2</td>" in html  # the board member's approval of the unchanged issue


def test_the_executive_editor_sees_what_to_make_resubmit_and_release(desk: Desk) -> None:
    html = page(desk.executive)

    assert sections(html) == {
        "changes-requested": [str(desk.sent_back)],
        "in-edit": [str(desk.draft), str(desk.in_edit), str(desk.my_ready.issue)],
        "to-release": [str(desk.approved), str(desk.scheduled)],
    }
    sent_back = html[html.index('id="changes-requested"') : html.index('id="in-edit"')]
    assert "<td>宋总编</td>" in sent_back and "请补充来源" in sent_back


def test_the_responsible_editor_sees_their_open_articles_and_comments(desk: Desk) -> None:
    html = page(desk.editor)

    assert sections(html) == {
        "changes-requested": [],
        "my-articles": [desk.my_open.title],
        "open-comments": [desk.my_open.title],
    }
    comments = html[html.index('id="open-comments"') :]
    assert "第二段数据请核对" in comments and "已改" not in comments
    assert f"#comment-{desk.open_comment.pk}" in comments


def test_the_boards_return_lands_in_the_responsible_editors_list_with_the_comment() -> None:
    editor = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    board = staff("cheng", "程茹", Role.BOARD_MEMBER)
    mine = bring_to(small_issue(editor=editor), "in_review")
    others = bring_to(small_issue(), "in_review")
    for issue in (mine, others):
        issue_request_changes(actor=board, issue_id=issue.pk, comment="第三段 13.8% 请核对")

    html = page(editor)

    assert sections(html)["changes-requested"] == [str(mine)]
    sent_back = html[html.index('id="changes-requested"') : html.index('id="my-articles"')]
    assert "<td>程茹</td>" in sent_back and "第三段 13.8% 请核对" in sent_back


def test_someone_holding_several_roles_sees_each_role_s_lists() -> None:
    both = staff("both", "杨双", Role.EXECUTIVE_EDITOR, Role.RESPONSIBLE_EDITOR)

    assert set(sections(page(both))) == {
        "changes-requested",
        "in-edit",
        "to-release",
        "my-articles",
        "open-comments",
    }


def test_a_login_without_a_role_has_nothing_to_do() -> None:
    html = page(staff("guest", "访客"))

    assert sections(html) == {}
    assert "您没有编辑部角色" in html


def test_the_admin_index_links_to_my_work(desk: Desk) -> None:
    html = logged_in(desk.board).get(reverse("admin:index")).content.decode()

    assert f'href="{reverse(URL)}" id="my-work-link"' in html


@pytest.mark.parametrize("who", ["board", "chief", "executive", "editor"])
def test_my_work_costs_the_same_queries_for_little_and_much_work(who: str) -> None:
    desk = Desk()
    user = getattr(desk, who)
    client = logged_in(user)
    with CaptureQueriesContext(connection) as little:
        client.get(reverse(URL))
    for _ in range(3):
        desk.more()
    with CaptureQueriesContext(connection) as much:
        client.get(reverse(URL))

    assert len(little) == len(much) <= 12
