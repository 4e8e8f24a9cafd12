"""Fetching against a real local HTTP server: the guard on every hop, caps, redirects, timeouts, charsets, gzip.

The URL guard on its own (core/urlguard.py) is tested in tests/core/test_urlguard.py.
"""

import socket
import threading
import time

import pytest

from core import urlguard
from core.urlguard import BlockedUrl, FetchError, NetworkError
from sources import fetching
from sources.fetching import (
    HostBusy,
    HttpStatusError,
    TooLarge,
    UnsupportedContent,
    body_decode,
    host_slot,
    url_fetch,
)
from tests.sources.conftest import Response

RUSSIAN = "Министерство обороны заявило, что два моста были разрушены артиллерийским огнём. " * 8
FRENCH = "Le ministère a déclaré que les ponts étaient détruits; l'armée évalue les dégâts à Saint-Étienne. " * 8


def _fake_dns(table):
    real = urlguard.resolve_host

    def resolve(host, port):
        return table[host] if host in table else real(host, port)

    return resolve


# --- The guard in the fetch ------------------------------------------------------------------------


def test_a_host_that_resolves_to_a_private_address_is_refused(monkeypatch):
    monkeypatch.setattr(urlguard, "resolve_host", _fake_dns({"intranet.example.com": ["10.0.0.7"]}))

    with pytest.raises(BlockedUrl) as caught:
        url_fetch("https://intranet.example.com/secret")

    assert str(caught.value) == (
        "refused 'https://intranet.example.com/secret': intranet.example.com resolves to 10.0.0.7, a private, "
        "loopback, link-local, multicast or reserved address (to fetch from it on purpose, add "
        "intranet.example.com to the INGEST_ALLOWED_HOSTS setting)"
    )


# --- Against the local server ------------------------------------------------------------------------


def test_a_page_is_fetched_with_a_polite_user_agent(site, settings):
    url = site.add("/story", "<html><body><p>Hello</p></body></html>")

    result = url_fetch(url)

    assert (result.status, result.body, result.url) == (200, b"<html><body><p>Hello</p></body></html>", url)
    assert site.seen[0].headers["user-agent"] == settings.INGEST_USER_AGENT


def test_the_connection_goes_to_the_checked_address_so_dns_cannot_swap_it(site, monkeypatch, settings):
    answers = iter([["127.0.0.1"]])  # a second lookup would raise StopIteration: there must not be one
    monkeypatch.setattr(urlguard, "resolve_host", lambda host, port: next(answers))
    settings.INGEST_ALLOWED_HOSTS = ["news.rebind.test"]
    site.add("/story", "<p>pinned</p>")

    result = url_fetch(f"http://news.rebind.test:{site.port}/story")

    assert result.body == b"<p>pinned</p>"
    assert site.seen[0].headers["host"] == f"news.rebind.test:{site.port}"


def test_fetches_share_one_tls_context_per_process(site, monkeypatch):
    """Loading the CA bundle for every fetch was most of a local page's fetch time (manage.py bench_ingestion)."""
    import ssl

    made = []
    create = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: made.append(1) or create(*a, **k))
    url = site.add("/story", "<p>hello</p>")
    url_fetch(url)  # the first fetch of the process may build it
    made.clear()

    for _ in range(3):
        url_fetch(url)

    assert made == []
    assert fetching._tls_context().verify_mode == ssl.CERT_REQUIRED and fetching._tls_context().check_hostname


def test_redirects_are_followed_and_recorded(site):
    site.add("/old", Response(status=301, headers={"Location": "/newer"}))
    site.add("/newer", Response(status=302, headers={"Location": site.url("/final")}))
    site.add("/final", "<p>here</p>")

    result = url_fetch(site.url("/old"))

    assert (result.url, result.redirects, result.body) == (site.url("/final"), [site.url("/old"), site.url("/newer")],
                                                           b"<p>here</p>")


