"""The issue's outputs in the admin: the 输出 panel on the issue page (the PDF of the current
content, earlier PDFs, the push to the Official Account), the PDF's download and preview, the
公众号 preview page; and the renditions, read-only.

The panel and the pages only read. While a PDF or a push is being made the panel asks its
status view (``outputs/status/``) for itself again every ``OUTPUTS_POLL`` (htmx, swapping the
panel in place); the panel it gets back stops asking once nothing is running. Each button is
a POST that calls one service (``rendition_request``, ``wechat_push_request``,
``wechat_publish_request``) and reports what came of it; a refusal comes back as a message, or
as 403 when the user may not ask at all, and leaves nothing changed.

The 公众号 preview renders the issue as the push does, but places each image at a URL relative to
the preview page (``image/<sha256>/``). The validator accepts relative image paths for review
(``local_images_allowed``), the browser resolves them to the image view, and the HTML the 复制
button copies is exactly the HTML that was checked. The image view finds an image by checksum in
the cache the page filled, or else by rendering the issue again.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from editorial.editions import Edition
from editorial.models import (
    Issue,
    Rendition,
    RenditionKind,
    RenditionStatus,
    WechatPush,
    WechatPushStatus,
)
from editorial.rendering.errors import RenderError
from editorial.rendering.wechat_validation import AUTHOR_MAX, DIGEST_MAX, TITLE_MAX
from editorial.selectors import edition_of, edition_rendition, issue_for_edition
from editorial.services.outputs import ImageSource, WechatReviewItem, issue_wechat_review
from editorial.services.permissions import Actor
from editorial.services.policies import (
    FORBIDDEN,
    wechat_drafts_ready,
    wechat_publish_check,
    wechat_push_check,
)
from editorial.services.renditions import rendition_request
from editorial.services.wechat import (
    WechatPushRefused,
    wechat_publish_request,
    wechat_push_request,
)
from editorial.workflow import needs_proof

from .common import error_list, viewable_object
from .records import InternalRecordAdmin, IssueFilter

EARLIER_RENDITIONS_SHOWN = 20
# How often a panel with a job in progress asks for its state (an htmx ``every`` trigger).
OUTPUTS_POLL = "2s"
PREVIEW_IMAGE_SECONDS = 60 * 60  # how long the preview's images stay in the cache
# Phones draw the scrollbar over the page: so does the frame, which then lays the page out at the
# full 375 px (a desktop scrollbar would take 15 of them).
PHONE_SCROLLBAR = "<style>html { scrollbar-width: none; }</style>"
CHECKSUM = re.compile(r"[0-9a-f]{64}")

P = WechatPushStatus
# The states in which a job is still on its way: the panel keeps asking until it leaves them.
RENDITION_BUSY = frozenset({RenditionStatus.PENDING, RenditionStatus.RUNNING})
PUSH_BUSY = frozenset({P.PENDING, P.RUNNING, P.PUBLISHING})


# The 输出 panel ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WechatPanel:
    """The push of the issue to the Official Account, and the buttons the user may press."""

    enabled: bool
    push: WechatPush | None
    allowed: bool  # the user holds a role that pushes
    show_push: bool
    show_publish: bool
    note: str  # why a button is not offered, when that is worth saying

    @property
    def draft_count(self) -> int:
        return len(self.push.draft_media_ids) if self.push else 0


@dataclass(frozen=True)
class OutputsPanel:
    issue: Issue
    proof: bool  # whether a PDF of the current content is a 样稿
    rendition: Rendition | None  # the PDF of the current content, if asked for
    earlier: list[Rendition]  # the issue's other PDFs, newest first
    show_generate: bool
    wechat: WechatPanel

    @property
    def busy(self) -> bool:
        """Whether a PDF or a push of the issue is still being made: the panel then polls."""
        push = self.wechat.push
        return (self.rendition is not None and self.rendition.status in RENDITION_BUSY) or (
            push is not None and push.status in PUSH_BUSY
        )

    @property
    def poll(self) -> str:
        return OUTPUTS_POLL

    @property
    def all_renditions_url(self) -> str:
        return reverse("admin:editorial_rendition_changelist") + f"?issue_id={self.issue.pk}"


def outputs_panel(
    request: HttpRequest, issue: Issue, exported: Issue, edition: Edition
) -> OutputsPanel:
    """What the 输出 panel shows, in a fixed number of queries however many renditions exist;
    ``exported`` is the issue as ``issue_for_edition`` loads it, shared with the 工作流 panel,
    and ``edition`` the Edition its outputs are rendered from."""
    proof = needs_proof(exported)
    pdfs = Rendition.objects.filter(issue_id=issue.pk, kind=RenditionKind.PDF).order_by(
        "-created_at", "-id"
    )
    current = edition_rendition(issue.pk, edition, proof=proof)
    earlier = pdfs.exclude(pk=current.pk) if current is not None else pdfs
    return OutputsPanel(
        issue=issue,
        proof=proof,
        rendition=current,
        earlier=list(earlier[:EARLIER_RENDITIONS_SHOWN]),
        show_generate=current is None or current.status == RenditionStatus.FAILED,
        wechat=wechat_panel(request.user, exported),
    )


def wechat_panel(user: User | AnonymousUser, issue: Issue) -> WechatPanel:
    """The push row and the buttons the push services' decisions allow; the note says why the
    push is not offered, or that the drafts wait for the issue's publication."""
    if not issue.publication.wechat_push_enabled:
        return WechatPanel(False, None, False, False, False, "")
    push = WechatPush.objects.filter(issue_id=issue.pk).first()
    pushing = wechat_push_check(user, issue, push)
    publishing = wechat_publish_check(user, issue, push)
    note = ""
    if not pushing.allowed and pushing.code != "already_published":
        note = pushing.reason
    elif publishing.code == "wrong_state" and push is not None and wechat_drafts_ready(push):
        note = "草稿已在公众号草稿箱；本期发布后可在公众号发布。"
    allowed = pushing.code != FORBIDDEN
    return WechatPanel(True, push, allowed, pushing.allowed, publishing.allowed, note)


