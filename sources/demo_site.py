"""The demo's local news site: an RSS feed and one page per demo article, served on 127.0.0.1 from a thread."""

from __future__ import annotations

import hashlib
import html
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent / "demo"
OUTLET_NAME = "Demo Wire"
# A reserved name (RFC 2606): the articles' canonical addresses stay the same whatever port the demo uses.
OUTLET_DOMAIN = "demo-wire.example"
PUBLISHED = datetime(2020, 9, 29, tzinfo=UTC)
# article-1 has no headline (its text opens with a dateline, and the annotation's offsets point into that text):
# the demo site gives its page and feed entry a title of their own, as a wire service would.
DEMO_TITLES = {"article-1": "UN Security Council voices concern over Armenia–Azerbaijan clashes"}


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    text: str
    headline: str  # "" when the article has none (article-1 opens with its dateline)
    title: str = ""  # the page's and the feed's title: the headline, or the demo's own for an article without one

    @property
    def path(self) -> str:
        return f"/2020/09/29/{self.slug}.html"

    @property
    def canonical_url(self) -> str:
        return f"https://{OUTLET_DOMAIN}{self.path}"

    @property
    def body(self) -> str:
        """The text under the headline: what the page shows as paragraphs."""
        return self.text.split("\n\n", 1)[1] if self.headline else self.text


def demo_articles() -> list[DemoArticle]:
    articles = []
    for path in sorted(DEMO_DIR.glob("article-*.txt")):
        text = path.read_text(encoding="utf-8")
        # article-2 opens with its headline; article-1 opens with a dateline ("Baku, Azerbaijan – ...").
        first = text.split("\n\n", 1)[0]
        headline = first if path.stem == "article-2" else ""
        title = headline or DEMO_TITLES.get(path.stem, "")
        articles.append(DemoArticle(slug=path.stem, text=text, headline=headline, title=title))
    return articles


def _paragraphs(text: str) -> str:
    # One <p> per paragraph; a line break inside a paragraph is a <br>, which extraction keeps as "\n".
    return "\n".join(
        f"      <p>{html.escape(block, quote=False).replace(chr(10), '<br>')}</p>" for block in text.split("\n\n")
    )


def article_page(article: DemoArticle) -> str:
    title = html.escape(article.title)
    headline = f"      <h1>{html.escape(article.headline)}</h1>\n" if article.headline else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  {f"<title>{title}</title>" if title else ""}
  <link rel="canonical" href="{article.canonical_url}">
  <meta property="article:published_time" content="{PUBLISHED.date().isoformat()}">
  <meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
  <header>
    <nav><a href="/">{OUTLET_NAME}</a> | <a href="/world/">World</a> | <a href="/europe/">Europe</a></nav>
  </header>
  <main>
    <article>
{headline}      <time datetime="{PUBLISHED.date().isoformat()}">29 September 2020</time>
{_paragraphs(article.body)}
    </article>
  </main>
  <footer><p>© {OUTLET_NAME}. Demo pages served locally for the claims tracker.</p></footer>
</body>
</html>
"""


def feed_xml(*, base_url: str, articles: list[DemoArticle]) -> str:
    items = []
    for article in articles:
        title = f"<title>{html.escape(article.title)}</title>" if article.title else ""
        items.append(
            f"""    <item>
      {title}
      <link>{base_url}{article.path}</link>
      <guid isPermaLink="false">{article.canonical_url}</guid>
      <pubDate>{format_datetime(PUBLISHED, usegmt=True)}</pubDate>
      <description>{html.escape(article.body.split(chr(10))[0][:200])}</description>
    </item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>{OUTLET_NAME}</title>
    <link>{base_url}/</link>
    <description>Reports from the demo corpus</description>
{chr(10).join(items)}
  </channel>
</rss>
"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a client that keeps its connection open must not hold up shutdown


class LocalSite:
    """Fixed pages (path -> content type, body) and their feed at /feed.xml on 127.0.0.1 and a free port,
    served from a thread, with ETags for conditional GET; use as a context manager. `requests` counts GETs.

    Subclasses give `_pages(base_url)`, since a feed names its articles by absolute URL.
    """

    name = "local-site"

    def __init__(self) -> None:
        self.requests = 0
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self.pages: dict[str, tuple[str, bytes]] = self._pages(self.base_url)
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.name, daemon=True)

    def _pages(self, base_url: str) -> dict[str, tuple[str, bytes]]:
        raise NotImplementedError

    @property
    def feed_url(self) -> str:
        return f"{self.base_url}/feed.xml"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.requests += 1
                page = site.pages.get(self.path.split("?")[0])
                if page is None:
                    self.send_error(404)
                    return
                content_type, body = page
                etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args) -> None:
                pass  # the commands print their own summaries

        return Handler

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class DemoSite(LocalSite):
    """A tiny news site: the seed articles and their feed."""

    name = "demo-site"

    def _pages(self, base_url: str) -> dict[str, tuple[str, bytes]]:
        self.articles = demo_articles()
        return {
            "/feed.xml": ("application/rss+xml; charset=utf-8",
                          feed_xml(base_url=base_url, articles=self.articles).encode()),
            **{a.path: ("text/html; charset=utf-8", article_page(a).encode()) for a in self.articles},
        }


def demo_feed_ensure(*, feed_url: str):
    """The Demo Wire outlet and its one feed, pointed at this run's server; paused, since the server
    exists only while `ingest_demo` runs and beat must not poll it afterwards."""
    from sources.models import Feed, Outlet

    outlet, _ = Outlet.objects.get_or_create(
        name=OUTLET_NAME, defaults={"domain": OUTLET_DOMAIN, "country": "", "language": "en"}
    )
    feed = outlet.feeds.order_by("pk").first()
    if feed is None:
        return Feed.objects.create(outlet=outlet, url=feed_url, title=OUTLET_NAME, is_active=False)
    if feed.url != feed_url:
        # Another port, another resource: its validators from the last run do not apply.
        feed.url, feed.etag, feed.last_modified = feed_url, "", ""
        feed.is_active = False
        feed.save(update_fields=["url", "etag", "last_modified", "is_active"])
    return feed
