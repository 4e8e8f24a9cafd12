"""A real HTTP server on 127.0.0.1 for the ingestion tests: routes are set per test, requests are recorded."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Response:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds before the headers are sent
    gzip: bool = False
    send_length: bool = True

    def payload(self) -> bytes:
        body = self.body.encode("utf-8") if isinstance(self.body, str) else self.body
        return gzip.compress(body) if self.gzip else body


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up early (timeouts, the size cap) are what several tests are about


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class Site:
    """A threading http.server whose answers are Response objects or callables of the request."""

    def __init__(self) -> None:
        self.routes: dict[str, Response | Callable[[BaseHTTPRequestHandler], Response]] = {}
        self.seen: list[Seen] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                response = Response(body="not here", status=404) if route is None else route
                if callable(response):
                    response = response(self)
                if response.delay:
                    time.sleep(response.delay)
                payload = response.payload()
                try:
                    self.send_response(response.status)
                    if response.content_type:
                        self.send_header("Content-Type", response.content_type)
                    if response.gzip:
                        self.send_header("Content-Encoding", "gzip")
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    if response.send_length:
                        self.send_header("Content-Length", str(len(payload)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading, as it should past the size cap

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.host = "127.0.0.1"
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def add(self, path: str, response: Response | Callable[[BaseHTTPRequestHandler], Response] | str) -> str:
        self.routes[path] = Response(body=response) if isinstance(response, str) else response
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)


def _serve() -> Iterator[Site]:
    site = Site()
    site.thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


@pytest.fixture
def allow_local(settings):
    """Fetching may reach 127.0.0.1 (and only by that spelling), as in the demo."""
    settings.INGEST_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.INGEST_HOST_WAIT_SECONDS = 5
    return settings


@pytest.fixture
def site(allow_local) -> Iterator[Site]:
    yield from _serve()


@pytest.fixture
def other_site(allow_local) -> Iterator[Site]:
    """A second server: another port is another site, as far as URLs are concerned."""
    yield from _serve()


def article_html(*, title: str, paragraphs: list[str], canonical: str | None = None, charset: str = "utf-8",
                 lang: str = "en", published: str = "2024-03-05", byline: str = "") -> str:
    """A realistic article page: navigation, the story, a sidebar and a footer around it."""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    author = f'<meta name="author" content="{byline}">' if byline else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}"><title>{title}</title>{link}{author}
<meta property="article:published_time" content="{published}T09:30:00+00:00"></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{title}</h1>
{body}
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Another story</a></li><li><a href="/b">And another</a></li></ul></aside>
</main><footer><p>Copyright The Example Times</p></footer></body></html>"""


STORY = [
    "The defence ministry said on Tuesday that two bridges near the border had been destroyed overnight "
    "by artillery fire, and that engineers were assessing the damage to the roads that lead to them.",
    "A spokesman for the regional government said that at least four people had been injured in the "
    "shelling and that the wounded had been taken to the hospital in the regional capital for treatment.",
    "The foreign ministry of the neighbouring country denied that its forces had fired across the border, "
    "calling the accusation a provocation intended to derail talks planned for later in the week.",
    "International observers said they could not immediately confirm either account of the events, "
    "and called on both sides to respect the ceasefire agreed in the spring and to return to negotiations.",
]

OTHER_STORY = [
    "Farmers in the northern valley began the grape harvest a week early this year after an unusually warm "
    "summer, the regional agricultural association said in its weekly report published on Monday.",
    "Growers told reporters that yields were lower than last season but that the quality of the fruit was "
    "among the best in a decade, which they expect to lift prices at the autumn wholesale markets.",
    "The association warned that a shortage of seasonal workers could still delay the harvest in the higher "
    "vineyards, where the terrain makes machine picking impossible and crews must work by hand.",
]
