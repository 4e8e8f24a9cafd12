"""Canonical URLs: one spelling per article, so that tracking links and case variants map to one row."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that say how a reader arrived, never which article they asked for.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "wickedid", "rb_clickid",
    "s_cid", "cmpid", "ocid", "ncid", "sr_share", "ref_src", "ref_url", "taid", "guccounter", "at_medium",
    "at_campaign", "xtor", "spm", "share", "smid", "sh",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left unescaped in a path or query value: RFC 3986 unreserved plus the sub-delims sites rely on.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


class InvalidUrl(ValueError):
    """The text is not an http(s) URL we can fetch or store."""


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _host(hostname: str) -> str:
    host = hostname.strip().rstrip(".").lower()
    if not host:
        raise InvalidUrl("the URL has no host")
    if ":" in host:  # an IPv6 literal
        return f"[{host}]"
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidUrl(f"the host {hostname!r} is not a valid domain name") from None


def url_canonicalize(url: str) -> str:
    """The canonical spelling of `url`.

    Lower-case scheme and host (IDNA), no default port, no fragment, no userinfo, no tracking parameters,
    the remaining query parameters sorted, "/" for an empty path, percent-escapes normalised.
    Raises InvalidUrl for anything that is not an absolute http(s) URL.
    """
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidUrl(f"{text!r} is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidUrl(f"only http and https URLs can be ingested, not {scheme or 'a relative URL'!r}")
    if not parts.hostname:
        raise InvalidUrl(f"{text!r} has no host")
    netloc = _host(parts.hostname)
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    # unquote-then-quote makes %7E and ~, %2f and %2F spell the same path.
    path = quote(unquote(parts.path), safe=_PATH_SAFE) or "/"
    path = re.sub(r"/{2,}", "/", path)
    query_pairs = [
        (name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(name)
    ]
    query = urlencode(sorted(query_pairs), quote_via=quote, safe=_PATH_SAFE.replace("&", "").replace("=", ""))
    return urlunsplit((scheme, netloc, path, query, ""))


def _site(host: str) -> str:
    """The registrable part of a host, approximately: the last two labels, or three under a short SLD (co.uk)."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def url_canonical_from_page(*, page_url: str, declared: str | None, outlet_domain: str = "") -> str:
    """The article's canonical URL: the page's rel=canonical if it is trustworthy, else the page's own URL.

    A rel=canonical is trusted only when it points into the same site as the page, or into the domain of
    the outlet whose feed led us there (feeds served from a CDN or a feed proxy), so that a page cannot
    claim another publisher's address and hijack that article's row.
    """
    own = url_canonicalize(page_url)
    if not declared or not declared.strip():
        return own
    try:
        candidate = url_canonicalize(urljoin(page_url, declared.strip()))
    except InvalidUrl:
        return own
    own_host = urlsplit(own).hostname or ""
    candidate_host = urlsplit(candidate).hostname or ""
    if _site(own_host) == _site(candidate_host):
        return candidate
    domain = outlet_domain.lower().strip(".")
    if domain and (candidate_host == domain or candidate_host.endswith(f".{domain}")):
        return candidate
    return own


def url_host(url: str) -> str:
    """Lower-case host of a URL, without www., as outlets store their domain."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
