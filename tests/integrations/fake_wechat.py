"""A local stand-in for the WeChat Official Account API, for tests.

Written from WeChat's published documentation (developers.weixin.qq.com: 获取 Access token,
上传图文消息内的图片获取URL, 新增永久素材, 草稿箱 新建/修改/获取草稿, 发布能力 发布/发布状态轮询,
全局返回码), not from the real service, which tests cannot reach. It speaks the documented request
and response formats on 127.0.0.1 (real HTTP, real multipart, real JSON), so the client under
test is the production one, and it enforces the documented rules:

* ``GET cgi-bin/token?grant_type=client_credential&appid=&secret=`` → ``access_token``,
  ``expires_in``; a wrong grant type 40002, AppID 40013, AppSecret 40125. A token is valid for
  ``expires_in`` seconds; after a new one is issued the old ones stay valid 5 more minutes at
  most. An unknown token is refused with 40001, an expired one with 42001, none with 41001.
* ``POST cgi-bin/media/uploadimg`` (multipart ``media``): JPG/PNG only (40005), under 1 MB
  (40009) → ``url`` (see below for the host).
* ``POST cgi-bin/material/add_material?type=image`` (multipart ``media``): JPG/PNG/GIF/BMP,
  at most 10 MB → ``media_id``, ``url``.
* ``POST cgi-bin/draft/add`` ``{"articles": [...]}``: 1 to 8 articles (44003, 45008); title at
  most 32 characters (45003), author 16 (45110), digest 128 (45004), content under 20,000
  characters and 1 MB (45002), content_source_url at most 1 KB (45005); thumb_media_id must be
  a permanent material of this account (40007); a body with ``\\uXXXX`` escapes is refused
  (40033). Images in content that this server did not issue are filtered out, as the
  documentation says WeChat does ("外部图片url将被过滤"); the filtered URLs are recorded.
  → ``media_id``.
* ``POST cgi-bin/draft/update`` ``{"media_id", "index", "articles": {...}}``, the same checks;
  an unknown draft or index 40007. ``POST cgi-bin/draft/get`` ``{"media_id"}`` → ``news_item``.
* ``POST cgi-bin/freepublish/submit`` ``{"media_id"}`` → ``publish_id``; ``POST
  cgi-bin/freepublish/get`` ``{"publish_id"}`` → ``publish_status`` (1 publishing for
  ``publish_polls_pending`` polls, then the outcome: 0 with ``article_detail.item[].article_url``
  — the draft then leaves the draft box — or 2 to 6 with ``fail_idx``).
* Other methods than the documented one: 43002/43001.

Where the documentation names no code for a case (more than 8 articles, a bad draft index, an
unknown publish_id) the nearest global return code is used (45008, 40007, 40007).

Uploaded images get URLs on WeChat's own image host name (``http://mmbiz.qpic.cn/mmbiz_png/…``),
as the real API gives them; the server only knows which URLs it issued, it does not serve them.

Tests steer it: ``fail_next(api, errcode)`` (e.g. -1 or 45009 on the next uploadimg),
``delay_next(api, seconds)`` (longer than the client's timeout), ``expire_tokens()``,
``expire_tokens_after(api, calls)``, ``reject_next_draft()``, ``publish_outcome(...)``; and
inspect it: ``calls``, ``count(api)``, ``attempts(api)``, ``drafts``, ``images``,
``materials``, ``filtered_images``. ``running_fake_wechat(settings)`` starts one on a free port
and points the WECHAT_* settings at it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from uuid import uuid4

from django.core.cache import cache

TOKEN_OVERLAP_SECONDS = 300
MAX_ARTICLES = 8
LIMITS = {  # field: (max characters, errcode, errmsg)
    "title": (32, 45003, "title size out of limit"),
    "author": (16, 45110, "author size out of limit"),
    "digest": (128, 45004, "description size out of limit"),
}
CONTENT_MAX_CHARS = 20_000
CONTENT_MAX_BYTES = 1024 * 1024
SOURCE_URL_MAX_BYTES = 1024
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
IMG_SRC = re.compile(r"""\bsrc\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)


