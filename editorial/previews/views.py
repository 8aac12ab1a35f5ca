"""Previews: an issue, or one of its articles, as readers will see it — on the web, in WeChat
at 375 px and in print — before it is published.

Two doors lead to the same pages: ``/admin/preview/<issue id>/…`` for a person who may preview
issues (``policies.issue_preview_check``), and ``/preview/<token>/…`` for whoever holds a
preview link (``selectors.preview_link_active``). Anyone else gets 404, the answer a page that
does not exist gives, never a login page that would say the issue exists.

Every page reads the issue's Edition (``selectors.issue_edition``: the live one until the board
signs it off, then the approved one) and renders it with the channel's own code: the archive's
pages (``public.views.render_issue_page`` and ``render_article_page``), the 公众号 review
(``admin.outputs.wechat_preview``),
the print HTML (``services.outputs.edition_print_html``) and the PDF proof, rendered in the
background as a rendition job whose state the PDF tab polls (htmx, as the admin's 输出 panel).
Images leave only as the Edition names them. Nothing here is indexed, cached or passed on as a
referrer.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from editorial.admin.outputs import CHECKSUM, OUTPUTS_POLL, preview_image, wechat_preview
from editorial.editions import Edition, EditionImage
from editorial.files import PRIVATE_CACHE_CONTROL, file_response
from editorial.models import Issue, PreviewLink, RenditionStatus
from editorial.public.views import (
    IssueAround,
    edition_image_response,
    edition_images,
    render_article_page,
    render_issue_page,
)
from editorial.rendering.errors import RenderError
from editorial.selectors import edition_rendition, issue_edition, preview_link_active
from editorial.services.outputs import edition_print_html
from editorial.services.permissions import Actor
from editorial.services.policies import issue_preview_check
from editorial.services.renditions import rendition_request
from editorial.workflow import needs_proof

EDITOR = "preview"  # the URL namespaces of the two doors
LINK = "preview-link"
P = ParamSpec("P")


@dataclass(frozen=True)
class Access:
    """Who reads the preview of which issue, through which door."""

    issue: Issue
    namespace: str
    kwargs: dict[str, Any]
    actor: Actor  # the person, or None for a link (the system reads on its holder's behalf)
    link: PreviewLink | None

    def url(self, view_name: str, /, **kwargs: Any) -> str:
        return reverse(f"{self.namespace}:{view_name}", kwargs={**self.kwargs, **kwargs})

    def edition(self) -> Edition:
        return issue_edition(self.issue.pk, status=self.issue.status)

    @property
    def proof(self) -> bool:
        return needs_proof(self.issue)


def _access(request: HttpRequest, kwargs: dict[str, Any]) -> Access:
    """The preview's issue, through the door the URL names; 404 to anyone who may not have it."""
    if "token" in kwargs:
        token = kwargs.pop("token")
        link = preview_link_active(token)
        if link is None:
            raise Http404("没有这个预览链接，或链接已过期、已撤销。")
        return Access(link.issue, LINK, {"token": token}, None, link)
    if not issue_preview_check(request.user).allowed:
        raise Http404("没有这一期。")
    issue = Issue.objects.select_related("publication").filter(pk=kwargs.pop("issue_id")).first()
    if issue is None:
        raise Http404("没有这一期。")
    return Access(issue, EDITOR, {"issue_id": issue.pk}, request.user, None)


