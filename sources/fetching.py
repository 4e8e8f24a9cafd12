"""Fetching pages and feeds over HTTP safely: pinned addresses checked by the URL guard, caps, redirects, charsets."""

from __future__ import annotations

import codecs
import contextlib
import re
import ssl
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urljoin

import httpx
from django.conf import settings

from core.stages import pipeline_stage
from core.urlguard import FetchError, NetworkError, Target, url_check

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
HTML_TYPES = {"text/html", "application/xhtml+xml", "text/plain"}
FEED_TYPES = {
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
    "application/x-rss+xml", "application/feed+json", "text/html", "text/plain", "application/octet-stream",
}
# Multi-byte legacy encodings: valid UTF-8 in such a page is not a sign that the declaration is wrong.
_MULTIBYTE = ("utf-16", "utf-32", "shift_jis", "cp932", "euc", "gb", "big5", "iso2022", "cp936", "cp949", "cp950", "hz")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class HostBusy(NetworkError):
    """Too many fetches from this host are running; try again later rather than pile on."""


class HttpStatusError(FetchError):
    def __init__(self, message: str, *, url: str = "", status: int | None = None):
        super().__init__(message, url=url, status=status)
        # Server trouble and rate limits pass; 404, 403 and 410 do not.
        self.retryable = status is not None and (status >= 500 or status == 429)


class TooLarge(FetchError):
    """The body is over settings.INGEST_MAX_BYTES."""


class UnsupportedContent(FetchError):
    """The server sent something that is not a page or a feed (an image, a PDF, broken compression)."""


@dataclass
class FetchResult:
    url: str  # the final URL, after redirects
    status: int
    headers: dict[str, str]
    body: bytes = b""
    not_modified: bool = False
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def declared_charset(self) -> str | None:
        match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", self.headers.get("content-type", ""), re.I)
        return match.group(1) if match else None


# --- Per-host concurrency ---------------------------------------------------------------------------

# Slots are members of a sorted set scored by their expiry time, so a worker that dies frees its slot by timeout.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""


@cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


@contextlib.contextmanager
def host_slot(host: str) -> Iterator[None]:
    """Hold one of settings.INGEST_PER_HOST_CONCURRENCY slots for `host` while fetching; HostBusy if none frees."""
    client = _redis_client(settings.REDIS_URL)
    key = f"ingest:host:{host}"
    token = uuid.uuid4().hex
    lease = settings.INGEST_TOTAL_TIMEOUT + 30
    acquire = client.register_script(_ACQUIRE)
    deadline = time.monotonic() + settings.INGEST_HOST_WAIT_SECONDS
    while True:
        now = time.time()
        if acquire(keys=[key], args=[now, now + lease, settings.INGEST_PER_HOST_CONCURRENCY, token, lease + 60]):
            break
        if time.monotonic() >= deadline:
            raise HostBusy(f"{host} already has {settings.INGEST_PER_HOST_CONCURRENCY} fetches running; will retry")
        time.sleep(0.2)
    try:
        yield
    finally:
        client.zrem(key, token)


# --- Fetching ---------------------------------------------------------------------------------------


@cache
def _tls_context() -> ssl.SSLContext:
    """The certificate checks httpx makes by default (certifi's CA bundle), built once per process: loading the
    bundle took 70-130 ms, most of a page's fetch time (`manage.py bench_ingestion`), when each client made its own."""
    return httpx.create_ssl_context(trust_env=False)


def _client(*, on_response=None) -> httpx.Client:
    return httpx.Client(
        event_hooks={"response": [on_response]} if on_response else None,
        follow_redirects=False,  # every hop goes through url_check
        trust_env=False,  # an environment proxy would connect to a host we never checked
        verify=_tls_context(),
        timeout=httpx.Timeout(
            connect=settings.INGEST_CONNECT_TIMEOUT, read=settings.INGEST_READ_TIMEOUT,
            write=settings.INGEST_READ_TIMEOUT, pool=settings.INGEST_CONNECT_TIMEOUT,
        ),
        headers={"User-Agent": settings.INGEST_USER_AGENT},
    )


def _pinned_request(client: httpx.Client, target: Target, headers: dict[str, str]) -> httpx.Request:
    """A GET to the checked address with the original Host header and TLS server name, so DNS cannot swap it."""
    original = httpx.URL(target.url)
    request = client.build_request(
        "GET",
        original.copy_with(host=target.address),
        headers={**headers, "Host": original.netloc.decode("ascii")},
    )
    if target.scheme == "https":
        request.extensions["sni_hostname"] = target.host
    return request


def _read_capped(response: httpx.Response, *, url: str, deadline: float) -> bytes:
    cap = settings.INGEST_MAX_BYTES
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge(f"the page is {int(declared):,} bytes, over the limit of {cap:,}", url=url)
    chunks: list[bytes] = []
    size = 0
    # iter_bytes decompresses, so the cap also stops a small gzip that inflates into gigabytes.
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise TooLarge(f"the page is over the limit of {cap:,} bytes; stopped reading", url=url)
        if time.monotonic() > deadline:
            raise NetworkError(f"the download took longer than {settings.INGEST_TOTAL_TIMEOUT} s", url=url)
        chunks.append(chunk)
    return b"".join(chunks)