def rendition_message(requested: Rendition, now: Rendition) -> tuple[int, str]:
    """What became of a request: ``requested`` as the service returned it, ``now`` as stored.

    With tasks run eagerly (the embedded demo) the task ran when the request committed, so the
    row is already finished; with a worker it is still queued.
    """
    kind = "样稿" if now.proof else "正式版"
    if now.status == RenditionStatus.DONE:
        facts = f"{now.page_count} 页，{filesizeformat(now.size or 0)}"
        if requested.status == RenditionStatus.DONE:
            return messages.INFO, f"本期内容未变，沿用已生成的 PDF（{kind}，{facts}）。"
        return messages.SUCCESS, f"PDF 已生成（{kind}）：{facts}，用时 {now.duration:.1f} 秒。"
    if now.status == RenditionStatus.FAILED:
        return messages.ERROR, f"PDF 生成失败：{now.error}"
    if now.status == RenditionStatus.RUNNING:
        return messages.INFO, "PDF 正在生成，本页自动显示进度。"
    return messages.SUCCESS, f"已加入生成队列（{kind}）：本页自动显示进度，生成后可在“输出”中下载。"


def push_message(push: WechatPush, *, publishing: bool) -> tuple[int, str]:
    """What became of a push or publish request (see ``rendition_message`` on eager tasks)."""
    if push.status == P.DRAFTED:
        drafts = "、".join(push.draft_media_ids)
        return messages.SUCCESS, (
            f"已存入公众号草稿箱：{len(push.draft_media_ids)} 篇草稿（media_id：{drafts}）。"
        )
    if push.status == P.PUBLISHING:
        return messages.SUCCESS, "已提交公众号发布，微信处理完成后本页显示文章链接。"
    if push.status == P.PUBLISHED:
        return messages.SUCCESS, f"已在公众号发布：{len(push.article_urls)} 篇文章。"
    if push.status == P.FAILED:
        return messages.ERROR, f"{'公众号发布' if publishing else '推送到公众号'}失败：{push.error}"
    return messages.SUCCESS, "已加入公众号推送队列，本页自动显示进度。"


# The 公众号 preview ---------------------------------------------------------------------------


def preview_image_path(image: ImageSource) -> str:
    """Where the preview shows ``image``: relative to the preview page (``<id>/wechat/``)."""
    return f"image/{image.checksum}/"


def _image_key(issue_id: int, checksum: str) -> str:
    return f"editorial:wechat-preview:{issue_id}:{checksum}"


@dataclass(frozen=True)
class PreviewItem:
    """One item of the review, with the page shown in the phone frame."""

    review: WechatReviewItem
    frame: str

    @property
    def limits(self) -> dict[str, int]:
        return {"title": TITLE_MAX, "author": AUTHOR_MAX, "digest": DIGEST_MAX}


@dataclass(frozen=True)
class WechatPreview:
    issue_id: int
    items: list[PreviewItem]
    images: dict[str, ImageSource]  # by checksum
    error: str  # why the issue cannot be rendered, or ""

    @property
    def violation_count(self) -> int:
        return sum(len(item.review.violations) for item in self.items)


