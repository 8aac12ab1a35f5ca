"""The WeChat client against the local WeChat API: tokens, retries, timeouts, errors."""

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings

from editorial.integrations.wechat import (
    DraftArticle,
    WechatAuthError,
    WechatClient,
    WechatRequestError,
    WechatTransientError,
)
from tests.factories import png_bytes
from tests.integrations.fake_wechat import FakeWechat


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(wechat_server: FakeWechat, sleeps: list[float]) -> Iterator[WechatClient]:
    with WechatClient.from_settings(sleep=sleeps.append) as client:
        yield client


def token_key(server: FakeWechat) -> str:
    return f"wechat:access_token:{server.app_id}"


def article(thumb: str, **fields: Any) -> DraftArticle:
    values = {
        "title": "数字经济2024年工作要点",
        "author": "大数据发展动态",
        "digest": "国家数据局印发工作要点。",
        "content": "<p>正文</p>",
        "content_source_url": "https://www.example.gov.cn/a.html",
        "thumb_media_id": thumb,
        **fields,
    }
    return DraftArticle(**values)


def test_the_token_is_fetched_once_and_kept_in_redis_until_shortly_before_expiry(
    client: WechatClient, wechat_server: FakeWechat
) -> None:
    client.upload_image(name="a.png", data=png_bytes(), content_type="image/png")
    client.upload_image(name="b.png", data=png_bytes(color="red"), content_type="image/png")
    # Another process (a second worker) finds it in the shared cache.
    with WechatClient.from_settings() as other:
        other.upload_image(name="c.png", data=png_bytes(color="blue"), content_type="image/png")

    assert wechat_server.count("token") == 1
    token = cache.get(token_key(wechat_server))
    assert token in wechat_server.tokens
    redis_key = cache.make_and_validate_key(token_key(wechat_server))
    ttl = cache._cache.get_client(redis_key).ttl(redis_key)  # type: ignore[attr-defined]
    assert 7200 - 300 - 5 <= ttl <= 7200 - 300  # refreshed 5 minutes before WeChat's expiry


@pytest.mark.parametrize("how", ["expired", "replaced"])
def test_a_refused_token_is_refreshed_and_the_call_made_once_more(
    client: WechatClient, wechat_server: FakeWechat, how: str
) -> None:
    client.access_token()
    if how == "expired":
        wechat_server.expire_tokens()  # 42001
    else:
        cache.set(token_key(wechat_server), "TOKEN-from-before-a-secret-reset")  # 40001

    url = client.upload_image(name="a.png", data=png_bytes(), content_type="image/png")

    assert url in wechat_server.images
    codes = [c.errcode for c in wechat_server.calls if c.api == "media/uploadimg"]
    assert codes == [42001 if how == "expired" else 40001, 0]
    assert wechat_server.count("token") == 2
    assert cache.get(token_key(wechat_server)) == list(wechat_server.tokens)[-1]


def test_a_token_refused_again_after_the_refresh_is_terminal(
    client: WechatClient, wechat_server: FakeWechat
) -> None:
    wechat_server.fail_next("media/uploadimg", 40001, "invalid credential", times=2)
    with pytest.raises(WechatAuthError) as caught:
        client.upload_image(name="a.png", data=png_bytes(), content_type="image/png")
    assert (caught.value.errcode, wechat_server.attempts("media/uploadimg")) == (40001, 2)
    assert wechat_server.count("token") == 2
    assert "刷新 access_token 后仍被拒绝" in caught.value.editor_message


class _ReadBeforeRefresh:
    """The cache as a worker saw it just before another worker refreshed the token."""

    def __init__(self, stale: str) -> None:
        self.stale: str | None = stale

    def get(self, key: str) -> object:
        value, self.stale = self.stale, None
        return value if value is not None else cache.get(key)

    def __getattr__(self, name: str) -> object:
        return getattr(cache, name)


def test_another_workers_fresh_token_is_used_rather_than_fetching_a_third(
    client: WechatClient, wechat_server: FakeWechat
) -> None:
    stale = client.access_token()
    wechat_server.expire_tokens()
    cache.delete(token_key(wechat_server))
    fresh = client.access_token()  # another worker refreshed it meanwhile

    with WechatClient.from_settings(cache=_ReadBeforeRefresh(stale)) as late:  # type: ignore[arg-type]
        late.upload_image(name="a.png", data=png_bytes(), content_type="image/png")

    assert [c.errcode for c in wechat_server.calls if c.api == "media/uploadimg"] == [42001, 0]
    assert wechat_server.calls[-1].query["access_token"] == fresh != stale
    assert wechat_server.count("token") == 2


