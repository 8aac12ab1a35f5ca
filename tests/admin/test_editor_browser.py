"""A real headless Chromium writes in the rich-text editor of 正文 (editorial/admin/editor.py):
an article with a bold lead, a sub-heading, a list, a link, a table and figures placed in the
text (two of the article's, one uploaded from the picker), without typing a tag; text pasted
from Word, WeChat, a government page and a PDF viewer enters clean; an existing body opens and
saves byte for byte; and the page reports no violation of the Content-Security-Policy."""

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from editorial.models import Article
from editorial.rendering.print import render_issue_html, render_issue_pdf
from editorial.rendering.wechat import render_wechat_issue
from editorial.richtext import sanitize_html
from editorial.selectors import issue_edition
from tests import factories
from tests.admin.conftest import EDITOR_PASSWORD
from tests.browser import chromium
from tests.test_source_html import CLEAN, FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs (DevTools scripts are not subject to the page's CSP):
# the editors as they become ready, and every CSP violation.
LISTEN = (
    "window.proseEditors = [];"
    "document.addEventListener('prose-editor:ready', function (e) {"
    "  window.proseEditors.push(e.detail.editor); });"
    "window.cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', function (e) {"
    "  window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI); });"
)
PASTE = """
const [target, html] = arguments;
const data = new DataTransfer();
data.setData('text/html', html);
data.setData('text/plain', 'plain');
target.focus();
target.dispatchEvent(
  new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
"""
SAMPLE_BODY = (
    "<p>一季度，我国电子信息制造业生产稳步增长。</p>\n<h3>一、生产稳步增长</h3>\n"
    '<p>增加值同比增长 13%。</p>\n<figure data-figure="1"></figure>\n'
    "<ul>\n<li>手机产量 3.74 亿台</li>\n</ul>\n"
    "<table>\n<thead>\n<tr>\n<th>指标</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>13%</td>\n</tr>\n"
    "</tbody>\n</table>\n<p>据<b>海关</b>统计，<i>同比</i>增长 H<sub>2</sub>O<sup>1</sup>。</p>"
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    with chromium(tmp_path_factory.mktemp("editor") / "chromium-profile") as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})
        yield driver


def open_article(
    driver: WebDriver, live_server: object, user: User, article: Article
) -> WebElement:
    """Log in, open the article's page and return its body editor once it is ready."""
    path = f"/admin/editorial/article/{article.pk}/change/"
    driver.delete_all_cookies()
    driver.get(f"{live_server}/admin/login/?next={path}")
    driver.find_element(By.NAME, "username").send_keys(user.username)
    driver.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    editor: WebElement = WebDriverWait(driver, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, ".field-body .ProseMirror[contenteditable=true]")
    )
    return editor


def body_value(driver: WebDriver) -> str:
    value: str = driver.execute_script("return document.getElementById('id_body').value;")
    return value


def press(driver: WebDriver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def chord(driver: WebDriver, modifier: str, *keys: str) -> None:
    """``keys`` with ``modifier`` held down (Ctrl+A, Shift+←…)."""
    ActionChains(driver).key_down(modifier).send_keys(*keys).key_up(modifier).perform()


def clear(driver: WebDriver, text: WebElement) -> None:
    text.click()
    chord(driver, Keys.CONTROL, "a")
    press(driver, Keys.DELETE)


def button(driver: WebDriver, name: str) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, f".field-body button[data-name='{name}']")


def dialog(driver: WebDriver) -> WebElement:
    found: WebElement = WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "dialog[open]")
    )
    return found


def closed(driver: WebDriver) -> None:
    WebDriverWait(driver, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "dialog[open]"))


def changed_from(before: str) -> Callable[[WebDriver], bool]:
    """A wait condition: the body editor no longer holds ``before``."""
    return lambda driver: body_value(driver) != before


def violations(driver: WebDriver) -> list[str]:
    found: list[str] = driver.execute_script("return window.cspViolations;")
    return found


