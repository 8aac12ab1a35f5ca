"""Restoring an article or an issue to an earlier revision: itself a new revision, logged and
re-reviewed.
"""

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from reversion.models import Version

from editorial.models import Article, CopyrightNotice, Issue, MastheadMember, MastheadOrganisation
from editorial.richtext import quoted_title

from .approvals import issue_content_changed, issue_require_editable
from .audit import audit_record, revision_meta
from .issue_edits import ISSUE_EDITABLE_FIELDS, Masthead, MastheadRow, issue_write
from .issue_transitions import TransitionRefused, issue_lock
from .permissions import Actor, require_perm
from .policies import article_edit_check


def article_versions(article: Article) -> list[Version]:
    """The article's stored revisions, newest first, with who and when."""
    return object_versions(article)


def issue_versions(issue: Issue) -> list[Version]:
    """The issue's stored revisions (fields and masthead), newest first, with who and when."""
    return object_versions(issue)


def object_versions(obj: Article | Issue) -> list[Version]:
    return list(
        Version.objects.get_for_object(obj).select_related(
            "revision", "revision__user", "revision__user__person"
        )
    )


def version_masthead(version: Version) -> Masthead:
    """The masthead rows stored with an issue's version (its revision follows them)."""
    types = ContentType.objects.get_for_models(MastheadOrganisation, MastheadMember)
    stored = [(v.content_type_id, v.field_dict) for v in version.revision.version_set.all()]

    def rows(model: type, subject: str) -> tuple[MastheadRow, ...]:
        return tuple(
            MastheadRow(d["role"], d[subject], d["position"])
            for type_id, d in stored
            if type_id == types[model].pk
        )

    return Masthead(
        organisations=rows(MastheadOrganisation, "organisation_id"),
        members=rows(MastheadMember, "person_id"),
    )


@transaction.atomic
def article_revision_restore(*, actor: Actor, article_id: int, version_id: int) -> Article:
    """Put the article's text and figures back as they were in ``version_id``.

    The workflow state is kept; the restore is saved as a new revision and written to the audit
    log, and the issue's approvals of other content stop counting.
    """
    issue_id = Article.objects.values_list("issue_id", flat=True).get(pk=article_id)
    issue = issue_lock(issue_id)
    article = Article.objects.select_for_update(no_key=True).get(pk=article_id)
    article_edit_check(actor, article, issue).require(TransitionRefused)
    version = (
        Version.objects.get_for_object(article)
        .select_related("revision")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise PermissionDenied("该历史版本不属于这篇文章。")
    status, lock_version = article.status, article.lock_version
    version.revision.revert(delete=True)
    article.refresh_from_db()
    article.status, article.lock_version = status, lock_version + 1
    when = f"{version.revision.date_created:%Y-%m-%d %H:%M}"
    what = f"恢复到 {when} 的版本（#{version.pk}）"
    with reversion.create_revision(atomic=False):
        article.save()
        revision_meta(actor, what)
    audit_record(actor=actor, action="revision_restore", obj=article, note=what)
    issue_content_changed(
        actor=actor, issue=issue, what=f"{quoted_title(article.title)}{what}", article=article
    )
    return article


@transaction.atomic
def issue_revision_restore(*, actor: Actor, issue_id: int, version_id: int) -> Issue:
    """Put the issue's fields and masthead back as they were in ``version_id``.

    The workflow state is kept; the restore is saved as a new revision and written to the audit
    log, and approvals of other content stop counting.
    """
    issue = issue_lock(issue_id)
    require_perm(actor, "editorial.change_issue")
    issue_require_editable(issue)
    version = (
        Version.objects.get_for_object(issue)
        .select_related("revision")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise PermissionDenied("该历史版本不属于这一期。")
    stored = version.field_dict
    changes = {name: stored[name] for name in ISSUE_EDITABLE_FIELDS if name != "notice"}
    changes["notice"] = CopyrightNotice.objects.filter(pk=stored["notice_id"]).first()
    when = f"{version.revision.date_created:%Y-%m-%d %H:%M}"
    issue_write(
        actor=actor,
        issue=issue,
        changes=changes,
        masthead=version_masthead(version),
        action="revision_restore",
        note=f"恢复到 {when} 的版本（#{version.pk}）",
    )
    return issue
