"""A real headless Chromium: an editor drags an issue's articles into a new order and saves; an
executive editor submits an issue with the 工作流 panel's button and a board member approves it.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from editorial.models import Issue, IssueStatus, Publication
from editorial.richtext import quoted_title
from editorial.roles import Role
from editorial.workflow import ArticleStatus
from tests import factories
from tests.admin.conftest import EDITOR_PASSWORD
from tests.browser import chromium
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "chromium-profile") as driver:
        yield driver


@pytest.fixture
def issue(publication: Publication) -> Issue:
    issue = factories.IssueFactory.create(publication=publication, number=16, total_number=179)
    section = factories.SectionFactory.create(publication=publication, name="国策要论")
    for position, title in [(2, "第二篇 地方新政"), (1, "第一篇 国策要论"), (3, "第三篇 产业前沿")]:
        factories.ArticleFactory.create(
            issue=issue, section=section, position=position, title=title
        )
    return issue


def wait_for(driver: WebDriver, css: str) -> None:
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def inline_titles(driver: WebDriver) -> list[str]:
    rows = driver.find_elements(By.CSS_SELECTOR, "#articles-group tr.has_original")
    return [
        row.find_element(By.CSS_SELECTOR, "input[name$='-title']").get_attribute("value") or ""
        for row in rows
    ]


def test_editor_reorders_articles_and_saves(
    browser: WebDriver, live_server: object, editor: User, issue: Issue
) -> None:
    change_path = f"/admin/editorial/issue/{issue.pk}/change/"
    browser.get(f"{live_server}/admin/login/?next={change_path}")
    browser.find_element(By.NAME, "username").send_keys(editor.username)
    browser.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, "#articles-group fieldset.sortable")

    assert inline_titles(browser) == ["第一篇 国策要论", "第二篇 地方新政", "第三篇 产业前沿"]

    # The inline's "move to first position" control, which renumbers rows like a drag does.
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    last_row = browser.find_elements(By.CSS_SELECTOR, "#articles-group tr.has_original")[-1]
    browser.execute_script(
        "arguments[0].click()", last_row.find_element(By.CSS_SELECTOR, ".move-begin")
    )
    assert inline_titles(browser) == ["第三篇 产业前沿", "第一篇 国策要论", "第二篇 地方新政"]

    browser.find_element(By.CSS_SELECTOR, "input[name=_save]").click()
    wait_for(browser, "ul.messagelist li.success")

    message = browser.find_element(By.CSS_SELECTOR, "ul.messagelist li.success").text
    assert "成功修改" in message
    titles = issue.articles.order_by("position").values_list("title", flat=True)
    assert list(titles) == ["第三篇 产业前沿", "第一篇 国策要论", "第二篇 地方新政"]


def log_in(driver: WebDriver, live_server: object, username: str, next_path: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{live_server}/admin/login/?next={next_path}")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()


def test_an_executive_submits_and_a_board_member_approves(
    browser: WebDriver, live_server: object, tmp_path: Path
) -> None:
    staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    staff("cheng", "程茹", Role.BOARD_MEMBER)
    issue = bring_to(small_issue(quorum=1, articles=2), IssueStatus.IN_EDIT)
    # A title longer than WeChat allows: a warning that does not stop the submission.
    issue.articles.update(
        title="国家发展改革委办公厅、国家数据局综合司印发《数字经济2024年工作要点》的通知"
    )
    change_path = f"/admin/editorial/issue/{issue.pk}/change/"

    # First both articles are still drafts and one has no source: the refusal is one error,
    # each reason said once.
    kept = list(issue.articles.values_list("pk", "status", "source"))
    issue.articles.update(status=ArticleStatus.DRAFT)
    issue.articles.filter(pk=kept[0][0]).update(source="")
    log_in(browser, live_server, "yang", change_path)
    wait_for(browser, "#workflow")
    browser.find_element(By.CSS_SELECTOR, "#transition-submit button[type=submit]").click()
    wait_for(browser, "ul.messagelist li.error")
    [error] = browser.find_elements(By.CSS_SELECTOR, "ul.messagelist > li")
    assert "error" in (error.get_attribute("class") or "")
    reasons = error.find_elements(By.CSS_SELECTOR, "li")
    assert [r.text for r in reasons] == [
        f"{quoted_title(issue.articles.get(pk=kept[0][0]).title)}：缺少来源。 打开文章",
        "2 篇文章尚未定稿。 查看这 2 篇文章",
    ]
    # A reason is a plain item of the error, not a message with a green tick of its own.
    assert {r.value_of_css_property("background-image") for r in reasons} == {"none"}
    browser.save_screenshot(str(tmp_path / "refused-submit.png"))
    blocking = browser.find_elements(By.CSS_SELECTOR, "#preflight li.preflight-block")
    assert [b.text for b in blocking] == [f"必须修改：{r.text}" for r in reasons]
    for pk, status, source in kept:
        issue.articles.filter(pk=pk).update(status=status, source=source)
    browser.get(f"{live_server}{change_path}")
    wait_for(browser, "#workflow")
    warning = browser.find_element(By.CSS_SELECTOR, "#preflight li.preflight-warn").text
    assert "超过微信的 32 字上限" in warning
    assert not browser.find_elements(By.CSS_SELECTOR, "#preflight li.preflight-block")
    browser.find_element(By.CSS_SELECTOR, "#transition-submit button[type=submit]").click()
    wait_for(browser, "ul.messagelist li.success")

    success = browser.find_element(By.CSS_SELECTOR, "ul.messagelist li.success").text
    assert success == "已执行“提交审核”：本期现为“审核中”。"
    assert browser.find_element(By.ID, "workflow-status").text == "审核中"
    assert "超过微信的 32 字上限" in browser.find_element(By.ID, "preflight").text
    assert not browser.find_elements(By.ID, "transition-submit")

    log_in(browser, live_server, "cheng", change_path)
    wait_for(browser, "#transition-approve")
    assert browser.find_element(By.ID, "approval-progress").text == "0 / 1"
    browser.find_element(By.ID, "id_approve_comment").send_keys("同意发布")
    browser.find_element(By.CSS_SELECTOR, "#transition-approve button[type=submit]").click()
    wait_for(browser, "ul.messagelist li.success")

    success = browser.find_element(By.CSS_SELECTOR, "ul.messagelist li.success").text
    assert success == "已批准：本期签发完成，现为“已批准”。"
    assert browser.find_element(By.ID, "workflow-status").text == "已批准"
    assert "同意发布" in browser.find_element(By.ID, "sign-off").text
    issue.refresh_from_db()
    assert issue.status == IssueStatus.APPROVED
    assert list(issue.approvals.values_list("approver__username", "comment")) == [
        ("cheng", "同意发布")
    ]


def test_the_issue_page_keeps_the_masthead_folded_and_new_numbers_follow_the_date(
    browser: WebDriver, live_server: object, tmp_path: Path
) -> None:
    staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    issue = bring_to(small_issue(articles=2), IssueStatus.IN_EDIT)
    Issue.objects.filter(pk=issue.pk).update(date="2024-04-19", number=16, total_number=179)

    log_in(browser, live_server, "yang", f"/admin/editorial/issue/{issue.pk}/change/")
    wait_for(browser, "#articles-group")
    headers = browser.find_elements(By.CSS_SELECTOR, "#articles-group thead th")
    assert "状态" in [h.text for h in headers]
    states = browser.find_elements(By.CSS_SELECTOR, "#articles-group td.field-status")
    assert [s.text for s in states] == ["已定稿", "已定稿"]
    for group in ("masthead_organisations-group", "masthead_members-group"):
        details = browser.find_element(By.CSS_SELECTOR, f"#{group} details")
        assert details.get_attribute("open") is None, f"{group} is not folded"
    browser.save_screenshot(str(tmp_path / "issue-page.png"))

    # Next week's issue: the date a week on, and the numbers that follow from it.
    browser.get(f"{live_server}/admin/editorial/issue/add/?publication={issue.publication_id}")
    wait_for(browser, "#id_date")
    field = {name: browser.find_element(By.ID, f"id_{name}") for name in ("date", "number")}
    field["total_number"] = browser.find_element(By.ID, "id_total_number")
    assert [field[n].get_attribute("value") for n in ("date", "number", "total_number")] == [
        "2024-04-26",
        "17",
        "180",
    ]
    # Moved into the next year, the issue is that year's first; the total still counts on.
    field["date"].clear()
    field["date"].send_keys("2025-01-03")
    browser.find_element(By.ID, "id_cover_headline").click()
    WebDriverWait(browser, 10).until(lambda d: field["number"].get_attribute("value") == "1")
    assert field["total_number"].get_attribute("value") == "180"
    # A number typed by hand is the editor's: a later date change leaves it alone.
    field["number"].clear()
    field["number"].send_keys("2")
    field["date"].clear()
    field["date"].send_keys("2024-05-03")
    browser.find_element(By.ID, "id_cover_headline").click()
    WebDriverWait(browser, 10).until(
        lambda d: (
            browser.execute_script(
                "return performance.getEntriesByType('resource')"
                ".filter(e => e.name.includes('propose-numbers')).length"
            )
            == 2
        )
    )
    assert field["number"].get_attribute("value") == "2"
