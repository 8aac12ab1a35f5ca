"""A thin client of the WeChat Official Account API: token, images, drafts, publishing.

Only the calls the push needs, written from WeChat's published documentation (see
docs/decisions/0007-wechat-client.md for why this is ours and not wechatpy):

    with WechatClient.from_settings() as client:
        url = client.upload_image(name="fig.png", data=png, content_type="image/png")
        cover = client.add_image_material(name="cover.png", data=png, content_type="image/png")
        media_id = client.draft_add([DraftArticle(title=..., thumb_media_id=cover.media_id, ...)])
        publish_id = client.publish_submit(media_id)
        result = client.publish_get(publish_id)          # PublishResult: status, article URLs

Every call has explicit timeouts. The access token lives in the Django cache (Redis, shared by
web and workers) until a few minutes before it expires; a call refused with 40001/40014/42001
gets a fresh token and is tried once more. System busy (-1), the rate limit (45009) and network
failures are retried with exponential backoff a bounded number of times, then raised as
``WechatTransientError``; anything else is terminal (``WechatRequestError``,
``WechatAuthError``) and carries WeChat's errcode and errmsg and a Chinese explanation for
editors (``editor_message``). A call that creates something (``draft_add``, ``publish_submit``)
is not sent again once the request may have reached WeChat, so a timeout never makes two drafts.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any, ClassVar

import httpx
from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.cache.backends.base import BaseCache

from editorial.wechat_limits import (
    IMAGE_MAX_BYTES,
    IMAGE_TYPES,
    MATERIAL_IMAGE_MAX_BYTES,
    MATERIAL_IMAGE_TYPES,
    MAX_ARTICLES_PER_DRAFT,
)

logger = logging.getLogger(__name__)

# Documented limits, checked before sending so that an editor gets a precise message.
BODY_IMAGE_TYPES = frozenset(IMAGE_TYPES)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # the token is stale: refresh once, try again
RETRYABLE_ERRORS = frozenset({-1, 45009})  # system busy, rate limit: back off and try again
TOKEN_MARGIN_SECONDS = 300  # refresh this long before WeChat's expires_in runs out

PUBLISH_STATUSES = {
    0: "发布成功",
    1: "发布中",
    2: "原创声明失败",
    3: "常规失败",
    4: "平台审核不通过",
    5: "成功后用户删除了所有文章",
    6: "成功后系统封禁了所有文章",
}

# What the codes the push can meet mean, for editors (global return codes and the endpoints').
ERROR_MEANINGS = {
    -1: "微信系统繁忙，请稍后再试",
    40001: "AppSecret 错误或 access_token 无效",
    40002: "凭证类型不合法",
    40005: "文件类型不合法（正文图片仅支持 JPG/PNG）",
    40007: "media_id 无效（素材或草稿不存在，或已发布）",
    40009: "图片大小超出限制（正文图片须小于 1 MB）",
    40013: "AppID 无效",
    40014: "access_token 不合法",
    40033: "请求含有 \\uxxxx 形式的字符",
    40125: "AppSecret 无效",
    40164: "调用接口的 IP 不在公众号的 IP 白名单中",
    40243: "AppSecret 已被冻结",
    41001: "缺少 access_token",
    42001: "access_token 已过期",
    43002: "须用 POST 请求",
    45002: "正文超出长度限制（须少于 2 万字符且小于 1 MB）",
    45003: "标题超出长度限制（不超过 32 字）",
    45004: "摘要超出长度限制（不超过 128 字）",
    45005: "原文链接超出长度限制",
    45008: "图文篇数超出限制（一篇草稿最多 8 篇文章）",
    45009: "接口调用次数已达今日上限",
    45110: "作者超出长度限制（不超过 16 字）",
    45166: "内容不合法",
    48001: "公众号没有该接口的权限（须认证）",
    53503: "该草稿未通过发布检查",
}
_CREDENTIALS_IN_QUERY = re.compile(r"((?:access_token|secret|appsecret)=)[^&\s\"']+")


class _RedactCredentials(logging.Filter):
    """httpx logs every request URL at INFO; WeChat puts the AppSecret and the token there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _CREDENTIALS_IN_QUERY.sub(r"\1***", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _CREDENTIALS_IN_QUERY.sub(r"\1***", str(arg))
                if isinstance(arg, str | httpx.URL)
                else arg
                for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_RedactCredentials())

