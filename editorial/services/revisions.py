"""Restoring an article to an earlier revision: itself a new revision, logged and re-reviewed."""

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from reversion.models import Version

from editorial.models import Article

from .approvals import issue_content_changed, issue_require_editable
from .articles import require_article_edit
from .audit import audit_record, revision_meta
from .issue_transitions import issue_lock
from .permissions import Actor


def article_versions(article: Article) -> list[Version]:
    """The article's stored revisions, newest first, with who and when."""
    return list(
        Version.objects.get_for_object(article).select_related(
            "revision", "revision__user", "revision__user__person"
        )
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
    issue_require_editable(issue)
    require_article_edit(actor, article)
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
    issue_content_changed(actor=actor, issue=issue, what=f"《{article.title}》{what}")
    return article
