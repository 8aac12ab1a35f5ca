"""Every admin page an editor or a board member can reach on the demo is Chinese.

Logged in as each demo account but the operator's (``setup_demo.DEMO_ACCOUNTS``) on the sample
issue, the test opens the home page, each list it may open and its add page when it may add,
the change page of one object of each model, the revisions of the issue and an article, the
公众号 preview, 我的待办 and the previews, and fails on an untranslated label: a word in ASCII
letters in the visible text or in the alt, title, aria-label or placeholder attributes (the
visually hidden table headers included) — unless it is an allowed name (PDF), a URL, an e-mail
address, a file name, or a word the sample issue itself contains (its data: "AI", "ChatGPT").
"""

import dataclasses
import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial.management.commands.setup_demo import DEMO_ACCOUNTS
from editorial.models import (
    Approval,
    Article,
    EditLock,
    Issue,
    Notification,
    Rendition,
    RenditionKind,
    RenditionStatus,
)
from editorial.roles import Role
from editorial.selectors import issue_live_edition
from editorial.services.comments import comment_add
from tests import factories
from tests.workflow_helpers import sample_issue, staff

pytestmark = pytest.mark.django_db

# Names that stay as they are in Chinese text.
ALLOWED = {"PDF", "HTML", "SHA", "Digest", "AppID", "CSV", "JSON", "IP"}
SKIPPED_ELEMENTS = {"script", "style", "textarea", "template"}
LABEL_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
DATA = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+|[\w.-]+\.(png|jpe?g|gif|svg|webp|pdf|zip|csv|json)"
    r"|[\w.-]*(/[\w.<>-]+)+/?"  # paths
    r"|\b\w+-\d[\w-]*"  # a bundle's folder name (digest-2024-16)
    r"|\b[0-9a-f]{16,}\b",  # checksums
    re.I,
)
WORD = re.compile(r"[A-Za-z]{2,}")
CODE = re.compile(r"[a-z0-9_]+")


def data_words(value: object) -> set[str]:
    """The ASCII words of the data the sample issue shows (every text its Edition holds, not
    the names of its fields): "AI", an organisation's English name, an article's title."""
    if isinstance(value, str):
        if CODE.fullmatch(value):  # a code (a role, a kind), not text shown as it is
            return set()
        return set(WORD.findall(DATA.sub(" ", value)))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = [getattr(value, f.name) for f in dataclasses.fields(value)]
    elif isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return set().union(*(data_words(item) for item in value))
    return set()


class Labels(HTMLParser):
    """The text a person reads on a page: its text and label attributes, no scripts or data."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        values = dict(attrs)
        for name in LABEL_ATTRIBUTES:
            if values.get(name):
                self.texts.append(str(values[name]))
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.texts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(data)


def english_words(html: str, allowed: set[str]) -> set[str]:
    parser = Labels()
    parser.feed(html)
    words: set[str] = set()
    for text in parser.texts:
        words |= {w for w in WORD.findall(DATA.sub(" ", text)) if w not in allowed}
    return words


def demo_logins() -> list[User]:
    """The demo's accounts, as setup_demo makes them, one for each set of roles (board2 is
    board1's twin), but the operator's (出版管理员)."""
    chosen: dict[frozenset[Role], User] = {}
    for username, person, roles in DEMO_ACCOUNTS:
        user = staff(username, person, *roles)
        if Role.PUBLISHER not in roles:
            chosen.setdefault(frozenset(roles), user)
    return list(chosen.values())


def one_of_each(issue: Issue, people: list[User]) -> None:
    """A row of every record the workflow keeps, so that each change page can be opened."""
    article = issue.articles.order_by("position", "pk").first()
    assert article is not None
    executive = people[1]
    comment_add(actor=executive, issue=issue, article=article, body="请核对数字。")
    EditLock.objects.create(
        article=article,
        holder=executive,
        acquired_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    Approval.objects.create(issue=issue, approver=people[2], content_hash="0" * 64, comment="同意")
    Rendition.objects.create(
        issue=issue,
        kind=RenditionKind.PDF,
        proof=True,
        status=RenditionStatus.FAILED,
        error="图片无法读取。",
        content_hash="1" * 64,
    )
    Notification.objects.create(
        key="walk",
        recipient=executive,
        issue=issue,
        event="submit",
        subject="本期已提交审核",
        body="请审阅。",
    )
    factories.SubscriberFactory.create()


def pages(client: Client, user: User, issue: Issue, article: Article) -> list[str]:
    """Every admin page ``user`` may open, as the index, the lists and the issue page lead."""
    urls = [
        reverse("admin:index"),
        reverse("admin:editorial_my_work"),
        reverse("admin:editorial_issue_revisions", args=[issue.pk]),
        reverse("admin:editorial_article_revisions", args=[article.pk]),
        reverse("admin:password_change"),
    ]
    request = client.get(reverse("admin:index")).wsgi_request
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_or_change_permission(request):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return urls


PREVIEWS = ("web", "wechat", "print", "pdf")
PERSON_PAGES = "/admin/editorial/person/"


def test_no_page_an_editor_or_board_member_sees_is_in_english() -> None:
    issue = sample_issue()
    people = demo_logins()
    one_of_each(issue, people)
    article = issue.articles.order_by("position", "pk").first()
    assert article is not None
    # The codes editors type themselves (代号 of the publication and its sections) are data.
    slugs = {issue.publication.slug, *issue.publication.sections.values_list("slug", flat=True)}
    allowed = ALLOWED | slugs | data_words(issue_live_edition(issue.pk))
    found: dict[str, set[str]] = {}
    # The heavy pages (the 公众号 preview renders every article) once, as the first login.
    heavy = [reverse("admin:editorial_issue_wechat_preview", args=[issue.pk])] + [
        reverse(f"preview:{name}", args=[issue.pk]) for name in PREVIEWS
    ]
    for index, user in enumerate(people):
        client = Client()
        client.force_login(user)
        for url in pages(client, user, issue, article) + (heavy if index == 0 else []):
            response = client.get(url)
            assert response.status_code == 200, (user.username, url, response.status_code)
            # Linking a login to a person names the login: its name is the data chosen there.
            logins = {u.username for u in people} if url.startswith(PERSON_PAGES) else set()
            words = english_words(response.content.decode(), allowed | logins)
            if words:
                found.setdefault(f"{user.username} {url}", set()).update(words)
    assert not found, "\n".join(f"{page}: {sorted(words)}" for page, words in found.items())