@pytest.mark.parametrize("errcode", [-1, 45009])
def test_busy_and_rate_limited_calls_are_retried_with_exponential_backoff(
    client: WechatClient, wechat_server: FakeWechat, sleeps: list[float], errcode: int
) -> None:
    wechat_server.fail_next("media/uploadimg", errcode, times=2)

    url = client.upload_image(name="a.png", data=png_bytes(), content_type="image/png")

    assert url in wechat_server.images
    assert sleeps == [0.01, 0.02]
    assert [c.errcode for c in wechat_server.calls if c.api == "media/uploadimg"] == [
        errcode,
        errcode,
        0,
    ]


def test_retries_are_bounded(
    client: WechatClient, wechat_server: FakeWechat, sleeps: list[float]
) -> None:
    wechat_server.fail_next("draft/add", -1, times=5)
    thumb = client.add_image_material(name="c.png", data=png_bytes(), content_type="image/png")

    with pytest.raises(WechatTransientError) as caught:
        client.draft_add([article(thumb.media_id)])

    assert (caught.value.errcode, caught.value.errmsg) == (-1, "system error rid: fake-draft/add")
    assert wechat_server.attempts("draft/add") == 3 and sleeps == [0.01, 0.02]
    assert wechat_server.drafts == {}
    assert caught.value.retryable and "微信系统繁忙" in caught.value.editor_message


@pytest.mark.parametrize(
    ("fields", "errcode", "meaning"),
    [
        ({"title": "标" * 33}, 45003, "标题超出长度限制"),
        ({"author": "作" * 17}, 45110, "作者超出长度限制"),
        ({"digest": "摘" * 129}, 45004, "摘要超出长度限制"),
        ({"content": "<p>" + "字" * 20_000 + "</p>"}, 45002, "正文超出长度限制"),
        ({"thumb_media_id": "MATERIAL-unknown"}, 40007, "media_id 无效"),
    ],
)
def test_refused_content_is_terminal_and_carries_errcode_and_errmsg(
    client: WechatClient,
    wechat_server: FakeWechat,
    sleeps: list[float],
    fields: dict[str, str],
    errcode: int,
    meaning: str,
) -> None:
    thumb = client.add_image_material(name="c.png", data=png_bytes(), content_type="image/png")

    with pytest.raises(WechatRequestError) as caught:
        client.draft_add([article(thumb.media_id, **fields)])

    error = caught.value
    assert (error.api, error.errcode, error.retryable) == ("cgi-bin/draft/add", errcode, False)
    assert error.errmsg.startswith(("title", "author", "description", "content", "invalid"))
    assert f"错误码 {errcode}" in error.editor_message and meaning in error.editor_message
    assert wechat_server.attempts("draft/add") == 1 and sleeps == []


def test_a_call_that_outlasts_the_timeout_is_retried(
    settings: Settings, wechat_server: FakeWechat, sleeps: list[float]
) -> None:
    settings.WECHAT_TIMEOUT_SECONDS = 0.2
    wechat_server.delay_next("media/uploadimg", 0.6)
    started = time.monotonic()
    with WechatClient.from_settings(sleep=sleeps.append) as client:
        url = client.upload_image(name="a.png", data=png_bytes(), content_type="image/png")
    assert url in wechat_server.images
    assert sleeps == [0.01] and time.monotonic() - started < 0.6


def test_a_timeout_that_never_ends_is_transient(
    settings: Settings, wechat_server: FakeWechat, sleeps: list[float]
) -> None:
    settings.WECHAT_TIMEOUT_SECONDS = 0.2
    wechat_server.delay_next("freepublish/get", 0.4, times=3)
    with (
        WechatClient.from_settings(sleep=sleeps.append) as client,
        pytest.raises(WechatTransientError) as caught,
    ):
        client.publish_get("2247483001")
    assert caught.value.errcode is None and "ReadTimeout" in caught.value.errmsg
    assert "无应答" in caught.value.editor_message and len(sleeps) == 2


