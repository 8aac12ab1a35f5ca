"""The article's workflow in the admin: transition buttons and bulk actions, the edit lock taken
on the first edit (or 开始编辑) through the lock endpoint and its take-over, the revision history
with diffs and restore, comments, and deletion through ``article_delete``. Every write is one
service call; these views parse and report.
"""

from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST
from reversion.models import Version

from editorial.diffs import FieldDiff, article_version_diff
from editorial.models import Article, Comment, EditLock
from editorial.richtext import quoted_title
from editorial.services.articles import article_delete, article_transition
from editorial.services.locks import live_lock, lock_acquire, lock_release, lock_take_over
from editorial.services.permissions import actor_roles
from editorial.services.policies import article_action_check, lock_take_over_check
from editorial.services.revisions import article_revision_restore, article_versions
from editorial.workflow import ARTICLE_TRANSITIONS, ISSUE_ARTICLES_OPEN

from .comments import CommentForm, comment_add_from_post, comment_thread, comments_for
from .common import error_list, local, viewable_object, who
from .confirmations import Confirmation, confirmation_response, is_confirmed
from .issue_workflow import approvals_voided
from .previews import preview_url
from .revisions import RevisionHistoryAdmin


@dataclass(frozen=True)
class ArticleButton:
    name: str
    label: str
    url: str


@dataclass(frozen=True)
class LockBanner:
    """Someone else started changing the article (the lock is taken on the first edit)."""

    holder: str
    since: str
    until: str
    taken_from: str | None
    may_take_over: bool
    url: str

    @property
    def text(self) -> str:
        how = (
            f"从 {self.taken_from} 手中接管了编辑锁"
            if self.taken_from
            else "对方开始修改这篇文章时取得了编辑锁"
        )
        return (
            f"{self.holder} 正在编辑（自 {self.since} 起）：{how}，"
            f"保存、离开页面或 {self.until} 前无操作即释放。"
        )


def lock_status(request: HttpRequest, lock: EditLock | None) -> str:
    """What the lock means for the person looking: theirs, or nobody's (someone else's is the
    banner's)."""
    if lock is not None and lock.holder_id == request.user.pk:
        return (
            f"您正在编辑（自 {local(lock.acquired_at):%H:%M} 起），其他人会看到提示；"
            f"保存、离开本页或 {local(lock.expires_at):%H:%M} 前无操作即释放。"
        )
    return "打开文章不会锁定它；您开始修改（或点“开始编辑”）时取得编辑锁，其他人会看到您正在编辑。"


def article_buttons(request: HttpRequest, article: Article) -> list[ArticleButton]:
    """The article transitions the user may take now (none once the issue is with the board)."""
    return [
        ArticleButton(
            t.name,
            t.label,
            reverse("admin:editorial_article_transition", args=[article.pk, t.name]),
        )
        for t in ARTICLE_TRANSITIONS.values()
        if article_action_check(request.user, article, article.issue, t.name).allowed
    ]


def lock_banner(request: HttpRequest, article: Article, lock: EditLock | None) -> LockBanner | None:
    """Someone else's live lock (``live_lock``), as the others see it."""
    if lock is None or lock.holder_id == request.user.pk:
        return None
    return LockBanner(
        holder=who(lock.holder),
        since=f"{local(lock.acquired_at):%H:%M}",
        until=f"{local(lock.expires_at):%H:%M}",
        taken_from=who(lock.taken_from) if lock.taken_from else None,
        may_take_over=lock_take_over_check(request.user).allowed,
        url=reverse("admin:editorial_article_take_over", args=[article.pk]),
    )


def take_over_confirmation(article: Article, lock: EditLock) -> Confirmation:
    holder = who(lock.holder)
    told = (
        f"{holder} 会收到通知。"
        if lock.holder.email
        else f"{holder} 没有登记电子邮箱，收不到通知，请另行告知。"
    )
    return Confirmation(
        title=f"确认接管{quoted_title(article.title)}",
        button="确认接管",
        consequences=[
            f"{holder} 自 {local(lock.acquired_at):%H:%M} 起正在编辑这篇文章；"
            "接管后编辑锁转给您，对方页面上未保存的修改可能与您的修改冲突。",
            told,
        ],
        danger=True,
    )


def stale_changes(article: Article, base_version: int | None) -> list[FieldDiff] | None:
    """What others changed since the version an editor opened, or None when unknown."""
    if base_version is None:
        return None
    versions = article_versions(article)
    base = next((v for v in versions if v.field_dict.get("lock_version") == base_version), None)
    if base is None or not versions or versions[0].pk == base.pk:
        return None
    return article_version_diff(base, versions[0])


