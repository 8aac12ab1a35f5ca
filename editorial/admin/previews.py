"""Previews on the issue page: the 预览 buttons (issue and article pages) and the 预览链接 panel,
which lists the issue's active links with their revoke buttons and creates new ones.

Creating and revoking are POSTs that call ``preview_link_create`` and ``preview_link_revoke``;
a refusal comes back as a message (403 for a person who may not share at all). The token of a
new link is shown once, in the message: only its hash is kept.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from editorial.models import Issue, PreviewLink
from editorial.services.policies import issue_preview_check, preview_link_check
from editorial.services.previews import (
    PREVIEW_LINK_DEFAULT_DAYS,
    PREVIEW_LINK_MAX_DAYS,
    preview_link_create,
    preview_link_revoke,
)

from .common import error_list, viewable_object, who


class PreviewLinkForm(forms.Form):
    days = forms.IntegerField(
        label="有效期（天）",
        min_value=1,
        max_value=PREVIEW_LINK_MAX_DAYS,
        initial=PREVIEW_LINK_DEFAULT_DAYS,
        error_messages={"required": "请填写有效期。", "invalid": "有效期须为整数天。"},
    )


@dataclass(frozen=True)
class PreviewPanel:
    url: str  # the issue's preview, for the 预览 button
    may_share: bool
    links: list[tuple[PreviewLink, str]]  # active ones, newest first, with who made each
    form: PreviewLinkForm


def preview_url(request: HttpRequest, issue_id: int, article_id: int | None = None) -> str:
    """The 预览 button's target, for those who may preview; "" for anyone else."""
    if not issue_preview_check(request.user).allowed:
        return ""
    url = reverse("preview:web", kwargs={"issue_id": issue_id})
    return f"{url}?article={article_id}" if article_id is not None else url


def preview_panel(request: HttpRequest, issue: Issue) -> PreviewPanel:
    may_share = preview_link_check(request.user).allowed
    active = PreviewLink.objects.filter(
        issue_id=issue.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("created_by__person")
    links = [(link, who(link.created_by)) for link in active] if may_share else []
    return PreviewPanel(preview_url(request, issue.pk), may_share, links, PreviewLinkForm())


class IssuePreviewsAdmin(admin.ModelAdmin):
    """The preview link views of the issue admin (``IssueAdmin`` inherits them)."""

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:issue_id>/preview-links/",
                wrap(require_POST(self.preview_link_create_view)),
                name="editorial_issue_preview_link_create",
            ),
            path(
                "<int:issue_id>/preview-links/<int:link_id>/revoke/",
                wrap(require_POST(self.preview_link_revoke_view)),
                name="editorial_issue_preview_link_revoke",
            ),
            *super().get_urls(),
        ]

    def _back_to_links(self, issue: Issue) -> HttpResponseRedirect:
        url = reverse("admin:editorial_issue_change", args=[issue.pk])
        return HttpResponseRedirect(f"{url}#preview-links")

    def preview_link_create_view(self, request: HttpRequest, issue_id: int) -> HttpResponse:
        issue: Issue = viewable_object(self, request, issue_id, "没有这一期。")
        form = PreviewLinkForm(request.POST)
        if not form.is_valid():
            reasons = [e for errors in form.errors.values() for e in errors]
            messages.error(request, error_list("未创建预览链接：", reasons))
            return self._back_to_links(issue)
        try:
            created = preview_link_create(
                actor=request.user, issue_id=issue.pk, days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            messages.error(request, error_list("未创建预览链接：", exc.messages))
            return self._back_to_links(issue)
        url = request.build_absolute_uri(
            reverse("preview-link:web", kwargs={"token": created.token})
        )
        expires = timezone.localtime(created.link.expires_at)
        messages.success(
            request,
            format_html(
                "已创建预览链接，有效至 {}（北京时间）。链接只显示这一次，请复制后发给编委："
                '<br><a href="{}" id="new-preview-link" target="_blank" rel="noopener '
                'noreferrer">{}</a>',
                f"{expires:%Y-%m-%d %H:%M}",
                url,
                url,
            ),
        )
        return self._back_to_links(issue)

    def preview_link_revoke_view(
        self, request: HttpRequest, issue_id: int, link_id: int
    ) -> HttpResponse:
        issue: Issue = viewable_object(self, request, issue_id, "没有这一期。")
        link = PreviewLink.objects.filter(pk=link_id, issue_id=issue.pk).first()
        if link is None:
            messages.error(request, "没有这个预览链接。")
            return self._back_to_links(issue)
        preview_link_revoke(actor=request.user, link_id=link.pk)
        messages.success(request, f"已撤销预览链接 #{link.pk}：打开它的人将看到“页面不存在”。")
        return self._back_to_links(issue)
