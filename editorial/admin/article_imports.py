"""从原文链接导入 (采编): paste a link or upload a saved page, review the draft, then save.

The draft lives in the cache under an unguessable token bound to the editor who made it, for
``DRAFT_SECONDS``; nothing is stored in the database or the media storage before the editor
saves it, which ``article_import`` does in one transaction.
"""

import base64
import secrets
from dataclasses import replace
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from editorial.integrations.fetch import FetchError
from editorial.models import Article, Issue, Section
from editorial.models.articles import QR_CAPTION_MAX
from editorial.rendering.qr import qr_svg
from editorial.richtext import place_figures, quoted_title
from editorial.services.article_imports import (
    ArticleDraft,
    DraftFigure,
    article_draft_from_link,
    article_draft_from_page,
    article_import,
)
from editorial.validators import sniff_image_format
from editorial.workflow import ISSUE_EDITABLE

DRAFT_SECONDS = 60 * 60
PAGE_TYPES = (".html", ".htm", ".xhtml", ".shtml")


class LinkForm(forms.Form):
    issue = forms.ModelChoiceField(Issue.objects.none(), label="期")
    section = forms.ModelChoiceField(Section.objects.none(), label="栏目")
    url = forms.URLField(
        label="原文链接",
        required=False,
        assume_scheme="https",
        max_length=1000,
        widget=forms.URLInput(attrs={"size": 80, "placeholder": "https://www.gov.cn/…"}),
    )
    page = forms.FileField(
        label="或上传保存的网页",
        required=False,
        help_text="浏览器“另存为”的 .html 文件；同时填写原文链接时，"
        "以它为原文链接并从那里下载图片。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issues = Issue.objects.filter(status__in=ISSUE_EDITABLE).select_related("publication")
        self.fields["issue"].queryset = issues.order_by("-date")  # type: ignore[attr-defined]
        self.fields["section"].queryset = Section.objects.select_related(  # type: ignore[attr-defined]
            "publication"
        ).order_by("publication__name", "position")

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        page = self.cleaned_data.get("page")
        if not self.cleaned_data.get("url") and not page:
            raise ValidationError("请填写原文链接，或上传保存的网页。")
        if page is not None:
            if not page.name.lower().endswith(PAGE_TYPES):
                raise ValidationError(f"{page.name} 不是网页文件（.html）。")
            if page.size > settings.DIGEST_FETCH_MAX_PAGE_BYTES:
                limit = settings.DIGEST_FETCH_MAX_PAGE_BYTES
                raise ValidationError(f"网页过大：{page.size} 字节，上限 {limit} 字节。")
        issue, section = self.cleaned_data.get("issue"), self.cleaned_data.get("section")
        if issue and section and section.publication_id != issue.publication_id:
            self.add_error("section", "栏目必须属于本期所在的刊物。")
        return cleaned


class DraftForm(forms.Form):
    """What the editor may correct before saving; the body is edited after, as any article."""

    title = forms.CharField(
        label="标题", max_length=200, widget=forms.TextInput(attrs={"size": 80})
    )
    source = forms.CharField(label="来源", max_length=200, required=False)
    original_url = forms.URLField(
        label="原文链接", max_length=1000, required=False, assume_scheme="https"
    )
    qr_caption = forms.CharField(label="二维码说明", max_length=QR_CAPTION_MAX, required=False)

    def __init__(self, *args: Any, figures: tuple[DraftFigure, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for figure in figures:
            self.fields[f"caption_{figure.number}"] = forms.CharField(
                label=f"图 {figure.number} 图题", max_length=200, initial=figure.caption
            )


class ArticleImportAdmin(admin.ModelAdmin):
    """The 从原文链接导入 pages of the article admin (``ArticleAdmin`` inherits them)."""

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="editorial_article_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("token"):
            return self._save(request)
        form = LinkForm(request.POST or None, request.FILES or None, initial=request.GET.dict())
        if request.method == "POST" and form.is_valid():
            try:
                draft = self._draft(request, form)
            except FetchError as exc:
                form.add_error(None, str(exc))
            else:
                token = secrets.token_urlsafe(24)
                cache.set(self._key(request, token), draft, DRAFT_SECONDS)
                initial = {
                    "title": draft.title,
                    "source": draft.source,
                    "original_url": draft.original_url,
                    "qr_caption": draft.qr_caption,
                }
                return self._draft_page(
                    request,
                    draft,
                    DraftForm(initial=initial, figures=draft.figures),
                    token=token,
                    issue=form.cleaned_data["issue"],
                    section=form.cleaned_data["section"],
                )
        return TemplateResponse(
            request,
            "admin/editorial/article/import.html",
            {**self._context(request, "从原文链接导入"), "form": form},
        )

    def _draft(self, request: HttpRequest, form: LinkForm) -> ArticleDraft:
        url = form.cleaned_data.get("url") or ""
        page = form.cleaned_data.get("page")
        if page is not None:
            return article_draft_from_page(actor=request.user, content=page.read(), url=url)
        return article_draft_from_link(actor=request.user, url=url)

    def _save(self, request: HttpRequest) -> HttpResponse:
        token = request.POST["token"]
        draft: ArticleDraft | None = cache.get(self._key(request, token))
        if draft is None:
            messages.error(request, "导入的草稿已过期或不存在，请重新导入。")
            return HttpResponseRedirect(reverse("admin:editorial_article_import"))
        form = DraftForm(request.POST, figures=draft.figures)
        issue = Issue.objects.filter(pk=request.POST.get("issue", "")).first()
        section = Section.objects.filter(pk=request.POST.get("section", "")).first()
        if issue is None or section is None:
            form.add_error(None, "请重新选择期和栏目。")
        if form.is_valid() and issue is not None and section is not None:
            edited = replace(
                draft,
                title=form.cleaned_data["title"],
                source=form.cleaned_data["source"],
                original_url=form.cleaned_data["original_url"],
                qr_caption=form.cleaned_data["qr_caption"],
            )
            captions = {f.number: form.cleaned_data[f"caption_{f.number}"] for f in draft.figures}
            try:
                article = article_import(
                    actor=request.user,
                    issue_id=issue.pk,
                    section_id=section.pk,
                    draft=edited,
                    captions=captions,
                )
            except ValidationError as exc:  # TransitionRefused too: the issue left editing
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                cache.delete(self._key(request, token))
                return self._saved(request, article, draft)
        return self._draft_page(request, draft, form, token=token, issue=issue, section=section)

    def _saved(self, request: HttpRequest, article: Article, draft: ArticleDraft) -> HttpResponse:
        messages.success(
            request,
            f"已从原文链接导入{quoted_title(article.title)}（{len(draft.figures)} 张图），"
            "请核对正文后保存或定稿。",
        )
        if draft.removed:
            messages.warning(request, f"{quoted_title(article.title)}的正文：{draft.removed}。")
        return HttpResponseRedirect(reverse("admin:editorial_article_change", args=[article.pk]))

    def _draft_page(
        self,
        request: HttpRequest,
        draft: ArticleDraft,
        form: DraftForm,
        *,
        token: str,
        issue: Issue | None,
        section: Section | None,
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/editorial/article/import_draft.html",
            {
                **self._context(request, "核对导入的草稿"),
                "form": form,
                "draft": draft,
                "token": token,
                "issue": issue,
                "section": section,
                "body": _body_preview(draft),
                "qr": mark_safe(qr_svg(draft.original_url)) if draft.original_url else "",  # noqa: S308
            },
        )

    def _context(self, request: HttpRequest, title: str) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "title": title, "opts": self.opts}

    @staticmethod
    def _key(request: HttpRequest, token: str) -> str:
        return f"article-import:{request.user.pk}:{token}"


def _body_preview(draft: ArticleDraft) -> SafeString:
    """The draft's body with its figures in place, as images in the page itself (data: URLs,
    which the admin's CSP allows) and the caption the reader will see."""
    figures = {figure.number: figure for figure in draft.figures}

    def render(figure: DraftFigure) -> str:
        media = (sniff_image_format(figure.content) or "png").lower()
        data = base64.b64encode(figure.content).decode("ascii")
        return format_html(
            '<figure class="import-figure"><img src="data:image/{};base64,{}" alt="">'
            "<figcaption>图 {} {}</figcaption></figure>",
            media,
            data,
            figure.number,
            figure.caption or "（无图题）",
        )

    body, rest = place_figures(draft.body, figures, render)
    # The body is the sanitizer's output; the figures are escaped above.
    return mark_safe(body + "".join(rest))  # noqa: S308
