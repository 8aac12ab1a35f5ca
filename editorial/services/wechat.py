"""The WeChat push: an issue as Official Account drafts, published when an editor asks.

One ``WechatPush`` row per issue records everything WeChat holds for it: the cover material, the
drafts' media_ids (8 articles at most each, the issue digest first, then the articles in issue
order), the fingerprint of what the drafts hold, the publish jobs and the published URLs.

    wechat_push_request(actor=…, issue_id=…)     # records the row, asks for WECHAT_PUSH.task
    wechat_push_run(push_id)                      # the task: drafts created or brought up to date
    wechat_publish_request(actor=…, push_id=…)    # records the wish, asks for the task again
    wechat_push_run(push_id)                      # …which then submits each draft for publishing
    wechat_publish_poll(push_id)                  # until PUBLISHED (URLs stored) or FAILED

A run never makes a second draft for the same articles: each media_id is stored the moment WeChat
returns it, a run with the same content does nothing, and a run with changed content updates the
recorded drafts in place (draft/update). Images go up once per checksum, across pushes
(``WechatImage``). Refusals and WeChat's errors end the run FAILED with a message for editors
(``error``); the next request picks up where it stopped. See docs/decisions/0007-wechat-client.md.
"""

import datetime
import hashlib
import html
import json
import logging
from collections.abc import Sequence
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction

from editorial.integrations.wechat import (
    MAX_ARTICLES_PER_DRAFT,
    DraftArticle,
    PublishResult,
    WechatClient,
    WechatError,
    WechatRequestError,
)
from editorial.jobs import WECHAT_PUSH
from editorial.models import (
    Issue,
    WechatImage,
    WechatImageKind,
    WechatPush,
    WechatPushStatus,
)
from editorial.rendering.errors import RenderError
from editorial.rendering.wechat import (
    ImageSource,
    WechatArticle,
    render_wechat_cover,
    render_wechat_issue,
    validate_wechat_article,
)
from editorial.richtext import quoted_title
from editorial.selectors import issue_edition

from .audit import audit_record
from .jobs import enqueue_on_commit, job_extend_lease, job_lease, jobs_stalled
from .permissions import Actor
from .policies import IN_PROGRESS, wechat_issue_check, wechat_publish_check, wechat_push_check

logger = logging.getLogger(__name__)

S = WechatPushStatus


class WechatPushRefused(ValidationError):
    """The issue, the push or the content does not allow what was asked; nothing was sent."""


def _require_pushable(issue: Issue, name: str) -> None:
    wechat_issue_check(issue, name).require(WechatPushRefused)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "\n".join(exc.messages)
    if isinstance(exc, WechatError):
        retry = "可稍后重新推送。" if exc.retryable else ""
        return exc.editor_message + retry
    if isinstance(exc, RenderError):
        return str(exc)
    return f"内部错误：{exc!r}"


# Requests (web side): record the wish on the row, ask for the task after commit -----------------


@transaction.atomic
def wechat_push_request(*, actor: Actor, issue_id: int, enqueue: bool = True) -> WechatPush:
    """The issue's push, queued: drafts are created, or brought up to date, by its task.

    Only for an approved or published issue of a publication with WeChat push enabled, by an
    executive editor, the editor-in-chief or a publisher. A push already queued or running is
    returned as it is; one whose drafts were submitted for publishing is refused.
    """
    issue = (
        Issue.objects.select_for_update(of=("self",)).select_related("publication").get(pk=issue_id)
    )
    push = WechatPush.objects.filter(issue=issue).first()
    decision = wechat_push_check(actor, issue, push)
    if push is not None and decision.code == IN_PROGRESS:
        return push
    decision.require(WechatPushRefused)
    if push is None:
        push = WechatPush.objects.create(issue=issue)
    else:
        push.status, push.error, push.publish_ids = S.PENDING, "", []
        push.save(update_fields=["status", "error", "publish_ids", "updated_at"])
    audit_record(actor=actor, action="wechat_push", obj=issue, note="推送到公众号草稿箱")
    logger.info("wechat push %s of %s requested by %s", push.pk, issue, actor or "system")
    if enqueue:
        enqueue_on_commit(WECHAT_PUSH.task, push.pk)
    return push