_AUTH_ERRORS = frozenset({40001, 40002, 40013, 40014, 40125, 40164, 40243, 41001, 42001, 48001})


class WechatError(Exception):
    """A call to the WeChat API that did not succeed.

    ``errcode`` and ``errmsg`` are WeChat's (``errcode`` is ``None`` when WeChat never answered);
    ``editor_message`` says it in Chinese for the job row.
    """

    retryable: ClassVar[bool] = False

    def __init__(self, api: str, errcode: int | None, errmsg: str, *, hint: str = "") -> None:
        self.api, self.errcode, self.errmsg, self.hint = api, errcode, errmsg, hint
        super().__init__(self.editor_message)

    @property
    def editor_message(self) -> str:
        code = "无应答" if self.errcode is None else f"错误码 {self.errcode}"
        meaning = ERROR_MEANINGS.get(self.errcode) if self.errcode is not None else None
        text = f"公众号接口 {self.api} 失败：{code}（{self.errmsg}）"
        for part in (meaning, self.hint):
            if part:
                text += f"——{part}"
        return text + "。"


class WechatTransientError(WechatError):
    """System busy, rate limit or network trouble that outlasted the retries: try later.

    ``maybe_applied``: the request may have reached WeChat (a read timeout), so a call that
    creates something must not simply be sent again.
    """

    retryable = True

    def __init__(
        self, api: str, errcode: int | None, errmsg: str, *, hint: str = "", maybe_applied: bool
    ) -> None:
        self.maybe_applied = maybe_applied
        super().__init__(api, errcode, errmsg, hint=hint)


class WechatAuthError(WechatError):
    """Credentials or permissions are wrong (AppID, AppSecret, IP whitelist, a refused token)."""


class WechatRequestError(WechatError):
    """WeChat refused the request itself (content, limits, media_id): sending it again fails."""


class _TokenRejected(WechatAuthError):
    """40001/40014/42001 on a call: a fresh token may help, once."""


