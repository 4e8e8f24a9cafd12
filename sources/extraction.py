"""Main text and metadata of an article page, with trafilatura; paragraphs kept apart by blank lines."""

from __future__ import annotations

import copy
import re
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

import trafilatura
from lxml.etree import _Element
from trafilatura.xml import xmltotxt

from core.stages import pipeline_stage

# Datelines such as "Baku, Azerbaijan – ", "MOSCOW (Reuters) - " opening the first paragraph.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][\w.'’ ]{1,40}?(?:, [A-Z][\w.'’ ]{1,40}?)?)(?: \([^)\n]{1,30}\))?\s+[–—-]{1,2}\s+\S"
)
_HTML_LANG = re.compile(r"""<html[^>]*?\slang\s*=\s*["']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


@dataclass
class Extracted:
    text: str
    title: str = ""
    byline: str = ""
    published_at: datetime | None = None
    language: str = ""
    dateline: str = ""
    canonical_url: str = ""  # as the page declares it (rel=canonical / og:url), not yet checked

    def metadata(self) -> dict:
        """What a revision keeps besides its text."""
        return {
            "title": self.title, "byline": self.byline, "dateline": self.dateline, "language": self.language,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "canonical_url": self.canonical_url,
        }


def body_render(body: _Element | None) -> str:
    """The text of trafilatura's extracted body, one block (paragraph, heading, list, table, quote) per
    paragraph, blocks separated by a blank line, <br> kept as a line break.

    Each block is rendered by trafilatura's own xmltotxt, so the text is exactly trafilatura's plain-text
    output except that blocks are separated by "\\n\\n" instead of "\\n": offsets can tell paragraphs apart.
    """
    if body is None:
        return ""
    blocks: list[str] = []
    if body.text and body.text.strip():
        blocks.append(body.text.strip())
    for child in body:
        alone = copy.deepcopy(child)
        alone.tail = None
        rendered = xmltotxt(alone, False).strip()
        if rendered:
            blocks.append(rendered)
        if child.tail and child.tail.strip():
            blocks.append(child.tail.strip())
    return unicodedata.normalize("NFC", "\n\n".join(blocks))


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def text_language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid, the classifier trafilatura itself uses)."""
    if len(text.strip()) < 20:
        return ""
    import py3langid

    code, _score = py3langid.classify(text[:5000])
    return code


def text_dateline(text: str) -> str:
    match = _DATELINE.match(text)
    return match.group("place").strip() if match else ""


@pipeline_stage("extract")
def html_extract(*, html: str, url: str) -> Extracted:
    """Extract an article page. An empty `text` means trafilatura found no article on the page."""
    # lxml refuses a str that still carries an XML encoding declaration; the text is decoded already.
    html = _XML_DECLARATION.sub("", html, count=1)
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,  # reader comments are not the article
        include_tables=True,
        deduplicate=False,  # trafilatura's cross-document LRU would make results depend on what came before
        # the publication (not modification) date, with its time when the page gives one
        date_extraction_params={
            "original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
    if document is None:
        return Extracted(text="")
    text = body_render(document.body)
    page_lang = _HTML_LANG.search(html[:5000])
    # The text decides; the page's lang attribute (often a template default) only for very short texts.
    language = text_language(text) if len(text) >= 200 or not page_lang else page_lang.group(1).lower()
    return Extracted(
        text=text,
        title=(document.title or "").strip(),
        byline=(document.author or "").strip()[:500],
        published_at=_date(document.date),
        language=language,
        dateline=text_dateline(text),
        canonical_url=document.url if document.url and document.url != url else "",
    )


def html_compress(html: bytes | str) -> bytes:
    return zlib.compress(html.encode("utf-8") if isinstance(html, str) else html, 6)


def html_decompress(blob: bytes | memoryview | None) -> bytes:
    return zlib.decompress(bytes(blob)) if blob else b""
