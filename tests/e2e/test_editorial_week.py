"""The editorial week in a real headless Chromium, as the demo's people click it.

The executive editor makes next week's issue from the proposed numbers, writes an article in the
rich-text editor with a figure placed in the text and its original link, adds a second, reorders
them and submits; the refusal is one error, fixed from its link; a board member sends the issue
back with a comment that reaches the responsible editor's 我的待办, 我的通知 and mailbox; after
resubmission two board members approve (the second from a home page that shows the issue's
progress); an edit, confirmed after a warning, voids their approvals, each approver is told with
a link to the diff and approves again; the issue is published through its confirmation, its
final PDF downloaded and read, the 公众号 preview copied, and the article read on the public
site. Each step leaves a screenshot in ``var/e2e/<test>/`` (steps.Shots).
"""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from editorial.admin.outputs import preview_image_path
from editorial.models import Article, Issue
from editorial.rendering.wechat import render_wechat_issue
from editorial.selectors import issue_edition
from editorial.workflow import ArticleStatus, IssueStatus
from tests import factories
from tests.admin.test_browser import inline_titles
from tests.admin.test_editor_browser import LISTEN, button, closed, dialog, press
from tests.admin.test_outputs_browser import READ_CLIPBOARD
from tests.browser import chromium
from tests.e2e.steps import (
    Shots,
    click,
    confirm,
    demo_people,
    download,
    element_with,
    go,
    log_in,
    message,
    wait_for,
)
from tests.tasks.support import SmtpServer
from tests.workflow_helpers import sample_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "贵州省数据要素市场化配置改革取得新进展"
SECOND = "多地出台公共数据授权运营管理办法"
CAPTION = "贵州省数据交易额增长情况"
ORIGINAL = "https://www.gzdata.gov.cn/news/2024-05-10.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("e2e") / "chromium-profile") as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})
        yield driver


def body_editor(driver: WebDriver) -> None:
    """Put the caret into the 正文 editor once it is ready."""
    text = WebDriverWait(driver, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".field-body .ProseMirror[contenteditable=true]")
    )
    text.click()


def caret_at_the_end(driver: WebDriver) -> None:
    """Put the 正文 editor's caret after its last paragraph, through the editor itself (a key
    press would move the page's selection before the editor has seen it)."""
    body_editor(driver)
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "const editor = window.proseEditors.find("
            "  (e) => e.options.element.querySelector('#id_body'));"
            "return editor && editor.commands.focus('end');"
        )
    )


def write_article(driver: WebDriver, title: str, source: str, *paragraphs: str) -> None:
    """Fill in a new article's page: the first section, title, source and a body whose first
    sentence is the bold lead."""
    wait_for(driver, "#id_title").send_keys(title)
    Select(driver.find_element(By.ID, "id_section")).select_by_index(1)
    driver.find_element(By.ID, "id_source").send_keys(source)
    body_editor(driver)
    lead, *rest = paragraphs
    button(driver, "bold").click()
    press(driver, lead)
    button(driver, "bold").click()
    for paragraph in rest:
        press(driver, Keys.ENTER, paragraph)


def choose(driver: WebDriver, field: str, typed: str) -> None:
    """Pick ``typed`` in the autocomplete box of ``field`` (the admin's select2)."""
    click(driver, f".field-{field} .select2-selection")
    wait_for(driver, ".select2-container--open .select2-search__field").send_keys(typed)
    element_with(driver, ".select2-results__option", typed).click()


def status_text(driver: WebDriver) -> str:
    return wait_for(driver, "#workflow-status").text


def take(driver: WebDriver, name: str) -> None:
    """Press the 工作流 panel's button for the transition ``name``."""
    go(driver, f"#transition-{name} button[type=submit]")


def approve(driver: WebDriver, live_server: object, who: str, issue: Issue, shots: Shots) -> str:
    log_in(driver, live_server, who, f"/admin/editorial/issue/{issue.pk}/change/")
    wait_for(driver, "#transition-approve")
    driver.find_element(By.ID, "id_approve_comment").send_keys("同意。")
    take(driver, "approve")
    said = message(driver)
    shots(driver, f"approved-by-{who}")
    return said


