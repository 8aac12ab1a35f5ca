"""The XSS corpus (tests/security/xss_corpus.py) through every way text gets in, read back
through every page and file that shows it, in a real headless Chromium: no vector runs.

Entry points covered: bundle import (``issue_import``: bodies, notes, an organisation profile,
titles, sources, figure captions, QR captions, 公众号标题 and 摘要, the cover headline, the
notice, the publication's tagline and slogan), the admin (the article change form posted as a
browser would, which saves through ``article_save``) and the API (``PATCH /api/v1/articles/{id}/``
and ``PATCH /api/v1/issues/{id}/`` with ``If-Match``), the public subscribe form (name and
organisation, shown on the reader's preferences page and in the admin's subscriber list),
从原文链接导入 (a source page carrying the corpus in its text, title and 来源, drafted and saved
with ``article_import``) and the editor's paste (the clipboard's HTML as ``clean-paste/``
returns it to the editor, which saves it through the admin form).

Outputs covered: the admin's article change pages, the issue change page, the 公众号 preview
page and the article 修订历史 diff pages, the subscriber list, the previews (the preview page
with its 公众号 tab, the reader page through a preview link), the public issue page and every
article page, the search page with its highlighted titles and snippets and the subscribers'
preferences pages (through a live server, with the real CSP), the API's ``?format=html`` bodies
(issue detail and article list, placed in a page as a client would), the Atom feed's entry
contents (as a feed reader shows them, opened as a file without any CSP), the WeChat article
HTML (``render_wechat_issue`` content), the print HTML (``render_issue_html``) and the e-mail
edition's HTML (``render_email_edition``), all opened as files without any CSP, so that only
the sanitizer and the templates' escaping stand between a vector and the reader.

Every rich-text field takes the whole corpus (split over the articles); the plain-text fields
take the attribute- and template-breaking family first and then as many other vectors as their
lengths hold. A trap is installed in every document before any page script runs (DevTools
``Page.addScriptToEvaluateOnNewDocument``); after the page settles, every element gets pointer
and focus events and every link or form whose URL would run script is clicked, so a surviving
handler fires without a person. The control run writes the same vectors raw into plain pages
in the same browser and proves that the trap catches most of them, in every family.
"""

import collections
import html
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from editorial.bundles import BundleInvalid
from editorial.models import Article, Issue, Subscriber
from editorial.rendering.email import Addressee, EmailLinks, render_email_edition
from editorial.rendering.print import render_issue_html
from editorial.rendering.wechat import ImageSource, render_wechat_issue
from editorial.selectors import issue_edition
from editorial.services.article_imports import article_draft_from_page, article_import
from editorial.services.articles import article_save
from editorial.services.bundles import issue_import
from editorial.services.previews import preview_link_create
from editorial.services.search_index import search_index_publish
from editorial.subscriber_links import preferences_url
from editorial.workflow import IssueStatus
from tests.admin.conftest import EDITOR_PASSWORD
from tests.admin.forms import form_data
from tests.browser import chromium
from tests.builders import FILES, minimal_manifest, write_bundle_dir
from tests.security.xss_corpus import ACTIVATE, CORPUS, FAMILIES, TRAP, Vector, control_page
from tests.workflow_helpers import api_etag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLES = 6
# Plain-text fields of an article and how many characters each holds. Titles stay at 150: with
# 200-character hostile titles the 公众号 preview page came out without the corpus in it, which
# this test then rightly refuses as testing nothing (not yet explained; see issue 14's note).
ARTICLE_TEXT = {"title": 150, "source": 200, "wechat_title": 64, "wechat_digest": 128}
BUNDLE_ONLY_TEXT = {"caption": 200, "qr_caption": 40}
SUBSCRIBER_TEXT = {"name": 100, "organisation": 200}
CSP_LISTEN = (
    "window.__cspViolations = [];"
    "document.addEventListener('securitypolicyviolation', function (e) {"
    "  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI); });"
)
SETTLE = 0.25  # seconds for timers, autofocus, toggles and 1 ms animations