def wechat_preview(user: Actor, issue_id: int) -> WechatPreview:
    """The issue as the push would send it, checked, with its images kept for the image view."""
    images: dict[str, ImageSource] = {}

    def image_url(image: ImageSource) -> str:
        images.setdefault(image.checksum, image)
        return preview_image_path(image)

    try:
        review = issue_wechat_review(actor=user, issue_id=issue_id, image_url=image_url)
    except RenderError as exc:
        return WechatPreview(issue_id, [], {}, str(exc))
    cache.set_many(
        {_image_key(issue_id, c): (i.content_type, i.data) for c, i in images.items()},
        PREVIEW_IMAGE_SECONDS,
    )
    items = [
        PreviewItem(item, item.page.replace("</head>", f"{PHONE_SCROLLBAR}</head>", 1))
        for item in review.items
    ]
    return WechatPreview(issue_id, items, images, "")


def preview_image(user: Actor, issue_id: int, checksum: str) -> tuple[str, bytes] | None:
    """``(content_type, data)`` of an image of the issue's preview, or None when it has none.

    Cached entries are checked against the checksum, so a stale or foreign entry is never served.
    """
    cached = cache.get(_image_key(issue_id, checksum))
    if cached is not None and hashlib.sha256(cached[1]).hexdigest() == checksum:
        return cached
    image = wechat_preview(user, issue_id).images.get(checksum)
    return (image.content_type, image.data) if image is not None else None


# The views --------------------------------------------------------------------------------


class IssueOutputsAdmin(admin.ModelAdmin):
    """The output views of the issue admin (``IssueAdmin`` inherits them) and the panel's data."""

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:issue_id>/outputs/pdf/",
                wrap(require_POST(self.pdf_request_view)),
                name="editorial_issue_pdf_request",
            ),
            path(
                "<int:issue_id>/outputs/status/",
                wrap(require_GET(self.outputs_status_view)),
                name="editorial_issue_outputs_status",
            ),
            path(
                "<int:issue_id>/outputs/pdf/<int:rendition_id>/download/",
                wrap(self.pdf_download_view),
                name="editorial_issue_pdf_download",
            ),
            path(
                "<int:issue_id>/outputs/pdf/<int:rendition_id>/preview/",
                wrap(self.pdf_preview_view),
                name="editorial_issue_pdf_preview",
            ),
            path(
                "<int:issue_id>/wechat/",
                # The phone frames show WeChat's HTML as sent, <style> and all; the frame
                # inherits the page's policy. Scripts still need the nonce.
                wrap(csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(self.wechat_preview_view)),  # type: ignore[arg-type]
                name="editorial_issue_wechat_preview",
            ),
            path(
                "<int:issue_id>/wechat/image/<str:checksum>/",
                # An image at a checksum never changes: the browser may keep it.
                wrap(self.wechat_image_view, cacheable=True),
                name="editorial_issue_wechat_image",
            ),
            path(
                "<int:issue_id>/wechat/push/",
                wrap(require_POST(self.wechat_push_view)),
                name="editorial_issue_wechat_push",
            ),
            path(
                "<int:issue_id>/wechat/publish/",
                wrap(require_POST(self.wechat_publish_view)),
                name="editorial_issue_wechat_publish",
            ),
            *super().get_urls(),
        ]

    def _viewable_issue(self, request: HttpRequest, issue_id: int) -> Issue:
        return viewable_object(self, request, issue_id, "没有这一期。")

    def _back(self, issue: Issue) -> HttpResponseRedirect:
        url = reverse("admin:editorial_issue_change", args=[issue.pk])
        return HttpResponseRedirect(f"{url}#outputs")

    def outputs_status_view(self, request: HttpRequest, issue_id: int) -> TemplateResponse:
        """The 输出 panel alone, for the panel to replace itself with while a job runs."""
        issue = self._viewable_issue(request, issue_id)
        exported = issue_for_edition(issue.pk)
        return TemplateResponse(
            request,
            "admin/editorial/issue/_outputs_panel.html",
            {"outputs": outputs_panel(request, issue, exported, edition_of(exported))},
        )

    # PDF

    def pdf_request_view(self, request: HttpRequest, issue_id: int) -> HttpResponse:
        issue = self._viewable_issue(request, issue_id)
        requested = rendition_request(actor=request.user, issue_id=issue.pk)
        level, text = rendition_message(requested, Rendition.objects.get(pk=requested.pk))
        messages.add_message(request, level, text)
        return self._back(issue)

    def _pdf_file(
        self, request: HttpRequest, issue_id: int, rendition_id: int, *, attachment: bool
    ) -> FileResponse:
        issue = self._viewable_issue(request, issue_id)
        rendition = Rendition.objects.filter(pk=rendition_id, issue_id=issue.pk).first()
        if rendition is None or rendition.status != RenditionStatus.DONE or not rendition.file:
            raise Http404("这份 PDF 尚未生成。")
        name = rendition.file.name
        try:
            handle = rendition.file.storage.open(name, "rb")
        except OSError as exc:
            raise Http404("PDF 文件已不在存储中，请重新生成。") from exc
        return FileResponse(
            handle,
            as_attachment=attachment,
            filename=Path(name).name,
            content_type="application/pdf",
        )

    def pdf_download_view(
        self, request: HttpRequest, issue_id: int, rendition_id: int
    ) -> FileResponse:
        return self._pdf_file(request, issue_id, rendition_id, attachment=True)

    def pdf_preview_view(
        self, request: HttpRequest, issue_id: int, rendition_id: int
    ) -> FileResponse:
        return self._pdf_file(request, issue_id, rendition_id, attachment=False)

    # 公众号

    def wechat_preview_view(self, request: HttpRequest, issue_id: int) -> TemplateResponse:
        issue = self._viewable_issue(request, issue_id)
        return TemplateResponse(
            request,
            "admin/editorial/issue/wechat_preview.html",
            {
                **self.admin_site.each_context(request),
                "title": f"公众号预览：{issue}",
                "opts": self.opts,
                "original": issue,
                "preview": wechat_preview(request.user, issue.pk),
            },
        )

    def wechat_image_view(self, request: HttpRequest, issue_id: int, checksum: str) -> HttpResponse:
        issue = self._viewable_issue(request, issue_id)
        found = (
            preview_image(request.user, issue.pk, checksum)
            if CHECKSUM.fullmatch(checksum)
            else None
        )
        if found is None:
            raise Http404("本期的公众号图文中没有这张图片。")
        content_type, data = found
        response = HttpResponse(data, content_type=content_type)
        response["Cache-Control"] = f"private, max-age={PREVIEW_IMAGE_SECONDS}"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def wechat_push_view(self, request: HttpRequest, issue_id: int) -> HttpResponse:
        issue = self._viewable_issue(request, issue_id)
        try:
            push = wechat_push_request(actor=request.user, issue_id=issue.pk)
        except WechatPushRefused as exc:
            messages.error(request, error_list("未推送到公众号：", exc.messages))
            return self._back(issue)
        push.refresh_from_db()
        messages.add_message(request, *push_message(push, publishing=False))
        return self._back(issue)

    def wechat_publish_view(self, request: HttpRequest, issue_id: int) -> HttpResponse:
        issue = self._viewable_issue(request, issue_id)
        push = WechatPush.objects.filter(issue_id=issue.pk).first()
        try:
            if push is None:  # never allowed: refused as the service refuses, who first
                wechat_publish_check(request.user, issue, push).require(WechatPushRefused)
                return self._back(issue)
            push = wechat_publish_request(actor=request.user, push_id=push.pk)
        except WechatPushRefused as exc:
            messages.error(request, error_list("未在公众号发布：", exc.messages))
            return self._back(issue)
        push.refresh_from_db()
        messages.add_message(request, *push_message(push, publishing=True))
        return self._back(issue)