def test_the_editorial_week(
    browser: WebDriver,
    live_server: object,
    smtp_inbox: SmtpServer,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    shots = request.node.e2e_shots = Shots(request.node.name, browser)
    demo_people()
    last_week = sample_issue()
    png = tmp_path / "数据交易额.png"
    png.write_bytes(factories.png_bytes(120, 80, "steelblue"))

    # 1. The executive editor makes next week's issue: the form proposes its date and numbers.
    log_in(browser, live_server, "executive", "/admin/editorial/issue/add/")
    date = wait_for(browser, "#id_date")
    proposed = [
        browser.find_element(By.ID, f"id_{name}").get_attribute("value")
        for name in ("number", "total_number")
    ]
    assert [date.get_attribute("value"), *proposed] == ["2024-05-13", "17", "180"]
    browser.find_element(By.ID, "id_cover_headline").send_keys("贵州数据要素市场化配置改革提速")
    shots(browser, "issue-add")
    go(browser, "input[name=_continue]")
    assert "成功" in message(browser)
    issue = Issue.objects.get(publication=last_week.publication, total_number=180)
    assert (issue.number, issue.date.isoformat()) == (17, "2024-05-13")
    take(browser, "start_edit")
    assert status_text(browser) == "编辑中"

    # An article written in the rich-text editor, from the issue's own link.
    go(browser, "#content a.addlink[href*='/article/add/?issue=']")
    write_article(
        browser,
        TITLE,
        "贵州省大数据发展管理局",
        "一是数据交易规模持续扩大。",
        "2024年一季度，贵阳大数据交易所交易额达 13.8 亿元，同比增长 96%。",
    )
    choose(browser, "responsible_editor", "熊灵犀")
    shots(browser, "article-written")
    go(browser, "input[name=_continue]")
    assert "成功" in message(browser)
    article = Article.objects.get(title=TITLE)
    assert article.issue_id == issue.pk
    assert article.responsible_editor is not None
    assert article.responsible_editor.name == "熊灵犀"
    # Its figure, uploaded from the editor's picker and placed after the second paragraph.
    caret_at_the_end(browser)
    press(browser, Keys.ENTER)
    button(browser, "digestFigure").click()
    picker = dialog(browser)
    picker.find_element(By.NAME, "image").send_keys(str(png))
    picker.find_element(By.NAME, "caption").send_keys(CAPTION)
    picker.find_element(By.CSS_SELECTOR, ".digest-picker__upload button").click()
    closed(browser)
    assert [
        f.text for f in browser.find_elements(By.CSS_SELECTOR, ".field-body figure figcaption")
    ] == [f"图 1 {CAPTION}"]
    browser.find_element(By.ID, "id_original_url").send_keys(ORIGINAL)
    browser.find_element(By.ID, "id_qr_caption").send_keys("扫描二维码可阅读或下载全文")
    shots(browser, "article-figure-and-link")
    # 保存并增加另一个 keeps the issue (and the section) for the next article.
    go(browser, "input[name=_addanother]")
    assert "成功" in message(browser)
    article.refresh_from_db()
    assert article.original_url == ORIGINAL
    assert article.body.endswith('<figure data-figure="1"></figure>')
    assert "<strong>一是数据交易规模持续扩大。</strong>" in article.body
    assert list(article.figures.values_list("number", "caption")) == [(1, CAPTION)]
    # The next article's page keeps the issue and the section.
    assert wait_for(browser, "#id_issue option[selected]").get_attribute("value") == str(issue.pk)
    write_article(
        browser,
        SECOND,
        "国家数据局",
        "二是公共数据授权运营加快推进。",
        "已有 12 个省份出台公共数据授权运营管理办法。",
    )
    go(browser, "input[name=_save]")
    assert "成功" in message(browser)

    # On the issue page the second article is moved to the top, and the order saved.
    browser.get(f"{live_server}/admin/editorial/issue/{issue.pk}/change/")
    wait_for(browser, "#articles-group fieldset.sortable")
    assert inline_titles(browser) == [TITLE, SECOND]
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    last_row = browser.find_elements(By.CSS_SELECTOR, "#articles-group tr.has_original")[-1]
    browser.execute_script(
        "arguments[0].click()", last_row.find_element(By.CSS_SELECTOR, ".move-begin")
    )
    assert inline_titles(browser) == [SECOND, TITLE]
    go(browser, "input[name=_continue]")
    assert "成功修改" in message(browser)
    assert list(issue.articles.order_by("position").values_list("title", flat=True)) == [
        SECOND,
        TITLE,
    ]
    shots(browser, "issue-reordered")

    # 2. Submitted with both articles still drafts: one error, its one reason linking to both.
    take(browser, "submit")
    [error] = browser.find_elements(By.CSS_SELECTOR, "ul.messagelist > li")
    assert "error" in (error.get_attribute("class") or "")
    assert error.text == "“提交审核”未执行：2 篇文章尚未定稿。 查看这 2 篇文章"
    # The reminder that does not block, said once though the title and the body both need it.
    assert [
        w.text for w in browser.find_elements(By.CSS_SELECTOR, "#preflight .preflight-warn")
    ] == [f"提醒：《{SECOND}》：文件名“公共数据授权运营管理办法”应加书名号《》。 打开文章"]
    shots(browser, "submit-refused")
    # Fixed from the link: both articles through 开始编辑 and 定稿 in the article list.
    go(browser, "ul.messagelist > li.error a")
    for action in ("start_edit_selected", "mark_ready_selected"):
        wait_for(browser, "#action-toggle")
        assert len(browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")) == 2
        click(browser, "#action-toggle")
        Select(browser.find_element(By.NAME, "action")).select_by_value(action)
        go(browser, "button[name=index]")
        message(browser)
    shots(browser, "articles-ready")
    assert set(issue.articles.values_list("status", flat=True)) == {ArticleStatus.READY}
    browser.get(f"{live_server}/admin/editorial/issue/{issue.pk}/change/")
    take(browser, "submit")
    assert message(browser) == "已执行“提交审核”：本期现为“审核中”。"
    shots(browser, "submitted")

    # 3. board1 finds the issue in 我的待办 and sends it back with a comment, confirmed.
    log_in(browser, live_server, "board1", "/admin/editorial/issue/my-work/")
    go(browser, f"#to-approve a[href*='/issue/{issue.pk}/']")
    wait_for(browser, "#id_request_changes_comment").send_keys("请补充图 1 的数据来源说明。")
    take(browser, "request_changes")
    said = confirm(browser, shots, "request-changes-confirmation")
    assert "退回意见将记入评论：请补充图 1 的数据来源说明。" in said
    assert status_text(browser) == "编辑中"
    # The responsible editor of an article in it finds the comment in 我的待办 and 我的通知,
    # and in an e-mail.
    log_in(browser, live_server, "editor", "/admin/editorial/issue/my-work/")
    returned = wait_for(browser, "#changes-requested tbody").text
    assert "程茹" in returned and "请补充图 1 的数据来源说明。" in returned
    assert "条未读" in browser.find_element(By.ID, "inbox-link").text
    shots(browser, "editor-my-work-changes-requested")
    go(browser, "#inbox-link")
    notice = wait_for(browser, "#inbox tr.unread").text
    assert "退回修改" in notice and "第17期" in notice
    shots(browser, "editor-inbox")
    [mail] = [
        m
        for m in smtp_inbox.wait_for(1)
        if m.recipients == ("editor@example.org",) and "退回修改" in m.subject
    ]
    assert "请补充图 1 的数据来源说明。" in mail.body
    # So does the executive editor, who puts the issue together.
    log_in(browser, live_server, "executive", "/admin/editorial/issue/my-work/")
    returned = wait_for(browser, "#changes-requested tbody").text
    assert "程茹" in returned and "请补充图 1 的数据来源说明。" in returned
    shots(browser, "my-work-changes-requested")
    go(browser, f"#changes-requested a[href*='/issue/{issue.pk}/']")
    take(browser, "submit")
    assert message(browser) == "已执行“提交审核”：本期现为“审核中”。"
    # Both board members approve: the publication's quorum of two.
    assert approve(browser, live_server, "board1", issue, shots) == (
        "已记录您的批准（编委 1 / 2），还需其他编委批准。"
    )
    # board2's home page greets them by name and shows how far the issue has come.
    log_in(browser, live_server, "board2", "/admin/")
    assert wait_for(browser, "#user-name").text == "钟新敏"
    progress = [
        cell.text for cell in browser.find_elements(By.CSS_SELECTOR, f"#progress-{issue.pk} td")
    ]
    assert progress[1:4] == ["审核中", "2 / 2", "1 / 2"]
    assert browser.find_elements(By.CSS_SELECTOR, f"#to-approve a[href*='/issue/{issue.pk}/']")
    shots(browser, "board2-dashboard")
    assert approve(browser, live_server, "board2", issue, shots) == (
        "已批准：本期签发完成，现为“已批准”。"
    )

    # 4. An edit after approval voids both approvals; the issue is back with the board.
    log_in(browser, live_server, "executive", f"/admin/editorial/article/{article.pk}/change/")
    source = wait_for(browser, "#id_source")
    source.clear()
    source.send_keys("贵州省大数据发展管理局、贵阳大数据交易所")
    go(browser, "input[name=_save]")
    # Warned first: the approvals this save voids, and whose.
    said = confirm(browser, shots, "save-after-approval-confirmation")
    assert "程茹、钟新敏 的批准将失效" in said
    message(browser)
    browser.get(f"{live_server}/admin/editorial/issue/{issue.pk}/change/")
    assert status_text(browser) == "审核中"
    voided = browser.find_elements(By.CSS_SELECTOR, "#sign-off tr.approval-invalid-row")
    assert len(voided) == 2
    assert all("已失效" in row.text for row in voided)
    assert browser.find_element(By.ID, "approval-progress").text == "0 / 2"
    shots(browser, "approvals-voided")
    # Each approver is told, with a link to what changed since their approval.
    log_in(browser, live_server, "board1", "/admin/editorial/notification/mine/")
    told = element_with(browser, "#inbox tr.unread", "批准失效")
    go(browser, f"#{told.get_attribute('id')} a")
    assert "、贵阳大数据交易所" in wait_for(browser, "td ins").text
    shots(browser, "approver-sees-the-diff")
    for who in ("board1", "board2"):
        approve(browser, live_server, who, issue, shots)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.APPROVED

    # 5. Published through the confirmation page, which warns of the date in the past.
    log_in(browser, live_server, "executive", f"/admin/editorial/issue/{issue.pk}/change/")
    take(browser, "publish")
    said = confirm(browser, shots, "publish-confirmation")
    assert "发布后不能撤回" in said
    assert "日期 2024-05-13 早于今天" in said
    assert status_text(browser) == "已发布"
    wait_for(browser, "#pdf-download")
    assert browser.find_element(By.ID, "pdf-kind").text == "正式版"
    shots(browser, "published")
    pdf = download(browser, "#pdf-download", tmp_path / "downloads")
    pages = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert TITLE in pages and CAPTION in pages

    # 6. The 公众号 preview: 复制 puts the article's WeChat HTML on the clipboard.
    go(browser, "#wechat-preview-link")
    wechat = render_wechat_issue(issue_edition(issue.pk), image_url=preview_image_path)
    number = 2  # the article with the figure, second since the reordering
    assert wechat[number].title == TITLE
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {
            "origin": str(live_server),
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        },
    )
    click(browser, f"#wechat-copy-{number}")
    WebDriverWait(browser, 10).until(
        ec.text_to_be_present_in_element((By.ID, f"wechat-copied-{number}"), "已复制")
    )
    assert browser.execute_async_script(READ_CLIPBOARD) == wechat[number].content
    shots(browser, "wechat-preview-copied")

    # 7. Readers find the article on the public site, with its figure and its original.
    browser.delete_all_cookies()
    browser.get(f"{live_server}/archive/{issue.publication.slug}/180/{number}/")
    wait_for(browser, "h1")
    shown = browser.find_element(By.TAG_NAME, "body").text
    assert TITLE in shown and CAPTION in shown and "贵阳大数据交易所交易额达" in shown
    assert browser.find_elements(By.CSS_SELECTOR, f"a[href='{ORIGINAL}']")
    shots(browser, "public-article")