def test_an_editor_writes_an_article_without_typing_a_tag_and_every_channel_renders_it(
    browser: WebDriver, live_server: object, editor: User, tmp_path: Path
) -> None:
    png = tmp_path / "企业分布.png"
    png.write_bytes(factories.png_bytes(80, 60, "darkgreen"))
    article = factories.ArticleFactory.create(body="<p>待写</p>", original_url="", qr_caption="")
    factories.FigureFactory.create(article=article, number=1, caption="软件业务收入增长情况")
    factories.FigureFactory.create(article=article, number=2, caption="信息技术服务收入增长情况")
    text = open_article(browser, live_server, editor, article)
    clear(browser, text)

    button(browser, "bold").click()
    press(browser, "一是开展“数商强基”行动")
    button(browser, "bold").click()
    press(browser, "，提出培育创新主体。", Keys.ENTER)
    browser.find_element(By.CSS_SELECTOR, ".field-body .prose-menubar__selected").click()
    button(browser, "heading3").click()
    press(browser, "二、分领域运行情况", Keys.ENTER)
    button(browser, "bulletList").click()
    press(browser, "软件业务收入", Keys.ENTER, "信息技术服务收入", Keys.ENTER, Keys.ENTER)
    press(browser, "详见工业和信息化部网站。", Keys.LEFT)
    chord(browser, Keys.SHIFT, *[Keys.LEFT] * 9)
    button(browser, "link").click()
    dialog(browser).find_element(By.NAME, "href").send_keys("https://www.miit.gov.cn/")
    dialog(browser).find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    closed(browser)
    WebDriverWait(browser, 10).until(lambda d: text.find_elements(By.CSS_SELECTOR, "a[href]"))
    # The editor takes the focus back with the link selected; the caret goes to the line's end
    # once the editor has seen it move (Enter acts on the editor's own selection).
    WebDriverWait(browser, 10).until(
        lambda d: "ProseMirror-focused" in (text.get_attribute("class") or "")
    )
    press(browser, Keys.END)
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script(
            "return window.proseEditors.find("
            "  (e) => e.options.element.querySelector('#id_body')).state.selection.empty;"
        )
    )
    press(browser, Keys.ENTER)
    # The second figure first: numbers follow the place in the text, as readers count them.
    button(browser, "digestFigure").click()
    picker = dialog(browser)
    picker.find_elements(By.CSS_SELECTOR, ".digest-picker__choice")[1].click()
    closed(browser)
    press(browser, Keys.ENTER, "一季度，软件业务收入增长。", Keys.ENTER)
    button(browser, "digestFigure").click()
    dialog(browser).find_elements(By.CSS_SELECTOR, ".digest-picker__choice")[0].click()
    closed(browser)
    press(browser, Keys.ENTER)
    # A third figure, uploaded from the picker (checked as every upload is) and placed here.
    button(browser, "digestFigure").click()
    picker = dialog(browser)
    picker.find_element(By.NAME, "image").send_keys(str(png))
    picker.find_element(By.NAME, "caption").send_keys("数字商务企业分布")
    picker.find_element(By.CSS_SELECTOR, ".digest-picker__upload button").click()
    closed(browser)
    press(browser, Keys.ENTER)
    button(browser, "table").click()
    table = dialog(browser)
    for name, value in (("rows", "2"), ("cols", "2")):
        field = table.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    Select(table.find_element(By.NAME, "withHeaderRow")).select_by_index(0)
    table.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    closed(browser)
    press(browser, "指标", Keys.TAB, "增速", Keys.TAB, "软件业务收入", Keys.TAB, "13.3%")

    captions = [
        figure.text
        for figure in browser.find_elements(By.CSS_SELECTOR, ".field-body figure figcaption")
    ]
    assert captions == [
        "图 1 信息技术服务收入增长情况",
        "图 2 软件业务收入增长情况",
        "图 3 数字商务企业分布",
    ]
    # The toolbar speaks Chinese.
    assert button(browser, "bold").get_attribute("title") == "加粗（导语）"
    assert button(browser, "digestFigure").get_attribute("title") == "插入图"
    browser.find_element(By.CSS_SELECTOR, "input[name=_continue]").click()
    WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist li.success")
    )

    article.refresh_from_db()
    assert article.body == (
        "<p><strong>一是开展“数商强基”行动</strong>，提出培育创新主体。</p>"
        "<h3>二、分领域运行情况</h3>"
        "<ul><li>软件业务收入</li><li>信息技术服务收入</li></ul>"
        '<p>详见<a href="https://www.miit.gov.cn/" rel="noopener noreferrer">'
        "工业和信息化部网站</a>。</p>"
        '<figure data-figure="1"></figure>'
        "<p>一季度，软件业务收入增长。</p>"
        '<figure data-figure="2"></figure>'
        '<figure data-figure="3"></figure>'
        "<table><tbody><tr><th>指标</th><th>增速</th></tr>"
        "<tr><td>软件业务收入</td><td>13.3%</td></tr></tbody></table>"
    )
    assert sanitize_html(article.body) == article.body
    assert list(article.figures.values_list("number", "caption")) == [
        (1, "信息技术服务收入增长情况"),
        (2, "软件业务收入增长情况"),
        (3, "数字商务企业分布"),
    ]
    assert violations(browser) == []

    edition = issue_edition(article.issue_id)
    printed = render_issue_html(edition, proof=True)
    for shown in (
        '<span class="figure-number">图 1</span>信息技术服务收入增长情况</figcaption>',
        '<span class="figure-number">图 2</span>软件业务收入增长情况</figcaption>',
        "<table><tbody><tr><th>指标</th><th>增速</th></tr>",
        '<span class="url">https://www.\u200bmiit.\u200bgov.\u200bcn/</span>',
    ):
        assert shown in printed
    assert printed.index("图 1</span>") < printed.index("图 2</span>")
    pdf = PdfReader(io.BytesIO(render_issue_pdf(edition, proof=True).data))
    pages = "".join(page.extract_text() for page in pdf.pages)
    assert "信息技术服务收入增长情况" in pages
    assert "二、分领域运行情况" in pages
    wechat = next(
        a
        for a in render_wechat_issue(edition, image_url=lambda s: f"https://mmbiz.qpic.cn/{s.name}")
        if a.article_id == article.pk
    )
    assert wechat.content.index("图 1") < wechat.content.index("图 2")
    assert "13.3%" in wechat.content


