"""What every job row has: a status, attempts, an error for editors, and a lease.

A worker that claims a row (PENDING → RUNNING) holds it until ``lease_expires_at`` and renews the
lease as it makes progress; the sweeper re-claims a running row only once its lease has expired,
that is once its worker is gone (docs/decisions/0006-background-work-as-job-rows.md).
"""

from typing import ClassVar

from django.db import models

from editorial.jobs import JobKind


class JobStatus(models.TextChoices):
    """The states the claim and the sweeper rely on; each job adds its own (done, sent, …)."""

    PENDING = "pending", "排队中"
    RUNNING = "running", "进行中"
    FAILED = "failed", "失败"


class Job(models.Model):
    job_kind: ClassVar[JobKind]

    status = models.CharField(
        "状态", max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    lease_expires_at = models.DateTimeField(
        "租约到期",
        null=True,
        blank=True,
        help_text="处理中的任务在此时间前不会被重新排队；任务进行时会续期。",
    )
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=JobStatus.RUNNING)
                | models.Q(lease_expires_at__isnull=False),
                name="%(class)s_running_has_lease",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[JobStatus.PENDING, JobStatus.RUNNING])
                | models.Q(lease_expires_at__isnull=True),
                name="%(class)s_lease_only_while_live",
            ),
        ]