@transaction.atomic
def wechat_publish_request(*, actor: Actor, push_id: int, enqueue: bool = True) -> WechatPush:
    """Ask WeChat to publish the push's drafts (freepublish/submit, by the push's task).

    Only for a published issue whose drafts are all in place (DRAFTED), or to resume a publish
    that failed; each draft is submitted once.
    """
    push = (
        WechatPush.objects.select_for_update(of=("self",))
        .select_related("issue__publication")
        .get(pk=push_id)
    )
    decision = wechat_publish_check(actor, push.issue, push)
    if decision.code == IN_PROGRESS:
        return push
    decision.require(WechatPushRefused)
    if not push.publish_ids:
        push.publish_ids = [""] * len(push.draft_media_ids)
    push.status, push.error = S.PENDING, ""
    push.save(update_fields=["status", "error", "publish_ids", "updated_at"])
    audit_record(actor=actor, action="wechat_publish", obj=push.issue, note="在公众号发布")
    logger.info("wechat publish of push %s requested by %s", push.pk, actor or "system")
    if enqueue:
        enqueue_on_commit(WECHAT_PUSH.task, push.pk)
    return push


# The task body: drafts, then (when asked) publishing -------------------------------------------


def wechat_push_run(push_id: int) -> WechatPush | None:
    """Do what the pending push asks; ``None`` when another worker has it or nothing is pending.

    The row is claimed (PENDING → RUNNING, leased) in a short transaction that skips a locked
    row; the WeChat calls run outside any transaction, every result is saved as soon as it
    arrives and renews the lease, so a failure or a crash leaves a row that the next run
    continues without duplicating anything, and a slow run is never claimed by a second worker.
    """
    with transaction.atomic():
        push = (
            WechatPush.objects.select_for_update(skip_locked=True)
            .filter(pk=push_id, status=S.PENDING)
            .first()
        )
        if push is None:
            return None
        push.status, push.attempts = S.RUNNING, push.attempts + 1
        push.lease_expires_at = job_lease(push)
        push.save(update_fields=["status", "attempts", "lease_expires_at", "updated_at"])
    try:
        with WechatClient.from_settings() as client:
            if not any(push.publish_ids):  # nothing submitted yet: the drafts may still change
                _sync_drafts(client, push)
            if push.publish_ids:
                _submit(client, push)
    except (WechatError, ValidationError, RenderError) as exc:
        return _finish_failed(push, _message(exc))
    except Exception as exc:
        _finish_failed(push, _message(exc))
        raise
    push.status = S.PUBLISHING if push.publish_ids else S.DRAFTED
    push.error, push.lease_expires_at = "", None
    push.save(update_fields=["status", "error", "lease_expires_at", "updated_at"])
    logger.info("wechat push %s: %s, drafts %s", push.pk, push.status, push.draft_media_ids)
    return push


def _sync_drafts(client: WechatClient, push: WechatPush) -> None:
    issue = Issue.objects.select_related("publication").get(pk=push.issue_id)
    _require_pushable(issue, "wechat_publish" if push.publish_ids else "wechat_push")
    edition = issue_edition(issue.pk, status=issue.status)
    # Rendered once with stand-ins for the images, and checked before anything leaves: content
    # that would be refused sends nothing to WeChat. Then each image goes up (once per checksum,
    # ever), its URL takes the stand-in's place, and what will be sent is checked as sent.
    pending = _PendingImages()
    articles = render_wechat_issue(edition, image_url=pending.url)
    _refuse_violations(articles)
    cover = render_wechat_cover(edition)
    uploaded = _BodyImages(client, push)
    urls = {checksum: uploaded.url(image) for checksum, image in pending.images.items()}
    articles = [replace(a, content=pending.place(a.content, urls)) for a in articles]
    _refuse_violations(articles)
    push.thumb_media_id = _thumb_media_id(client, cover)
    push.save(update_fields=["thumb_media_id", "updated_at"])
    job_extend_lease(push)
    drafts = [_draft_article(article, push.thumb_media_id) for article in articles]
    batches = [
        drafts[i : i + MAX_ARTICLES_PER_DRAFT]
        for i in range(0, len(drafts), MAX_ARTICLES_PER_DRAFT)
    ]
    fingerprint = _fingerprint(batches)
    recorded: list[str] = list(push.draft_media_ids)
    if recorded and push.content_hash != fingerprint:
        recorded = _update_drafts(client, push, recorded, batches)
    elif recorded and len(recorded) == len(batches):
        logger.info("wechat push %s: drafts already hold this content", push.pk)
    for batch in batches[len(recorded) :]:
        recorded.append(client.draft_add(batch))
        push.draft_media_ids, push.content_hash = recorded, fingerprint
        push.save(update_fields=["draft_media_ids", "content_hash", "updated_at"])
        job_extend_lease(push)
    if push.content_hash != fingerprint:
        push.content_hash = fingerprint
        push.save(update_fields=["content_hash", "updated_at"])


