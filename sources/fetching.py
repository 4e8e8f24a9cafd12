"""Fetching pages and feeds over HTTP safely: SSRF guard, pinned addresses, caps, redirects, charsets."""

from __future__ import annotations

import codecs
import contextlib
import ipaddress
import re
import socket
import ssl
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

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


class FetchError(Exception):
    """A fetch that did not give us a usable body; the message is meant for the analyst who reads the log."""

    retryable = False

    def __init__(self, message: str, *, url: str = "", status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status


class BlockedUrl(FetchError):
    """The URL points somewhere we must not go: not http(s), or a private, loopback or reserved address."""


class NetworkError(FetchError):
    """Timeouts, refused connections, resets: worth trying again later."""

    retryable = True


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


# --- The SSRF guard -----------------------------------------------------------------------------


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the host resolves to. The one place that asks DNS, so that tests can replace it."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def ip_is_public(address: str) -> bool:
    """True for a globally routable unicast address; False for private, loopback, link-local and the rest."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv6 spelling of an IPv4 address is judged by the IPv4 address inside it.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return ip_is_public(str(embedded))
        if ip in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64 carries an IPv4 address in its last 32 bits
            return ip_is_public(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified
    )


def _literal_ip(host: str) -> str | None:
    """The address a numeric host spells, including the forms inet_aton accepts (2130706433, 0x7f.1, 0177.0.0.1)."""
    bare = host.strip("[]")
    with contextlib.suppress(ValueError):
        return str(ipaddress.ip_address(bare))
    if re.fullmatch(r"[0-9a-fA-FxX.]+", bare) and any(ch.isdigit() for ch in bare):
        try:
            return str(ipaddress.IPv4Address(socket.inet_aton(bare)))
        except OSError:
            return None
    return None


def _host_allowed(host: str) -> bool:
    return host.lower().strip("[]") in {h.lower().strip("[]") for h in settings.INGEST_ALLOWED_HOSTS}


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    address: str  # the checked IP address we will connect to


def url_check(url: str) -> Target:
    """Check that `url` may be fetched and pick the address to connect to; raise BlockedUrl if not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedUrl(f"{url!r} is not a valid URL: {exc}", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BlockedUrl(f"refused {url!r}: only http and https URLs are fetched", url=url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise BlockedUrl(f"refused {url!r}: the URL has no host", url=url)
    if parts.username or parts.password:
        raise BlockedUrl(f"refused {url!r}: URLs with a user name or password are not fetched", url=url)
    port = port or (443 if scheme == "https" else 80)
    literal = _literal_ip(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = resolve_host(host, port)
        except (socket.gaierror, UnicodeError) as exc:
            raise NetworkError(f"could not resolve the host {host!r}: {exc}", url=url) from None
        if not addresses:
            raise NetworkError(f"the host {host!r} has no address", url=url)
    if not _host_allowed(host):
        for address in addresses:
            if not ip_is_public(address):
                if literal is None:
                    spelled = f"{host} resolves to {address},"
                else:
                    spelled = f"{host} is" if host == literal else f"{host} spells {address},"
                raise BlockedUrl(
                    f"refused {url!r}: {spelled} a private, loopback, link-local, multicast or reserved address",
                    url=url,
                )
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0])


def url_refusal(url: str) -> str | None:
    """The guard's message when `url` must never be fetched, for forms and services to refuse it at submission.

    None when it may be tried: a name that does not resolve today is not refused here (the fetch says so,
    and retries), and every fetch runs url_check again at each hop, so a name that later resolves to a
    private address is still refused then.
    """
    try:
        url_check(url)
    except BlockedUrl as exc:
        return str(exc)
    except FetchError:
        return None
    return None


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
