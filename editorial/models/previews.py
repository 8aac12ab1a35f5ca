"""Shareable preview links: one issue, read as a reader would, by whoever holds the link."""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from .issues import Issue


class PreviewLink(models.Model):
    """A signed, expiring, revocable link to read an issue's previews without a login.

    Only the SHA-256 of the link's token is kept: the URL carries the token, so nobody can
    rebuild a link from the database, and a revoked or expired row answers like a missing one.
    """

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="preview_links", verbose_name="期"
    )
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="撤销人",
    )

    class Meta:
        verbose_name = "预览链接"
        verbose_name_plural = "预览链接"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | models.Q(revoked_by__isnull=False),
                name="preview_link_revoked_by_someone",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="preview_link_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue} 的预览链接 #{self.pk}"

    def is_active(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def preview_token_digest(token: str) -> str:
    """What a link's row keeps of its token."""
    return hashlib.sha256(token.encode()).hexdigest()