def previewed(
    view: Callable[Concatenate[HttpRequest, Access, P], HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """A preview view: resolves the door to an Access, and sends what every preview sends."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        access = _access(request, kwargs)
        response = view(request, access, *args, **kwargs)
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


# The pages the reader sees, shown in the preview's frame ---------------------------------------

# The pages below are shown inside the preview page, their only frame ancestor.


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
@require_GET
@previewed
def reader(request: HttpRequest, access: Access) -> HttpResponse:
    """The site's issue page of this Edition, its articles and images through this door."""
    return render_issue_page(request, access.edition(), reader_around(access))


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
@require_GET
@previewed
def reader_article(request: HttpRequest, access: Access, number: int) -> HttpResponse:
    """The site's page of the issue's n-th article, from this Edition."""
    return render_article_page(request, access.edition(), number, reader_around(access))


def reader_around(access: Access) -> IssueAround:
    """The site's pages around the previewed Edition, with every link kept behind this door."""

    def image_url(image: EditionImage) -> str:
        return access.url("file", filename=f"{image.checksum}{image.suffix}")

    return IssueAround(
        path=access.url("reader"),
        article_path=lambda number: access.url("reader-article", number=number),
        image_url=image_url,
        notice_public=access.issue.publication.notice_public,
    )


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF], "style-src": [SELF, UNSAFE_INLINE]})
@require_GET
@previewed
def print_html(request: HttpRequest, access: Access) -> HttpResponse:
    """The HTML WeasyPrint lays out, as it is (its own <style>, no script)."""
    edition = access.edition()
    names = {i.checksum: f"{i.checksum}{i.suffix}" for i in edition_images(edition)}
    try:
        html = edition_print_html(
            edition,
            proof=access.proof,
            image_url=lambda checksum: access.url("file", filename=names[checksum]),
        )
    except RenderError as exc:
        return HttpResponse(
            f"本期暂时无法排版：{exc}", content_type="text/plain; charset=utf-8", status=200
        )
    return HttpResponse(html)


@require_GET
@previewed
def file(request: HttpRequest, access: Access, filename: str) -> HttpResponse:
    """An image the issue's Edition names (the reader page's and the print HTML's)."""
    return edition_image_response(access.edition(), filename)


@require_GET
@previewed
def wechat_image(request: HttpRequest, access: Access, checksum: str) -> HttpResponse:
    """An image of the 公众号 articles, by the checksum of the bytes WeChat would get."""
    found = (
        preview_image(access.actor, access.issue.pk, checksum)
        if CHECKSUM.fullmatch(checksum)
        else None
    )
    if found is None:
        raise Http404("本期的公众号图文中没有这张图片。")
    content_type, data = found
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# The preview page: tabs over the reader's views ------------------------------------------------

TABS = (("web", "网页"), ("wechat", "公众号（手机）"), ("print", "印刷版（HTML）"), ("pdf", "PDF"))


@dataclass(frozen=True)
class PdfState:
    """The proof PDF of the Edition shown, as the PDF tab and its status endpoint report it."""

    status: str  # "none" when nobody has asked for it yet
    label: str
    detail: str
    url: str  # the PDF, once done

    @property
    def busy(self) -> bool:
        return self.status in (RenditionStatus.PENDING, RenditionStatus.RUNNING)


def pdf_state(access: Access, edition: Edition) -> PdfState:
    rendition = edition_rendition(access.issue.pk, edition, proof=access.proof)
    if rendition is None:
        return PdfState("none", "尚未生成", "点“生成 PDF”后在后台排版，本页显示进度。", "")
    detail = {
        RenditionStatus.PENDING: "已排队，等待排版……",
        RenditionStatus.RUNNING: "正在排版……",
        RenditionStatus.FAILED: f"生成失败：{rendition.error}",
        RenditionStatus.DONE: f"{rendition.page_count} 页，{filesizeformat(rendition.size or 0)}",
    }[RenditionStatus(rendition.status)]
    url = (
        access.url("pdf-file", rendition_id=rendition.pk)
        if rendition.status == RenditionStatus.DONE
        else ""
    )
    return PdfState(rendition.status, rendition.get_status_display(), detail, url)


