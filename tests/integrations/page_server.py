"""A local web server for 采编 tests: real HTTP on 127.0.0.1 serving the source-page fixtures
(tests/samples/source_pages/) and their images, plus the misbehaviours a fetcher must survive.

Routes: ``/p/<name>`` a fixture page (``text/html; charset=utf-8``); each image a fixture names,
made with Pillow in a colour of its own; ``/redirect?to=<url>`` a 302; ``/slow`` headers at
once, then a byte every half second; ``/big`` a page larger than the test's cap with its
Content-Length, ``/big-stream`` the same without one (read until the connection closes);
``/pdf`` a PDF; ``/not-an-image.png`` HTML served as ``image/png``; ``/missing`` a 404. Every
request's path and Host header is recorded in ``requests``.
"""

import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PIL import Image

PAGES = Path(__file__).resolve().parent.parent / "samples" / "source_pages"
BIG_BYTES = 64 * 1024


def image_bytes(image_format: str, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format=image_format)
    return buffer.getvalue()


# Each figure the fixtures name: path → (content type, bytes).
IMAGES = {
    "/images/20240425/fig1.png": ("image/png", image_bytes("PNG", (200, 30, 30))),
    "/cms_files/filemanager/1226211233/attach/20244/fig1.jpg": (
        "image/jpeg",
        image_bytes("JPEG", (30, 200, 30)),
    ),
    "/cms_files/filemanager/1226211233/attach/20244/fig2.png": (
        "image/png",
        image_bytes("PNG", (30, 30, 200)),
    ),
    "/mmbiz_png/AbCdEf/640": ("image/png", image_bytes("PNG", (200, 200, 30))),
    "/mmbiz_jpg/GhIjKl/640": ("image/jpeg", image_bytes("JPEG", (30, 200, 200))),
    "/mmbiz_gif/follow/0": ("image/gif", image_bytes("GIF", (90, 90, 90))),
    "/not-an-image.png": ("image/png", b"<html><body>not an image</body></html>"),
}


@dataclass
class PageServer:
    url: str
    requests: list[tuple[str, str]] = field(default_factory=list)
    pages: dict[str, bytes] = field(default_factory=dict)  # extra pages tests add: path → HTML

    def page(self, name: str) -> str:
        return f"{self.url}/p/{name}"


def _handler(server: PageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def send(self, status: int, content_type: str, body: bytes, *, length: bool = True) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            route = parts.path
            server.requests.append((self.path, self.headers.get("Host", "")))
            html = "text/html; charset=utf-8"
            if route.startswith("/p/") and (PAGES / f"{route[3:]}.html").is_file():
                self.send(200, html, (PAGES / f"{route[3:]}.html").read_bytes())
            elif route in server.pages:
                self.send(200, html, server.pages[route])
            elif route in IMAGES:
                self.send(200, *IMAGES[route])
            elif route == "/redirect":
                self.send_response(302)
                self.send_header("Location", parse_qs(parts.query)["to"][0])
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif route == "/slow":
                self.send_response(200)
                self.send_header("Content-Type", html)
                self.end_headers()
                for _ in range(20):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.5)
            elif route == "/big":
                self.send(200, html, b"<p>" + b"x" * BIG_BYTES + b"</p>")
            elif route == "/big-stream":
                self.send(200, html, b"<p>" + b"x" * BIG_BYTES + b"</p>", length=False)
            elif route == "/pdf":
                self.send(200, "application/pdf", b"%PDF-1.4\n%%EOF\n")
            else:
                self.send(404, html, b"<p>not found</p>")

    return Handler


@contextmanager
def running_page_server() -> Iterator[PageServer]:
    """A server on a free port of 127.0.0.1, stopped on exit."""
    server = PageServer(url="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
