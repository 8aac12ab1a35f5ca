"""The WeChat push end to end: the sample issue, the real client, the local WeChat API."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from editorial.jobs import WECHAT_PUSH
from editorial.models import (
    Article,
    AuditEntry,
    Issue,
    IssueStatus,
    Publication,
    WechatImage,
    WechatImageKind,
    WechatPush,
    WechatPushStatus,
)
from editorial.rendering.wechat import ImageSource, WechatArticle, render_wechat_issue
from editorial.roles import Role
from editorial.selectors import issue_edition
from editorial.services import wechat as service
from editorial.services.wechat import (
    WechatPushRefused,
    wechat_publish_poll,
    wechat_publish_request,
    wechat_push_request,
    wechat_push_run,
    wechat_pushes_stalled,
    wechat_pushes_to_poll,
)
from tests.integrations.fake_wechat import FakeWechat
from tests.workflow_helpers import sample_issue, staff

pytestmark = pytest.mark.django_db

S = WechatPushStatus
IMG_SRC = re.compile(r"""<img\b[^>]*\bsrc="([^"]*)\"""")


@pytest.fixture
def issue() -> Issue:
    """The sample issue (16 articles, 18 figures), published, its publication pushing to WeChat."""
    issue = sample_issue()
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.PUBLISHED)
    Publication.objects.filter(pk=issue.publication_id).update(wechat_push_enabled=True)
    return Issue.objects.get(pk=issue.pk)


@pytest.fixture
def expected(issue: Issue) -> list[WechatArticle]:
    """The articles as the renderer makes them, images placed nowhere (for titles and images)."""
    return render_wechat_issue(issue_edition(issue.pk), image_url=lambda image: image.name)


def push(issue: Issue, actor: User | None = None) -> WechatPush:
    """Request and run a push, as the task would."""
    row = wechat_push_request(actor=actor, issue_id=issue.pk, enqueue=False)
    done = wechat_push_run(row.pk)
    assert done is not None
    return done


def publish(row: WechatPush, actor: User | None = None) -> WechatPush:
    requested = wechat_publish_request(actor=actor, push_id=row.pk, enqueue=False)
    done = wechat_push_run(requested.pk)
    assert done is not None
    return done


def distinct_images(articles: list[WechatArticle]) -> dict[str, ImageSource]:
    return {image.checksum: image for article in articles for image in article.images}


def api_counts(server: FakeWechat) -> dict[str, int]:
    apis = ["token", "media/uploadimg", "material/add_material", "draft/add", "draft/update"]
    return {api: server.attempts(api) for api in apis}


def test_the_issue_becomes_drafts_of_at_most_eight_in_issue_order(
    issue: Issue, expected: list[WechatArticle], wechat_server: FakeWechat
) -> None:
    row = push(issue)

    assert (row.status, row.error, row.attempts) == (S.DRAFTED, "", 1)
    drafts = [wechat_server.drafts[media_id] for media_id in row.draft_media_ids]
    assert [len(d) for d in drafts] == [8, 8, 1]  # 本期要目 + 16 articles
    sent = [article for draft in drafts for article in draft]
    assert [a["title"] for a in sent] == [a.title for a in expected]
    assert sent[0]["title"] == "大数据发展动态｜2024年第16期（总第179期）本期要目"
    originals = [a.original_url for a in issue.articles.order_by("position", "id")]
    assert [a["content_source_url"] for a in sent] == ["", *originals]
    assert {a["thumb_media_id"] for a in sent} == {row.thumb_media_id}
    assert all((a["need_open_comment"], a["only_fans_can_comment"]) == (0, 0) for a in sent)
    # Every image went up once and the content shows only what WeChat's image host gave back.
    images = distinct_images(expected)
    assert len(images) == 28  # 18 figures and 10 QR codes of original links
    assert wechat_server.count("media/uploadimg") == len(images)
    assert wechat_server.count("material/add_material") == 1
    assert WechatImage.objects.filter(kind=WechatImageKind.BODY).count() == len(images)
    shown = [src for a in sent for src in IMG_SRC.findall(a["content"])]
    assert len(shown) == len(images) and set(shown) == set(wechat_server.images) - {
        m["url"] for m in wechat_server.materials.values()
    }
    assert wechat_server.filtered_images == []
    assert wechat_server.count("token") == 1
    assert AuditEntry.objects.filter(issue=issue, action="wechat_push").count() == 1


def test_a_second_push_of_the_same_issue_changes_nothing(
    issue: Issue, wechat_server: FakeWechat
) -> None:
    first = push(issue)
    before = api_counts(wechat_server)

    again = push(issue)

    assert (again.pk, again.status, again.attempts) == (first.pk, S.DRAFTED, 2)
    assert again.draft_media_ids == first.draft_media_ids
    assert again.content_hash == first.content_hash
    assert api_counts(wechat_server) == before  # no draft, no upload, not even a token
    assert len(wechat_server.drafts) == 3 and WechatPush.objects.count() == 1
    assert wechat_push_run(again.pk) is None  # a duplicated task finds nothing pending
    assert api_counts(wechat_server) == before


def test_changed_content_updates_the_recorded_drafts_in_place(
    issue: Issue, wechat_server: FakeWechat
) -> None:
    first = push(issue)
    article = issue.articles.order_by("position", "id")[9]
    Article.objects.filter(pk=article.pk).update(wechat_title="意大利人工智能战略（更正）")
    uploads = wechat_server.count("media/uploadimg")

    again = push(issue)

    assert (again.status, again.draft_media_ids) == (S.DRAFTED, first.draft_media_ids)
    assert again.content_hash != first.content_hash
    assert (wechat_server.attempts("draft/add"), wechat_server.count("draft/update")) == (3, 17)
    corrected = wechat_server.drafts[first.draft_media_ids[1]][2]
    assert corrected["title"] == "意大利人工智能战略（更正）"
    assert wechat_server.count("media/uploadimg") == uploads


def test_drafts_that_no_longer_fit_are_refused_until_deleted_in_wechat(
    issue: Issue, wechat_server: FakeWechat
) -> None:
    first = push(issue)
    Article.objects.filter(pk=issue.articles.order_by("-position", "-id")[0].pk).delete()

    refused = push(issue)

    assert refused.status == S.FAILED
    assert "无法原样更新为现在的 8、8 篇" in refused.error
    assert "请在公众号后台删除这些草稿后重新推送" in refused.error
    assert refused.draft_media_ids == first.draft_media_ids
    assert wechat_server.count("draft/update") == 0 and wechat_server.attempts("draft/add") == 3

    wechat_server.drafts.clear()  # an editor deleted them in WeChat's backend
    again = push(issue)
    assert again.status == S.DRAFTED and len(again.draft_media_ids) == 2
    assert [len(wechat_server.drafts[m]) for m in again.draft_media_ids] == [8, 8]


def test_a_token_expiring_mid_push_is_recovered(issue: Issue, wechat_server: FakeWechat) -> None:
    wechat_server.expire_tokens_after("media/uploadimg", calls=5)

    row = push(issue)

    assert row.status == S.DRAFTED and len(row.draft_media_ids) == 3
    assert wechat_server.count("token") == 2
    refused = [c.errcode for c in wechat_server.calls if c.errcode]
    assert refused == [42001]


def test_an_upload_failing_once_then_succeeding(
    issue: Issue, expected: list[WechatArticle], wechat_server: FakeWechat
) -> None:
    wechat_server.fail_next("media/uploadimg", -1, after=3)

    row = push(issue)

    images = len(distinct_images(expected))
    assert row.status == S.DRAFTED
    assert wechat_server.attempts("media/uploadimg") == images + 1
    assert wechat_server.count("media/uploadimg") == images


def test_a_rejected_draft_fails_the_push_and_a_retry_makes_no_duplicate(
    issue: Issue, wechat_server: FakeWechat
) -> None:
    wechat_server.fail_next("draft/add", 45166, "invalid content hint: [abc]", after=1)

    failed = push(issue)

    assert failed.status == S.FAILED
    assert failed.error == (
        "公众号接口 cgi-bin/draft/add 失败：错误码 45166（invalid content hint: [abc] "
        "rid: fake-draft/add）——内容不合法。"
    )
    assert len(failed.draft_media_ids) == 1  # the first draft is kept, and known
    uploads = wechat_server.count("media/uploadimg")

    retried = push(issue)

    assert (retried.status, retried.error) == (S.DRAFTED, "")
    assert retried.draft_media_ids[0] == failed.draft_media_ids[0]
    assert len(retried.draft_media_ids) == 3 == len(wechat_server.drafts)
    assert wechat_server.count("draft/add") == 3
    assert wechat_server.count("media/uploadimg") == uploads


def test_content_wechat_would_refuse_is_refused_before_anything_is_sent(
    issue: Issue, wechat_server: FakeWechat
) -> None:
    article = issue.articles.order_by("position", "id")[0]
    Article.objects.filter(pk=article.pk).update(wechat_title="标" * 40)

    row = push(issue)

    assert row.status == S.FAILED
    assert row.error.splitlines() == [
        "内容不符合公众号的要求，未推送（1 处）：",
        f"《{'标' * 40}》title：标题 40 字，超过 32 字。",
    ]
    assert wechat_server.calls == [] and row.draft_media_ids == []
    assert not WechatImage.objects.exists()


def test_publishing_submits_each_draft_once_and_stores_the_article_urls(
    issue: Issue, wechat_server: FakeWechat
) -> None:
    drafted = push(issue)

    publishing = publish(drafted)
    assert publishing.status == S.PUBLISHING
    assert len(publishing.publish_ids) == 3 and all(publishing.publish_ids)
    assert wechat_server.count("freepublish/submit") == 3

    still = wechat_publish_poll(publishing.pk)
    assert still is not None and (still.status, still.article_urls) == (S.PUBLISHING, [])
    done = wechat_publish_poll(publishing.pk)

    assert done is not None and (done.status, done.error) == (S.PUBLISHED, "")
    assert len(done.article_urls) == 17
    assert done.article_urls[0] == (
        f"https://mp.weixin.qq.com/s?__biz=FAKE&mid={done.publish_ids[0]}&idx=1"
    )
    assert done.article_urls[16].endswith(f"mid={done.publish_ids[2]}&idx=1")
    assert wechat_publish_poll(done.pk) is None  # nothing left to poll
    assert wechat_server.count("freepublish/submit") == 3
    with pytest.raises(WechatPushRefused, match="已提交发布"):
        wechat_push_request(actor=None, issue_id=issue.pk, enqueue=False)


def test_a_failed_publication_is_shown_and_can_be_resumed(
    issue: Issue, wechat_server: FakeWechat
) -> None:
    wechat_server.publish_polls_pending = 0
    wechat_server.publish_outcome(4, fail_idx=[1])
    publishing = publish(push(issue))

    failed = wechat_publish_poll(publishing.pk)

    assert failed is not None and failed.status == S.FAILED
    assert failed.error.splitlines() == [
        f"第 {n} 篇草稿（{failed.draft_media_ids[n - 1]}）发布失败：状态 4 平台审核不通过，"
        "失败文章序号 [1]"
        for n in (1, 2, 3)
    ] + ["可修改后重新请求发布。"]
    assert failed.publish_ids == ["", "", ""]

    wechat_server.publish_outcome(0)
    resumed = publish(failed)
    done = wechat_publish_poll(resumed.pk)
    assert done is not None and done.status == S.PUBLISHED and len(done.article_urls) == 17
    assert wechat_server.count("freepublish/submit") == 6 and wechat_server.count("draft/add") == 3


def test_publishing_needs_a_published_issue_and_complete_drafts(issue: Issue) -> None:
    incomplete = WechatPush.objects.create(
        issue=issue, status=S.FAILED, draft_media_ids=["DRAFT-1", "DRAFT-2"], error="45166"
    )
    with pytest.raises(WechatPushRefused, match="尚未全部就绪"):
        wechat_publish_request(actor=None, push_id=incomplete.pk, enqueue=False)

    WechatPush.objects.filter(pk=incomplete.pk).update(status=S.DRAFTED, error="")
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.APPROVED)
    with pytest.raises(WechatPushRefused, match="已批准状态的期不能推送到公众号（须为已发布）"):
        wechat_publish_request(actor=None, push_id=incomplete.pk, enqueue=False)
    row = WechatPush.objects.get(pk=incomplete.pk)
    assert (row.status, row.publish_ids) == (S.DRAFTED, [])
    assert not AuditEntry.objects.exclude(action="import").exists()


@pytest.mark.parametrize("role", [Role.EXECUTIVE_EDITOR, Role.EDITOR_IN_CHIEF, Role.PUBLISHER])
def test_editors_who_release_issues_may_push(issue: Issue, role: Role) -> None:
    editor = staff("editor", "编辑甲", role)
    row = wechat_push_request(actor=editor, issue_id=issue.pk, enqueue=False)
    assert row.status == S.PENDING
    entry = AuditEntry.objects.get(action="wechat_push")
    assert (entry.actor, entry.issue_id) == (editor, issue.pk)


@pytest.mark.parametrize("role", [Role.RESPONSIBLE_EDITOR, Role.ART_EDITOR, Role.BOARD_MEMBER])
def test_other_roles_may_neither_push_nor_publish(issue: Issue, role: Role) -> None:
    someone = staff("someone", "编辑乙", role)
    with pytest.raises(PermissionDenied):
        wechat_push_request(actor=someone, issue_id=issue.pk, enqueue=False)
    row = WechatPush.objects.create(issue=issue, status=S.DRAFTED, draft_media_ids=["DRAFT-1"])
    with pytest.raises(PermissionDenied):
        wechat_publish_request(actor=someone, push_id=row.pk, enqueue=False)
    assert (
        WechatPush.objects.get().status == S.DRAFTED
        and not AuditEntry.objects.exclude(action="import").exists()
    )


@pytest.mark.parametrize(
    ("status", "enabled", "message"),
    [
        (IssueStatus.IN_REVIEW, True, "审核中状态的期不能推送到公众号（须为已批准、已发布）。"),
        (IssueStatus.SUPERSEDED, True, "已被修订版取代状态的期不能推送到公众号"),
        (IssueStatus.PUBLISHED, False, "未开启公众号推送"),
    ],
)
def test_only_approved_or_published_issues_of_pushing_publications(
    issue: Issue, status: str, enabled: bool, message: str
) -> None:
    Issue.objects.filter(pk=issue.pk).update(status=status)
    Publication.objects.filter(pk=issue.publication_id).update(wechat_push_enabled=enabled)
    with pytest.raises(WechatPushRefused, match=re.escape(message)):
        wechat_push_request(actor=None, issue_id=issue.pk, enqueue=False)
    assert (
        not WechatPush.objects.exists() and not AuditEntry.objects.exclude(action="import").exists()
    )


def test_an_issue_leaving_approval_while_queued_is_not_pushed(
    issue: Issue, wechat_server: FakeWechat
) -> None:
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.APPROVED)
    row = wechat_push_request(actor=None, issue_id=issue.pk, enqueue=False)
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.IN_EDIT)

    done = wechat_push_run(row.pk)

    assert done is not None and done.status == S.FAILED and "编辑中状态的期" in done.error
    assert wechat_server.calls == []


def test_the_request_asks_for_the_task_after_commit_and_only_once(
    issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, int]] = []
    monkeypatch.setattr(service, "enqueue_on_commit", lambda name, pk: asked.append((name, pk)))

    first = wechat_push_request(actor=None, issue_id=issue.pk)
    again = wechat_push_request(actor=None, issue_id=issue.pk)  # already queued

    assert first.pk == again.pk and asked == [(WECHAT_PUSH.task, first.pk)]
    assert WECHAT_PUSH.task == "editorial.tasks.wechat_push"
    assert wechat_push_run(first.pk + 1000) is None


def test_the_sweeper_requeues_pushes_nobody_picked_up_or_whose_lease_ran_out(
    issue: Issue,
) -> None:
    lease = datetime.timedelta(seconds=WECHAT_PUSH.time_limit + 60)
    now = timezone.now()
    row = WechatPush.objects.create(issue=issue, status=S.RUNNING, lease_expires_at=now + lease)
    assert wechat_pushes_stalled(now) == []  # running, leased
    assert wechat_pushes_stalled(now + lease - datetime.timedelta(seconds=1)) == []

    later = now + lease + datetime.timedelta(seconds=1)
    assert wechat_pushes_stalled(later) == [row.pk]
    assert WechatPush.objects.filter(pk=row.pk).values_list("status", "lease_expires_at").get() == (
        S.PENDING,
        None,
    )

    WechatPush.objects.filter(pk=row.pk).update(status=S.PUBLISHING)
    assert wechat_pushes_to_poll() == [row.pk]
