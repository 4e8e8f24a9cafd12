"""SSRF: every place that takes a URL (feeds, manual intake by service, API and form, webhooks) refuses
private addresses in every spelling, names that resolve to them, and redirects to them.

The local site listens on 127.0.0.1, which the tests allow *by that spelling only* (as the demo does);
every other spelling of it, and every private name, must be refused without a single request reaching it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import urlguard
from sources import services
from sources.models import Article, Feed, IngestionItem
from tests.api.conftest import token_client
from tests.factories import OutletFactory
from tests.sources.conftest import Response

# Spellings of 127.0.0.1 (the site) and of other private/metadata addresses.
LOOPBACK_SPELLINGS = [
    "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1", "127.1", "127.0.1", "017700000001",
    "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]", "localhost", "[::1]",
]
PRIVATE_NAMES = ["internal.example", "metadata.example", "rebind.example"]
DNS = {
    "internal.example": ["127.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "rebind.example": ["93.184.216.34", "10.0.0.7"],  # one public, one private: refused
}


@pytest.fixture
def hostile_dns(monkeypatch):
    real = urlguard.resolve_host

    def resolve(host, port):
        return DNS.get(host) or real(host, port)

    monkeypatch.setattr(urlguard, "resolve_host", resolve)


def _urls(site) -> list[str]:
    return [f"http://{h}:{site.port}/story" for h in LOOPBACK_SPELLINGS] + [
        f"http://{n}:{site.port}/story" for n in PRIVATE_NAMES
    ] + ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[fd00::1]/", "file:///etc/passwd",
         "gopher://127.0.0.1:6379/_FLUSHALL", "ftp://127.0.0.1/"]


def _assert_nothing_reached(site) -> None:
    assert site.seen == []
    assert Article.objects.count() == 0


def test_manual_intake_by_service_refuses_every_spelling(site, hostile_dns, db):
    site.add("/story", "<html><body><p>secret internal page</p></body></html>")
    outcomes = []
    for url in _urls(site):
        try:
            run = services.article_submit_urls(urls=[url], inline=True)
        except Exception as exc:  # refused up front (not http(s)): fine
            outcomes.append((url, "refused", type(exc).__name__))
            continue
        item = IngestionItem.objects.get(run=run)
        outcomes.append((url, item.status, item.error[:40]))

    assert all(status in {"refused", "failed"} for _, status, _ in outcomes), outcomes
    _assert_nothing_reached(site)


def test_a_feed_pointing_at_a_private_address_is_never_fetched(site, hostile_dns, db):
    site.add("/story", "<rss></rss>")
    outlet = OutletFactory()
    for url in _urls(site):
        try:
            feed = services.feed_create(outlet=outlet, url=url)
        except Exception:  # noqa: S112 -- refused up front (not http(s)) is one of the right answers
            continue
        services.feed_poll(feed=feed, inline=True)
        feed.refresh_from_db()
        assert feed.consecutive_failures == 1, url
        assert feed.last_error, url
    _assert_nothing_reached(site)
    assert Feed.objects.filter(last_success_at__isnull=False).count() == 0


def test_manual_intake_through_the_api_refuses_private_addresses(site, hostile_dns, analyst,
                                                                 django_capture_on_commit_callbacks):
    client = token_client(analyst, read_write=True)
    for url in _urls(site):
        answer = client.post("/api/v1/ingestion-runs/", {"url": url}, format="json")
        assert answer.status_code in {202, 400}, (url, answer.status_code)
        assert answer.status_code < 500
        if answer.status_code == 202:
            for item in IngestionItem.objects.filter(run_id=answer.json()["id"]):
                services.ingestion_item_process(item=item)
                item.refresh_from_db()
                assert item.status == "failed", url
    _assert_nothing_reached(site)


def test_manual_intake_through_the_form_refuses_private_addresses(site, hostile_dns, client, analyst):
    client.force_login(analyst)
    urls = _urls(site)
    answer = client.post(reverse("sources:submit_urls"), {"urls": "\n".join(urls[:10])})
    assert answer.status_code in {302, 400}
    for item in IngestionItem.objects.all():
        services.ingestion_item_process(item=item)
        item.refresh_from_db()
        assert item.status == "failed", item.url
    _assert_nothing_reached(site)


def test_webhook_targets_at_private_addresses_are_refused(site, hostile_dns, viewer):
    client = token_client(viewer, read_write=False)
    for url in _urls(site):
        answer = client.post("/api/v1/webhooks/", {"target_url": url, "events": ["claim.verdict_changed"]},
                             format="json")
        assert answer.status_code == 400, (url, answer.status_code, answer.content[:200])
        assert "target_url" in answer.json()["error"]["fields"], url


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(site, hostile_dns, db):
    for n, target in enumerate(["http://2130706433:{port}/inside", "http://internal.example:{port}/inside",
                                "http://[::ffff:127.0.0.1]:{port}/inside", "http://169.254.169.254/"]):
        site.add(f"/out{n}", Response(status=302, headers={"Location": target.format(port=site.port)}))
    site.add("/inside", "<html><body><p>internal admin page</p></body></html>")

    for n in range(4):
        run = services.article_submit_urls(urls=[site.url(f"/out{n}")], inline=True)
        item = IngestionItem.objects.get(run=run)
        assert item.status == "failed", item.error
    assert site.hits("/inside") == 0
    assert Article.objects.count() == 0


@pytest.mark.parametrize("host", ["0177.0.0.1", "127.000.000.001", "0x7f.1", "0177.1"])
def test_a_redirect_to_an_odd_spelling_of_a_private_address_is_refused_at_once(site, db, host):
    """httpx cannot even parse these spellings in a Location header; that must not look like a network error
    worth four retries, but be the guard's refusal, on the first attempt."""
    site.add("/odd", Response(status=302, headers={"Location": f"http://{host}:{site.port}/inside"}))
    site.add("/inside", "<html><body><p>internal admin page</p></body></html>")
    run = services.article_submit_urls(urls=[site.url("/odd")])  # queued, as the API and the form do

    item = services.ingestion_item_process(item=run.items.get(), final_attempt=False)  # raising would mean a retry

    assert item.status == "failed"
    assert item.error == (
        f"refused 'http://{host}:{site.port}/inside': {host} spells 127.0.0.1, a private, loopback, link-local, "
        f"multicast or reserved address (to fetch from it on purpose, add {host} to the INGEST_ALLOWED_HOSTS "
        "setting)"
    )
    assert site.hits("/inside") == 0
    assert Article.objects.count() == 0
