"""The issue's workflow in the admin: the 工作流 panel, its transition URLs, bulk actions.

Each transition is a POST to ``<id>/transition/<name>/``: the view parses the small form the
transition needs (a comment, a reason, a time in Beijing time) and calls the one service that
performs it. The services check the table and the actor; a refusal comes back as a message
(or as 403 when the actor may not take the transition at all), and leaves nothing changed.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from editorial.models import Approval, AuditEntry, Issue, Subscriber, SubscriberStatus
from editorial.preflight import Finding, Level, issue_preflight, preflight_findings
from editorial.services.approvals import SignOffState, sign_off_state
from editorial.services.issue_actions import issue_take
from editorial.services.issue_transitions import PreflightRefused
from editorial.services.notifications import notifications_unmailed
from editorial.services.permissions import Actor, may_take
from editorial.services.policies import issue_action_check
from editorial.workflow import ISSUE_TRANSITIONS, ISSUE_UNDER_SIGN_OFF, IssueStatus

from . import my_work
from .comments import CommentForm, comment_add_from_post, comment_thread, comments_for
from .common import SHANGHAI, error_list, local, state_change, viewable_object, who
from .confirmations import Confirmation, confirmation_response, is_confirmed

AUDIT_ON_PAGE = 50


class ShanghaiDateTimeField(forms.DateTimeField):
    """A date and time typed in Beijing time, whatever zone the request runs in."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value: Any) -> datetime.datetime | None:
        with timezone.override(SHANGHAI):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return local(value).replace(tzinfo=None)
        return value


class OptionalCommentForm(forms.Form):
    comment = forms.CharField(
        label="意见（可选）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
    )


class RequiredCommentForm(forms.Form):
    comment = forms.CharField(
        label="退回意见",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        error_messages={"required": "请填写退回意见。"},
    )


class ScheduleForm(forms.Form):
    at = ShanghaiDateTimeField(
        label="发布时间（北京时间）", error_messages={"required": "请填写发布时间。"}
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="勘误原因",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        error_messages={"required": "请说明勘误原因。"},
    )


@dataclass(frozen=True)
class IssueStep:
    """What the admin needs to take one action: its input form; the action itself is the
    service-layer table ``services.issue_actions.ISSUE_ACTIONS`` that the API uses too."""

    form: type[forms.Form] | None
    name: str

    def run(self, actor: Actor, issue_id: int, data: dict[str, Any]) -> object:
        return issue_take(actor=actor, issue_id=issue_id, name=self.name, data=data)


_FORMS: dict[str, type[forms.Form] | None] = {
    "start_edit": None,
    "submit": None,
    "request_changes": RequiredCommentForm,
    "withdraw": OptionalCommentForm,
    "approve": OptionalCommentForm,
    "schedule": ScheduleForm,
    "unschedule": None,
    "publish": None,
    "correct": ReasonForm,
}
ISSUE_STEPS: dict[str, IssueStep] = {name: IssueStep(form, name) for name, form in _FORMS.items()}


@dataclass(frozen=True)
class Button:
    name: str
    label: str
    url: str
    form: forms.Form | None
    danger: bool = False
    primary: bool = False


# Which action leads when several are offered: the one that moves the issue forward, first and
# prominent; the ones that send it back come last, in red.
_LEADING = ("publish", "approve", "submit", "start_edit", "correct", "schedule", "unschedule")
_SENDING_BACK = ("request_changes", "withdraw")


@dataclass(frozen=True)
class FindingRow:
    """A pre-flight finding with the one link that leads to what to fix."""

    finding: Finding

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def url(self) -> str:
        ids = self.finding.article_ids
        if len(ids) == 1:
            return reverse("admin:editorial_article_change", args=[ids[0]])
        if ids:
            listed = ",".join(str(i) for i in ids)
            return reverse("admin:editorial_article_changelist") + f"?id__in={listed}"
        return ""

    @property
    def link_text(self) -> str:
        count = len(self.finding.article_ids)
        return "打开文章" if count == 1 else f"查看这 {count} 篇文章"

    def as_html(self) -> SafeString:
        if not self.url:
            return format_html("{}", self.message)
        return format_html('{} <a href="{}">{}</a>', self.message, self.url, self.link_text)


def refusal_message(label: str, exc: ValidationError) -> SafeString:
    """A refused action as one error: what was not done and each distinct reason once, a
    pre-flight reason with its link."""
    title = f"“{label}”未执行："
    if isinstance(exc, PreflightRefused):
        return error_list(title, [FindingRow(f).as_html() for f in exc.findings])
    return error_list(title, exc.messages)