def test_what_editors_copy_is_pasted_clean(
    browser: WebDriver, live_server: object, editor: User
) -> None:
    article = factories.ArticleFactory.create(body="<p>待写</p>")
    text = open_article(browser, live_server, editor, article)
    for name, fixture in FIXTURES.items():
        clear(browser, text)
        before = body_value(browser)
        browser.execute_script(PASTE, text, fixture)
        WebDriverWait(browser, 20).until(changed_from(before))
        pasted = body_value(browser)
        # What the editor holds is what the server's sanitizer makes of the source, and saves so.
        assert sanitize_html(pasted) == CLEAN[name], name
    assert violations(browser) == []


def test_an_existing_body_opens_and_saves_byte_for_byte(
    browser: WebDriver, live_server: object, editor: User
) -> None:
    article = factories.ArticleFactory.create(body=SAMPLE_BODY)
    factories.FigureFactory.create(article=article, number=1, caption="电子信息制造业增加值增速")
    open_article(browser, live_server, editor, article)
    assert body_value(browser) == SAMPLE_BODY
    browser.find_element(By.CSS_SELECTOR, "input[name=_continue]").click()
    WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "ul.messagelist li.success")
    )
    stored = Article.objects.get(pk=article.pk)
    assert (stored.body, stored.lock_version) == (SAMPLE_BODY, 0)