def _check_content_type(result: FetchResult, *, kind: str) -> None:
    ctype = result.content_type
    if not ctype:
        return  # no declaration: the parsers sniff
    allowed = FEED_TYPES if kind == "feed" else HTML_TYPES
    if ctype in allowed or ctype.endswith("+xml"):
        return
    what = "a page" if kind == "html" else "a feed"
    raise UnsupportedContent(f"expected {what} but the server sent {ctype!r}", url=result.url, status=result.status)


@pipeline_stage("fetch")
def url_fetch(url: str, *, kind: str = "html", etag: str = "", last_modified: str = "") -> FetchResult:
    """GET `url` (kind "html" or "feed"), following redirects ourselves and checking each hop.

    Sends If-None-Match / If-Modified-Since when given; a 304 comes back as `not_modified`.
    Raises a FetchError subclass with a readable message on every failure.
    """
    headers = {
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5" if kind == "html" else
        "application/rss+xml,application/atom+xml,application/rdf+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + settings.INGEST_TOTAL_TIMEOUT
    redirects: list[str] = []
    current = url

    def location_check(response: httpx.Response) -> None:
        """Judge a redirect's Location before httpx parses it: httpx cannot parse spellings such as
        0177.0.0.1 or 127.000.000.001 and would raise a transport error, which looks retryable."""
        location = response.headers.get("location", "").strip()
        if response.status_code not in REDIRECT_STATUSES or not location:
            return
        target = urljoin(current, location)
        try:
            httpx.URL(target)
        except httpx.InvalidURL:
            url_check(target)  # raises BlockedUrl with the guard's reason when it spells a private address
            raise FetchError(f"{current} redirected to {target!r}, which is not a valid URL", url=current) from None

    with _client(on_response=location_check) as client:
        while True:
            target = url_check(current)
            try:
                with host_slot(target.host):
                    response = client.send(_pinned_request(client, target, headers), stream=True)
                    try:
                        status = response.status_code
                        if status in REDIRECT_STATUSES and response.headers.get("location"):
                            location = urljoin(current, response.headers["location"].strip())
                        else:
                            location = None
                            result = FetchResult(
                                url=current, status=status,
                                headers={k.lower(): v for k, v in response.headers.items()}, redirects=redirects,
                            )
                            if status == 304:
                                result.not_modified = True
                                return result
                            if status >= 400:
                                reason = response.reason_phrase or "error"
                                raise HttpStatusError(
                                    f"the server answered {status} {reason} for {current}", url=current, status=status
                                )
                            _check_content_type(result, kind=kind)
                            result.body = _read_capped(response, url=current, deadline=deadline)
                            return result
                    finally:
                        response.close()
            except httpx.TimeoutException as exc:
                raise NetworkError(f"timed out fetching {current} ({type(exc).__name__})", url=current) from None
            except httpx.DecodingError as exc:
                raise UnsupportedContent(f"the response from {current} could not be decompressed: {exc}",
                                         url=current) from None
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                raise NetworkError(f"could not fetch {current}: {exc or type(exc).__name__}", url=current) from None
            redirects.append(current)
            if len(redirects) > settings.INGEST_MAX_REDIRECTS:
                raise FetchError(
                    f"more than {settings.INGEST_MAX_REDIRECTS} redirects starting at {url}", url=current
                )
            current = location
            # a redirect to another URL is a different resource: its validators do not apply.
            headers.pop("If-None-Match", None)
            headers.pop("If-Modified-Since", None)


# --- Charsets ---------------------------------------------------------------------------------------


def _codec_name(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("'\"")).name
    except LookupError:
        return None
    # WHATWG: pages labelled latin-1 or ascii are decoded as windows-1252, which is what the author meant.
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec


def _is_single_byte(codec: str) -> bool:
    return not codec.startswith(_MULTIBYTE) and codec not in {"utf-8", "utf-8-sig"}


@pipeline_stage("extract")
def body_decode(body: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode a page or feed to text; returns (text, encoding used).

    Order: byte-order mark; the HTTP-declared charset; the document's own <meta> or <?xml?> declaration;
    UTF-8; a statistical guess (charset-normalizer). A declaration is only believed if the bytes decode
    under it, and a single-byte declaration loses to UTF-8 when the bytes are valid, non-ASCII UTF-8
    (the classic wrongly-labelled page).
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    head = body[:4096]
    in_document = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    candidates = [_codec_name(declared), _codec_name(in_document.group(1).decode("ascii") if in_document else None)]
    utf8_text: str | None = None
    with contextlib.suppress(UnicodeDecodeError):
        utf8_text = body.decode("utf-8")
    for codec in candidates:
        if codec is None:
            continue
        if utf8_text is not None and not body.isascii() and _is_single_byte(codec):
            return utf8_text, "utf-8"
        try:
            return body.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    if utf8_text is not None:
        return utf8_text, "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return body.decode("cp1252", errors="replace"), "cp1252"
