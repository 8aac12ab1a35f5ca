"""May this actor do this now? One decision per action, asked by everyone.

The services refuse with these decisions (``Decision.require``); the admin's buttons, the 输出
panel, 我的待办 and the API show with them — so no interface keeps a second copy of a rule.
Each decision looks at who first, then at the state: a refused person learns nothing about the
issue. The decisions read only what they are given (no queries), so a page can ask for every
action of every row it lists.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from editorial.models import Approval, Article, Issue, WechatPush, WechatPushStatus
from editorial.richtext import quoted_title
from editorial.roles import Role
from editorial.workflow import (
    ARTICLE_TRANSITIONS,
    ISSUE_ARTICLES_OPEN,
    ISSUE_EDITABLE,
    ISSUE_TRANSITIONS,
    PERMISSIONS,
    IssueStatus,
    Permission,
)

from .permissions import Actor, actor_roles, may_take

FORBIDDEN = "forbidden"  # the refusal of a person, as opposed to one of the state
IN_PROGRESS = "in_progress"  # the WeChat job asked for is already under way


@dataclass(frozen=True)
class Decision:
    """Allowed, or refused with the reason an editor reads and a code for the interfaces."""

    allowed: bool
    reason: str = ""
    code: str = ""

    def require(self, refused: type[ValidationError] = ValidationError) -> None:
        """Raise what the service raises: PermissionDenied for the person, ``refused`` else."""
        if self.allowed:
            return
        if self.code == FORBIDDEN:
            raise PermissionDenied(self.reason)
        raise refused(self.reason, code=self.code)


ALLOWED = Decision(True)


def _refused(reason: str, code: str) -> Decision:
    return Decision(False, reason, code)


# Reading ------------------------------------------------------------------------------------


def may_read_unpublished(actor: Actor) -> bool:
    """Whether ``actor`` may read what is not published (drafts, issues in review, comments,
    renditions, the shared records): editorial staff, who hold the view permission. Anyone
    else reads published issues and their articles only."""
    return (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.has_perm("editorial.view_issue")
    )


# Issues -------------------------------------------------------------------------------------


def issue_action_check(
    actor: Actor,
    issue: Issue,
    name: str,
    *,
    approvals: Iterable[Approval] | None = None,
    corrected: bool = False,
) -> Decision:
    """Whether ``actor`` may take the issue transition ``name`` now.

    ``approvals``: the issue's approvals, to refuse a second approval of the same content (not
    asked when None, as when the approval was just recorded); ``corrected``: the issue already
    has a correction. What the input must hold (a comment, a time) is the service's to check.
    """
    transition = ISSUE_TRANSITIONS.get(name)
    if transition is None:
        return _refused(f"没有这个操作：{name}", "unknown")
    if not may_take(actor, transition):
        return _refused(f"{actor} 不能执行“{transition.label}”。", FORBIDDEN)
    if name == "approve" and (actor is None or not actor.is_authenticated):
        return _refused("批准必须由具体的人作出。", "anonymous")
    if issue.status not in transition.sources:
        return _refused(
            f"“{transition.label}”不能用于{issue.get_status_display()}状态的期。", "wrong_state"
        )
    if name == "approve" and approvals is not None and actor is not None:
        if any(a.is_valid and a.approver_id == actor.pk for a in approvals):
            return _refused("您已批准过本期的当前内容。", "duplicate")
    if name == "correct" and corrected:
        return _refused("本期已有一个修订版。", "correction_exists")
    return ALLOWED


def issue_available_actions(
    actor: Actor, issue: Issue, *, approvals: Iterable[Approval], corrected: bool
) -> list[str]:
    """The transitions ``actor`` may take on ``issue`` now, in table order."""
    approvals = list(approvals)
    return [
        name
        for name in ISSUE_TRANSITIONS
        if issue_action_check(actor, issue, name, approvals=approvals, corrected=corrected).allowed
    ]


# Articles -----------------------------------------------------------------------------------


def is_assigned(actor: Actor, article: Article) -> bool:
    editor = article.responsible_editor
    return actor is not None and editor is not None and editor.user_id == actor.pk


def issue_editable_check(issue: Issue) -> Decision:
    """Whether the issue's content may still change (approvals then stop counting)."""
    if issue.status not in ISSUE_EDITABLE:
        return _refused(
            f"{issue.get_status_display()}的期不能修改；已发布的期请开启勘误修订。", "not_editable"
        )
    return ALLOWED


