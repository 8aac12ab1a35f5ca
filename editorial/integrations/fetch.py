"""Fetching a source page and its figures from the web, for 采编 (an article from its link).

The server asks for a URL an editor typed, so nothing it fetches may reach inside our own
network (SSRF). Every hop — the first URL and each redirect, followed here one at a time — is
checked before any connection: http or https only, the host resolved and every address it
resolves to refused when it is private, loopback, link-local, multicast, reserved or
unspecified (settings ``DIGEST_FETCH_PRIVATE_NETWORKS`` lists networks allowed anyway: only the
tests' loopback server). The connection then goes to the address that was checked, with the
name sent as ``Host`` and as TLS SNI (certificates are still verified against the name), so a
second DNS answer cannot switch it to another address (DNS rebinding).

The body is read as a stream and refused past its size cap (the Content-Length is not
trusted); one deadline covers every hop and every read, so a server dripping bytes cannot hold
the request; the media type must be the one asked for. Every refusal is a ``FetchError`` with
a Chinese message for the editor.
"""

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
USER_AGENT = "Mozilla/5.0 (compatible; DigestBot/1.0)"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """The page or image could not be fetched; the message says why, for the editor."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    media_type: str  # lower case, without parameters
    charset: str | None
    content: bytes


@dataclass(frozen=True)
class _Target:
    url: str  # the URL with the checked address in place of the name
    host: str  # the name, for SNI
    host_header: str


def fetch_page(url: str) -> Fetched:
    """A web page (HTML) at ``url``, at most ``DIGEST_FETCH_MAX_PAGE_BYTES``."""
    return fetch(
        url,
        accept=lambda media: media in PAGE_TYPES,
        refused="不是网页（内容类型为 {media}）",
        max_bytes=settings.DIGEST_FETCH_MAX_PAGE_BYTES,
        what="网页",
    )


def fetch_image(url: str) -> Fetched:
    """An image at ``url``, at most ``DIGEST_MAX_IMAGE_BYTES`` (the upload limit); its bytes
    are still to be checked like an upload (``validators.validate_image``)."""
    return fetch(
        url,
        accept=lambda media: media.startswith("image/"),
        refused="不是图片（内容类型为 {media}）",
        max_bytes=settings.DIGEST_MAX_IMAGE_BYTES,
        what="图片",
    )


def fetch(
    url: str, *, accept: Callable[[str], bool], refused: str, max_bytes: int, what: str
) -> Fetched:
    """GET ``url`` safely (see the module's docstring); ``accept`` judges the media type."""
    seconds = settings.DIGEST_FETCH_TIMEOUT_SECONDS
    deadline = time.monotonic() + seconds
    timeout = httpx.Timeout(seconds)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        for _hop in range(settings.DIGEST_FETCH_MAX_REDIRECTS + 1):
            target = checked_target(url)
            headers = {"Host": target.host_header, "User-Agent": USER_AGENT, "Accept": "*/*"}
            try:
                with client.stream(
                    "GET", target.url, headers=headers, extensions={"sni_hostname": target.host}
                ) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise FetchError(f"{what}无法获取：{url} 重定向时没有给出新地址。")
                        url = urljoin(url, location)
                        continue
                    if response.status_code != 200:
                        raise FetchError(
                            f"{what}无法获取：{url} 返回 HTTP {response.status_code}。"
                        )
                    media = response.headers.get("content-type", "").split(";")[0]
                    media = media.strip().lower()
                    if not accept(media):
                        raise FetchError(
                            f"{what}无法导入：{url} "
                            + refused.format(media=media or "未声明")
                            + "。"
                        )
                    content = _read(response, max_bytes, deadline, url, what)
                    return Fetched(url, media, response.charset_encoding, content)
            except httpx.TimeoutException as exc:
                raise _timeout(what, url, seconds) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{what}无法获取：连接 {url} 失败（{exc}）。") from exc
    raise FetchError(
        f"{what}无法获取：重定向超过 {settings.DIGEST_FETCH_MAX_REDIRECTS} 次（最后一次到 {url}）。"
    )


def _read(response: httpx.Response, max_bytes: int, deadline: float, url: str, what: str) -> bytes:
    too_large = FetchError(f"{what}过大：{url} 超过上限 {max_bytes} 字节。")
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_large
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        if time.monotonic() > deadline:
            raise _timeout(what, url, settings.DIGEST_FETCH_TIMEOUT_SECONDS)
        chunks.append(chunk)
    return b"".join(chunks)


def _timeout(what: str, url: str, seconds: float) -> FetchError:
    return FetchError(f"{what}获取超时：{url} 在 {seconds:g} 秒内没有完成。")


def checked_target(url: str) -> _Target:
    """Where to connect for ``url``: refused (``FetchError``) unless http(s) on an address
    that may be reached."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"只能导入 http 或 https 网址：{url}")
    if parts.username is not None or parts.password is not None:
        raise FetchError(f"网址中不能带用户名或密码：{url}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError(f"网址没有主机名：{url}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"网址的端口无效：{url}") from exc
    address = _checked_address(host, port, url)
    literal = f"[{address}]" if address.version == 6 else str(address)
    request_url = urlunsplit(
        (parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, "")
    )
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return _Target(url=request_url, host=host, host_header=host_header)


def _checked_address(host: str, port: int, url: str) -> IPAddress:
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            name = host.encode("idna").decode("ascii")
            infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except (UnicodeError, OSError) as exc:
            raise FetchError(f"无法解析网址中的域名 {host}：{url}") from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        if not address_allowed(address):
            raise FetchError(
                f"不允许的地址：{host} 指向 {address}（内网、本机或保留地址），"
                "只能导入公网上的网页。"
            )
    return addresses[0]


def address_allowed(address: IPAddress) -> bool:
    """A public unicast address, or one in a network the settings allow."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(
        address in ipaddress.ip_network(network)
        for network in settings.DIGEST_FETCH_PRIVATE_NETWORKS
    ):
        return True
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
    )