@dataclass(frozen=True)
class ApprovalRow:
    approval: Approval

    @property
    def approver(self) -> str:
        return who(self.approval.approver)


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry

    @property
    def actor(self) -> str:
        return who(self.entry.actor)

    @property
    def states(self) -> str:
        return state_change(self.entry)


@dataclass(frozen=True)
class SignOff:
    """The approvals of an issue, and how far its sign-off has come (counted by the service)."""

    approvals: list[ApprovalRow]
    state: SignOffState


def transition_buttons(
    request: HttpRequest, issue: Issue, approvals: list[Approval], *, corrected: bool
) -> list[Button]:
    """The transitions the user may take now, each with its form: those the decision allows."""
    allowed = [
        name
        for name in (*_LEADING, *_SENDING_BACK)
        if issue_action_check(
            request.user, issue, name, approvals=approvals, corrected=corrected
        ).allowed
    ]
    buttons = []
    for name in allowed:
        step = ISSUE_STEPS[name]
        form = step.form(auto_id=f"id_{name}_%s") if step.form else None
        if isinstance(form, ScheduleForm):
            form.fields["at"].initial = _next_full_hour()
        buttons.append(
            Button(
                name=name,
                label=ISSUE_TRANSITIONS[name].label,
                url=reverse("admin:editorial_issue_transition", args=[issue.pk, name]),
                form=form,
                danger=name in _SENDING_BACK,
                # 勘误 leads on a published issue, but is no call to action.
                primary=name == allowed[0] and name not in (*_SENDING_BACK, "correct"),
            )
        )
    return buttons


_PUBLISHING = (
    "本期将在公开网站上线，并开始生成供读者下载的定稿 PDF。",
    "发布后不能撤回；之后的修改只能通过“勘误”开启修订版。",
)


def _mailed() -> str:
    """Who the e-mail edition goes to on publication: the confirmed subscribers, frozen then."""
    count = Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED).count()
    return f"已确认的 {count} 位订阅者将收到本期的电子邮件版。"


def _dated_in_the_past(issues: list[Issue]) -> list[str]:
    today = local(timezone.now()).date()
    return [
        f"{issue.label}的日期 {issue.date:%Y-%m-%d} 早于今天（{today:%Y-%m-%d}），请确认日期无误。"
        for issue in issues
        if issue.date < today
    ]


def publish_selected_confirmation(issues: list[Issue]) -> Confirmation:
    return Confirmation(
        title=f"确认发布所选的 {len(issues)} 期",
        button="确认发布",
        consequences=[f"将发布：{'、'.join(i.label for i in issues)}。", *_PUBLISHING, _mailed()],
        warnings=_dated_in_the_past(issues),
    )


def approvals_voided(issue: Issue) -> list[str]:
    """The warning before a change that voids the issue's live approvals, naming whose; none
    when there are none to void."""
    approvals = issue.approvals.filter(invalidated_at__isnull=True).select_related(
        "approver__person"
    )
    names = [who(a.approver) for a in approvals.order_by("created_at", "pk")]
    if not names:
        return []
    return [f"{'、'.join(names)} 的批准将失效：修改后本期需编委重新批准，批准人会收到通知。"]


