"""The editorial workflow as data: the states, the transitions, and who may take each one.

Pure Python, no database: services look transitions up here (``issue_transition``), the admin
and the API list what an actor may do from here, and ``mermaid()`` draws the state diagram in
editorial/README.md (a test keeps the two in step). The actions that are not transitions but
still depend on a role (editing an article, pushing to WeChat, taking over a lock) are in
``PERMISSIONS``: this module is the only one that names a set of roles.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import models

from editorial.roles import Role


class IssueStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_EDIT = "in_edit", "编辑中"
    IN_REVIEW = "in_review", "审核中"
    APPROVED = "approved", "已批准"
    SCHEDULED = "scheduled", "已排期"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被修订版取代"


class HasStatus(Protocol):
    status: str


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_EDIT = "in_edit", "编辑中"
    READY = "ready", "已定稿"


# States whose content may still change; any change invalidates approvals (see services.approvals).
ISSUE_EDITABLE = frozenset(
    {IssueStatus.DRAFT, IssueStatus.IN_EDIT, IssueStatus.IN_REVIEW, IssueStatus.APPROVED}
)
# States whose content the board has signed off; any other state prints with the 样稿 mark.
ISSUE_SIGNED_OFF = frozenset(
    {IssueStatus.APPROVED, IssueStatus.SCHEDULED, IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED}
)


def needs_proof(issue: "HasStatus") -> bool:
    """Whether an output of ``issue`` must carry the 样稿 watermark: until the board approves."""
    return issue.status not in ISSUE_SIGNED_OFF


# Issue states in which its articles still move between draft, in edit and ready: once the issue
# is with the board, an article can only go back through request_changes or withdraw.
ISSUE_ARTICLES_OPEN = frozenset({IssueStatus.DRAFT, IssueStatus.IN_EDIT})
# States readers see: published, and superseded by a correction (kept in the archive).
ISSUE_PUBLIC = frozenset({IssueStatus.PUBLISHED, IssueStatus.SUPERSEDED})
# States in which approvals are collected or count.
ISSUE_UNDER_SIGN_OFF = frozenset({IssueStatus.IN_REVIEW, IssueStatus.APPROVED})

_EDITORS = frozenset({Role.EXECUTIVE_EDITOR, Role.PUBLISHER})
_REVIEWERS = frozenset({Role.BOARD_MEMBER, Role.EDITOR_IN_CHIEF})
_RELEASERS = frozenset({Role.EXECUTIVE_EDITOR, Role.EDITOR_IN_CHIEF, Role.PUBLISHER})
_ARTICLE_EDITORS = frozenset({Role.RESPONSIBLE_EDITOR, Role.EXECUTIVE_EDITOR, Role.PUBLISHER})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[Role]
    comment_required: bool = False
    # Responsible editors may take it only on articles assigned to them.
    assigned_only: frozenset[Role] = frozenset()
    # Taken by the system (the scheduler, a correction's publication), never offered to a person.
    system_only: bool = False

    def allows(self, roles: Iterable[Role]) -> bool:
        return not self.system_only and bool(self.roles & frozenset(roles))


def _t(
    name: str, label: str, sources: Iterable[str], target: str, roles: frozenset[Role], **kw: object
) -> Transition:
    return Transition(name, label, frozenset(sources), target, roles, **kw)  # type: ignore[arg-type]


S = IssueStatus
ISSUE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t("start_edit", "开始编辑", [S.DRAFT], S.IN_EDIT, _EDITORS),
        _t("submit", "提交审核", [S.IN_EDIT], S.IN_REVIEW, _EDITORS),
        _t(
            "request_changes",
            "退回修改",
            [S.IN_REVIEW, S.APPROVED],
            S.IN_EDIT,
            _REVIEWERS,
            comment_required=True,
        ),
        _t("withdraw", "撤回", [S.IN_REVIEW, S.APPROVED, S.SCHEDULED], S.IN_EDIT, _EDITORS),
        # Reached through sign-off: the editor-in-chief's approval or a quorum of the board.
        _t("approve", "批准", [S.IN_REVIEW], S.APPROVED, _REVIEWERS),
        # An edit after approval, or a scheduled publication refused because the content is no
        # longer what was approved: the issue goes back to the board.
        _t(
            "reopen_review",
            "内容变更，重新审核",
            [S.APPROVED, S.SCHEDULED],
            S.IN_REVIEW,
            _EDITORS,
            system_only=True,
        ),
        _t("schedule", "排期发布", [S.APPROVED], S.SCHEDULED, _RELEASERS),
        _t("unschedule", "取消排期", [S.SCHEDULED], S.APPROVED, _RELEASERS),
        _t("publish", "发布", [S.APPROVED, S.SCHEDULED], S.PUBLISHED, _RELEASERS),
        # A correction (勘误/修订版) opens a new revision; the published one stays as it is
        # until the revision is published, then it is superseded but kept in the archive.
        _t("correct", "开启勘误修订", [S.PUBLISHED], S.PUBLISHED, _RELEASERS),
        _t("supersede", "被修订版取代", [S.PUBLISHED], S.SUPERSEDED, _RELEASERS, system_only=True),
    ]
}

A = ArticleStatus
ARTICLE_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        _t(
            "start_edit",
            "开始编辑",
            [A.DRAFT],
            A.IN_EDIT,
            _ARTICLE_EDITORS,
            assigned_only=frozenset({Role.RESPONSIBLE_EDITOR}),
        ),
        _t(
            "mark_ready",
            "定稿",
            [A.IN_EDIT],
            A.READY,
            _ARTICLE_EDITORS,
            assigned_only=frozenset({Role.RESPONSIBLE_EDITOR}),
        ),
        _t(
            "reopen",
            "重新编辑",
            [A.READY],
            A.IN_EDIT,
            _ARTICLE_EDITORS,
            assigned_only=frozenset({Role.RESPONSIBLE_EDITOR}),
        ),
    ]
}


# Labels of what the audit log records besides transitions.
OTHER_ACTIONS = {
    "create": "创建",
    "import": "导入",
    "update": "修改",
    "delete": "删除",
    "approval": "批准意见",
    "approval_invalidated": "批准失效",
    "comment": "编辑意见",
    "comment_resolve": "意见已解决",
    "comment_reopen": "意见重新打开",
    "lock_takeover": "接管编辑",
    "revision_restore": "恢复历史版本",
    "wechat_push": "推送到公众号",
    "wechat_publish": "在公众号发布",
    "mailing_pause": "暂停邮件投递",
    "mailing_resume": "恢复邮件投递",
    "delivery_resend": "重新发送邮件",
    "delivery_close": "关闭投递记录",
    "subscriber_confirm": "确认订阅",
    "subscriber_unsubscribe": "退订",
    "subscriber_suppress": "停止发送",
    "subscriber_preferences": "修改订阅偏好",
    "subscriber_import": "导入订阅者",
    "subscriber_export": "导出订阅者数据",
    "subscriber_erase": "删除订阅者个人数据",
    "preview_link_create": "创建预览链接",
    "preview_link_revoke": "撤销预览链接",
}


@dataclass(frozen=True)
class Permission:
    """A role-bound action that is not a state transition; ``states`` are the issue states it
    applies in, when it depends on them."""

    name: str
    label: str
    roles: frozenset[Role]
    assigned_only: frozenset[Role] = frozenset()
    states: frozenset[str] = frozenset()


_OWN_ARTICLES = frozenset({Role.RESPONSIBLE_EDITOR})
PERMISSIONS: dict[str, Permission] = {
    p.name: p
    for p in [
        # The text of an article: any article, or (responsible editors) their own.
        Permission("edit_article", "修改文章", _ARTICLE_EDITORS, _OWN_ARTICLES),
        # Figures and layout fields (position, section) are also the art editors' work.
        Permission("edit_layout", "调整版式", _ARTICLE_EDITORS | {Role.ART_EDITOR}, _OWN_ARTICLES),
        Permission("take_over_lock", "接管编辑", _RELEASERS),
        Permission(
            "wechat_push", "推送到公众号", _RELEASERS, states=frozenset({S.APPROVED, S.PUBLISHED})
        ),
        Permission("wechat_publish", "在公众号发布", _RELEASERS, states=frozenset({S.PUBLISHED})),
        Permission(
            "manage_delivery",
            "管理邮件投递",
            _RELEASERS,
            states=frozenset({S.PUBLISHED, S.SUPERSEDED}),
        ),
        # The mailing list: subscribers' personal data and consent record.
        Permission("manage_subscribers", "管理订阅者", _EDITORS),
        # A link that lets someone outside the admin (a board member on a phone) read the issue.
        Permission("share_preview", "分享预览链接", _EDITORS | _REVIEWERS),
        # The records only the workflow writes (approvals, locks, PDFs, notifications) are read
        # where they belong, on the issue and article pages; listing them is the operators' work.
        Permission("browse_records", "在目录中查看内部记录", frozenset({Role.PUBLISHER})),
    ]
}


# A superuser holds these roles whatever their groups.
SUPERUSER_ROLES = frozenset({Role.PUBLISHER})

# Who is told of each event: the people who act next (the workflow issue's §10).
NOTIFIED: dict[str, frozenset[Role]] = {
    "submit": _REVIEWERS,
    "request_changes": frozenset({Role.EXECUTIVE_EDITOR}),
    "approve": frozenset({Role.EXECUTIVE_EDITOR}),
    "schedule": frozenset({Role.EXECUTIVE_EDITOR}),
    "publish": frozenset({Role.EXECUTIVE_EDITOR}),
    # Back to the board when a scheduled publication could not go out (its content changed).
    "reopen_review": _REVIEWERS | {Role.EXECUTIVE_EDITOR},
}


def action_label(action: str) -> str:
    for table in (ISSUE_TRANSITIONS, ARTICLE_TRANSITIONS):
        if action in table:
            return table[action].label
    return OTHER_ACTIONS.get(action, action)


def available(
    transitions: dict[str, Transition], status: str, roles: Iterable[Role]
) -> list[Transition]:
    """The transitions a person with ``roles`` may take from ``status``, in table order."""
    roles = frozenset(roles)
    return [t for t in transitions.values() if status in t.sources and t.allows(roles)]


def mermaid() -> str:
    """The issue and article state diagrams, as drawn in editorial/README.md."""
    lines = ["stateDiagram-v2"]
    for prefix, transitions in (("issue", ISSUE_TRANSITIONS), ("article", ARTICLE_TRANSITIONS)):
        for t in transitions.values():
            for source in sorted(t.sources):
                lines.append(f"    {prefix}_{source} --> {prefix}_{t.target}: {t.name}")
    return "\n".join(lines)