def test_a_draft_whose_answer_timed_out_is_not_sent_again(
    settings: Settings, wechat_server: FakeWechat, sleeps: list[float]
) -> None:
    settings.WECHAT_TIMEOUT_SECONDS = 0.3
    with WechatClient.from_settings(sleep=sleeps.append) as client:
        thumb = client.add_image_material(name="c.png", data=png_bytes(), content_type="image/png")
        wechat_server.delay_next("draft/add", 0.6)
        with pytest.raises(WechatTransientError) as caught:
            client.draft_add([article(thumb.media_id)])
    assert caught.value.maybe_applied and sleeps == []
    assert "重试前请在公众号后台核对" in caught.value.editor_message
    time.sleep(0.5)  # WeChat carried it out after all: one draft, never two
    assert wechat_server.attempts("draft/add") == 1 and len(wechat_server.drafts) == 1


def test_images_wechat_would_refuse_are_refused_before_sending(
    client: WechatClient, wechat_server: FakeWechat
) -> None:
    big = png_bytes() + b"\0" * (1024 * 1024)
    with pytest.raises(WechatRequestError) as too_big:
        client.upload_image(name="big.png", data=big, content_type="image/png")
    with pytest.raises(WechatRequestError) as gif:
        client.upload_image(name="a.gif", data=b"GIF89a" + b"\0" * 100, content_type="image/gif")
    with pytest.raises(WechatRequestError) as mislabelled:
        client.upload_image(name="a.jpg", data=png_bytes(), content_type="image/jpeg")

    assert (too_big.value.errcode, gif.value.errcode, mislabelled.value.errcode) == (
        40009,
        40005,
        40005,
    )
    assert "须小于 1 MB" in too_big.value.editor_message
    assert "只接受 JPEG、PNG" in gif.value.editor_message
    assert wechat_server.calls == []  # not even a token


def test_wrong_credentials_are_terminal(
    settings: Settings, wechat_server: FakeWechat, sleeps: list[float]
) -> None:
    settings.WECHAT_APP_SECRET = "not-the-secret"
    with (
        WechatClient.from_settings(sleep=sleeps.append) as client,
        pytest.raises(WechatAuthError) as caught,
    ):
        client.upload_image(name="a.png", data=png_bytes(), content_type="image/png")
    assert (caught.value.errcode, wechat_server.attempts("token"), sleeps) == (40125, 1, [])
    assert "AppSecret 无效" in caught.value.editor_message

    settings.WECHAT_APP_ID = ""
    with WechatClient.from_settings() as client, pytest.raises(WechatAuthError) as missing:
        client.access_token()
    assert "未配置 WECHAT_APP_ID" in missing.value.editor_message


def test_drafts_round_trip_and_publishing_reports_the_article_urls(
    client: WechatClient, wechat_server: FakeWechat
) -> None:
    thumb = client.add_image_material(name="c.png", data=png_bytes(), content_type="image/png")
    image = client.upload_image(
        name="f.png", data=png_bytes(color="green"), content_type="image/png"
    )
    content = f'<p>图</p><img src="{image}"><img src="https://example.org/x.png">'
    media_id = client.draft_add([article(thumb.media_id, content=content), article(thumb.media_id)])

    client.draft_update(media_id=media_id, index=1, article=article(thumb.media_id, title="新标题"))
    items = client.draft_get(media_id)
    assert [i["title"] for i in items] == ["数字经济2024年工作要点", "新标题"]
    assert image in items[0]["content"] and "example.org" not in items[0]["content"]
    assert wechat_server.filtered_images == ["https://example.org/x.png"]  # as WeChat does

    publish_id = client.publish_submit(media_id)
    first, second = client.publish_get(publish_id), client.publish_get(publish_id)
    assert (first.publishing, first.label, first.article_urls) == (True, "发布中", ())
    assert (second.succeeded, len(second.article_urls)) == (True, 2)
    assert second.article_urls[0].startswith("https://mp.weixin.qq.com/s?")
    with pytest.raises(WechatRequestError) as gone:
        client.draft_get(media_id)  # a published draft leaves the draft box
    assert gone.value.errcode == 40007


def test_neither_secret_nor_token_is_logged(
    client: WechatClient, wechat_server: FakeWechat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wechat_server.fail_next("media/uploadimg", -1)
    client.upload_image(name="a.png", data=png_bytes(), content_type="image/png")
    token = cache.get(token_key(wechat_server))
    assert "HTTP Request" in caplog.text  # httpx's own log line, redacted
    assert wechat_server.app_secret not in caplog.text and token not in caplog.text
    assert "retrying in 0.01 s" in caplog.text
