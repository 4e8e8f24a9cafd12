"""The URL guard: which URLs the server may fetch (http(s) to public addresses only), and the address to use.

Ingestion (sources.fetching) and webhook delivery (claims.webhooks) both check every URL here first, so that
no fetch reaches a private, loopback or link-local address unless settings.INGEST_ALLOWED_HOSTS names the host.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


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
                # The message names the fix: a deliberate local source (a newsroom's own server) is allowed by name.
                raise BlockedUrl(
                    f"refused {url!r}: {spelled} a private, loopback, link-local, multicast or reserved address"
                    f" (to fetch from it on purpose, add {host} to the INGEST_ALLOWED_HOSTS setting)",
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
