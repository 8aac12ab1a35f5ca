"""The fetcher of source pages and figures, against a real HTTP server on 127.0.0.1: private
addresses refused (also after a redirect, before any connection), size caps read in a stream,
one deadline, the media type checked, and a Chinese message for each refusal."""

import sys

import pytest
from pytest_django.fixtures import Settings

from editorial.integrations.fetch import FetchError, checked_target, fetch_image, fetch_page
from tests.integrations.page_server import BIG_BYTES, IMAGES, PageServer
from tests.test_deployment import PRODUCTION_ENV, run


def test_a_page_is_fetched_from_the_checked_address_with_its_name_as_host(
    page_server: PageServer,
) -> None:
    fetched = fetch_page(f"{page_server.url}/redirect?to=/p/gov")
    assert fetched.url == page_server.page("gov")
    assert fetched.media_type == "text/html"
    assert fetched.charset == "utf-8"
    assert "中国政府网" in fetched.content.decode()
    host = page_server.url.removeprefix("http://")
    assert page_server.requests[-1] == ("/p/gov", host)


def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    target = checked_target("http://localhost:8080/a?b=1")
    assert target.url in ("http://127.0.0.1:8080/a?b=1", "http://[::1]:8080/a?b=1")
    assert (target.host, target.host_header) == ("localhost", "localhost:8080")


@pytest.mark.parametrize(
    "to",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/",
        "http://[::ffff:10.1.2.3]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://240.0.0.1/",
    ],
)
def test_a_redirect_to_a_private_address_is_refused(page_server: PageServer, to: str) -> None:
    with pytest.raises(FetchError, match="不允许的地址"):
        fetch_page(f"{page_server.url}/redirect?to={to}")


def test_loopback_is_refused_unless_the_settings_allow_it(
    page_server: PageServer, settings: Settings
) -> None:
    settings.DIGEST_FETCH_PRIVATE_NETWORKS = []
    with pytest.raises(FetchError, match=r"不允许的地址：127\.0\.0\.1 指向 127\.0\.0\.1"):
        fetch_page(page_server.page("gov"))
    with pytest.raises(FetchError, match="不允许的地址：localhost"):
        fetch_page(page_server.page("gov").replace("127.0.0.1", "localhost"))


def test_production_settings_refuse_loopback() -> None:
    script = (
        "import django; django.setup()\n"
        "from editorial.integrations.fetch import FetchError, checked_target\n"
        "try:\n    checked_target('http://127.0.0.1:9/')\n"
        "except FetchError as exc:\n    print(exc)\n"
    )
    result = run([sys.executable, "-c", script], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("不允许的地址：127.0.0.1 指向 127.0.0.1")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/a.html", "只能导入 http 或 https 网址"),
        ("file:///etc/passwd", "只能导入 http 或 https 网址"),
        ("http://user:pw@example.org/", "网址中不能带用户名或密码"),
        ("http://no-such-host.invalid/", "无法解析网址中的域名 no-such-host.invalid"),
    ],
)
def test_other_urls_are_refused_before_connecting(url: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        fetch_page(url)


@pytest.mark.parametrize("route", ["/big", "/big-stream"])
def test_a_page_over_the_cap_is_refused(
    page_server: PageServer, settings: Settings, route: str
) -> None:
    settings.DIGEST_FETCH_MAX_PAGE_BYTES = BIG_BYTES // 2
    with pytest.raises(FetchError, match=f"网页过大：.*超过上限 {BIG_BYTES // 2} 字节"):
        fetch_page(page_server.url + route)


def test_a_slow_server_times_out(page_server: PageServer, settings: Settings) -> None:
    settings.DIGEST_FETCH_TIMEOUT_SECONDS = 0.4
    with pytest.raises(FetchError, match="网页获取超时：.* 在 0.4 秒内没有完成"):
        fetch_page(page_server.url + "/slow")


def test_what_is_not_a_page_or_an_image_is_refused(page_server: PageServer) -> None:
    with pytest.raises(FetchError, match=r"不是网页（内容类型为 application/pdf）"):
        fetch_page(page_server.url + "/pdf")
    with pytest.raises(FetchError, match=r"不是图片（内容类型为 text/html）"):
        fetch_image(page_server.page("gov"))
    with pytest.raises(FetchError, match="返回 HTTP 404"):
        fetch_page(page_server.url + "/missing")


def test_too_many_redirects(page_server: PageServer, settings: Settings) -> None:
    settings.DIGEST_FETCH_MAX_REDIRECTS = 1
    twice = "/redirect?to=/redirect%3Fto%3D/p/gov"
    with pytest.raises(FetchError, match="重定向超过 1 次"):
        fetch_page(page_server.url + twice)


def test_an_image_is_fetched(page_server: PageServer) -> None:
    fetched = fetch_image(page_server.url + "/mmbiz_png/AbCdEf/640?wx_fmt=png")
    assert (fetched.media_type, fetched.content) == IMAGES["/mmbiz_png/AbCdEf/640"]
