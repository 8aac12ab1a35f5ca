"""The rich-text editor of 正文 and 注 (django-prose-editor, docs/decisions/0013): its toolbar is
derived from the allow-list in ``richtext.py``, figures are placed from the article's own, and
what editors paste is cleaned by the server's sanitizer before it enters the text.
"""

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media

from editorial.files import stored_file_url
from editorial.models import Article
from editorial.richtext import ALLOWED_TAGS, URL_SCHEMES, sanitize_html
from editorial.services.articles import StaleEdit, figure_add
from editorial.services.issue_transitions import TransitionRefused

# The editor extension that writes each allowed tag. ``b`` and ``i`` are read as bold and
# italic and written as ``strong`` and ``em``.
EXTENSION_OF_TAG = {
    "p": "Paragraph",
    "br": "HardBreak",
    "strong": "Bold",
    "b": "Bold",
    "em": "Italic",
    "i": "Italic",
    "u": "Underline",
    "s": "Strike",
    "sub": "Subscript",
    "sup": "Superscript",
    "h2": "Heading",
    "h3": "Heading",
    "h4": "Heading",
    "ul": "BulletList",
    "ol": "OrderedList",
    "li": "ListItem",
    "blockquote": "Blockquote",
    "table": "Table",
    "thead": "Table",
    "tbody": "Table",
    "tr": "TableRow",
    "th": "TableHeader",
    "td": "TableCell",
    "a": "Link",
    "figure": "DigestFigure",
}
# Tags the editor reads but writes under another name.
READ_ONLY_TAGS = frozenset({"b", "i"})


def editor_extensions() -> dict[str, Any]:
    """The editor's extensions and their settings, one for every tag the allow-list has."""
    extensions: dict[str, Any] = {EXTENSION_OF_TAG[tag]: True for tag in sorted(ALLOWED_TAGS)}
    levels = sorted(int(tag[1]) for tag in ALLOWED_TAGS if tag[0] == "h" and tag[1:].isdigit())
    extensions["Heading"] = {"levels": levels}
    extensions["Link"] = {"enableTarget": False, "protocols": sorted(URL_SCHEMES)}
    extensions |= {"History": True, "DigestPaste": True, "DigestTitles": True}
    return extensions


class RichTextEditor(AdminProseEditorWidget):
    """The editor over a textarea; the form posts the HTML it writes. ``figures``: the article's
    figures for placing (number, caption, image URL), none where figures are not placed (注:
    a marker there is kept, but not offered); ``upload_url``: where a new one goes (none for an
    article not saved yet)."""

    def __init__(
        self,
        *,
        figures: list[dict[str, Any]] | None = None,
        upload_url: str = "",
        attrs: dict[str, Any] | None = None,
    ) -> None:
        extensions = editor_extensions()
        extensions["DigestFigure"] = {
            "figures": figures or [],
            "uploadUrl": upload_url,
            "placing": figures is not None,
        }
        extensions["DigestPaste"] = {"url": reverse("admin:editorial_article_clean_paste")}
        super().__init__(attrs=attrs, config={"extensions": extensions}, preset="configurable")

    @property
    def media(self) -> Media:
        return super().media + Media(css={"all": ["editorial/editor.css"]})

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        """The text as the editor holds it: browsers post a textarea's line ends as CR LF."""
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


def figure_choices(article: Article | None) -> list[dict[str, Any]]:
    """The article's figures as the editor shows them: number, caption, image."""
    if article is None or article.pk is None:
        return []
    return [
        {
            "number": figure.number,
            "caption": figure.caption,
            "src": stored_file_url(figure.image.name) if figure.image else "",
        }
        for figure in article.figures.order_by("number")
    ]


def editor_widgets(article: Article | None) -> dict[str, RichTextEditor]:
    """The editors of an article's 正文 (which places its figures) and 注."""
    figures = figure_choices(article)
    upload_url = (
        reverse("admin:editorial_article_figure_upload", args=[article.pk])
        if article is not None and article.pk is not None
        else ""
    )
    return {
        "body": RichTextEditor(figures=figures, upload_url=upload_url),
        "notes": RichTextEditor(),
    }


def editor_media_with_nonce(media: forms.Media, request: HttpRequest) -> Media:
    """The page's media with the response's CSP nonce on every tag, the editor's import map
    (an inline script) included."""
    return Media.from_media(media, nonce=getattr(request, "csp_nonce", ""))


def clean_paste_view(request: HttpRequest) -> JsonResponse:
    """What the editor pastes: the clipboard's HTML through the sanitizer every save uses."""
    if not request.user.has_perm("editorial.change_article"):
        raise PermissionDenied
    return JsonResponse({"html": sanitize_html(request.POST.get("html", ""))})


class FigureUploadForm(forms.Form):
    # A file, not forms.ImageField: the figure's own validator decides, with its messages.
    image = forms.FileField(label="图片")
    caption = forms.CharField(label="图题", max_length=200)
    base_version = forms.IntegerField(required=False)


def figure_upload_view(request: HttpRequest, article_id: int) -> JsonResponse:
    """A new figure from the editor, through ``figure_add`` (image checked, version checked);
    the answer carries the article's new version, which the open form then saves over."""
    form = FigureUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [str(message) for messages in form.errors.values() for message in messages]
        return JsonResponse({"error": "；".join(errors)}, status=400)
    try:
        figure = figure_add(
            actor=request.user,
            article_id=article_id,
            base_version=form.cleaned_data["base_version"],
            caption=form.cleaned_data["caption"],
            image=form.cleaned_data["image"],
        )
    except (StaleEdit, TransitionRefused, ValidationError) as exc:
        return JsonResponse({"error": "；".join(exc.messages)}, status=400)
    except Article.DoesNotExist:
        return JsonResponse({"error": "没有这篇文章。"}, status=404)
    return JsonResponse(
        {
            "number": figure.number,
            "caption": figure.caption,
            "src": stored_file_url(figure.image.name),
            "lock_version": figure.article.lock_version,
        }
    )