def test_a_redirect_chain_that_ends_on_a_private_address_is_refused_at_that_hop(site, monkeypatch):
    monkeypatch.setattr(urlguard, "resolve_host", _fake_dns({"metadata.internal.test": ["169.254.169.254"]}))
    site.add("/hop1", Response(status=302, headers={"Location": "/hop2"}))
    site.add("/hop2", Response(status=307, headers={"Location": "http://metadata.internal.test/latest/meta-data/"}))

    with pytest.raises(BlockedUrl, match=r"metadata\.internal\.test resolves to 169\.254\.169\.254"):
        url_fetch(site.url("/hop1"))
    assert [s.path for s in site.seen] == ["/hop1", "/hop2"]


def test_a_redirect_to_a_decimal_loopback_is_refused(site):
    site.add("/go", Response(status=302, headers={"Location": f"http://2130706433:{site.port}/admin"}))

    with pytest.raises(BlockedUrl, match=r"2130706433 spells 127\.0\.0\.1"):
        url_fetch(site.url("/go"))


def test_a_redirect_to_another_scheme_is_refused(site):
    site.add("/go", Response(status=302, headers={"Location": "file:///etc/passwd"}))

    with pytest.raises(BlockedUrl, match="only http and https"):
        url_fetch(site.url("/go"))


def test_too_many_redirects_stop(site, settings):
    settings.INGEST_MAX_REDIRECTS = 3
    site.add("/loop", Response(status=302, headers={"Location": "/loop"}))

    with pytest.raises(FetchError, match="more than 3 redirects"):
        url_fetch(site.url("/loop"))
    assert site.hits("/loop") == 4


@pytest.mark.parametrize(("status", "retryable"), [(404, False), (410, False), (500, True), (503, True), (429, True)])
def test_http_errors_are_reported_and_only_server_trouble_is_retried(site, status, retryable):
    site.add("/x", Response(status=status, body="oops"))

    with pytest.raises(HttpStatusError) as caught:
        url_fetch(site.url("/x"))

    assert (caught.value.status, caught.value.retryable) == (status, retryable)
    assert str(caught.value).startswith(f"the server answered {status} ")


def test_a_server_that_answers_too_slowly_times_out(site, settings):
    settings.INGEST_READ_TIMEOUT = 1
    site.add("/slow", Response(body="<p>late</p>", delay=3))

    started = time.monotonic()
    with pytest.raises(NetworkError, match="timed out fetching") as caught:
        url_fetch(site.url("/slow"))

    assert caught.value.retryable is True
    assert time.monotonic() - started < 2.5


def test_a_refused_connection_is_a_retryable_network_error(allow_local):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused

        with pytest.raises(NetworkError, match="could not fetch") as caught:
            url_fetch(f"http://127.0.0.1:{port}/")

    assert caught.value.retryable is True


def test_a_body_over_the_cap_is_refused_from_its_content_length(site, settings):
    settings.INGEST_MAX_BYTES = 10_000
    site.add("/big", Response(body=b"x" * 50_000))

    with pytest.raises(TooLarge, match="50,000 bytes, over the limit of 10,000"):
        url_fetch(site.url("/big"))


def test_a_body_over_the_cap_without_content_length_stops_being_read(site, settings):
    settings.INGEST_MAX_BYTES = 10_000
    site.add("/big", Response(body=b"y" * 2_000_000, send_length=False))

    with pytest.raises(TooLarge, match="stopped reading"):
        url_fetch(site.url("/big"))


def test_a_gzip_bomb_is_stopped_by_the_cap_on_decompressed_bytes(site, settings):
    settings.INGEST_MAX_BYTES = 100_000
    site.add("/bomb", Response(body=b"\0" * 5_000_000, gzip=True))  # about 5 kB on the wire

    with pytest.raises(TooLarge, match="stopped reading"):
        url_fetch(site.url("/bomb"))


def test_gzip_bodies_are_decompressed(site):
    site.add("/gz", Response(body="<p>compressed story</p>", gzip=True))

    assert url_fetch(site.url("/gz")).body == b"<p>compressed story</p>"


def test_broken_gzip_is_a_readable_error(site):
    site.add("/broken", Response(body=b"this is not gzip at all", headers={"Content-Encoding": "gzip"}))

    with pytest.raises(UnsupportedContent, match="could not be decompressed"):
        url_fetch(site.url("/broken"))