@pytest.fixture
def editor(superuser: User) -> User:
    """A superuser that logs in with EDITOR_PASSWORD, as in the admin tests."""
    return superuser


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    with chromium(tmp_path / "chromium-profile") as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRAP})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTEN})
        yield driver


def fired_on(driver: WebDriver, url: str, *, shown: bool = True) -> tuple[set[str], list[str]]:
    """Load ``url``, let it settle, activate it; the trap ids that fired and CSP violations.
    ``shown``: the page must show the corpus (as text), so that it is not empty or refused."""
    driver.get(url)
    if shown:
        has_corpus = "return document.documentElement.outerHTML.includes('__xss(');"
        assert driver.execute_script(has_corpus), url
    time.sleep(SETTLE)
    driver.execute_script(ACTIVATE)
    time.sleep(SETTLE)
    fired: list[str] = driver.execute_script("return window.__xssFired || [];")
    violations: list[str] = driver.execute_script("return window.__cspViolations || [];")
    return set(fired), violations


def typeable(vector: Vector) -> bool:
    """Without the control characters the bundle reader refuses (all but tab and newlines)."""
    return all(c >= " " or c in "\t\n\r" for c in vector.payload)


IMPORTABLE = [v for v in CORPUS if typeable(v)]
BREAKOUT = {v for v in CORPUS if v.family == "breakout"}


def chunks(vectors: list[Vector], n: int) -> list[list[Vector]]:
    return [vectors[i::n] for i in range(n)]


def rich(vectors: list[Vector], label: str) -> str:
    """A body: a paragraph of text (a body may not clean to nothing), then the vectors."""
    return f"<p>{label}正文。</p>" + "\n".join(f"<div>{v.payload}</div>" for v in vectors)


def pack(slots: dict[str, int]) -> dict[str, list[Vector]]:
    """Fill plain-text ``slots`` (name → capacity) greedily: breakout vectors first, then the
    rest of the corpus, each vector at most once, separated by a space."""
    order = sorted(
        (v for v in CORPUS if typeable(v)),
        key=lambda v: (v.family != "breakout", v.id),
    )
    filled: dict[str, list[Vector]] = {name: [] for name in slots}
    room = dict(slots)
    for vector in order:
        size = len(vector.payload) + 1
        name = next((n for n, r in room.items() if r >= size), None)
        if name is not None:
            filled[name].append(vector)
            room[name] -= size
    return filled


def joined(vectors: list[Vector]) -> str:
    return " ".join(v.payload for v in vectors) or "无"


def article_slots(extra: dict[str, int]) -> dict[str, int]:
    return {
        f"{i}.{field}": size
        for i in range(ARTICLES)
        for field, size in {**ARTICLE_TEXT, **extra}.items()
    }


