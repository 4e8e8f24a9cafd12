"""The URL guard (core/urlguard.py) on its own: which addresses are public, which URLs may be fetched."""

import pytest

from core import urlguard
from core.urlguard import BlockedUrl, ip_is_public, url_check


@pytest.fixture
def allow_local(settings):
    """127.0.0.1 (by that spelling only) is exempt from the address check, as in the demo."""
    settings.INGEST_ALLOWED_HOSTS = ["127.0.0.1"]
    return settings


def _fake_dns(table):
    real = urlguard.resolve_host

    def resolve(host, port):
        return table[host] if host in table else real(host, port)

    return resolve


@pytest.mark.parametrize("address", [
    "10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "0.0.0.0", "100.64.0.1",  # noqa: S104 -- addresses under test, not a bind
    "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::", "64:ff9b::a00:1",
])
def test_private_loopback_link_local_multicast_and_reserved_addresses_are_not_public(address):
    assert ip_is_public(address) is False


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_ordinary_internet_addresses_are_public(address):
    assert ip_is_public(address) is True


@pytest.mark.parametrize("url", [
    "http://2130706433/",          # decimal 127.0.0.1
    "http://0x7f000001/",          # hex
    "http://0177.0.0.1/",          # octal
    "http://127.1/",               # short form
    "http://[::ffff:127.0.0.1]/",  # IPv6-mapped
    "http://[::1]:8080/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0xa9.0xfe.0xa9.0xfe/",  # 169.254.169.254 in hex octets
])
def test_numeric_spellings_of_private_addresses_are_refused_even_when_127_0_0_1_is_allowed(url, allow_local):
    with pytest.raises(BlockedUrl, match="private, loopback, link-local, multicast or reserved"):
        url_check(url)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/", "data:text/html,hi"]
)
def test_schemes_other_than_http_and_https_are_refused(url):
    with pytest.raises(BlockedUrl, match="only http and https"):
        url_check(url)


def test_a_host_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    monkeypatch.setattr(
        urlguard, "resolve_host", _fake_dns({"mixed.example.com": ["93.184.215.14", "169.254.169.254"]})
    )

    with pytest.raises(BlockedUrl, match=r"169\.254\.169\.254"):
        url_check("http://mixed.example.com/")


def test_an_allowed_host_is_checked_and_pinned_to_its_address(allow_local):
    target = url_check("http://127.0.0.1:8000/page?x=1")

    assert (target.host, target.port, target.address) == ("127.0.0.1", 8000, "127.0.0.1")