class _AskFirst(Exception):  # noqa: N818 - not an error: the page that asks
    """Raised inside the change form's transaction, so that nothing it saved stays."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


class ApprovalsGuardAdmin(admin.ModelAdmin):
    """A change form whose save would void an issue's approvals asks first, naming them: the
    save raises before any service runs (or rolls back what ran, with the admin's whole
    transaction), and the confirmation page posts the same form again with ``confirmed``.

    After a save, the people told only in 我的通知 (no e-mail address) are named.
    """

    def approvals_guard(self, request: HttpRequest, issue: Issue, what: str) -> None:
        """Call in save_model/save_related before the services that change ``issue``."""
        warnings = [] if is_confirmed(request) else approvals_voided(issue)
        if warnings:
            confirmation = Confirmation(
                title=f"确认保存：{what}",
                button="确认保存",
                consequences=[f"将保存对“{what}”的修改，本期回到审核中，需重新批准。"],
                warnings=warnings,
            )
            back = request.get_full_path()
            raise _AskFirst(
                confirmation_response(request, self.admin_site, confirmation, back=back)
            )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        since = timezone.now()
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
        except _AskFirst as ask:
            return ask.response
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            unmailed_warning(request, since=since)
        return response


def unmailed_warning(
    request: HttpRequest, *, since: datetime.datetime, issue: Issue | None = None
) -> None:
    """Name those whom what ``request`` just did told in 我的通知 only (no e-mail address)."""
    names = notifications_unmailed(since=since, issue=issue)
    if names:
        messages.warning(request, f"{'、'.join(names)} 没有登记电子邮箱，只收到站内通知。")


def transition_confirmation(name: str, issue: Issue, data: dict[str, Any]) -> Confirmation | None:
    """What the confirmation page says before an action that cannot simply be undone; None for
    the others, which run at once."""
    voided = approvals_voided(issue)
    scheduled = (
        [f"已排定的发布时间（{local(issue.scheduled_at):%Y-%m-%d %H:%M}，北京时间）将取消。"]
        if issue.scheduled_at
        else []
    )
    if name == "publish":
        return Confirmation(
            title=f"确认发布 {issue.label}",
            button="确认发布",
            consequences=[*_PUBLISHING, _mailed()],
            warnings=_dated_in_the_past([issue]),
        )
    if name == "withdraw":
        return Confirmation(
            title=f"确认撤回 {issue.label}",
            button="确认撤回",
            consequences=["本期将回到“编辑中”。", *voided, *scheduled],
            danger=True,
        )
    if name == "request_changes":
        return Confirmation(
            title=f"确认退回 {issue.label}",
            button="确认退回",
            consequences=[
                "本期将退回“编辑中”，由编辑修改后重新提交。",
                *voided,
                f"退回意见将记入评论：{data.get('comment', '')}",
            ],
            danger=True,
        )
    if name == "correct":
        return Confirmation(
            title=f"确认开启勘误修订 {issue.label}",
            button="确认开启勘误修订",
            consequences=[
                f"将开启勘误修订版（第 {issue.revision + 1} 版），从已发布的内容开始修改，"
                "经编委批准后发布。",
                "修订版发布前，读者看到的仍是当前版本；发布后当前版本标为“已被取代”。",
                f"勘误原因：{data.get('reason', '')}",
            ],
        )
    return None


def _next_full_hour() -> datetime.datetime:
    now = local(timezone.now())
    return now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(hours=1)


def issue_panel_context(request: HttpRequest, issue: Issue, exported: Issue) -> dict[str, Any]:
    """Everything the 工作流 panel and the thread below the form show, in a fixed number of
    queries whatever the number of articles, approvals, comments and audit rows; ``exported``
    is the issue as ``issue_for_edition`` loads it, shared with the 输出 panel.
    """
    approvals = list(
        issue.approvals.select_related("approver__person").order_by("created_at", "id")
    )
    findings = preflight_findings(issue_preflight(exported))
    user = request.user
    correction = None
    if issue.status in {IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED}:
        correction = Issue.objects.filter(corrects=issue).first()
    return {
        "workflow_issue": issue,
        # One correction per issue: once there is one, the panel links to it instead.
        "workflow_buttons": transition_buttons(
            request, issue, approvals, corrected=correction is not None
        ),
        "my_approval": next(
            (a for a in approvals if a.is_valid and a.approver_id == user.pk), None
        ),
        "scheduled_local": local(issue.scheduled_at) if issue.scheduled_at else None,
        "preflight_blocking": [FindingRow(f) for f in findings if f.level == Level.BLOCK],
        "preflight_warnings": [FindingRow(f) for f in findings if f.level == Level.WARN],
        "sign_off": SignOff([ApprovalRow(a) for a in approvals], sign_off_state(issue, approvals)),
        "under_sign_off": issue.status in ISSUE_UNDER_SIGN_OFF,
        "correction": correction,
        "comment_thread": comment_thread(comments_for(issue)),
        "comment_form": CommentForm(auto_id="id_comment_%s"),
        "comment_url": reverse("admin:editorial_issue_comment", args=[issue.pk]),
        "audit_rows": [
            AuditRow(entry)
            for entry in AuditEntry.objects.filter(issue=issue)
            .select_related("actor__person")
            .order_by("-created_at", "-id")[:AUDIT_ON_PAGE]
        ],
        "audit_url": reverse("admin:editorial_auditentry_changelist") + f"?issue_id={issue.pk}",
        "audit_on_page": AUDIT_ON_PAGE,
    }


def success_message(name: str, issue: Issue, result: object) -> str:
    if name == "approve":
        if issue.status == IssueStatus.APPROVED:
            return "已批准：本期签发完成，现为“已批准”。"
        state = sign_off_state(issue, issue.approvals.all())
        return f"已记录您的批准（编委 {state.board_count} / {state.quorum}），还需其他编委批准。"
    if name == "correct" and isinstance(result, Issue):
        return f"已开启勘误修订：{result}，现为“{result.get_status_display()}”。"
    if name == "schedule" and issue.scheduled_at is not None:
        return f"已排期：本期将于 {local(issue.scheduled_at):%Y-%m-%d %H:%M}（北京时间）发布。"
    label = ISSUE_TRANSITIONS[name].label
    return f"已执行“{label}”：本期现为“{issue.get_status_display()}”。"


class IssueWorkflowAdmin(admin.ModelAdmin):
    """The workflow views and actions of the issue admin (``IssueAdmin`` inherits them)."""

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:issue_id>/transition/<str:name>/",
                wrap(require_POST(self.transition_view)),
                name="editorial_issue_transition",
            ),
            path(
                "<int:issue_id>/comments/",
                wrap(require_POST(self.comment_view)),
                name="editorial_issue_comment",
            ),
            path("my-work/", wrap(self.my_work_view), name="editorial_my_work"),
            *super().get_urls(),
        ]

    def _issue_or_404(self, request: HttpRequest, issue_id: int) -> Issue:
        return viewable_object(self, request, issue_id, "没有这一期。")

    def transition_view(self, request: HttpRequest, issue_id: int, name: str) -> HttpResponse:
        issue = self._issue_or_404(request, issue_id)
        step = ISSUE_STEPS.get(name)
        if step is None:
            raise Http404("没有这个操作。")
        back = reverse("admin:editorial_issue_change", args=[issue.pk])
        label = ISSUE_TRANSITIONS[name].label
        data: dict[str, Any] = {}
        if step.form is not None:
            form = step.form(request.POST)
            if not form.is_valid():
                reasons = [m for errors in form.errors.values() for m in errors]
                messages.error(request, error_list(f"“{label}”未执行：", reasons))
                return HttpResponseRedirect(back)
            data = form.cleaned_data
        # Ask first, but only someone who may take the action: the others get the refusal.
        confirmation = transition_confirmation(name, issue, data)
        if (
            confirmation is not None
            and not is_confirmed(request)
            and issue_action_check(request.user, issue, name).allowed
        ):
            return confirmation_response(request, self.admin_site, confirmation, back=back)
        since = timezone.now()
        try:
            result = step.run(request.user, issue.pk, data)
        except ValidationError as exc:
            messages.error(request, refusal_message(label, exc))
            return HttpResponseRedirect(back)
        issue.refresh_from_db()
        messages.success(request, success_message(name, issue, result))
        unmailed_warning(request, since=since, issue=issue)
        if name == "correct" and isinstance(result, Issue):
            return HttpResponseRedirect(reverse("admin:editorial_issue_change", args=[result.pk]))
        return HttpResponseRedirect(back)

    def comment_view(self, request: HttpRequest, issue_id: int) -> HttpResponse:
        issue = self._issue_or_404(request, issue_id)
        back = reverse("admin:editorial_issue_change", args=[issue.pk]) + "#comments"
        return comment_add_from_post(request, issue=issue, article=None, back=back)

    def my_work_view(self, request: HttpRequest) -> HttpResponse:
        return my_work.my_work_response(request, self.admin_site)

    # Bulk transitions on the changelist: one service call per issue, each reported.

    def _may(self, request: HttpRequest, name: str) -> bool:
        return may_take(request.user, ISSUE_TRANSITIONS[name])

    def has_start_edit_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "start_edit")

    def has_submit_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "submit")

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return self._may(request, "publish")

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Issue], name: str) -> None:
        step = ISSUE_STEPS[name]
        label = ISSUE_TRANSITIONS[name].label
        done = []
        for issue in queryset.order_by("publication", "-total_number"):
            try:
                step.run(request.user, issue.pk, {})
            except (PermissionDenied, ValidationError) as exc:
                reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                messages.error(request, error_list(f"{issue.label}：“{label}”未执行：", reasons))
            else:
                done.append(issue.label)
        if done:
            messages.success(request, f"“{label}”已执行 {len(done)} 期：{'、'.join(done)}。")

    @admin.action(description="开始编辑所选的期", permissions=["start_edit"])
    def start_edit_selected(self, request: HttpRequest, queryset: QuerySet[Issue]) -> None:
        self._bulk(request, queryset, "start_edit")

    @admin.action(description="提交审核所选的期", permissions=["submit"])
    def submit_selected(self, request: HttpRequest, queryset: QuerySet[Issue]) -> None:
        self._bulk(request, queryset, "submit")

    @admin.action(description="发布所选的期", permissions=["publish"])
    def publish_selected(
        self, request: HttpRequest, queryset: QuerySet[Issue]
    ) -> HttpResponse | None:
        if not is_confirmed(request):
            issues = list(queryset.order_by("publication", "-total_number"))
            confirmation = publish_selected_confirmation(issues)
            back = request.get_full_path()
            return confirmation_response(request, self.admin_site, confirmation, back=back)
        self._bulk(request, queryset, "publish")
        return None