@dataclass(frozen=True)
class DraftArticle:
    """One article of a draft, in draft/add's field names."""

    title: str
    author: str
    digest: str
    content: str
    content_source_url: str
    thumb_media_id: str
    need_open_comment: int = 0
    only_fans_can_comment: int = 0

    def payload(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Material:
    """A permanent material: its media_id, and its URL on WeChat's image host."""

    media_id: str
    url: str


@dataclass(frozen=True)
class PublishResult:
    """What freepublish/get says about one publish job."""

    publish_id: str
    status: int
    article_id: str
    article_urls: tuple[str, ...]
    fail_idx: tuple[int, ...]

    @property
    def publishing(self) -> bool:
        return self.status == 1

    @property
    def succeeded(self) -> bool:
        return self.status == 0

    @property
    def label(self) -> str:
        return PUBLISH_STATUSES.get(self.status, f"未知状态 {self.status}")


def check_image(
    *, api: str, name: str, data: bytes, content_type: str, types: frozenset[str], max_bytes: int
) -> None:
    """Refuse before sending what WeChat would refuse: the type (declared and actual) and size."""
    actual = _sniff(data)
    if content_type not in types or actual != content_type:
        raise WechatRequestError(
            api,
            40005,
            "invalid file type (checked before sending)",
            hint=f"图片“{name}”是 {actual or content_type or '未知类型'}，"
            f"只接受 {'、'.join(sorted(t.split('/')[1].upper() for t in types))}",
        )
    if len(data) >= max_bytes:
        raise WechatRequestError(
            api,
            40009,
            "invalid image size (checked before sending)",
            hint=f"图片“{name}”为 {len(data):,} 字节，须小于 {max_bytes:,} 字节",
        )


def _sniff(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    return ""


class WechatClient:
    """One Official Account (AppID + AppSecret) at one API base; close it, or use ``with``."""

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        api_base: str,
        timeout: float,
        attempts: int = 4,
        backoff_seconds: float = 1.0,
        cache: BaseCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.app_id, self._app_secret = app_id, app_secret
        self.attempts, self.backoff_seconds = max(1, attempts), backoff_seconds
        self._cache = cache if cache is not None else default_cache
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=api_base.rstrip("/") + "/",
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": "digest-wechat/1"},
        )

    @classmethod
    def from_settings(cls, **overrides: Any) -> WechatClient:
        """The account configured in settings; ``WECHAT_RETRY_*`` tune the backoff (tests)."""
        options: dict[str, Any] = {
            "app_id": settings.WECHAT_APP_ID,
            "app_secret": settings.WECHAT_APP_SECRET,
            "api_base": settings.WECHAT_API_BASE,
            "timeout": settings.WECHAT_TIMEOUT_SECONDS,
            "attempts": getattr(settings, "WECHAT_RETRY_ATTEMPTS", 4),
            "backoff_seconds": getattr(settings, "WECHAT_RETRY_BACKOFF_SECONDS", 1.0),
        }
        return cls(**{**options, **overrides})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WechatClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # The access token -----------------------------------------------------------------------

    @property
    def _token_key(self) -> str:
        return f"wechat:access_token:{self.app_id}"

    def access_token(self) -> str:
        """The cached token, or a new one from cgi-bin/token."""
        token = self._cache.get(self._token_key)
        return token if isinstance(token, str) and token else self._fetch_token()

    def _refresh_token(self, stale: str) -> str:
        """A token other than ``stale``: another worker's fresh one, or a new one."""
        current = self._cache.get(self._token_key)
        if isinstance(current, str) and current and current != stale:
            return current
        self._cache.delete(self._token_key)
        return self._fetch_token()

    def _fetch_token(self) -> str:
        api = "cgi-bin/token"
        if not self.app_id or not self._app_secret:
            raise WechatAuthError(
                api, None, "not configured", hint="未配置 WECHAT_APP_ID / WECHAT_APP_SECRET"
            )
        params = {
            "grant_type": "client_credential",
            "appid": self.app_id,
            "secret": self._app_secret,
        }
        data = self._with_retries(api, lambda: self._send(api, "GET", params=params), creates=False)
        token, expires_in = data.get("access_token"), int(data.get("expires_in") or 7200)
        if not isinstance(token, str) or not token:
            raise WechatAuthError(api, None, f"no access_token in the answer: {sorted(data)}")
        ttl = max(1, expires_in - min(TOKEN_MARGIN_SECONDS, expires_in // 5))
        self._cache.set(self._token_key, token, timeout=ttl)
        logger.info("wechat %s: new access token, cached for %d s", self.app_id, ttl)
        return token

    # The calls ------------------------------------------------------------------------------

    def upload_image(self, *, name: str, data: bytes, content_type: str) -> str:
        """media/uploadimg: an image for article bodies (JPG/PNG under 1 MB); its URL."""
        api = "cgi-bin/media/uploadimg"
        check_image(
            api=api,
            name=name,
            data=data,
            content_type=content_type,
            types=BODY_IMAGE_TYPES,
            max_bytes=IMAGE_MAX_BYTES,
        )
        answer = self._call(api, files={"media": (name, data, content_type)}, creates=False)
        url = _required(api, answer, "url")
        logger.info("wechat: uploaded body image %s (%d bytes)", name, len(data))
        return url

    def add_image_material(self, *, name: str, data: bytes, content_type: str) -> Material:
        """material/add_material?type=image: a permanent image (e.g. a cover thumb)."""
        api = "cgi-bin/material/add_material"
        check_image(
            api=api,
            name=name,
            data=data,
            content_type=content_type,
            types=MATERIAL_IMAGE_TYPES,
            max_bytes=MATERIAL_IMAGE_MAX_BYTES,
        )
        answer = self._call(
            api,
            params={"type": "image"},
            files={"media": (name, data, content_type)},
            creates=False,
        )
        material = Material(_required(api, answer, "media_id"), str(answer.get("url") or ""))
        logger.info("wechat: added image material %s as %s", name, material.media_id)
        return material

    def draft_add(self, articles: Sequence[DraftArticle]) -> str:
        """draft/add: one draft of 1 to 8 articles; its media_id."""
        if not 1 <= len(articles) <= MAX_ARTICLES_PER_DRAFT:
            raise ValueError(
                f"a draft holds 1 to {MAX_ARTICLES_PER_DRAFT} articles, not {len(articles)}"
            )
        api = "cgi-bin/draft/add"
        answer = self._call(
            api, payload={"articles": [a.payload() for a in articles]}, creates=True
        )
        media_id = _required(api, answer, "media_id")
        logger.info("wechat: draft %s created with %d article(s)", media_id, len(articles))
        return media_id

    def draft_update(self, *, media_id: str, index: int, article: DraftArticle) -> None:
        """draft/update: replace the article at ``index`` (from 0) of a draft."""
        api = "cgi-bin/draft/update"
        payload = {"media_id": media_id, "index": index, "articles": article.payload()}
        self._call(api, payload=payload, creates=False)
        logger.info("wechat: draft %s article %d updated", media_id, index)

    def draft_get(self, media_id: str) -> list[dict[str, Any]]:
        """draft/get: the articles of a draft (raises WechatRequestError 40007 when it is gone)."""
        api = "cgi-bin/draft/get"
        answer = self._call(api, payload={"media_id": media_id}, creates=False)
        items = answer.get("news_item")
        return list(items) if isinstance(items, list) else []

    def publish_submit(self, media_id: str) -> str:
        """freepublish/submit: ask WeChat to publish a draft; the publish_id to poll."""
        api = "cgi-bin/freepublish/submit"
        answer = self._call(api, payload={"media_id": media_id}, creates=True)
        publish_id = _required(api, answer, "publish_id")
        logger.info("wechat: draft %s submitted for publishing as %s", media_id, publish_id)
        return publish_id

    def publish_get(self, publish_id: str) -> PublishResult:
        """freepublish/get: where a publish job stands, with the article URLs once published."""
        api = "cgi-bin/freepublish/get"
        answer = self._call(api, payload={"publish_id": publish_id}, creates=False)
        detail = answer.get("article_detail") or {}
        items = sorted(detail.get("item") or [], key=lambda item: int(item.get("idx", 0)))
        return PublishResult(
            publish_id=str(answer.get("publish_id") or publish_id),
            status=int(answer.get("publish_status", -1)),
            article_id=str(answer.get("article_id") or ""),
            article_urls=tuple(str(item.get("article_url") or "") for item in items),
            fail_idx=tuple(int(i) for i in answer.get("fail_idx") or []),
        )

    # The machinery --------------------------------------------------------------------------

    def _call(
        self,
        api: str,
        *,
        params: Mapping[str, str] | None = None,
        payload: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        creates: bool,
    ) -> dict[str, Any]:
        """A POST with the access token; a stale token is refreshed once and the call repeated."""
        token = self.access_token()

        def send(token: str) -> dict[str, Any]:
            query = {**(params or {}), "access_token": token}
            return self._send(api, "POST", params=query, payload=payload, files=files)

        try:
            return self._with_retries(api, lambda: send(token), creates=creates)
        except _TokenRejected as exc:
            logger.info("wechat %s: token refused (%s), refreshing once", api, exc.errcode)
        fresh = self._refresh_token(stale=token)
        try:
            return self._with_retries(api, lambda: send(fresh), creates=creates)
        except _TokenRejected as exc:
            logger.error("wechat %s: a fresh token was refused too: %s", api, exc.errcode)
            raise WechatAuthError(
                api, exc.errcode, exc.errmsg, hint="刷新 access_token 后仍被拒绝"
            ) from exc

    def _with_retries(
        self, api: str, attempt: Callable[[], dict[str, Any]], *, creates: bool
    ) -> dict[str, Any]:
        for number in range(1, self.attempts + 1):
            try:
                return attempt()
            except WechatTransientError as exc:
                if creates and exc.maybe_applied:
                    logger.error(
                        "wechat %s: %s; not sent again, it may have been applied", api, exc
                    )
                    raise WechatTransientError(
                        api,
                        exc.errcode,
                        exc.errmsg,
                        hint="微信可能已执行该请求，重试前请在公众号后台核对，避免重复",
                        maybe_applied=True,
                    ) from exc
                if number == self.attempts:
                    logger.error("wechat %s: giving up after %d attempts: %s", api, number, exc)
                    raise
                delay = self.backoff_seconds * 2 ** (number - 1)
                logger.warning(
                    "wechat %s: %s (attempt %d of %d), retrying in %.2f s",
                    api,
                    exc.errmsg if exc.errcode is None else f"{exc.errcode} {exc.errmsg}",
                    number,
                    self.attempts,
                    delay,
                )
                self._sleep(delay)
            except WechatError as exc:
                if not isinstance(exc, _TokenRejected):
                    logger.warning("wechat %s: refused: %s", api, exc)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        api: str,
        method: str,
        *,
        params: Mapping[str, str],
        payload: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> dict[str, Any]:
        """One HTTP exchange; WeChat's answer, or the error it stands for."""
        content, headers = None, {}
        if payload is not None:
            # Raw UTF-8: WeChat counts \uXXXX escapes as characters and refuses them (40033).
            content = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        started = time.perf_counter()
        try:
            response = self._http.request(
                method, api, params=dict(params), content=content, files=files, headers=headers
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise WechatTransientError(api, None, _network(exc), maybe_applied=False) from exc
        except httpx.HTTPError as exc:  # read/write timeouts, dropped connections
            raise WechatTransientError(api, None, _network(exc), maybe_applied=True) from exc
        elapsed = time.perf_counter() - started
        if response.status_code >= 500:
            raise WechatTransientError(
                api, None, f"HTTP {response.status_code}", maybe_applied=True
            )
        try:
            data = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WechatTransientError(
                api, None, f"HTTP {response.status_code}, not JSON", maybe_applied=True
            ) from exc
        if not isinstance(data, dict):
            raise WechatRequestError(api, None, f"unexpected answer: {type(data).__name__}")
        errcode = int(data.get("errcode") or 0)
        logger.debug("wechat %s: errcode %d in %.3f s", api, errcode, elapsed)
        if errcode == 0:
            return data
        errmsg = str(data.get("errmsg") or "")
        if errcode in RETRYABLE_ERRORS:
            raise WechatTransientError(api, errcode, errmsg, maybe_applied=False)
        if errcode in TOKEN_ERRORS and api != "cgi-bin/token":
            raise _TokenRejected(api, errcode, errmsg)
        if errcode in _AUTH_ERRORS:
            raise WechatAuthError(api, errcode, errmsg)
        raise WechatRequestError(api, errcode, errmsg)


def _required(api: str, answer: Mapping[str, Any], key: str) -> str:
    value = answer.get(key)
    if not isinstance(value, str | int) or value == "":
        raise WechatRequestError(api, None, f"no {key} in the answer")
    return str(value)


def _network(exc: httpx.HTTPError) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
