"""Reusable reads, each with the joins and prefetches its callers need."""

from django.db.models import Prefetch

from editorial.models import Article, Figure, Issue, MastheadMember, MastheadOrganisation


def issue_for_export(issue_id: int) -> Issue:
    """An issue with everything a bundle or an edition prints, in a fixed number of queries."""
    return (
        Issue.objects.select_related("publication", "notice")
        .prefetch_related(
            Prefetch(
                "masthead_organisations",
                queryset=MastheadOrganisation.objects.select_related("organisation").order_by(
                    "role", "position", "id"
                ),
            ),
            Prefetch(
                "masthead_members",
                queryset=MastheadMember.objects.select_related("person").order_by(
                    "role", "position", "id"
                ),
            ),
            Prefetch(
                "articles",
                queryset=Article.objects.select_related("section", "responsible_editor")
                .prefetch_related(Prefetch("figures", queryset=Figure.objects.order_by("number")))
                .order_by("position", "id"),
            ),
        )
        .get(pk=issue_id)
    )
