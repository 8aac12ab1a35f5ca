"""Role × transition × entry point, through the admin.

Entry points: the button's form on the change page (posted to the transition URL), the
changelist's bulk action where there is one, and a crafted POST by someone who is not offered
the button or the action. Who may take what comes from the table in editorial/workflow.py: the
allowed roles are offered the control and move the issue or article to the table's target; the
others are not offered it, and posting anyway changes nothing at all (states, audit rows,
revisions, approvals, comments, notifications, locks).
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from editorial.models import Approval, Article, AuditEntry, Issue
from editorial.workflow import ARTICLE_TRANSITIONS, ISSUE_TRANSITIONS, ArticleStatus, IssueStatus
from tests.admin.forms import form_data
from tests.admin.workflow_setup import ACTORS, actor, logged_in, messages_of, post_confirmed
from tests.workflow.states import bring_to, small_issue, snapshot

pytestmark = pytest.mark.django_db

# What a person types into the transition's form, when it has one.
INPUT = {
    "request_changes": {"comment": ["第1篇的来源请再核对"]},
    "withdraw": {"comment": ["补一篇稿"]},
    "approve": {"comment": ["同意"]},
    "correct": {"reason": ["第1篇来源有误"]},
}
# A crafted POST carries valid input, so that only the permission can refuse it.
# The actions that cannot simply be undone, which the admin asks to confirm first.
CONFIRMED_FIRST = {"publish", "withdraw", "request_changes", "correct"}
CRAFTED = {"schedule": {"at": ["2031-05-06T09:30"]}} | INPUT

ISSUE_CASES = [
    pytest.param(name, source, id=f"{name}-from-{source}")
    for name, transition in ISSUE_TRANSITIONS.items()
    if not transition.system_only
    for source in sorted(transition.sources)
]
ISSUE_ACTIONS = {"start_edit": "start_edit_selected", "submit": "submit_selected"} | {
    "publish": "publish_selected"
}
ISSUE_ACTION_CASES = [
    pytest.param(name, source, id=f"{name}-from-{source}")
    for name in ISSUE_ACTIONS
    for source in sorted(ISSUE_TRANSITIONS[name].sources)
]
ARTICLE_SOURCES = {"start_edit": ArticleStatus.DRAFT, "mark_ready": ArticleStatus.IN_EDIT} | {
    "reopen": ArticleStatus.READY
}
ARTICLE_ACTIONS = {"start_edit": "start_edit_selected", "mark_ready": "mark_ready_selected"}
# Article actors: every role, and a responsible editor the article is assigned to.
ARTICLE_ACTORS = [*ACTORS, "responsible_editor_assigned"]


def may(name: str, key: str, table: dict = ISSUE_TRANSITIONS) -> bool:  # type: ignore[type-arg]
    role = ACTORS.get(key.removesuffix("_assigned"))
    transition = table[name]
    if role is None or role not in transition.roles:
        return False
    return key.endswith("_assigned") or role not in transition.assigned_only


def test_the_matrix_covers_every_transition_a_person_may_take() -> None:
    assert len(ISSUE_CASES) == 13
    assert {name for name, _ in (case.values for case in ISSUE_CASES)} == {  # type: ignore[misc]
        n for n, t in ISSUE_TRANSITIONS.items() if not t.system_only
    }
    assert set(ARTICLE_SOURCES) == set(ARTICLE_TRANSITIONS)


def issue_in(source: str) -> Issue:
    return bring_to(small_issue(quorum=1), source)


def assert_issue_moved(issue: Issue, name: str, before_issues: int) -> None:
    fresh = Issue.objects.get(pk=issue.pk)
    assert fresh.status == ISSUE_TRANSITIONS[name].target
    if name == "correct":
        assert Issue.objects.count() == before_issues + 1
        assert Issue.objects.get(corrects=issue).status == IssueStatus.IN_EDIT
    latest = AuditEntry.objects.filter(issue=issue).order_by("-pk").values_list("action", flat=True)
    assert latest[0] == name


@pytest.mark.parametrize("key", ACTORS)
@pytest.mark.parametrize(("name", "source"), ISSUE_CASES)
def test_issue_transition_through_the_button(name: str, source: str, key: str) -> None:
    issue = issue_in(source)
    user = actor(key)
    client = logged_in(user)
    page = client.get(reverse("admin:editorial_issue_change", args=[issue.pk]))
    url = reverse("admin:editorial_issue_transition", args=[issue.pk, name])

    if not may(name, key):
        html = page.content.decode() if page.status_code == 200 else ""
        assert page.status_code in {200, 403}
        assert f'id="transition-{name}"' not in html
        before = snapshot(issue.pk)
        crafted = client.post(url, CRAFTED.get(name, {}))
        assert crafted.status_code == 403
        assert snapshot(issue.pk) == before
        return

    html = page.content.decode()
    assert f'id="transition-{name}"' in html
    data = form_data(html, f"transition-{name}") | INPUT.get(name, {})
    issues = Issue.objects.count()
    approvals = Approval.objects.count()

    if name in CONFIRMED_FIRST:
        response = post_confirmed(client, url, data)
    else:
        response = client.post(url, data)

    assert response.status_code == 302
    assert all("未执行" not in m for m in messages_of(response)), messages_of(response)
    assert_issue_moved(issue, name, issues)
    if name == "approve":
        assert Approval.objects.count() == approvals + 1


@pytest.mark.parametrize("key", ACTORS)
@pytest.mark.parametrize(("name", "source"), ISSUE_ACTION_CASES)
def test_issue_transition_through_the_changelist_action(name: str, source: str, key: str) -> None:
    issue = issue_in(source)
    client = logged_in(actor(key))
    changelist = reverse("admin:editorial_issue_changelist")
    page = client.get(changelist)
    action = ISSUE_ACTIONS[name]
    post = {"action": action, "_selected_action": [issue.pk]}

    if not may(name, key):
        assert page.status_code in {200, 403}
        assert f'value="{action}"' not in page.content.decode()
        before = snapshot(issue.pk)
        crafted = client.post(changelist, post)
        assert crafted.status_code in {200, 302, 403}
        assert snapshot(issue.pk) == before
        return

    assert f'value="{action}"' in page.content.decode()
    issues = Issue.objects.count()

    if name in CONFIRMED_FIRST:
        response = post_confirmed(client, changelist, post)
    else:
        response = client.post(changelist, post)

    assert response.status_code == 302
    assert messages_of(response) == [
        f"“{ISSUE_TRANSITIONS[name].label}”已执行 1 期：{issue.label}。"
    ]
    assert_issue_moved(issue, name, issues)


def article_in(status: str, key: str) -> tuple[Article, User]:
    """An article in ``status`` of an issue in edit, assigned to the actor when ``key`` says so."""
    user = actor(key.removesuffix("_assigned"))
    issue = bring_to(small_issue(editor=user if key.endswith("_assigned") else None), "in_edit")
    article = issue.articles.get()
    Article.objects.filter(pk=article.pk).update(status=status)
    return Article.objects.get(pk=article.pk), user


def assert_article_moved(article: Article, name: str) -> None:
    assert Article.objects.get(pk=article.pk).status == ARTICLE_TRANSITIONS[name].target
    entry = AuditEntry.objects.filter(article=article).latest("pk")
    assert (entry.action, entry.from_state) == (name, article.status)


@pytest.mark.parametrize("key", ARTICLE_ACTORS)
@pytest.mark.parametrize("name", ARTICLE_SOURCES)
def test_article_transition_through_the_button(name: str, key: str) -> None:
    article, user = article_in(ARTICLE_SOURCES[name], key)
    client = logged_in(user)
    page = client.get(reverse("admin:editorial_article_change", args=[article.pk]))
    url = reverse("admin:editorial_article_transition", args=[article.pk, name])

    if not may(name, key, ARTICLE_TRANSITIONS):
        html = page.content.decode() if page.status_code == 200 else ""
        assert f'id="transition-{name}"' not in html
        before = snapshot(article.issue_id)
        assert client.post(url).status_code == 403
        assert snapshot(article.issue_id) == before
        return

    html = page.content.decode()
    assert f'id="transition-{name}"' in html

    response = client.post(url, form_data(html, f"transition-{name}"))

    assert response.status_code == 302
    assert_article_moved(article, name)


@pytest.mark.parametrize("key", ARTICLE_ACTORS)
@pytest.mark.parametrize("name", ARTICLE_ACTIONS)
def test_article_transition_through_the_changelist_action(name: str, key: str) -> None:
    article, user = article_in(ARTICLE_SOURCES[name], key)
    client = logged_in(user)
    changelist = reverse("admin:editorial_article_changelist")
    page = client.get(changelist)
    action = ARTICLE_ACTIONS[name]
    post = {"action": action, "_selected_action": [article.pk]}
    offered = f'value="{action}"' in page.content.decode()
    before = snapshot(article.issue_id)

    response = client.post(changelist, post)

    if not may(name, key, ARTICLE_TRANSITIONS):
        # Offered to unassigned responsible editors (they may take it on their own articles),
        # refused for this one with a message; offered to nobody else.
        assert offered == (key == "responsible_editor")
        assert response.status_code in {200, 302, 403}
        assert snapshot(article.issue_id) == before
        if offered:
            [message] = messages_of(response)
            assert message.startswith(f"《{article.title}》：") and "不能执行" in message
        return

    assert offered
    assert response.status_code == 302
    label = ARTICLE_TRANSITIONS[name].label
    assert messages_of(response) == [f"“{label}”已执行 1 篇：《{article.title}》。"]
    assert_article_moved(article, name)


def test_no_article_transition_is_offered_while_the_issue_is_with_the_board() -> None:
    user = actor("executive_editor")
    issue = bring_to(small_issue(), IssueStatus.IN_REVIEW)
    article = issue.articles.get()
    client = logged_in(user)

    html = client.get(reverse("admin:editorial_article_change", args=[article.pk])).content.decode()
    before = snapshot(issue.pk)
    url = reverse("admin:editorial_article_transition", args=[article.pk, "reopen"])
    response = client.post(url)

    assert 'id="transition-' not in html
    assert "本期审核中，文章状态不能变更；需要修改时请先撤回，或由编委退回修改。" in html
    assert response.status_code == 302
    [message] = messages_of(response)
    assert message.startswith("“重新编辑”未执行：本期审核中")
    assert snapshot(issue.pk) == before
