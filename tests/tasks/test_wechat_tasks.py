"""The WeChat tasks drive the push service: push, poll until published, sweep."""

import datetime

import pytest
from django.db.models import F

from editorial.models import Issue, WechatPush, WechatPushStatus
from editorial.services.wechat import wechat_publish_request, wechat_push_request
from editorial.tasks import wechat_poll, wechat_push, wechat_sweep
from editorial.workflow import IssueStatus
from tests.integrations.fake_wechat import FakeWechat
from tests.workflow_helpers import sample_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> Issue:
    issue = sample_issue()
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    issue.publication.wechat_push_enabled = True
    issue.publication.save(update_fields=["wechat_push_enabled"])
    return issue


def test_push_then_publish_then_the_sweeper_polls_until_published(
    published: Issue, wechat_server: FakeWechat
) -> None:
    push = wechat_push_request(actor=None, issue_id=published.pk, enqueue=False)
    assert wechat_push.apply(args=(push.pk,)).get() == WechatPushStatus.DRAFTED
    assert wechat_push.apply(args=(push.pk,)).get() == "skipped"  # a duplicated task does nothing

    wechat_publish_request(actor=None, push_id=push.pk, enqueue=False)
    assert wechat_push.apply(args=(push.pk,)).get() == WechatPushStatus.PUBLISHING
    assert wechat_poll.apply(args=(push.pk,)).get() == WechatPushStatus.PUBLISHING  # not yet
    assert wechat_sweep.apply().get() == 0  # nothing stalled; the poll it sends finishes it
    push.refresh_from_db()
    assert push.status == WechatPushStatus.PUBLISHED
    assert len(push.article_urls) == 17 and len(push.draft_media_ids) == 3
    assert wechat_poll.apply(args=(push.pk,)).get() == "skipped"


def test_sweeper_requeues_a_push_nobody_picked_up(
    published: Issue, wechat_server: FakeWechat
) -> None:
    push = wechat_push_request(actor=None, issue_id=published.pk, enqueue=False)
    five_minutes = datetime.timedelta(minutes=5)
    WechatPush.objects.filter(pk=push.pk).update(updated_at=F("updated_at") - five_minutes)
    assert wechat_sweep.apply().get() == 1  # eager in tests: the push ran right away
    push.refresh_from_db()
    assert push.status == WechatPushStatus.DRAFTED