class _Refusal(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode, self.errmsg = errcode, errmsg


@dataclass
class Call:
    """One request the server answered: the API path after cgi-bin/, what came, what went."""

    api: str
    method: str
    query: dict[str, str]
    body: Any
    errcode: int = 0


@dataclass
class PublishJob:
    media_id: str
    articles: list[dict[str, Any]]
    polls_pending: int
    status: int
    fail_idx: list[int] = field(default_factory=list)


class FakeWechat:
    """The server and its state; start() it, point WECHAT_API_BASE at ``base_url``, stop() it."""

    def __init__(
        self,
        *,
        app_id: str = "wx-test-app",
        app_secret: str = "test-secret",  # noqa: S107 - the stand-in's own, for tests
        expires_in: int = 7200,
        image_host: str = "http://mmbiz.qpic.cn",
    ) -> None:
        self.app_id, self.app_secret, self.expires_in = app_id, app_secret, expires_in
        # Uploaded images get URLs on WeChat's own image host name, as the real API gives them
        # (and as the WeChat validator requires); only URLs this server issued stay in content.
        self.image_host = image_host
        self.calls: list[Call] = []
        self.tokens: dict[str, float] = {}  # token -> monotonic expiry
        self.images: dict[str, bytes] = {}  # URL on our image host -> bytes
        self.materials: dict[str, dict[str, Any]] = {}  # media_id -> {"url", "data"}
        self.drafts: dict[str, list[dict[str, Any]]] = {}  # media_id -> articles
        self.publishes: dict[str, PublishJob] = {}
        self.filtered_images: list[str] = []
        self.publish_polls_pending = 1
        self._outcome: tuple[int, list[int]] = (0, [])
        self._failures: dict[str, deque[tuple[int, str] | None]] = defaultdict(deque)
        self._expire_after: dict[str, int] = {}
        self._delays: dict[str, deque[float]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Running ----------------------------------------------------------------------------------

    def start(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},  # stop() waits for one poll
            name="fake-wechat",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # Steering ---------------------------------------------------------------------------------

    def fail_next(
        self, api: str, errcode: int, errmsg: str = "", *, times: int = 1, after: int = 0
    ) -> None:
        """Answer ``times`` calls of ``api`` (e.g. "media/uploadimg") with ``errcode``, once
        ``after`` more calls of it have been answered normally."""
        default = {-1: "system error", 45009: "reach max api daily quota limit"}
        with self._lock:
            self._failures[api].extend([None] * after)
            for _ in range(times):
                self._failures[api].append((errcode, errmsg or default.get(errcode, "error")))

    def expire_tokens_after(self, api: str, calls: int) -> None:
        """Expire every token right after the next ``calls`` successful calls of ``api``."""
        with self._lock:
            self._expire_after[api] = calls

    def delay_next(self, api: str, seconds: float, *, times: int = 1) -> None:
        """Sleep ``seconds`` before handling the next ``times`` calls of ``api``."""
        with self._lock:
            self._delays[api].extend([seconds] * times)

    def expire_tokens(self) -> None:
        """Every token issued so far has expired (42001 from now on)."""
        with self._lock:
            for token in self.tokens:
                self.tokens[token] = time.monotonic() - 1

    def reject_next_draft(self, errcode: int = 45166, errmsg: str = "invalid content") -> None:
        self.fail_next("draft/add", errcode, errmsg)

    def publish_outcome(self, status: int, fail_idx: list[int] | None = None) -> None:
        """How the next publish jobs end (0 success; 2 to 6 the documented failures)."""
        with self._lock:
            self._outcome = (status, fail_idx or [])

    # Inspecting -------------------------------------------------------------------------------

    def count(self, api: str) -> int:
        """Calls of ``api`` that WeChat would have carried out (answered with errcode 0)."""
        with self._lock:
            return sum(1 for call in self.calls if call.api == api and call.errcode == 0)

    def attempts(self, api: str) -> int:
        """Every call of ``api``, refused or not."""
        with self._lock:
            return sum(1 for call in self.calls if call.api == api)

    # Handling ---------------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: dict[str, str], headers: Message, body: bytes
    ) -> tuple[int, str, bytes]:
        if not path.startswith("/cgi-bin/"):
            return 404, "text/plain", b"not found"
        api = path.removeprefix("/cgi-bin/")
        with self._lock:
            delay = self._delays[api].popleft() if self._delays[api] else 0.0
        if delay:
            time.sleep(delay)
        call = Call(api=api, method=method, query=dict(query), body=None)
        try:
            answer = self._dispatch(call, headers, body)
        except _Refusal as refusal:
            call.errcode = refusal.errcode
            answer = {
                "errcode": refusal.errcode,
                "errmsg": f"{refusal.errmsg} rid: fake-{call.api}",
            }
        with self._lock:
            self.calls.append(call)
        return 200, "application/json; charset=utf-8", json.dumps(answer).encode("utf-8")

    def _dispatch(self, call: Call, headers: Message, body: bytes) -> dict[str, Any]:
        handlers = {
            "token": ("GET", self._token),
            "media/uploadimg": ("POST", self._uploadimg),
            "material/add_material": ("POST", self._add_material),
            "draft/add": ("POST", self._draft_add),
            "draft/update": ("POST", self._draft_update),
            "draft/get": ("POST", self._draft_get),
            "freepublish/submit": ("POST", self._publish_submit),
            "freepublish/get": ("POST", self._publish_get),
        }
        if call.api not in handlers:
            raise _Refusal(48001, "api unauthorized")
        method, handler = handlers[call.api]
        if call.method != method:
            raise _Refusal(43002 if method == "POST" else 43001, f"require {method} method")
        if call.api != "token":
            self._check_token(call.query.get("access_token"))
        if method == "POST":
            call.body = self._parse_body(call.api, headers, body)
        with self._lock:
            failure = self._failures[call.api].popleft() if self._failures[call.api] else None
            if failure is not None:
                raise _Refusal(*failure)
            answer = handler(call)
            if call.api in self._expire_after:
                self._expire_after[call.api] -= 1
                if self._expire_after[call.api] <= 0:
                    del self._expire_after[call.api]
                    self.expire_tokens()
            return answer

    def _check_token(self, token: str | None) -> None:
        if not token:
            raise _Refusal(41001, "access_token missing")
        with self._lock:
            expiry = self.tokens.get(token)
        if expiry is None:
            raise _Refusal(40001, "invalid credential, access_token is invalid or not latest")
        if expiry <= time.monotonic():
            raise _Refusal(42001, "access_token expired")

    def _parse_body(self, api: str, headers: Message, body: bytes) -> Any:
        content_type = headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            return _multipart(content_type, body)
        if b"\\u" in body:
            raise _Refusal(40033, "invalid charset. please check your request, if include \\uxxxx")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _Refusal(47001, "data format error") from exc

    def _token(self, call: Call) -> dict[str, Any]:
        query = call.query
        if query.get("grant_type") != "client_credential":
            raise _Refusal(40002, "invalid grant_type")
        if query.get("appid") != self.app_id:
            raise _Refusal(40013, "invalid appid")
        if query.get("secret") != self.app_secret:
            raise _Refusal(40125, "invalid appsecret")
        now = time.monotonic()
        for token, expiry in self.tokens.items():
            self.tokens[token] = min(expiry, now + TOKEN_OVERLAP_SECONDS)
        token = f"TOKEN-{next(self._ids)}-{hashlib.sha256(str(now).encode()).hexdigest()[:16]}"
        self.tokens[token] = now + self.expires_in
        return {"access_token": token, "expires_in": self.expires_in}

    def _media(self, call: Call) -> tuple[str, str, bytes]:
        parts = call.body if isinstance(call.body, dict) else {}
        if "media" not in parts:
            raise _Refusal(41005, "media data missing")
        filename, content_type, data = parts["media"]
        call.body = {
            "media": {"filename": filename, "content_type": content_type, "size": len(data)}
        }
        call.body["media"]["sha256"] = hashlib.sha256(data).hexdigest()
        return filename, content_type, data

    def _store_image(self, data: bytes, kind: str) -> str:
        """A new URL on the image host, as WeChat gives one per upload."""
        folder, fmt = ("mmbiz_png", "png") if kind == "png" else ("mmbiz_jpg", "jpeg")
        digest = hashlib.sha256(data).hexdigest()[:32]
        url = f"{self.image_host}/{folder}/{digest}{next(self._ids):04d}/0?wx_fmt={fmt}"
        self.images[url] = data
        return url

    def _uploadimg(self, call: Call) -> dict[str, Any]:
        filename, _, data = self._media(call)
        kind = _image_kind(data)
        if kind not in ("png", "jpeg") or not filename.lower().endswith((".png", ".jpg", ".jpeg")):
            raise _Refusal(40005, "invalid file type")
        if len(data) >= 1024 * 1024:
            raise _Refusal(40009, "invalid image size")
        return {"url": self._store_image(data, kind), "errcode": 0, "errmsg": "ok"}

    def _add_material(self, call: Call) -> dict[str, Any]:
        if call.query.get("type") not in ("image", "voice", "video", "thumb"):
            raise _Refusal(40004, "invalid media type")
        _, _, data = self._media(call)
        kind = _image_kind(data)
        if kind not in ("png", "jpeg", "gif", "bmp"):
            raise _Refusal(40005, "invalid file type")
        if len(data) > 10 * 1024 * 1024:
            raise _Refusal(40009, "invalid image size")
        media_id = f"MATERIAL-{next(self._ids)}-{hashlib.sha256(data).hexdigest()[:24]}"
        url = self._store_image(data, "png" if kind == "png" else "jpeg")
        self.materials[media_id] = {"url": url, "data": data}
        return {"media_id": media_id, "url": url, "item": []}

    def _article(self, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise _Refusal(47001, "data format error")
        article = dict(raw)
        if article.get("article_type", "news") != "news":
            raise _Refusal(40035, "invalid args")
        for name, (limit, errcode, errmsg) in LIMITS.items():
            if len(str(article.get(name) or "")) > limit:
                raise _Refusal(errcode, errmsg)
        content = str(article.get("content") or "")
        if len(content) >= CONTENT_MAX_CHARS or len(content.encode("utf-8")) >= CONTENT_MAX_BYTES:
            raise _Refusal(45002, "content size out of limit")
        if len(str(article.get("content_source_url") or "").encode("utf-8")) > SOURCE_URL_MAX_BYTES:
            raise _Refusal(45005, "link field out of limit")
        if article.get("thumb_media_id") not in self.materials:
            raise _Refusal(40007, "invalid media_id")
        article["content"] = self._filter_images(content)
        return article

    def _filter_images(self, content: str) -> str:
        def keep(match: re.Match[str]) -> str:
            src = IMG_SRC.search(match.group(0))
            url = src.group(2).replace("&amp;", "&") if src else ""
            if url in self.images:
                return match.group(0)
            self.filtered_images.append(url)
            return ""

        return IMG_TAG.sub(keep, content)

    def _draft_add(self, call: Call) -> dict[str, Any]:
        articles = call.body.get("articles") if isinstance(call.body, dict) else None
        if not isinstance(articles, list) or not articles:
            raise _Refusal(44003, "empty news data")
        if len(articles) > MAX_ARTICLES:
            raise _Refusal(45008, "article size out of limit")
        checked = [self._article(a) for a in articles]
        media_id = f"DRAFT-{next(self._ids)}"
        self.drafts[media_id] = checked
        return {"media_id": media_id}

    def _draft_update(self, call: Call) -> dict[str, Any]:
        body = call.body if isinstance(call.body, dict) else {}
        articles = self.drafts.get(str(body.get("media_id")))
        index = body.get("index")
        if articles is None or not isinstance(index, int) or not 0 <= index < len(articles):
            raise _Refusal(40007, "invalid media_id")
        articles[index] = self._article(body.get("articles"))
        return {"errcode": 0, "errmsg": "ok"}

    def _draft_get(self, call: Call) -> dict[str, Any]:
        media_id = str(call.body.get("media_id")) if isinstance(call.body, dict) else ""
        if media_id not in self.drafts:
            raise _Refusal(40007, "invalid media_id")
        items = [
            {**article, "url": f"https://mp.weixin.qq.com/s?__biz=FAKE&tempkey={media_id}-{i}"}
            for i, article in enumerate(self.drafts[media_id])
        ]
        return {"news_item": items}

    def _publish_submit(self, call: Call) -> dict[str, Any]:
        media_id = str(call.body.get("media_id")) if isinstance(call.body, dict) else ""
        if media_id not in self.drafts:
            raise _Refusal(40007, "invalid media_id")
        if any(job.media_id == media_id and job.status <= 1 for job in self.publishes.values()):
            raise _Refusal(53503, "draft is being published")
        publish_id = str(2247483000 + next(self._ids))
        status, fail_idx = self._outcome
        self.publishes[publish_id] = PublishJob(
            media_id, self.drafts[media_id], self.publish_polls_pending, status, list(fail_idx)
        )
        return {"errcode": 0, "errmsg": "ok", "publish_id": publish_id, "msg_data_id": publish_id}

    def _publish_get(self, call: Call) -> dict[str, Any]:
        publish_id = str(call.body.get("publish_id")) if isinstance(call.body, dict) else ""
        job = self.publishes.get(publish_id)
        if job is None:
            raise _Refusal(40007, "invalid publish_id")
        if job.polls_pending > 0:
            job.polls_pending -= 1
            return {"publish_id": publish_id, "publish_status": 1, "fail_idx": []}
        if job.status != 0:
            return {
                "publish_id": publish_id,
                "publish_status": job.status,
                "fail_idx": job.fail_idx,
            }
        self.drafts.pop(job.media_id, None)  # published drafts leave the draft box
        items = [
            {
                "idx": i,
                "article_url": f"https://mp.weixin.qq.com/s?__biz=FAKE&mid={publish_id}&idx={i}",
            }
            for i in range(1, len(job.articles) + 1)
        ]
        return {
            "publish_id": publish_id,
            "publish_status": 0,
            "article_id": f"ARTICLE-{publish_id}",
            "article_detail": {"count": len(items), "item": items},
            "fail_idx": [],
        }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait between

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._answer("POST")

    def _answer(self, method: str) -> None:
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake: FakeWechat = self.server.fake  # type: ignore[attr-defined]
        status, content_type, data = fake.handle(
            method, parts.path, dict(parse_qsl(parts.query)), self.headers, body
        )
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        pass


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str, str, bytes]]:
    """The form's file fields: name -> (filename, content type, bytes)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser().parsebytes(head + body)
    fields: dict[str, tuple[str, str, bytes]] = {}
    for part in message.get_payload() if message.is_multipart() else []:
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(data, bytes):
            fields[name] = (part.get_filename() or "", part.get_content_type(), data)
    return fields


def _image_kind(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    return ""


@contextmanager
def running_fake_wechat(settings: Any, **options: Any) -> Iterator[FakeWechat]:
    """A started server, with Django's WeChat settings pointed at it and short retries.

    Each server has an AppID of its own, so its cached access token (Redis, shared by every test
    run) is never another test's.
    """
    server = FakeWechat(app_id=f"wx-test-{uuid4().hex[:12]}", **options)
    server.start()
    settings.WECHAT_API_BASE = server.base_url
    settings.WECHAT_APP_ID = server.app_id
    settings.WECHAT_APP_SECRET = server.app_secret
    settings.WECHAT_TIMEOUT_SECONDS = 2.0
    settings.WECHAT_RETRY_ATTEMPTS = 3
    settings.WECHAT_RETRY_BACKOFF_SECONDS = 0.01
    try:
        yield server
    finally:
        cache.delete(f"wechat:access_token:{server.app_id}")
        server.stop()
