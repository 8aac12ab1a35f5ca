"""The e-mail edition: subject, a 600 px table layout with the stylesheet inlined and a CJK font
stack, alt text on every image, the contents linked to the web edition, a plain-text part, and
what differs per subscriber put in escaped."""

import dataclasses
import re
from html.parser import HTMLParser

import pytest

from editorial.editions import Edition, EditionImage
from editorial.rendering.email import Addressee, EmailLinks, render_email_edition
from editorial.selectors import issue_live_edition
from tests.workflow_helpers import sample_issue

WEB = "https://digest.example.cn/archive/dsjfzdt/179/"
LINKS = EmailLinks(
    web=WEB,
    pdf="https://digest.example.cn/archive/dsjfzdt/179.pdf",
    image_url=lambda image: f"https://digest.example.cn/files/{image.checksum}",
)
pytestmark = pytest.mark.django_db

READER = Addressee(
    email="reader@example.cn",
    name="王读者",
    unsubscribe_url="https://digest.example.cn/subscribe/unsubscribe/t0k3n/",
    preferences_url="https://digest.example.cn/subscribe/preferences/p4ss/",
)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.elements


@pytest.fixture
def edition() -> Edition:
    return issue_live_edition(sample_issue().pk)


def test_the_sample_issue_as_an_e_mail(edition: Edition) -> None:
    mail = render_email_edition(edition, READER, links=LINKS, pdf_attached=False)
    assert mail.subject == "《大数据发展动态》2024年第16期（总第179期）"
    found = elements(mail.html)
    tags = [tag for tag, _ in found]
    # The layout: one 600 px table inside a full-width one; no stylesheet left for clients to
    # drop, every cell styled inline with the CJK font stack.
    tables = [attrs for tag, attrs in found if tag == "table"]
    assert tables[0]["width"] == "100%" and tables[1]["width"] == "600"
    assert "style" not in tags and "<style" not in mail.html
    td_styles = [attrs.get("style") or "" for tag, attrs in found if tag == "td"]
    assert td_styles and all("Microsoft YaHei" in style for style in td_styles)
    assert all("PingFang SC" in style and "sans-serif" in style for style in td_styles)
    # Every picture says what it is; the only one is the cover.
    images = [attrs for tag, attrs in found if tag == "img"]
    assert all((attrs.get("alt") or "").strip() for attrs in images)
    # The contents: every article, in order, linked to its page in the web edition.
    links = [attrs["href"] for tag, attrs in found if tag == "a"]
    anchors = [href for href in links if href and re.fullmatch(re.escape(WEB) + r"\d+/", href)]
    assert anchors == [f"{WEB}{n}/" for n in range(1, 17)]
    for article in edition.articles:
        assert article.title in mail.html and article.title in mail.text
    assert "国策要论" in mail.html and "【国策要论】" in mail.text
    # The PDF linked; the subscriber's own links in both parts.
    assert LINKS.pdf in mail.html and LINKS.pdf in mail.text
    for url in (READER.unsubscribe_url, READER.preferences_url):
        assert f'href="{url}"' in mail.html and url in mail.text
    assert "尊敬的王读者" in mail.html and "尊敬的王读者" in mail.text
    assert "\u2063" not in mail.html + mail.text
    # No line longer than SMTP allows: the part is sent 8-bit, not quoted-printable.
    assert max(len(line.encode()) for line in mail.html.splitlines()) <= 998
    assert "附件" not in mail.html
    # Attached instead of linked; with a cover, its picture says what it is.
    covered = dataclasses.replace(edition, cover_image=EditionImage("c0ffee", "covers/c.png"))
    mail = render_email_edition(covered, READER, links=LINKS, pdf_attached=True)
    assert "已作为附件随本邮件发送" in mail.html and "已作为附件随本邮件发送" in mail.text
    (cover,) = [attrs for tag, attrs in elements(mail.html) if tag == "img"]
    assert cover["src"] == "https://digest.example.cn/files/c0ffee"
    assert (cover["alt"] or "").startswith("大数据发展动态 第16期 总第179期 封面")


def test_hostile_text_is_escaped_in_the_html_and_the_subscriber_slots_are_its_own(
    edition: Edition,
) -> None:
    first = edition.articles[0]
    hostile = '<img src=x onerror=alert(1)>"\u2063name\u2063'
    article = dataclasses.replace(
        first, title=hostile, body=f"<p>{hostile}<script>alert(2)</script></p>"
    )
    changed = dataclasses.replace(edition, articles=(article, *edition.articles[1:]))
    reader = dataclasses.replace(READER, name='<b onmouseover="x">恶意</b>')
    mail = render_email_edition(changed, reader, links=LINKS, pdf_attached=False)
    assert "<img src=x" not in mail.html and "<script>" not in mail.html
    assert "onmouseover=" not in mail.html.replace("onmouseover=&quot;", "")
    assert "&lt;b onmouseover=&quot;x&quot;&gt;恶意&lt;/b&gt;" in mail.html
    # A slot marker typed into a title does not pull in the subscriber's name there.
    assert mail.html.count("&lt;b onmouseover") == 1
    assert re.search(r"<img[^>]*onerror", mail.html) is None
