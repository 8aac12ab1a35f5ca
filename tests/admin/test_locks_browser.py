"""Two people in two Chromium browsers on one article: 熊灵犀 types, which takes the lock;
杨婷 opens the article and sees who edits since when, takes over (confirmed), and 熊灵犀's save is
then refused with the text still in the form."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from editorial.models import Article, EditLock
from editorial.roles import Role
from editorial.workflow import IssueStatus
from tests.admin.test_browser import log_in, wait_for
from tests.admin.test_csp_browser import LISTEN, violations
from tests.admin.test_locks_ui import BEIJING
from tests.browser import chromium
from tests.workflow.states import bring_to, small_issue
from tests.workflow_helpers import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browsers(tmp_path: Path) -> Iterator[tuple[WebDriver, WebDriver]]:
    """Two browsers, so two people with their own sessions."""
    with chromium(tmp_path / "a") as a, chromium(tmp_path / "b") as b:
        a.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})
        yield a, b


def test_a_types_b_sees_the_banner_takes_over_and_as_save_is_refused_with_the_text_kept(
    browsers: tuple[WebDriver, WebDriver], live_server: object
) -> None:
    a, b = browsers
    xiong: User = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    article = bring_to(small_issue(editor=xiong), IssueStatus.IN_EDIT).articles.get()
    change_path = f"/admin/editorial/article/{article.pk}/change/"

    log_in(a, live_server, "xiong", change_path)
    wait_for(a, "#lock-status")
    assert not EditLock.objects.exists()  # opening does not lock
    a.find_element(By.ID, "id_title").send_keys("（熊灵犀补充）")
    WebDriverWait(a, 30).until(lambda _: EditLock.objects.filter(holder=xiong).exists())
    WebDriverWait(a, 30).until(
        lambda d: d.find_element(By.ID, "lock-status-text").text.startswith("您正在编辑（自 ")
    )
    assert a.find_elements(By.ID, "start-editing") == []  # nothing left to start
    since = EditLock.objects.get().acquired_at.astimezone(BEIJING)

    log_in(b, live_server, "yang", change_path)
    wait_for(b, "#lock-banner")
    assert b.find_element(By.ID, "lock-banner").text.startswith(
        f"熊灵犀 正在编辑（自 {since:%H:%M} 起）"
    )
    b.find_element(By.CSS_SELECTOR, "#take-over button").click()
    wait_for(b, "#confirmation")
    b.find_element(By.CSS_SELECTOR, "#confirm button[type=submit]").click()
    wait_for(b, "ul.messagelist li.success")
    taken = EditLock.objects.get()
    assert taken.holder.username == "yang"

    a.find_element(By.CSS_SELECTOR, "input[name=_save]").click()
    wait_for(a, ".errornote")
    when = taken.acquired_at.astimezone(BEIJING)
    assert (
        f"您的编辑已被 杨婷 于 {when:%H:%M} 接管，本次保存未写入；"
        "您的文字保留在下面，可复制后与对方协调。"
    ) in a.find_element(By.ID, "content").text
    kept = a.find_element(By.ID, "id_title").get_attribute("value")
    assert kept == f"{article.title}（熊灵犀补充）"
    assert Article.objects.get(pk=article.pk).title == article.title
    assert violations(a) == []