class ArticleWorkflowAdmin(RevisionHistoryAdmin):
    """The workflow views and actions of the article admin (``ArticleAdmin`` inherits them)."""

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:article_id>/transition/<str:name>/",
                wrap(require_POST(self.transition_view)),
                name="editorial_article_transition",
            ),
            path(
                "<int:article_id>/lock/",
                wrap(require_POST(self.lock_view)),
                name="editorial_article_lock",
            ),
            path(
                "<int:article_id>/take-over/",
                wrap(require_POST(self.take_over_view)),
                name="editorial_article_take_over",
            ),
            path(
                "<int:article_id>/comments/",
                wrap(require_POST(self.comment_view)),
                name="editorial_article_comment",
            ),
            *super().get_urls(),
        ]

    def _article_or_404(self, request: HttpRequest, article_id: int) -> Article:
        return viewable_object(self, request, article_id, "没有这篇文章。")

    @staticmethod
    def _change_url(article: Article | int) -> str:
        pk = article.pk if isinstance(article, Article) else article
        return reverse("admin:editorial_article_change", args=[pk])

    def transition_view(self, request: HttpRequest, article_id: int, name: str) -> HttpResponse:
        article = self._article_or_404(request, article_id)
        if name not in ARTICLE_TRANSITIONS:
            raise Http404("没有这个操作。")
        label = ARTICLE_TRANSITIONS[name].label
        try:
            article = article_transition(actor=request.user, article_id=article.pk, name=name)
        except ValidationError as exc:
            messages.error(request, error_list(f"“{label}”未执行：", exc.messages))
        else:
            state = article.get_status_display()
            messages.success(
                request, f"已执行“{label}”：{quoted_title(article.title)}现为“{state}”。"
            )
        return HttpResponseRedirect(self._change_url(article))

    def lock_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        """The editor started changing the article (its page's first edit, a renewal while they
        type, or 开始编辑): take or renew the lock; ``release=1``: they left the page. Answers
        the page's script in JSON, a person without it with a message on the article.
        """
        article = self._article_or_404(request, article_id)
        script = "application/json" in request.headers.get("Accept", "")
        if request.POST.get("release") == "1":
            lock_release(actor=request.user, article=article)
            return JsonResponse({"mine": False})
        try:
            lock_acquire(actor=request.user, article=article)
        except ValidationError as exc:
            if script:
                return JsonResponse({"mine": False, "text": " ".join(exc.messages)}, status=409)
            messages.error(request, error_list("未能开始编辑：", exc.messages))
            return HttpResponseRedirect(self._change_url(article))
        lock = live_lock(article.pk)
        banner = lock_banner(request, article, lock)
        text = banner.text if banner is not None else lock_status(request, lock)
        if script:
            return JsonResponse({"mine": banner is None, "text": text})
        (messages.warning if banner else messages.success)(request, text)
        return HttpResponseRedirect(self._change_url(article))

    def take_over_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        article = self._article_or_404(request, article_id)
        lock = live_lock(article.pk)
        holder = lock.holder if lock is not None and lock.holder_id != request.user.pk else None
        allowed = lock_take_over_check(request.user).allowed
        if holder is not None and allowed and not is_confirmed(request):
            return confirmation_response(
                request,
                self.admin_site,
                take_over_confirmation(article, cast(EditLock, lock)),
                back=self._change_url(article),
            )
        lock_take_over(actor=request.user, article=article)
        told = (
            "原编辑人会收到通知。"
            if holder is None or holder.email
            else f"{who(holder)} 没有登记电子邮箱，收不到通知，请另行告知。"
        )
        messages.success(request, f"您已接管{quoted_title(article.title)}的编辑；{told}")
        return HttpResponseRedirect(self._change_url(article))

    # The 修订历史 page (RevisionHistoryAdmin): versions, diffs, restore by the service.

    revisions_noun = "这篇文章"

    def object_versions(self, obj: Article) -> list[Version]:
        return article_versions(obj)

    def version_diff(self, old: Version, new: Version) -> list[FieldDiff]:
        return article_version_diff(old, new)

    def revision_restore(self, request: HttpRequest, obj: Article, version_id: int) -> Article:
        return article_revision_restore(
            actor=request.user, article_id=obj.pk, version_id=version_id
        )

    def restore_warnings(self, obj: Article) -> list[str]:
        return approvals_voided(obj.issue)

    def restored_message(self, obj: Article) -> str:
        return f"已将{quoted_title(obj.title)}恢复到所选版本（保存为新的一版）。"

    def comment_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        article = self._article_or_404(request, article_id)
        back = self._change_url(article) + "#comments"
        return comment_add_from_post(request, issue=article.issue, article=article, back=back)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Article | None = None,
    ) -> HttpResponse:
        """Opening an article takes no lock: its page's script takes it on the first edit."""
        if obj is not None and obj.pk is not None:
            lock = live_lock(obj.pk)
            admin_form = context.get("adminform")
            stale_base = getattr(getattr(admin_form, "form", None), "stale_base", None)
            context.update(
                {
                    "lock_banner": lock_banner(request, obj, lock),
                    "lock_status": lock_status(request, lock),
                    "lock_mine": lock is not None and lock.holder_id == request.user.pk,
                    "lock_url": reverse("admin:editorial_article_lock", args=[obj.pk])
                    if self.has_change_permission(request, obj)
                    else None,
                    # Renewed while the editor types, well before the lock would run out.
                    "lock_renew_seconds": max(settings.DIGEST_EDIT_LOCK_SECONDS // 6, 5),
                    "article_buttons": article_buttons(request, obj),
                    "articles_open": obj.issue.status in ISSUE_ARTICLES_OPEN,
                    "revisions_url": self.revisions_url(obj),
                    "preview_url": preview_url(request, obj.issue_id, obj.pk),
                    "stale_changes": stale_changes(obj, stale_base),
                    "comment_thread": comment_thread(comments_for(obj.issue, obj)),
                    "comment_form": CommentForm(auto_id="id_comment_%s"),
                    "comment_url": reverse("admin:editorial_article_comment", args=[obj.pk]),
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request: HttpRequest, obj: Article) -> HttpResponse:
        """Saved: the editor is done with the article for now, so others need not wait."""
        lock_release(actor=request.user, article=obj)
        return super().response_change(request, obj)

    # Deleting goes through article_delete: published issues refuse, approvals are told.

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """Comments and the edit lock go with the article; they need no permission of their own
        (the admin keeps them read-only, and ``article_delete`` decides).
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        workflow_rows = {str(m._meta.verbose_name) for m in (Comment, EditLock)}
        return deleted, counts, set(perms_needed) - workflow_rows, protected

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        article_delete(actor=request.user, article_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Each article through ``article_delete``; each refusal is reported, the rest go."""
        deleted = []
        for article in queryset.select_related("issue").order_by("issue", "position", "pk"):
            try:
                article_delete(actor=request.user, article_id=article.pk)
            except (PermissionDenied, ValidationError) as exc:
                reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                messages.error(
                    request, error_list(f"{quoted_title(article.title)}未删除：", reasons)
                )
            else:
                deleted.append(quoted_title(article.title))
        if deleted:
            messages.success(request, f"已删除 {len(deleted)} 篇文章：{'、'.join(deleted)}。")

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            messages.error(request, error_list("文章未删除：", exc.messages))
            return HttpResponseRedirect(reverse("admin:editorial_article_change", args=[object_id]))

    @admin.action(description="删除所选的文章", permissions=["delete"])
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> Any:
        """Django's confirmation page, then ``delete_queryset`` with a report per article."""
        if not request.POST.get("post"):
            return django_delete_selected(self, request, queryset)
        self.delete_queryset(request, queryset)
        return None

    # Bulk transitions on the changelist.

    def _may(self, request: HttpRequest, name: str) -> bool:
        return bool(actor_roles(request.user) & ARTICLE_TRANSITIONS[name].roles)

    def has_start_edit_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "start_edit")

    def has_mark_ready_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "mark_ready")

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Article], name: str) -> None:
        label = ARTICLE_TRANSITIONS[name].label
        done = []
        for article in queryset.order_by("issue", "position", "pk"):
            try:
                article_transition(actor=request.user, article_id=article.pk, name=name)
            except (PermissionDenied, ValidationError) as exc:
                reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                messages.error(request, error_list(f"{quoted_title(article.title)}：", reasons))
            else:
                done.append(quoted_title(article.title))
        if done:
            messages.success(request, f"“{label}”已执行 {len(done)} 篇：{'、'.join(done)}。")

    @admin.action(description="开始编辑所选的文章", permissions=["start_edit"])
    def start_edit_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._bulk(request, queryset, "start_edit")

    @admin.action(description="定稿所选的文章", permissions=["mark_ready"])
    def mark_ready_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._bulk(request, queryset, "mark_ready")