def article_edit_check(
    actor: Actor, article: Article, issue: Issue, *, layout: bool = False
) -> Decision:
    """Whether ``actor`` may change the article's text (or, ``layout``, only its layout) now."""
    permission = PERMISSIONS["edit_layout" if layout else "edit_article"]
    if actor is not None:
        roles = actor_roles(actor) & permission.roles
        if not actor.has_perm("editorial.change_article"):
            roles = frozenset()
        if not roles or not (is_assigned(actor, article) or roles - permission.assigned_only):
            return _refused(f"{actor} 不能修改{quoted_title(article.title)}。", FORBIDDEN)
    return issue_editable_check(issue)


def article_action_check(actor: Actor, article: Article, issue: Issue, name: str) -> Decision:
    """Whether ``actor`` may take the article transition ``name`` now."""
    transition = ARTICLE_TRANSITIONS[name]
    if not may_take(actor, transition, assigned=is_assigned(actor, article)):
        return _refused(f"{actor} 不能执行“{transition.label}”。", FORBIDDEN)
    editable = issue_editable_check(issue)
    if not editable.allowed:
        return editable
    if issue.status not in ISSUE_ARTICLES_OPEN:
        return _refused(
            f"本期{issue.get_status_display()}，文章状态不能变更；请先撤回或由编委退回修改。",
            "issue_not_open",
        )
    if article.status not in transition.sources:
        return _refused(
            f"“{transition.label}”不能用于{article.get_status_display()}状态的文章。",
            "wrong_state",
        )
    return ALLOWED


def lock_take_over_check(actor: Actor) -> Decision:
    """Whether ``actor`` may take over another editor's lock (a logged-in person only)."""
    permission = PERMISSIONS["take_over_lock"]
    if actor is None or not actor.is_authenticated or not actor_roles(actor) & permission.roles:
        return _refused(f"只有{_roles_text(permission)}可以{permission.label}。", FORBIDDEN)
    return ALLOWED


# Previews ------------------------------------------------------------------------------------


def issue_preview_check(actor: Actor) -> Decision:
    """Whether ``actor`` may preview issues (unpublished content included): a logged-in, active
    person who may view issues. Refused people get the answer a missing page gives."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return _refused("请先登录。", FORBIDDEN)
    if not actor.has_perm("editorial.view_issue"):
        return _refused(f"{actor} 不能预览期。", FORBIDDEN)
    return ALLOWED


def preview_link_check(actor: Actor) -> Decision:
    """Whether ``actor`` may create (or revoke) preview links of the issues they may preview."""
    preview = issue_preview_check(actor)
    if not preview.allowed:
        return preview
    permission = PERMISSIONS["share_preview"]
    if not actor_roles(actor) & permission.roles:
        return _refused(f"只有{_roles_text(permission)}可以{permission.label}。", FORBIDDEN)
    return ALLOWED


# WeChat -------------------------------------------------------------------------------------

P = WechatPushStatus


def _who(actor: Actor, permission: Permission) -> Decision:
    if actor is not None and not actor_roles(actor) & permission.roles:
        return _refused(f"{permission.label}须由{_roles_text(permission)}操作。", FORBIDDEN)
    return ALLOWED


def wechat_issue_check(issue: Issue, name: str) -> Decision:
    """Whether the issue itself may go to WeChat (``name``: wechat_push or wechat_publish):
    asked again by the task, since the issue may change while the job waits."""
    states = PERMISSIONS[name].states
    if not issue.publication.wechat_push_enabled:
        return _refused(f"刊物“{issue.publication}”未开启公众号推送。", "wechat_disabled")
    if issue.status not in states:
        allowed = "、".join(IssueStatus(s).label for s in sorted(states))
        return _refused(
            f"{issue.get_status_display()}状态的期不能推送到公众号（须为{allowed}）。",
            "wrong_state",
        )
    return ALLOWED


def wechat_submitted(push: WechatPush) -> bool:
    """Whether the push's drafts were submitted for publishing: they may no longer change."""
    return push.status in (P.PUBLISHING, P.PUBLISHED) or any(push.publish_ids)