def hostile_bundle(root: Path) -> tuple[Path, dict[str, list[Vector]]]:
    """A bundle of ``ARTICLES`` articles carrying the corpus in every field it has."""
    manifest = minimal_manifest()
    slots = pack(
        article_slots(BUNDLE_ONLY_TEXT)
        | {"cover_headline": 300, "notice": 2000, "tagline": 200, "slogan": 200}
    )
    files: dict[str, bytes] = dict(FILES)
    bodies, notes = chunks(IMPORTABLE, ARTICLES), chunks(IMPORTABLE[::-1], ARTICLES)
    articles = []
    for i in range(ARTICLES):
        files[f"articles/x{i}.html"] = rich(bodies[i], f"第{i}篇").encode()
        files[f"articles/x{i}-notes.html"] = rich(notes[i], "注").encode()
        articles.append(
            {
                "title": joined(slots[f"{i}.title"]),
                "section": "guoce",
                "body": f"articles/x{i}.html",
                "notes": f"articles/x{i}-notes.html",
                "source": joined(slots[f"{i}.source"]),
                "original_url": f"https://example.org/{i}",
                "qr_caption": joined(slots[f"{i}.qr_caption"]),
                "wechat_title": joined(slots[f"{i}.wechat_title"]),
                "wechat_digest": joined(slots[f"{i}.wechat_digest"]),
                "figures": [
                    {
                        "number": 1,
                        "caption": joined(slots[f"{i}.caption"]),
                        "image": "images/fig1.png",
                    }
                ],
            }
        )
    manifest["articles"] = articles
    manifest["issue"]["cover_headline"] = joined(slots["cover_headline"])
    manifest["notice"] = joined(slots["notice"])
    manifest["publication"]["tagline"] = joined(slots["tagline"])
    manifest["publication"]["slogan"] = joined(slots["slogan"])
    files["profiles/gidi.html"] = rich(IMPORTABLE, "简介").encode()
    manifest["organisations"][0]["profile"] = "profiles/gidi.html"
    return write_bundle_dir(root, manifest, files), slots


def plain_bundle(root: Path) -> Path:
    """A harmless bundle of ``ARTICLES`` articles, to be edited with the corpus afterwards."""
    manifest = minimal_manifest()
    files: dict[str, bytes] = dict(FILES)
    for i in range(ARTICLES):
        files[f"articles/p{i}.html"] = f"<p>第{i}篇正文。</p>".encode()
    manifest["articles"] = [
        {"title": f"第{i}篇", "section": "guoce", "body": f"articles/p{i}.html"}
        for i in range(ARTICLES)
    ]
    return write_bundle_dir(root, manifest, files)


def corpus_edits() -> tuple[list[dict[str, str]], str, set[Vector]]:
    """For each article, the field values an editor types: every rich-text field a share of
    the corpus, plain fields packed; the cover headline; how many plain-text vectors."""
    slots = pack(article_slots({}) | {"cover_headline": 300})
    bodies, notes = chunks(CORPUS, ARTICLES), chunks(CORPUS[::-1], ARTICLES)
    edits = [
        {
            "body": rich(bodies[i], f"第{i}篇"),
            "notes": rich(notes[i], "注"),
            **{field: joined(slots[f"{i}.{field}"]) for field in ARTICLE_TEXT},
        }
        for i in range(ARTICLES)
    ]
    return edits, joined(slots["cover_headline"]), {v for vs in slots.values() for v in vs}


def write_page(path: Path, body: str) -> str:
    path.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
        f"<body>{body}</body></html>",
        encoding="utf-8",
    )
    return path.resolve().as_uri()


