"""The copyright notice is versioned: a new text is a new version; old versions never change."""

from django.db import transaction
from django.db.models import Max

from editorial.models import CopyrightNotice, Publication

from .audit import audit_record
from .permissions import Actor, require_perm


@transaction.atomic
def notice_revise(*, actor: Actor, publication: Publication, text: str) -> CopyrightNotice:
    """Add the next version of ``publication``'s notice; issues keep the version they pinned."""
    require_perm(actor, "editorial.add_copyrightnotice")
    Publication.objects.select_for_update().filter(pk=publication.pk).get()
    latest = publication.notices.aggregate(v=Max("version"))["v"] or 0
    notice = CopyrightNotice(publication=publication, version=latest + 1, text=text.strip())
    notice.full_clean()
    notice.save()
    audit_record(
        actor=actor, action="create", obj=notice, note=f"新版本声明（第 {notice.version} 版）"
    )
    return notice