def _chosen(request: HttpRequest, access: Access, edition: Edition) -> dict[str, Any]:
    """The article ``?article=`` chooses (or the whole issue), as every tab shows it."""
    chosen = request.GET.get("article", "")
    articles = [(f"article-{i:02d}", a) for i, a in enumerate(edition.articles, start=1)]
    anchor, article = next(((n, a) for n, a in articles if str(a.id) == chosen), ("", None))
    return {
        "access": access,
        "edition": edition,
        "articles": articles,
        "article": article,
        "query": f"?article={article.id}" if article else "",
        "anchor": f"#{anchor}" if anchor else "",
        "pdf_status_url": access.url("pdf-status"),
        "pdf_request_url": access.url("pdf-request"),
        "poll": OUTPUTS_POLL,
    }


def _page(request: HttpRequest, access: Access, tab: str) -> HttpResponse:
    edition = access.edition()
    context = _chosen(request, access, edition)
    article = context["article"]
    context.update(
        {
            "tab": tab,
            "tabs": [(name, label, access.url(name)) for name, label in TABS],
            # An article chosen opens on the site's page of that article.
            "reader_url": (
                access.url("reader-article", number=int(context["anchor"][len("#article-") :]))
                if context["anchor"]
                else access.url("reader")
            ),
            "print_url": access.url("print-html"),
            "admin_url": (
                reverse("admin:editorial_issue_change", args=[access.issue.pk])
                if access.link is None
                else ""
            ),
        }
    )
    if tab == "wechat":
        wechat = wechat_preview(access.actor, access.issue.pk)
        items = [
            i for i in wechat.items if article is None or i.review.article.article_id == article.id
        ]
        context.update(wechat=wechat, wechat_items=items)
    if tab == "pdf":
        context.update(pdf=pdf_state(access, edition))
    return render(request, "previews/preview.html", context)


@require_GET
@previewed
def web_page(request: HttpRequest, access: Access) -> HttpResponse:
    return _page(request, access, "web")


@require_GET
@previewed
def print_page(request: HttpRequest, access: Access) -> HttpResponse:
    return _page(request, access, "print")


@require_GET
@previewed
def pdf_page(request: HttpRequest, access: Access) -> HttpResponse:
    return _page(request, access, "pdf")


# The phone frames show WeChat's HTML as sent, <style> and all; the frame inherits the page's
# policy (as on the admin's 公众号 preview). Scripts still need the nonce.
@csp_replace({"style-src": [SELF, UNSAFE_INLINE]})
@require_GET
@previewed
def wechat_page(request: HttpRequest, access: Access) -> HttpResponse:
    return _page(request, access, "wechat")


# The PDF proof, rendered in the background -------------------------------------------------------


@require_POST
@previewed
def pdf_request(request: HttpRequest, access: Access) -> HttpResponseRedirect:
    """Ask for the proof of the Edition shown (an existing one is reused, a failed one retried)."""
    rendition_request(actor=access.actor, issue_id=access.issue.pk)
    query = (
        f"?article={request.POST['article']}" if request.POST.get("article", "").isdigit() else ""
    )
    return HttpResponseRedirect(access.url("pdf") + query)


@require_GET
@previewed
def pdf_status(request: HttpRequest, access: Access) -> HttpResponse:
    """The PDF tab's box alone, with the proof's state, for the box to replace itself with
    while the proof is being rendered."""
    edition = access.edition()
    context = {**_chosen(request, access, edition), "pdf": pdf_state(access, edition)}
    return render(request, "previews/_pdf_box.html", context)


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
@require_GET
@previewed
def pdf_file(request: HttpRequest, access: Access, rendition_id: int) -> HttpResponseBase:
    """The proof of the Edition shown (no other PDF of the issue), once rendered."""
    rendition = edition_rendition(access.issue.pk, access.edition(), proof=access.proof)
    if (
        rendition is None
        or rendition.pk != rendition_id
        or rendition.status != RenditionStatus.DONE
        or not rendition.file
    ):
        raise Http404("这份 PDF 尚未生成。")
    try:
        return file_response(
            rendition.file.storage, rendition.file.name, content_type="application/pdf"
        )
    except OSError as exc:
        raise Http404("PDF 文件已不在存储中，请重新生成。") from exc