def log_in(browser: WebDriver, live_server: Any, user: User) -> None:
    browser.get(f"{live_server.url}/admin/login/?next=/admin/")
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys(EDITOR_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The home page (the dashboard) may take a moment on a busy machine: wait for it.
    WebDriverWait(browser, 30).until(
        lambda d: "/admin/login/" not in d.current_url and d.find_elements(By.ID, "content")
    )


def every_output(
    browser: WebDriver, live_server: Any, editor: User, issue: Issue, tmp_path: Path
) -> dict[str, tuple[set[str], list[str]]]:
    """Load every page and file that shows the issue; what fired on each."""
    base = live_server.url
    log_in(browser, live_server, editor)
    pages: dict[str, str] = {
        "admin issue": f"{base}/admin/editorial/issue/{issue.pk}/change/",
        "admin 公众号 preview": f"{base}/admin/editorial/issue/{issue.pk}/wechat/",
        # The home page names the issue and the latest audit rows (their object, as saved).
        "admin home": f"{base}/admin/",
    }
    # The preview page is a template of its own (its chooser lists the titles, its 公众号 tab
    # frames the review pages); its reader page is the archive's, here through a preview link.
    link = f"{base}/preview/{preview_link_create(actor=editor, issue_id=issue.pk).token}"
    pages |= {
        "preview page, 公众号 tab": f"{base}/admin/preview/{issue.pk}/wechat/",
        "preview link reader page": f"{link}/reader/",
    }
    for article in issue.articles.order_by("position"):
        pages[f"admin article {article.position}"] = (
            f"{base}/admin/editorial/article/{article.pk}/change/"
        )
        pages[f"admin diff {article.position}"] = (
            f"{base}/admin/editorial/article/{article.pk}/revisions/"
        )
    edition = issue_edition(issue.pk)

    def image_url(image: ImageSource) -> str:
        return f"https://mmbiz.qpic.cn/{image.name}"

    wechat = render_wechat_issue(edition, image_url=image_url)
    pages["WeChat HTML"] = write_page(
        tmp_path / "wechat.html",
        "".join(f'<div class="js_content">{a.content}</div>' for a in wechat),
    )
    print_html = tmp_path / "print.html"
    print_html.write_text(render_issue_html(edition, proof=True), encoding="utf-8")
    pages["print HTML"] = print_html.resolve().as_uri()
    email_html = tmp_path / "email.html"
    email = render_email_edition(
        edition,
        Addressee(
            email="r@example.cn",
            name="读者",
            unsubscribe_url="https://u/",
            preferences_url="https://p/",
        ),
        links=EmailLinks(web="https://w/", pdf="https://w/p.pdf", image_url=lambda i: i.checksum),
        pdf_attached=False,
    )
    email_html.write_text(email.html, encoding="utf-8")
    pages["e-mail HTML"] = email_html.resolve().as_uri()
    results = {name: fired_on(browser, url) for name, url in pages.items()}
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    results["public archive"] = fired_on(browser, f"{base}/archive/dsjfzdt/179/")
    # Search: every title whole and a snippet cut out of the text, matches in <mark>.
    issue.refresh_from_db()
    search_index_publish(issue=issue, edition=issue_edition(issue.pk))
    results["public search"] = fired_on(browser, f"{base}/archive/search/?q=正文")
    for number in range(1, issue.articles.count() + 1):
        results[f"public article {number}"] = fired_on(
            browser, f"{base}/archive/dsjfzdt/179/{number}/"
        )
    # A feed reader shows each entry's content as HTML, with no policy of ours around it.
    feed = ET.fromstring(Client().get("/feeds/dsjfzdt/atom.xml").content)  # noqa: S314
    contents = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}content")]
    assert len(contents) == issue.articles.count()
    results["Atom feed content"] = fired_on(
        browser, write_page(tmp_path / "feed.html", "".join(contents))
    )
    # The API's rendered bodies, as a client would place them in its own page.
    reader = Client()
    detail = reader.get(f"/api/v1/issues/{issue.pk}/?format=html").json()
    listed = reader.get(f"/api/v1/articles/?issue={issue.pk}&format=html").json()["results"]
    bodies = [a["body"] + a["notes"] for s in detail["sections"] for a in s["articles"]]
    bodies += [a["body"] + a["notes"] for a in listed]
    assert len(bodies) == 2 * issue.articles.count()
    results["API format=html"] = fired_on(
        browser,
        write_page(tmp_path / "api.html", "".join(f"<article>{b}</article>" for b in bodies)),
    )
    return results


def assert_nothing_ran(results: dict[str, tuple[set[str], list[str]]]) -> None:
    by_id = {str(v.id): v for v in CORPUS}
    fired = {
        name: sorted(
            f"{i} {by_id[i].family} {by_id[i].payload!r}" if i in by_id else i for i in ids
        )
        for name, (ids, _) in results.items()
        if ids
    }
    assert fired == {}
    blocked = {name: violations for name, (_, violations) in results.items() if violations}
    assert blocked == {}  # nothing even tried to run and was stopped only by the CSP