def _update_drafts(
    client: WechatClient, push: WechatPush, recorded: list[str], batches: list[list[DraftArticle]]
) -> list[str]:
    """Bring the recorded drafts to the new content in place; the media_ids that still stand.

    draft/update replaces one article at a position, so a draft can only follow when it holds as
    many articles as its batch now has. Drafts all deleted in WeChat's backend are forgotten and
    made afresh; anything in between is refused, naming the drafts to delete.
    """
    sizes: list[int | None] = []
    for media_id in recorded:
        try:
            sizes.append(len(client.draft_get(media_id)))
        except WechatRequestError as exc:
            if exc.errcode != 40007:
                raise
            sizes.append(None)
        job_extend_lease(push)
    if all(size is None for size in sizes):
        logger.info("wechat push %s: drafts %s are gone; making new ones", push.pk, recorded)
        push.draft_media_ids, push.content_hash = [], ""
        push.save(update_fields=["draft_media_ids", "content_hash", "updated_at"])
        return []
    wanted = [len(batch) for batch in batches[: len(recorded)]]
    if len(recorded) > len(batches) or sizes != wanted:
        found = "、".join("已删除" if s is None else f"{s} 篇" for s in sizes)
        raise WechatPushRefused(
            f"本期内容已变，公众号草稿箱中的草稿（{'、'.join(recorded)}；{found}）"
            f"无法原样更新为现在的 {'、'.join(str(len(b)) for b in batches)} 篇。"
            "请在公众号后台删除这些草稿后重新推送。",
            code="drafts_changed_shape",
        )
    for media_id, batch in zip(recorded, batches, strict=False):
        for index, article in enumerate(batch):
            client.draft_update(media_id=media_id, index=index, article=article)
            job_extend_lease(push)
    logger.info("wechat push %s: drafts %s updated to new content", push.pk, recorded)
    return recorded


def _submit(client: WechatClient, push: WechatPush) -> None:
    """freepublish/submit each draft not yet submitted; each publish_id saved as it comes."""
    _require_pushable(push.issue, "wechat_publish")  # it may have changed while queued
    if len(push.publish_ids) != len(push.draft_media_ids):
        push.publish_ids = [""] * len(push.draft_media_ids)
    for index, media_id in enumerate(push.draft_media_ids):
        if push.publish_ids[index]:
            continue
        push.publish_ids[index] = client.publish_submit(media_id)
        push.save(update_fields=["publish_ids", "updated_at"])
        job_extend_lease(push)


def wechat_publish_poll(push_id: int) -> WechatPush | None:
    """Ask WeChat how the push's publish jobs stand (freepublish/get); ``None`` if not publishing.

    All published: PUBLISHED, with every article's URL in issue order. Still publishing: the row
    is left PUBLISHING for a later poll. A job that failed: FAILED, naming the draft and WeChat's
    status, and that draft is cleared so that a new publish request submits it again.
    """
    push = WechatPush.objects.filter(pk=push_id, status=S.PUBLISHING).first()
    if push is None:
        return None
    results: dict[str, PublishResult] = {}
    try:
        with WechatClient.from_settings() as client:
            for publish_id in filter(None, push.publish_ids):
                results[publish_id] = client.publish_get(publish_id)
    except WechatError as exc:
        if exc.retryable:  # try again at the next poll
            logger.warning("wechat push %s: poll failed: %s", push.pk, exc)
            return push
        return _finish_failed(push, _message(exc))
    with transaction.atomic():
        push = WechatPush.objects.select_for_update().get(pk=push_id)
        if push.status != S.PUBLISHING:
            return push
        failures = []
        for number, publish_id in enumerate(push.publish_ids, start=1):
            result = results.get(publish_id)
            if result is None or result.publishing or result.succeeded:
                continue
            failures.append(
                f"第 {number} 篇草稿（{push.draft_media_ids[number - 1]}）发布失败："
                f"状态 {result.status} {result.label}"
                + (f"，失败文章序号 {list(result.fail_idx)}" if result.fail_idx else "")
            )
            push.publish_ids[number - 1] = ""
        if failures:
            push.status, push.error = S.FAILED, "\n".join(failures) + "\n可修改后重新请求发布。"
        elif all(p and results.get(p) and results[p].succeeded for p in push.publish_ids):
            push.article_urls = [url for p in push.publish_ids for url in results[p].article_urls]
            push.status, push.error = S.PUBLISHED, ""
        push.save(update_fields=["status", "error", "publish_ids", "article_urls", "updated_at"])
    logger.info("wechat push %s: poll → %s", push.pk, push.status)
    return push


