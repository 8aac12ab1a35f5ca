"""The sample issue walked through the workflow in the admin, click by click, with the demo
accounts of ``make demo`` (the README's "Walking the sample issue through the workflow").
"""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from editorial.management.commands.setup_demo import DEMO_ACCOUNTS
from editorial.models import Article, Issue, IssueStatus
from editorial.workflow import ArticleStatus
from tests.admin.forms import form_data
from tests.admin.workflow_setup import logged_in, messages_of, post_confirmed
from tests.workflow_helpers import sample_issue, staff

pytestmark = pytest.mark.django_db

SOFTWARE_SOURCE = "工业和信息化部运行监测协调局"


@pytest.fixture
def demo() -> dict[str, Client]:
    """A client logged in as each demo account."""
    users: dict[str, User] = {
        username: staff(username, person, *roles) for username, person, roles in DEMO_ACCOUNTS
    }
    return {username: logged_in(user) for username, user in users.items()}


def issue_page(client: Client, issue: Issue) -> str:
    return client.get(reverse("admin:editorial_issue_change", args=[issue.pk])).content.decode()


def click(client: Client, issue: Issue, name: str, **fields: str) -> list[str]:
    """Post the transition's form as shown on the issue page, with ``fields`` typed in."""
    page = issue_page(client, issue)
    assert f'id="transition-{name}"' in page, f"{name} is not offered"
    data = form_data(page, f"transition-{name}") | {k: [v] for k, v in fields.items()}
    url = reverse("admin:editorial_issue_transition", args=[issue.pk, name])
    if name in {"publish", "withdraw", "request_changes", "correct"}:
        return messages_of(post_confirmed(client, url, data))
    return messages_of(client.post(url, data))


def bulk(client: Client, action: str, articles: list[int]) -> list[str]:
    url = reverse("admin:editorial_article_changelist")
    return messages_of(client.post(url, {"action": action, "_selected_action": articles}))


def my_work(client: Client) -> str:
    return client.get(reverse("admin:editorial_my_work")).content.decode()


def test_the_sample_issue_from_draft_to_published(demo: dict[str, Client]) -> None:
    issue = sample_issue()
    executive, editor = demo["executive"], demo["editor"]
    software = Article.objects.get(issue=issue, source="")
    everything = list(issue.articles.values_list("pk", flat=True))

    # 1. The executive editor finds the draft in 我的待办 and starts editing it.
    assert str(issue) in my_work(executive)
    assert click(executive, issue, "start_edit") == ["已执行“开始编辑”：本期现为“编辑中”。"]

    # 2. Submitting is refused: pre-flight names the missing 来源 and the unready articles.
    [refusal] = click(executive, issue, "submit")
    assert f"《{software.title}》：缺少来源。" in refusal
    assert "15 篇文章尚未定稿。" in refusal or "16 篇文章尚未定稿。" in refusal

    # 3. The executive assigns the software article to 熊灵犀, who fills in the source.
    url = reverse("admin:editorial_article_change", args=[software.pk])
    data = form_data(executive.get(url).content.decode(), "article_form")
    data["responsible_editor"] = [str(editor_person())]
    assert executive.post(url, data).status_code == 302
    assert software.title in my_work(editor)
    data = form_data(editor.get(url).content.decode(), "article_form")
    data["source"] = [SOFTWARE_SOURCE]
    assert editor.post(url, data).status_code == 302
    for name in ("start_edit", "mark_ready"):
        editor.post(reverse("admin:editorial_article_transition", args=[software.pk, name]))
    assert Article.objects.get(pk=software.pk).status == ArticleStatus.READY

    # 4. The executive moves the other fifteen in bulk; the one already ready is reported.
    started = bulk(executive, "start_edit_selected", everything)
    assert any(m.startswith("“开始编辑”已执行 15 篇") for m in started)
    assert any("不能用于已定稿状态的文章" in m for m in started)
    ready = bulk(executive, "mark_ready_selected", everything)
    assert any("“定稿”已执行 15 篇" in m for m in ready)

    # 5. Now the submission goes through; warnings (long titles, half-width punctuation) stay.
    assert click(executive, issue, "submit") == ["已执行“提交审核”：本期现为“审核中”。"]
    page = issue_page(executive, issue)
    warnings = re.findall(r'<li class="preflight-warn">(.*?)</li>', page)
    assert any("超过微信的 32 字上限" in w for w in warnings)
    assert '<li class="preflight-block">' not in page

    # 6. Two board members approve (the publication's quorum is two).
    assert str(issue) in my_work(demo["board1"])
    assert click(demo["board1"], issue, "approve", comment="同意") == [
        "已记录您的批准（编委 1 / 2），还需其他编委批准。"
    ]
    assert click(demo["board2"], issue, "approve") == ["已批准：本期签发完成，现为“已批准”。"]

    # 7. The executive publishes (or schedules it: 排期发布 with a time in Beijing time).
    assert str(issue) in my_work(executive)
    assert click(executive, issue, "publish") == ["已执行“发布”：本期现为“已发布”。"]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PUBLISHED
    actions = list(
        issue.audit_entries.filter(article__isnull=True)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[:2] == ["import", "start_edit"] and actions[-4:] == [
        "approval",
        "approval",
        "approve",
        "publish",
    ]


def editor_person() -> int:
    return User.objects.get(username="editor").person.pk  # type: ignore[attr-defined]