def test_a_page_that_is_an_image_is_refused(site):
    site.add("/photo", Response(body=b"\x89PNG\r\n", content_type="image/png"))

    with pytest.raises(UnsupportedContent, match="expected a page but the server sent 'image/png'"):
        url_fetch(site.url("/photo"))


def test_conditional_get_sends_the_validators_and_reports_not_modified(site):
    def answer(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, content_type=None)
        return Response(body="<rss/>", headers={"ETag": '"v1"'})

    site.add("/feed", answer)

    first = url_fetch(site.url("/feed"), kind="feed")
    second = url_fetch(site.url("/feed"), kind="feed", etag=first.headers["etag"], last_modified="Tue, 01 Oct 2024")

    assert (first.not_modified, second.not_modified, second.body) == (False, True, b"")
    assert site.seen[1].headers["if-modified-since"] == "Tue, 01 Oct 2024"


def test_the_per_host_limit_makes_a_third_fetch_wait_and_give_up(allow_local, settings):
    settings.INGEST_PER_HOST_CONCURRENCY = 2
    settings.INGEST_HOST_WAIT_SECONDS = 1
    host = f"busy-{time.time_ns()}.example"
    with host_slot(host), host_slot(host), pytest.raises(HostBusy, match="already has 2 fetches running"), \
            host_slot(host):
        pass
    with host_slot(host):  # the slots were given back
        pass


def test_concurrent_fetches_of_one_host_never_exceed_the_limit(site, settings):
    settings.INGEST_PER_HOST_CONCURRENCY = 2
    settings.INGEST_HOST_WAIT_SECONDS = 20
    active, peak, lock = 0, 0, threading.Lock()

    def answer(request):
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.3)
        with lock:
            active -= 1
        return Response(body="<p>ok</p>")

    site.add("/p", answer)
    threads = [threading.Thread(target=url_fetch, args=(site.url("/p"),)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (site.hits("/p"), peak) == (5, 2)


# --- Charsets ------------------------------------------------------------------------------------------


def test_a_cp1251_page_declared_in_the_header_decodes():
    body = f"<html><body><p>{RUSSIAN}</p></body></html>".encode("cp1251")

    assert body_decode(body, declared="windows-1251") == (f"<html><body><p>{RUSSIAN}</p></body></html>", "cp1251")


def test_a_cp1251_page_declared_only_in_its_meta_tag_decodes():
    body = f'<html><head><meta charset="windows-1251"></head><body>{RUSSIAN}</body></html>'.encode("cp1251")

    assert body_decode(body)[0].endswith(f"{RUSSIAN}</body></html>")


def test_a_cp1251_page_that_claims_utf8_is_detected():
    body = f'<html><head><meta charset="utf-8"></head><body><p>{RUSSIAN}</p></body></html>'.encode("cp1251")

    text, _ = body_decode(body, declared="utf-8")

    assert RUSSIAN in text


def test_a_latin1_page_without_any_declaration_decodes():
    body = f"<html><body><p>{FRENCH}</p></body></html>".encode("latin-1")

    assert FRENCH in body_decode(body)[0]


def test_a_utf8_page_wrongly_labelled_latin1_is_read_as_utf8():
    body = f"<html><body><p>{FRENCH}</p></body></html>".encode()

    assert body_decode(body, declared="iso-8859-1") == (f"<html><body><p>{FRENCH}</p></body></html>", "utf-8")


def test_a_page_with_an_unknown_charset_label_still_decodes():
    body = f"<p>{FRENCH}</p>".encode()

    assert body_decode(body, declared="x-no-such-charset") == (f"<p>{FRENCH}</p>", "utf-8")


def test_a_byte_order_mark_wins_over_declarations():
    body = "\ufeff<p>Ελληνικά</p>".encode("utf-16-le")
    body = b"\xff\xfe" + body[2:] if not body.startswith(b"\xff\xfe") else body

    assert body_decode(body, declared="windows-1251")[0].lstrip("\ufeff") == "<p>Ελληνικά</p>"