def wechat_pushes_to_poll() -> list[int]:
    """Pushes waiting for WeChat to finish publishing (for a periodic poll)."""
    return list(WechatPush.objects.filter(status=S.PUBLISHING).values_list("pk", flat=True)[:100])


def wechat_pushes_stalled(now: datetime.datetime) -> list[int]:
    """Pushes nobody picked up or whose lease ran out, set pending again (see jobs_stalled)."""
    return jobs_stalled(WechatPush.objects.all(), now=now, pending_since="updated_at")


# Helpers ------------------------------------------------------------------------------------


class _PendingImages:
    """``image_url`` for the first render: a stand-in URL per image, on WeChat's image host so
    that every other rule is checked on the articles exactly as they will be sent."""

    STAND_IN = "http://mmbiz.qpic.cn/digest-pending/{checksum}/0"

    def __init__(self) -> None:
        self.images: dict[str, ImageSource] = {}  # by checksum, in the order the issue shows them

    def url(self, image: ImageSource) -> str:
        self.images.setdefault(image.checksum, image)
        return self.STAND_IN.format(checksum=image.checksum)

    def place(self, content: str, urls: dict[str, str]) -> str:
        """``content`` with each stand-in replaced by the image's URL on WeChat's host."""
        for checksum, url in urls.items():
            content = content.replace(self.STAND_IN.format(checksum=checksum), html.escape(url))
        if "/digest-pending/" in content:  # the renderer changed a URL it was given
            raise RenderError("公众号图文中有图片地址未能替换为微信图片地址。")
        return content


class _BodyImages:
    """``image_url`` for the renderer: each image uploaded once per checksum, ever; each upload
    renews the push's lease."""

    def __init__(self, client: WechatClient, push: WechatPush) -> None:
        self.client = client
        self.push = push
        self.urls: dict[str, str] = {}

    def url(self, image: ImageSource) -> str:
        if image.checksum not in self.urls:
            known = WechatImage.objects.filter(
                checksum=image.checksum, kind=WechatImageKind.BODY
            ).first()
            if known is None:
                url = self.client.upload_image(
                    name=image.name, data=image.data, content_type=image.content_type
                )
                job_extend_lease(self.push)
                known, _ = WechatImage.objects.get_or_create(
                    checksum=image.checksum, kind=WechatImageKind.BODY, defaults={"url": url}
                )
            self.urls[image.checksum] = known.url
        return self.urls[image.checksum]


def _thumb_media_id(client: WechatClient, cover: ImageSource) -> str:
    """The cover as a permanent material (thumb_media_id), added once per checksum."""
    known = WechatImage.objects.filter(checksum=cover.checksum, kind=WechatImageKind.THUMB).first()
    if known is None:
        material = client.add_image_material(
            name=cover.name, data=cover.data, content_type=cover.content_type
        )
        known, _ = WechatImage.objects.get_or_create(
            checksum=cover.checksum,
            kind=WechatImageKind.THUMB,
            defaults={"media_id": material.media_id, "url": material.url},
        )
    return known.media_id


def _refuse_violations(articles: Sequence[WechatArticle]) -> None:
    violations = [
        v for a in articles for v in validate_wechat_article(a, local_images_allowed=False)
    ]
    if violations:
        lines = [f"{quoted_title(v.article)}{v.element}：{v.message}" for v in violations]
        raise WechatPushRefused(
            "\n".join([f"内容不符合公众号的要求，未推送（{len(violations)} 处）：", *lines]),
            code="invalid_content",
        )


def _draft_article(article: WechatArticle, thumb_media_id: str) -> DraftArticle:
    return DraftArticle(
        title=article.title,
        author=article.author,
        digest=article.digest,
        content=article.content,
        content_source_url=article.content_source_url,
        thumb_media_id=thumb_media_id,
    )


def _fingerprint(batches: Sequence[Sequence[DraftArticle]]) -> str:
    """SHA-256 of exactly what the drafts hold (image URLs and cover included)."""
    payload = [[article.payload() for article in batch] for batch in batches]
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _finish_failed(push: WechatPush, error: str) -> WechatPush:
    push.status, push.error, push.lease_expires_at = S.FAILED, error, None
    push.save(update_fields=["status", "error", "lease_expires_at", "updated_at"])
    logger.warning("wechat push %s failed: %s", push.pk, error)
    return push


__all__ = [
    "WechatPushRefused",
    "wechat_publish_poll",
    "wechat_publish_request",
    "wechat_push_request",
    "wechat_push_run",
    "wechat_pushes_stalled",
    "wechat_pushes_to_poll",
]