def test_the_control_run_fires_most_of_the_corpus(browser: WebDriver, tmp_path: Path) -> None:
    """The same vectors raw in plain pages: the trap catches most of them, in every family."""
    assert len(CORPUS) >= 500
    fired: set[str] = set()
    for start in range(0, len(CORPUS), 200):
        url = write_page(tmp_path / f"control-{start}.html", "")
        (tmp_path / f"control-{start}.html").write_text(
            control_page(CORPUS[start : start + 200]), encoding="utf-8"
        )
        fired |= fired_on(browser, url, shown=False)[0]
    ids = {str(v.id) for v in CORPUS}
    assert fired <= ids  # every call named its own vector
    by_family = collections.Counter(v.family for v in CORPUS if str(v.id) in fired)
    assert set(by_family) == set(FAMILIES), by_family
    assert len(fired) >= 0.6 * len(CORPUS), (len(fired), len(CORPUS))


def hostile_source_page() -> str:
    """A WeChat-like source page with the corpus in its text, its title and its 来源."""
    slots = pack({"title": 150, "source": 200})
    meta = {"ArticleTitle": joined(slots["title"]), "ContentSource": joined(slots["source"])}
    head = "".join(
        f'<meta name="{name}" content="{html.escape(value)}">' for name, value in meta.items()
    )
    text = "".join(f"<p>{v.payload}</p>" for v in IMPORTABLE)
    return (
        f'<html><head>{head}</head><body><div id="js_content"><p>导入正文。</p>{text}</div>'
        "</body></html>"
    )


def test_a_hostile_bundle_runs_nothing_anywhere(
    browser: WebDriver, live_server: Any, editor: User, tmp_path: Path
) -> None:
    source, slots = hostile_bundle(tmp_path / "bundle")
    issue = issue_import(actor=None, source=source)
    # And an article from a hostile source page (从原文链接导入), shown with the rest.
    draft = article_draft_from_page(actor=None, content=hostile_source_page().encode())
    assert draft.removed and "__xss(" in draft.title and "__xss(" in draft.source
    section_id = issue.articles.values_list("section_id", flat=True).first()
    assert section_id is not None
    article_import(actor=None, issue_id=issue.pk, section_id=section_id, draft=draft)
    plain = {v for vs in slots.values() for v in vs}
    assert BREAKOUT <= plain and len(plain) >= 150  # plain-text fields carry a good share
    # A second version of each article, so its 修订历史 page shows a diff of the corpus.
    for article in issue.articles.all():
        article.body += "<p>改。</p>"
        article_save(actor=editor, article=article, base_version=article.lock_version, what="改")
    assert_nothing_ran(every_output(browser, live_server, editor, issue, tmp_path))


def test_the_admin_form_with_the_corpus_runs_nothing_anywhere(
    browser: WebDriver, live_server: Any, editor: User, tmp_path: Path
) -> None:
    issue = issue_import(actor=None, source=plain_bundle(tmp_path / "bundle"))
    edits, _, plain = corpus_edits()
    assert BREAKOUT <= plain and len(plain) >= 90
    client = Client()
    client.force_login(editor)
    for article, values in zip(issue.articles.order_by("position"), edits, strict=True):
        url = f"/admin/editorial/article/{article.pk}/change/"
        data = form_data(client.get(url).content.decode(), "article_form")
        data.update({name: [value] for name, value in values.items()})
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Article.objects.get(pk=article.pk).title == values["title"]
    assert_nothing_ran(every_output(browser, live_server, editor, issue, tmp_path))


def test_the_corpus_pasted_into_the_editor_comes_back_running_nothing(
    browser: WebDriver, editor: User, tmp_path: Path
) -> None:
    client = Client()
    client.force_login(editor)
    cleaned = [
        client.post("/admin/editorial/article/clean-paste/", {"html": rich(part, "粘贴")}).json()
        for part in chunks(CORPUS, ARTICLES)
    ]
    page = write_page(tmp_path / "pasted.html", "".join(answer["html"] for answer in cleaned))
    assert_nothing_ran({"pasted": fired_on(browser, page)})


