"""Two people, two Chromium profiles, one article. Typing in the rich-text editor takes the lock
(opening does not); the second to open it sees who is editing it; a save made on a page opened
before the other's save is refused, with the text kept on the form and the other's change shown,
and saved again the merge goes through; after a take-over the former holder's save is refused
with their text kept."""

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from editorial.models import Article, EditLock
from editorial.roles import Role
from editorial.services.articles import article_save
from tests.admin.test_editor_browser import LISTEN, body_value, press
from tests.browser import chromium
from tests.e2e.steps import Shots, confirm, go, log_in, message, wait_for
from tests.e2e.test_editorial_week import body_editor, caret_at_the_end
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write(driver: WebDriver, paragraph: str) -> None:
    """A new paragraph at the end of the 正文 editor."""
    caret_at_the_end(driver)
    press(driver, Keys.ENTER, paragraph)


@pytest.fixture(scope="module")
def browsers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebDriver, WebDriver]]:
    """Two browsers with profiles of their own: two people's sessions side by side."""
    with ExitStack() as stack:
        first, second = (
            stack.enter_context(chromium(tmp_path_factory.mktemp(name) / "chromium-profile"))
            for name in ("xiong", "yang")
        )
        for driver in (first, second):
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})
        yield first, second


def test_two_editors_on_one_article(
    browsers: tuple[WebDriver, WebDriver], live_server: object, request: pytest.FixtureRequest
) -> None:
    xiong_browser, yang_browser = browsers
    shots = request.node.e2e_shots = Shots(request.node.name, *browsers)
    xiong = staff("editor", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    staff("executive", "杨婷", Role.EXECUTIVE_EDITOR)
    article = bring_to(small_issue(editor=xiong), "in_edit").articles.get()
    article.body = "<p>一季度，数据交易额同比增长 13.8%。</p>"
    article_save(actor=xiong, article=article, base_version=0)  # its first revision
    page = f"/admin/editorial/article/{article.pk}/change/"

    # 熊灵犀 opens the article, which locks nothing, and starts writing, which does.
    log_in(xiong_browser, live_server, "editor", page)
    body_editor(xiong_browser)
    assert not EditLock.objects.exists()
    write(xiong_browser, "熊灵犀补充的一段：同比增长 13.9%。")
    WebDriverWait(xiong_browser, 30).until(
        lambda _: EditLock.objects.filter(holder__username="editor").exists()
    )
    # 杨婷, opening it next, is told.
    log_in(yang_browser, live_server, "executive", page)
    banner = wait_for(yang_browser, "#lock-banner").text
    assert banner.startswith("熊灵犀 正在编辑（自 ")
    assert "接管编辑" in banner
    shots(yang_browser, "second-editor-sees-the-lock")

    # 杨婷 saves a change of the source first.
    source = yang_browser.find_element(By.ID, "id_source")
    source.clear()
    source.send_keys("国家数据局综合司")
    go(yang_browser, "input[name=_continue]")
    assert "成功" in message(yang_browser)

    # 熊灵犀's save, from the page opened before, is refused; the text stays on the form.
    kept = body_value(xiong_browser)
    assert "熊灵犀补充的一段" in kept
    go(xiong_browser, "input[name=_continue]")
    stale = wait_for(xiong_browser, "#stale-box")
    assert "保存被拒绝" in stale.text
    assert "综合司" in stale.find_element(By.CSS_SELECTOR, "ins").text
    assert "熊灵犀补充的一段" in body_value(xiong_browser)
    shots(xiong_browser, "stale-save-refused")
    stored = Article.objects.get(pk=article.pk)
    assert stored.source == "国家数据局综合司"
    assert "熊灵犀补充的一段" not in stored.body

    # Merged by hand (the other's source typed in), the second save goes through.
    source = xiong_browser.find_element(By.ID, "id_source")
    source.clear()
    source.send_keys("国家数据局综合司")
    go(xiong_browser, "input[name=_continue]")
    assert "成功" in message(xiong_browser)
    stored.refresh_from_db()
    assert stored.source == "国家数据局综合司"
    assert "熊灵犀补充的一段：同比增长 13.9%。" in stored.body
    shots(xiong_browser, "merged-save")

    # 熊灵犀 writes on; 杨婷 takes over (confirmed); 熊灵犀's save is refused, the text kept.
    write(xiong_browser, "再补充一段。")
    WebDriverWait(xiong_browser, 30).until(
        lambda _: EditLock.objects.filter(holder__username="editor").exists()
    )
    yang_browser.get(f"{live_server}{page}")
    go(yang_browser, "#take-over button[type=submit]")
    said = confirm(yang_browser, shots, "take-over-confirmation")
    assert "熊灵犀 会收到通知" in said
    assert "您已接管" in message(yang_browser)
    go(xiong_browser, "input[name=_continue]")
    refused = wait_for(xiong_browser, "#content").text
    assert "您的编辑已被 杨婷 于" in refused and "本次保存未写入" in refused
    assert "再补充一段。" in body_value(xiong_browser)
    assert "再补充一段" not in Article.objects.get(pk=article.pk).body
    shots(xiong_browser, "save-after-take-over-refused")
