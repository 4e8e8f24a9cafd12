"""Reading RSS 0.9x/1.0/2.0 and Atom feeds with feedparser into plain entries; readable errors for non-feeds."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

_ALTERNATE = re.compile(
    r"""<link[^>]+type=["']application/(?:rss|atom)\+xml["'][^>]*>""", re.IGNORECASE
)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.IGNORECASE)


class FeedError(Exception):
    """The body is not a feed we can read; the message says what it was instead."""


@dataclass
class FeedEntry:
    link: str
    title: str = ""
    guid: str = ""
    published_at: datetime | None = None
    updated_at: datetime | None = None

    def hints(self) -> dict:
        return {
            "title": self.title, "guid": self.guid,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


@dataclass
class ParsedFeed:
    title: str = ""
    version: str = ""
    entries: list[FeedEntry] = field(default_factory=list)


def _when(struct) -> datetime | None:
    if not struct:
        return None
    return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


def feed_parse(*, body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a fetched feed body; raise FeedError when it holds no feed."""
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers={"content-location": url, **headers})
    # .get: for some bodies (found by fuzzing: a byte-order mark before UTF-16 garbage) feedparser sets no version.
    version = parsed.get("version") or ""
    if not version and not parsed.get("entries"):
        if _looks_like_html(body):
            text = body[:200_000].decode("utf-8", errors="replace")
            links = [_HREF.search(tag) for tag in _ALTERNATE.findall(text)]
            found = [urljoin(url, m.group(1)) for m in links if m]
            hint = f"; the page links to the feed {found[0]}" if found else ""
            raise FeedError(f"{url} is an HTML page, not an RSS or Atom feed{hint}")
        problem = parsed.get("bozo_exception")
        detail = f": {problem}" if problem else ""
        raise FeedError(f"{url} is not a readable RSS or Atom feed{detail}")
    entries = []
    for entry in parsed.get("entries", []):
        link = (entry.get("link") or "").strip()
        if not link:
            # RSS items may carry their address only as a permalink guid.
            guid = entry.get("id") or ""
            if entry.get("guidislink") or guid.startswith(("http://", "https://")):
                link = guid
        if not link:
            continue
        entries.append(FeedEntry(
            link=urljoin(url, link),
            title=(entry.get("title") or "").strip(),
            guid=(entry.get("id") or "").strip(),
            # dict.get: feedparser's own get maps a missing "updated" to "published", with a warning.
            published_at=_when(dict.get(entry, "published_parsed")),
            updated_at=_when(dict.get(entry, "updated_parsed")),
        ))
    if parsed.get("bozo") and not entries:
        # feedparser's loose mode recovers what it can; a broken feed that yields no entry is an error.
        raise FeedError(f"{url} is malformed XML and no entries could be read: {parsed.get('bozo_exception')}")
    return ParsedFeed(title=(parsed.get("feed", {}).get("title") or "").strip(), version=version, entries=entries)
