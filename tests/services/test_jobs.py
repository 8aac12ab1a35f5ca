"""Job leases: a claim leases the row, the running job renews it, the sweeper takes back only
rows whose lease ran out, and a finished or failed job holds none."""

import datetime
from collections.abc import Callable
from smtplib import SMTPRecipientsRefused
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from pytest_django.fixtures import Settings

from editorial.integrations.wechat import WechatClient
from editorial.jobs import NOTIFICATION, RENDITION, WECHAT_PUSH
from editorial.models import (
    Article,
    Issue,
    IssueStatus,
    Notification,
    NotificationStatus,
    Publication,
    Rendition,
    RenditionStatus,
    WechatPush,
    WechatPushStatus,
)
from editorial.rendering import print as print_rendering
from editorial.services import notifications
from editorial.services.bundles import issue_import
from editorial.services.jobs import job_extend_lease
from editorial.services.notifications import notification_deliver, notifications_pending
from editorial.services.renditions import rendition_generate, rendition_request, renditions_stalled
from editorial.services.wechat import wechat_push_request, wechat_push_run, wechat_pushes_stalled
from editorial.tasks import wechat_sweep
from tests.builders import BundleMaker
from tests.integrations.fake_wechat import FakeWechat
from tests.workflow_helpers import sample_issue

pytestmark = pytest.mark.django_db

S = WechatPushStatus
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def pushable() -> Issue:
    """The sample issue (three drafts' worth of articles), published, its publication pushing."""
    issue = sample_issue()
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    Publication.objects.filter(pk=issue.publication_id).update(wechat_push_enabled=True)
    return Issue.objects.get(pk=issue.pk)


def running_since(push: WechatPush, seconds: int, lease_from: datetime.datetime) -> WechatPush:
    """The push as a worker left it: claimed ``seconds`` ago, lease last set at ``lease_from``."""
    started = timezone.now() - datetime.timedelta(seconds=seconds)
    WechatPush.objects.filter(pk=push.pk).update(
        status=S.RUNNING,
        attempts=1,
        lease_expires_at=lease_from + WECHAT_PUSH.lease,
        created_at=started,
        updated_at=started,
    )
    return WechatPush.objects.get(pk=push.pk)


def lease_of(model: type[Any], pk: int) -> tuple[str, datetime.datetime | None]:
    row = model.objects.get(pk=pk)
    return row.status, row.lease_expires_at


# --- the WeChat push ---------------------------------------------------------------------------


def test_a_push_running_for_400_s_whose_lease_was_renewed_is_not_reclaimed(
    pushable: Issue, settings: Settings, wechat_server: FakeWechat
) -> None:
    """The measured defect: the old rule re-queued any push running past
    CELERY_TASK_TIME_LIMIT + 60 = 360 s, while its task may run 600 s."""
    assert settings.CELERY_TASK_TIME_LIMIT + 60 < 400 < WECHAT_PUSH.time_limit
    push = wechat_push_request(actor=None, issue_id=pushable.pk, enqueue=False)
    push = running_since(push, 400, lease_from=timezone.now() - datetime.timedelta(seconds=400))
    job_extend_lease(push)  # its last WeChat call came back just now

    assert wechat_pushes_stalled(timezone.now()) == []
    assert wechat_sweep.apply().get() == 0
    assert wechat_push_run(push.pk) is None  # a second delivery of its task takes nothing either
    assert WechatPush.objects.get(pk=push.pk).status == S.RUNNING
    assert wechat_server.calls == []


