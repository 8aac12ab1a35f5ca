"""scratch"""
from pathlib import Path
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from tests import factories
from tests.admin.conftest import EDITOR_PASSWORD
from tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = (
    "window.cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', function (e) {"
    "  window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI); });"
)

def test_scratch(tmp_path: Path, live_server, editor) -> None:
    article = factories.ArticleFactory.create(body="<p>一段<strong>加粗</strong>文字。</p><figure data-figure=\"1\"></figure><ul><li>甲</li></ul>")
    factories.FigureFactory.create(article=article, number=1, caption="软件业务收入增长情况")
    with chromium(tmp_path / "p") as browser:
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})
        path = f"/admin/editorial/article/{article.pk}/change/"
        browser.get(f"{live_server}/admin/login/?next={path}")
        browser.find_element(By.NAME, "username").send_keys(editor.username)
        browser.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        import time; time.sleep(4)
        print(browser.execute_script("return window.cspViolations"))
        logs = browser.get_log("browser")
        print(logs)
        browser.save_screenshot("/tmp/ed/1.png")
        el = browser.find_elements(By.CSS_SELECTOR, ".prose-editor")
        print(len(el))
        if el:
            Path("/tmp/ed/menu.html").write_text(el[0].get_attribute("outerHTML"))
