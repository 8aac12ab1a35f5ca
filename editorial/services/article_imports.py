"""采编: an article from its original link — a draft first, saved only when the editor says so.

``article_draft_from_link`` fetches the page (``integrations/fetch.py``: timeouts, size caps,
no private addresses), ``article_draft_from_page`` takes a saved page; both read the draft
(``source_pages.page_draft``) and download its figures through the same fetcher, each checked
like an upload (``validators.validate_image``). A figure that cannot be had is left out with
the reason in ``problems``, and the text is renumbered. Nothing is written: the draft is a
value the admin keeps until the editor saves it with ``article_import``, which creates the
article and its figures in one transaction, one revision and one audit row.
"""

import datetime
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile

from editorial.integrations.fetch import FetchError, fetch_image, fetch_page
from editorial.models import Article, Figure, Issue, QrCaption, Section
from editorial.richtext import FIGURE_MARKER, Removed
from editorial.source_pages import PageDraft, page_draft
from editorial.validators import ALLOWED_IMAGE_FORMATS, sniff_image_format, validate_image

from .articles import article_save
from .permissions import Actor, require_perm

logger = logging.getLogger(__name__)

IMPORT_QR_CAPTION = QrCaption.FULL_TEXT.value


@dataclass(frozen=True)
class DraftFigure:
    number: int
    caption: str
    url: str
    name: str  # a file name whose extension is the image's format
    content: bytes


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str
    published: datetime.date | None
    source: str
    original_url: str
    qr_caption: str
    figures: tuple[DraftFigure, ...]
    removed: Removed  # what the sanitizer took out of the body
    problems: tuple[str, ...]  # figures left out, and why


def article_draft_from_link(*, actor: Actor, url: str) -> ArticleDraft:
    """The draft of the article at ``url``. Raises FetchError (a Chinese message)."""
    require_perm(actor, "editorial.add_article")
    page = fetch_page(url)
    return _with_figures(page_draft(page.content, url=page.url, charset=page.charset))


def article_draft_from_page(*, actor: Actor, content: bytes, url: str = "") -> ArticleDraft:
    """The draft of a saved page; ``url`` (or the page's canonical link) is the original link
    and where its images are fetched from."""
    require_perm(actor, "editorial.add_article")
    return _with_figures(page_draft(content, url=url))


def _with_figures(page: PageDraft) -> ArticleDraft:
    figures: list[DraftFigure] = []
    problems: list[str] = []
    numbers: dict[int, int] = {}
    limit = settings.DIGEST_FETCH_MAX_FIGURES
    for ref in page.figures:
        if ref.number > limit:
            problems.append(f"图 {ref.number}（{ref.url}）未导入：一篇文章最多导入 {limit} 张图。")
            continue
        try:
            content, name = _download(ref.url, ref.number)
        except (FetchError, ValidationError) as exc:
            reason = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            problems.append(f"图 {ref.number}（{ref.url}）未导入：{reason}")
            continue
        numbers[ref.number] = len(figures) + 1
        figures.append(DraftFigure(numbers[ref.number], ref.caption, ref.url, name, content))

    def renumber(match: re.Match[str]) -> str:
        number = numbers.get(int(match[1]))
        return f'<figure data-figure="{number}"></figure>' if number else ""

    return ArticleDraft(
        title=page.title,
        body=FIGURE_MARKER.sub(renumber, page.body),
        published=page.published,
        source=page.source,
        original_url=page.original_url,
        qr_caption=IMPORT_QR_CAPTION if page.original_url else "",
        figures=tuple(figures),
        removed=page.removed,
        problems=tuple(problems),
    )


def _download(url: str, number: int) -> tuple[bytes, str]:
    """The image at ``url``, checked as an upload is, and a file name for its format."""
    content = fetch_image(url).content
    image_format = sniff_image_format(content)
    name = f"figure-{number}.{ALLOWED_IMAGE_FORMATS.get(image_format or '', 'bin')}"
    validate_image(ContentFile(content, name=name))
    return content, name


@transaction.atomic
def article_import(
    *,
    actor: Actor,
    issue_id: int,
    section_id: int,
    draft: ArticleDraft,
    captions: Mapping[int, str] | None = None,
) -> Article:
    """Save the reviewed ``draft`` (its title, source, link and QR caption as the editor left
    them; ``captions`` by figure number) as a new article at the end of the issue, with its
    figures: one transaction, one revision, one audit row naming the link."""
    issue = Issue.objects.get(pk=issue_id)
    last = Article.objects.filter(issue=issue).aggregate(p=Max("position"))["p"] or 0
    article = Article(
        issue=issue,
        section=Section.objects.get(pk=section_id),
        position=last + 1,
        title=draft.title.strip(),
        body=draft.body,
        source=draft.source.strip(),
        original_url=draft.original_url.strip(),
        qr_caption=draft.qr_caption.strip(),
    )
    figures = [
        _figure(replace(f, caption=(captions or {}).get(f.number, f.caption)))
        for f in draft.figures
    ]
    stored = [figure.image for figure in figures]
    what = _what(draft)
    try:
        article = article_save(
            actor=actor, article=article, base_version=None, what=what, figures=figures
        )
    except BaseException:
        _discard(stored)
        raise
    transaction.on_commit(lambda: logger.info("imported %s from %s", article, draft.original_url))
    return article


def _figure(draft: DraftFigure) -> Figure:
    figure = Figure(number=draft.number, caption=draft.caption.strip())
    figure.image.save(draft.name, ContentFile(draft.content), save=False)
    return figure


def _discard(files: list[FieldFile]) -> None:
    for file in files:
        if file.name:
            file.storage.delete(file.name)


def _what(draft: ArticleDraft) -> str:
    """The revision's and the audit row's note."""
    what = f"从原文链接导入：{draft.original_url or '上传的网页'}"
    if draft.published:
        what += f"（原文发布于 {draft.published:%Y-%m-%d}）"
    if draft.removed:
        what += f"；正文{draft.removed}"
    return what