def test_a_push_in_progress_renews_its_lease_and_the_sweeper_leaves_it_alone(
    pushable: Issue, wechat_server: FakeWechat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen from each draft/add of a real run: the row is running, its lease renewed by every
    WeChat call before, and a sweeper 400 s into the run finds nothing to take."""
    push = wechat_push_request(actor=None, issue_id=pushable.pk, enqueue=False)
    started = timezone.now()
    seen: list[tuple[str, datetime.datetime | None]] = []
    swept: list[list[int]] = []
    draft_add = WechatClient.draft_add

    def watched_draft_add(client: WechatClient, *args: Any, **kwargs: Any) -> str:
        seen.append(lease_of(WechatPush, push.pk))
        swept.append(wechat_pushes_stalled(started + datetime.timedelta(seconds=400)))
        return draft_add(client, *args, **kwargs)

    monkeypatch.setattr(WechatClient, "draft_add", watched_draft_add)
    done = wechat_push_run(push.pk)

    assert done is not None and done.status == S.DRAFTED and done.attempts == 1
    assert swept == [[], [], []]
    assert [status for status, _ in seen] == [S.RUNNING] * 3
    leases = [lease for _, lease in seen if lease is not None]
    assert len(leases) == 3 and leases[0] > started + WECHAT_PUSH.lease
    assert leases[0] < leases[1] < leases[2]  # each draft/add renewed it
    assert lease_of(WechatPush, push.pk) == (S.DRAFTED, None)
    assert wechat_server.count("draft/add") == 3


def test_a_push_whose_worker_was_killed_is_reclaimed_after_its_lease_and_done_once(
    pushable: Issue, wechat_server: FakeWechat
) -> None:
    push = wechat_push_request(actor=None, issue_id=pushable.pk, enqueue=False)
    claimed = timezone.now() - WECHAT_PUSH.lease - SECOND  # the worker died right after claiming
    push = running_since(push, int(WECHAT_PUSH.lease.total_seconds()) + 1, lease_from=claimed)
    assert wechat_pushes_stalled(claimed + WECHAT_PUSH.lease - SECOND) == []  # not before it ends

    assert wechat_sweep.apply().get() == 1  # eager in tests: the push ran right away

    push.refresh_from_db()
    assert (push.status, push.attempts, push.lease_expires_at) == (S.DRAFTED, 2, None)
    assert wechat_server.count("draft/add") == 3 and len(push.draft_media_ids) == 3
    assert wechat_sweep.apply().get() == 0
    assert wechat_push_run(push.pk) is None
    assert wechat_server.count("draft/add") == 3


def test_a_failed_push_holds_no_lease(pushable: Issue, wechat_server: FakeWechat) -> None:
    wechat_server.reject_next_draft()
    push = wechat_push_request(actor=None, issue_id=pushable.pk, enqueue=False)

    done = wechat_push_run(push.pk)

    assert done is not None and done.status == S.FAILED
    assert lease_of(WechatPush, push.pk) == (S.FAILED, None)


# --- the rendition -----------------------------------------------------------------------------


@pytest.fixture
def issue(make_bundle: BundleMaker) -> Issue:
    return issue_import(actor=None, source=make_bundle())


def claimed_rendition(issue: Issue, *, lease_expires_at: datetime.datetime) -> Rendition:
    rendition = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    started = timezone.now() - datetime.timedelta(seconds=400)
    Rendition.objects.filter(pk=rendition.pk).update(
        status=RenditionStatus.RUNNING,
        attempts=1,
        started_at=started,
        created_at=started,
        lease_expires_at=lease_expires_at,
    )
    return Rendition.objects.get(pk=rendition.pk)


def test_a_rendition_running_with_a_live_lease_is_not_reclaimed(issue: Issue) -> None:
    rendition = claimed_rendition(issue, lease_expires_at=timezone.now() + 10 * SECOND)

    assert renditions_stalled(timezone.now()) == []
    assert rendition_generate(rendition.pk) is None
    assert Rendition.objects.get(pk=rendition.pk).status == RenditionStatus.RUNNING


def test_a_rendition_whose_worker_was_killed_is_reclaimed_after_its_lease_and_made_once(
    issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendition = claimed_rendition(issue, lease_expires_at=timezone.now() - SECOND)
    renders: list[tuple[str, datetime.datetime | None]] = []
    render = print_rendering.render_issue_pdf

    def watched_render(*args: Any, **kwargs: Any) -> Any:
        renders.append(lease_of(Rendition, rendition.pk))
        return render(*args, **kwargs)

    monkeypatch.setattr(print_rendering, "render_issue_pdf", watched_render)

    assert renditions_stalled(timezone.now()) == [rendition.pk]
    assert lease_of(Rendition, rendition.pk) == (RenditionStatus.PENDING, None)
    before = timezone.now()
    done = rendition_generate(rendition.pk)
    assert rendition_generate(rendition.pk) is None  # a second delivery renders nothing

    assert done is not None and (done.status, done.attempts) == (RenditionStatus.DONE, 2)
    [(status, lease)] = renders
    assert status == RenditionStatus.RUNNING and lease is not None
    assert lease >= before + RENDITION.lease  # claimed, then renewed before the render
    assert lease_of(Rendition, rendition.pk) == (RenditionStatus.DONE, None)
    assert renditions_stalled(timezone.now()) == []


def test_a_failed_rendition_holds_no_lease(issue: Issue) -> None:
    rendition = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)
    Article.objects.filter(issue=issue).update(title="排队期间改了")

    failed = rendition_generate(rendition.pk)

    assert failed is not None and failed.status == RenditionStatus.FAILED
    assert lease_of(Rendition, rendition.pk) == (RenditionStatus.FAILED, None)


# --- renewing ----------------------------------------------------------------------------------


def test_extending_a_lease_moves_it_forward_and_writes_nothing_else(issue: Issue) -> None:
    rendition = claimed_rendition(issue, lease_expires_at=timezone.now() + SECOND)
    old, started = rendition.lease_expires_at, rendition.started_at
    assert old is not None
    rendition.error = "not saved by a renewal"
    before = timezone.now()

    job_extend_lease(rendition)

    stored = Rendition.objects.get(pk=rendition.pk)
    assert stored.lease_expires_at is not None and stored.lease_expires_at > old
    assert before + RENDITION.lease <= stored.lease_expires_at <= timezone.now() + RENDITION.lease
    assert rendition.lease_expires_at == stored.lease_expires_at
    assert (stored.error, stored.started_at, stored.status) == ("", started, "running")


def test_a_row_no_longer_running_gets_no_lease(issue: Issue) -> None:
    rendition = rendition_request(actor=None, issue_id=issue.pk, enqueue=False)

    job_extend_lease(rendition)

    assert lease_of(Rendition, rendition.pk) == (RenditionStatus.PENDING, None)


# --- the notification --------------------------------------------------------------------------


@pytest.fixture
def notification(django_user_model: type[User]) -> Notification:
    user = django_user_model.objects.create(username="board1", email="board1@example.org")
    return Notification.objects.create(
        key="test:1", recipient=user, event="submit", subject="测试", body="正文"
    )


def failing_send(exc: Exception) -> Callable[..., None]:
    def send_mail(*args: object, **kwargs: object) -> None:
        raise exc

    return send_mail


def test_a_notification_waiting_for_its_retry_is_leased_to_it(
    notification: Notification, monkeypatch: pytest.MonkeyPatch
) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    monkeypatch.setattr(notifications, "send_mail", failing_send(ConnectionRefusedError()))
    before = timezone.now()
    with pytest.raises(ConnectionRefusedError):
        notification_deliver(notification.pk)

    status, lease = lease_of(Notification, notification.pk)
    assert status == NotificationStatus.PENDING and lease is not None
    assert before + NOTIFICATION.lease <= lease <= timezone.now() + NOTIFICATION.lease
    assert NOTIFICATION.lease.total_seconds() > NOTIFICATION.retry_backoff_max
    assert notifications_pending() == []  # its retry is due, not the sweeper's

    Notification.objects.filter(pk=notification.pk).update(lease_expires_at=timezone.now())
    assert notifications_pending() == [notification.pk]

    monkeypatch.undo()
    assert notification_deliver(notification.pk) is True
    assert lease_of(Notification, notification.pk) == (NotificationStatus.SENT, None)


def test_a_notification_refused_for_good_holds_no_lease(
    notification: Notification, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = SMTPRecipientsRefused({"board1@example.org": (550, b"no such user")})
    monkeypatch.setattr(notifications, "send_mail", failing_send(refused))

    assert notification_deliver(notification.pk) is False

    assert lease_of(Notification, notification.pk) == (NotificationStatus.FAILED, None)
