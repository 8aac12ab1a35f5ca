"""The Edition the board approved, kept as it was approved."""

from django.db import models

from .issues import Issue


class ApprovedEdition(models.Model):
    """An issue's Edition at the moment of sign-off (``editions.edition_to_data``).

    Every output of an approved, scheduled, published or superseded issue is rendered from its
    latest approved Edition, so a later change to a shared record (a person, an organisation, a
    section, the publication) changes nothing that the board signed off.
    """

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="approved_editions", verbose_name="期"
    )
    fingerprint = models.CharField("内容指纹", max_length=64)
    data = models.JSONField("刊本内容")
    approved_at = models.DateTimeField("批准时间")

    class Meta:
        verbose_name = "已批准刊本"
        verbose_name_plural = "已批准刊本"
        ordering = ["issue", "-approved_at", "-id"]
        get_latest_by = "approved_at"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "fingerprint"], name="approved_edition_once_per_fingerprint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issue} 刊本 {self.fingerprint[:12]}"