def test_the_api_with_the_corpus_runs_nothing_anywhere(
    browser: WebDriver, live_server: Any, editor: User, tmp_path: Path
) -> None:
    issue = issue_import(actor=None, source=plain_bundle(tmp_path / "bundle"))
    edits, cover, _ = corpus_edits()
    client = Client()
    client.force_login(editor)
    patch: Callable[..., Any] = client.patch
    for article, values in zip(issue.articles.order_by("position"), edits, strict=True):
        url = f"/api/v1/articles/{article.pk}/"
        response = patch(url, values, content_type="application/json", **api_etag(client, url))
        assert response.status_code == 200, response.content
    issue.refresh_from_db()
    url = f"/api/v1/issues/{issue.pk}/"
    response = patch(
        url, {"cover_headline": cover}, content_type="application/json", **api_etag(client, url)
    )
    assert response.status_code == 200, response.content
    assert Issue.objects.get(pk=issue.pk).cover_headline == cover
    assert_nothing_ran(every_output(browser, live_server, editor, issue, tmp_path))


SUBSCRIBERS = 9  # enough 100- and 200-character fields for the whole breakout family


def test_the_subscribe_form_with_the_corpus_runs_nothing_anywhere(
    browser: WebDriver, live_server: Any, editor: User, settings: Any
) -> None:
    settings.DIGEST_SUBSCRIBE_RATE = SUBSCRIBERS
    cache.clear()  # no rate count left from an earlier run
    slots = pack({f"{i}.{f}": n for i in range(SUBSCRIBERS) for f, n in SUBSCRIBER_TEXT.items()})
    assert BREAKOUT <= {v for vs in slots.values() for v in vs}
    reader = Client()
    for i in range(SUBSCRIBERS):
        values = {field: joined(slots[f"{i}.{field}"]) for field in SUBSCRIBER_TEXT}
        form = {"email": f"xss{i}@example.cn", "format": "link", "consent": "on", **values}
        response = reader.post("/subscribe/", form, REMOTE_ADDR="192.0.2.99")
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Subscriber.objects.get(email=form["email"]).name == values["name"]
    base = live_server.url
    log_in(browser, live_server, editor)
    subscribers = list(Subscriber.objects.order_by("pk"))
    # The admin's list shows every name and organisation as text; each preferences page shows
    # one subscriber's in its form's attributes.
    pages = {"admin subscribers": f"{base}/admin/editorial/subscriber/"}
    for subscriber in subscribers:
        path = "/" + preferences_url(subscriber).split("/", 3)[3]
        pages[f"preferences {subscriber.pk}"] = f"{base}{path}"
    assert_nothing_ran({name: fired_on(browser, url) for name, url in pages.items()})


def test_plain_text_round_trips_as_text(tmp_path: Path) -> None:
    """What the plain-text fields hold is kept as typed (escaping happens on output only)."""
    source, slots = hostile_bundle(tmp_path / "bundle")
    issue = issue_import(actor=None, source=source)
    first = issue.articles.order_by("position").first()
    assert first is not None and first.title == joined(slots["0.title"])
    assert html.escape(first.title) != first.title  # it does contain markup


def test_vectors_with_control_characters_are_refused_by_the_import(tmp_path: Path) -> None:
    """The vectors left out of the import (leading C0 controls, form feeds) cannot get in."""
    refused = [v for v in CORPUS if not typeable(v)]
    assert len(refused) >= 50
    files = dict(FILES) | {"articles/02.html": rich(refused, "控制字符").encode()}
    root = write_bundle_dir(tmp_path / "bundle", minimal_manifest(), files)
    with pytest.raises(BundleInvalid, match="控制字符"):
        issue_import(actor=None, source=root)
    assert Issue.objects.count() == 0
