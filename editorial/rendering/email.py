"""The e-mail edition: an issue as one message for Chinese mail clients (QQ Mail, 163, Outlook).

Pure functions over an ``Edition`` (editorial/editions.py): no queries and no writes. The HTML
is a 600 px table layout — the one layout Outlook's Word engine and the web clients all render
alike — with the house stylesheet inlined by css-inline (web clients drop ``<style>``), a CJK
font stack with fallbacks, and text as text: the only picture is the cover, with its alt text.
The table of contents links each article to its place on the issue's public page; the PDF is
linked, or said to be attached when the sender attaches it.

The body is rendered and inlined once per Edition; what differs per subscriber (the greeting,
the unsubscribe and preferences links) is put in by ``EmailEditionTemplate.personalise``, which
escapes it for the HTML part, so ten thousand messages cost one rendering.

    template = email_edition_template(edition, links=links, pdf_attached=False)
    message = template.personalise(addressee)        # subject, html, text
"""

import functools
import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import css_inline
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from editorial.editions import Edition, EditionArticle, EditionImage
from editorial.richtext import plain_text, sanitize_html

HTML_TEMPLATE = "editorial/email/edition.html"
TEXT_TEMPLATE = "editorial/email/edition.txt"
STYLESHEET = "editorial/email/edition.css"
LEAD_MAX = 120  # characters of an article's first paragraph shown under its title

# Stand-ins for what differs per subscriber; nothing an editor types can contain them (the
# renderer removes them from the Edition's text first).
EMAIL_SLOTS = ("name", "unsubscribe_url", "preferences_url")
_SLOT = "\u2063{}\u2063"  # INVISIBLE SEPARATOR around the slot's name


@dataclass(frozen=True)
class EmailLinks:
    """Where the e-mail points: the issue's public page, its final PDF, and its images."""

    web: str
    pdf: str
    image_url: Callable[[EditionImage], str]


@dataclass(frozen=True)
class Addressee:
    email: str
    name: str
    unsubscribe_url: str
    preferences_url: str


@dataclass(frozen=True)
class EmailEdition:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class EmailEditionTemplate:
    """The e-mail edition of one Edition with its per-subscriber parts left as slots."""

    subject: str
    html: str
    text: str

    @staticmethod
    def slot_values(addressee: Addressee) -> tuple[dict[str, str], dict[str, str]]:
        """What each slot holds for ``addressee``: in the HTML part (escaped), in the text part."""
        text = {
            "name": addressee.name.strip() or "读者",
            "unsubscribe_url": addressee.unsubscribe_url,
            "preferences_url": addressee.preferences_url,
        }
        return {slot: html_lib.escape(value, quote=True) for slot, value in text.items()}, text

    def personalise(self, addressee: Addressee) -> EmailEdition:
        html_values, text_values = self.slot_values(addressee)
        html, text = self.html, self.text
        for slot in EMAIL_SLOTS:
            html = html.replace(_SLOT.format(slot), html_values[slot])
            text = text.replace(_SLOT.format(slot), text_values[slot])
        return EmailEdition(subject=self.subject, html=html, text=text)


def email_subject(edition: Edition) -> str:
    """ "《大数据发展动态》2024年第16期（总第179期）"."""
    return (
        f"《{edition.publication.name}》{edition.date.year}年第{edition.number}期"
        f"（{edition.label_total}）"
    )


# A line break before each block-level tag (where it shows nothing): inlined styles make long
# lines, and a part with a line over SMTP's 998 bytes must be sent quoted-printable — larger, and
# far slower to encode than the 8-bit part short lines allow.
_BLOCK_START = re.compile(
    r">\s*<(?=/?(?:table|tbody|tr|td|p|h1|h2|h3|img|br|meta|title|head|body)\b)"
)


@functools.lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(
        load_remote_stylesheets=False, keep_style_tags=False, keep_at_rules=False
    )


def _unslotted(text: str) -> str:
    return text.replace("\u2063", "")


def _lead(article: EditionArticle) -> str:
    """The article's first paragraph as plain text, cut at ``LEAD_MAX`` characters."""
    lines = plain_text(sanitize_html(article.body)).splitlines()
    first = _unslotted(lines[0]) if lines else ""
    return first if len(first) <= LEAD_MAX else first[: LEAD_MAX - 1] + "…"


def _contents(edition: Edition, web: str) -> list[dict[str, object]]:
    sections: list[dict[str, object]] = []
    for index, article in enumerate(edition.articles, start=1):
        if not sections or sections[-1]["name"] != _unslotted(article.section.name):
            sections.append({"name": _unslotted(article.section.name), "articles": []})
        entries = cast(list[dict[str, str]], sections[-1]["articles"])
        entries.append(
            {
                "title": _unslotted(article.title),
                "url": f"{web}{index}/",  # the article's page on the reading site
                "source": _unslotted(article.source.strip()),
                "original_url": article.original_url.strip(),
                "lead": _lead(article),
            }
        )
    return sections


def email_edition_template(
    edition: Edition, *, links: EmailLinks, pdf_attached: bool
) -> EmailEditionTemplate:
    publication = edition.publication
    cover = edition.cover_image
    context = {
        "subject": email_subject(edition),
        "publication": _unslotted(publication.name),
        "tagline": _unslotted(publication.tagline),
        "label": edition.label,
        "date": edition.date_label,
        "headline": [_unslotted(line) for line in edition.cover_headline_lines],
        "cover_url": links.image_url(cover) if cover is not None else "",
        "sections": _contents(edition, links.web),
        "web_url": links.web,
        "pdf_url": links.pdf,
        "pdf_attached": pdf_attached,
        "contact": {
            "phone": _unslotted(publication.phone),
            "email": _unslotted(publication.email),
            "address": _unslotted(publication.address),
            "wechat": _unslotted(publication.wechat_account_name),
        },
        **{slot: mark_safe(_SLOT.format(slot)) for slot in EMAIL_SLOTS},  # noqa: S308 - a slot
    }
    page = render_to_string(HTML_TEMPLATE, context)
    html = _inliner().inline(page.replace("/*STYLESHEET*/", render_to_string(STYLESHEET)))
    html = _BLOCK_START.sub(">\n<", html)
    return EmailEditionTemplate(
        subject=context["subject"],  # type: ignore[arg-type]
        html=html,
        text=render_to_string(TEXT_TEMPLATE, context),
    )


def render_email_edition(
    edition: Edition, addressee: Addressee, *, links: EmailLinks, pdf_attached: bool
) -> EmailEdition:
    """The e-mail edition of ``edition`` for one addressee."""
    return email_edition_template(edition, links=links, pdf_attached=pdf_attached).personalise(
        addressee
    )