# The records ------------------------------------------------------------------------------


@admin.register(Rendition)
class RenditionAdmin(InternalRecordAdmin):
    """Renditions are requested on the issue page and made by the task; here they are looked up."""

    list_display = (
        "issue",
        "kind",
        "proof",
        "status",
        "page_count",
        "size_label",
        "duration_label",
        "created_at",
    )
    list_filter = ("status", "proof", IssueFilter)
    list_select_related = ("issue__publication",)
    ordering = ("-created_at", "-id")
    # The stored file is reached through the issue's download view, which checks permission.
    fields = (
        "issue",
        "kind",
        "proof",
        "status",
        "lease_expires_at",
        "download",
        "error",
        "page_count",
        "size",
        "duration",
        "checksum",
        "content_hash",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = ("download",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rendition]:
        return super().get_queryset(request).select_related("issue__publication")

    @admin.display(description="大小", ordering="size")
    def size_label(self, obj: Rendition) -> str:
        return filesizeformat(obj.size) if obj.size is not None else "—"

    @admin.display(description="耗时", ordering="duration")
    def duration_label(self, obj: Rendition) -> str:
        return f"{obj.duration:.1f} 秒" if obj.duration is not None else "—"

    @admin.display(description="文件")
    def download(self, obj: Rendition) -> SafeString | str:
        if obj.status != RenditionStatus.DONE or not obj.file:
            return "—"
        args = [obj.issue_id, obj.pk]
        return format_html(
            '<a href="{}">下载</a> · <a href="{}" target="_blank" rel="noopener">预览</a>',
            reverse("admin:editorial_issue_pdf_download", args=args),
            reverse("admin:editorial_issue_pdf_preview", args=args),
        )