def wechat_drafts_ready(push: WechatPush) -> bool:
    """Whether the drafts are all in place to publish, or a failed publish may resume (its
    slots stay, cleared for the drafts WeChat failed, once publishing was asked for)."""
    return push.status == P.DRAFTED or (push.status == P.FAILED and bool(push.publish_ids))


def wechat_push_check(actor: Actor, issue: Issue, push: WechatPush | None) -> Decision:
    """Whether ``actor`` may push the issue (``push``: its row, if any) to WeChat's drafts now.

    Refused with IN_PROGRESS while a push is queued or running: the service then returns that
    push as it is, and the admin offers no button that would do nothing.
    """
    for decision in (
        _who(actor, PERMISSIONS["wechat_push"]),
        wechat_issue_check(issue, "wechat_push"),
    ):
        if not decision.allowed:
            return decision
    if push is not None and push.status in (P.PENDING, P.RUNNING):
        return _refused("正在处理，本页自动显示进度。", IN_PROGRESS)
    if push is not None and wechat_submitted(push):
        return _refused("本期的公众号草稿已提交发布，不能再次推送。", "already_published")
    return ALLOWED


def wechat_publish_check(actor: Actor, issue: Issue, push: WechatPush | None) -> Decision:
    """Whether ``actor`` may ask WeChat to publish the push's drafts now (IN_PROGRESS: asked
    already, the service returns the push as it is)."""
    who = _who(actor, PERMISSIONS["wechat_publish"])
    if not who.allowed:
        return who
    if push is None:
        return _refused("本期尚未推送到公众号草稿箱。", "not_pushed")
    if push.status == P.PUBLISHING or (push.status in (P.PENDING, P.RUNNING) and push.publish_ids):
        return _refused("正在处理，本页自动显示进度。", IN_PROGRESS)
    state = wechat_issue_check(issue, "wechat_publish")
    if not state.allowed:
        return state
    if push.status == P.PUBLISHED:
        return _refused("本期已在公众号发布。", "already_published")
    if not wechat_drafts_ready(push):
        return _refused("本期的公众号草稿尚未全部就绪，请先推送（或重新推送）草稿。", "no_drafts")
    return ALLOWED


# Subscribers --------------------------------------------------------------------------------


def subscriber_manage_check(actor: Actor) -> Decision:
    """Whether ``actor`` may see and manage subscribers (list, import, export, erase): their
    personal data is for those who run the mailing list, not the whole team. ``None`` is the
    system (an operator's command)."""
    permission = PERMISSIONS["manage_subscribers"]
    if actor is None:
        return ALLOWED
    if not actor_roles(actor) & permission.roles or not actor.has_perm(
        "editorial.change_subscriber"
    ):
        return _refused(f"只有{_roles_text(permission)}可以{permission.label}。", FORBIDDEN)
    return ALLOWED


def records_browse_check(actor: Actor) -> Decision:
    """Whether the admin's index and sidebar list the internal records (approvals, locks,
    renditions, notifications) for ``actor``; their pages stay open to whoever may view them,
    as the issue and article pages link there."""
    permission = PERMISSIONS["browse_records"]
    if actor is not None and not actor_roles(actor) & permission.roles:
        return _refused(f"只有{_roles_text(permission)}{permission.label}。", FORBIDDEN)
    return ALLOWED


def _roles_text(permission: Permission) -> str:
    """The roles holding ``permission``, as a sentence says them: 甲、乙或丙."""
    labels = [str(role.label) for role in Role if role in permission.roles]
    return "或".join(["、".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else labels[0]


def delivery_view_check(actor: Actor) -> Decision:
    """Whether ``actor`` may see the e-mail deliveries (who is sent what, and what failed)."""
    return _who(actor, PERMISSIONS["manage_delivery"])


def delivery_manage_check(actor: Actor, issue: Issue) -> Decision:
    """Whether ``actor`` may pause, resume, resend or close the e-mail delivery of ``issue``."""
    permission = PERMISSIONS["manage_delivery"]
    who = delivery_view_check(actor)
    if not who.allowed:
        return who
    if issue.status not in permission.states:
        return _refused("只有已发布的期才有邮件投递。", "not_published")
    return ALLOWED
