"""Webhooks end to end: a real worker POSTs signed events to a real receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from claims.models import WebhookDelivery
from tests.api.conftest import token_client
from tests.factories import ClaimFactory, WebhookSubscriptionFactory


class Receiver:
    """An HTTP server on a free port that records every POST and answers with the next scripted status."""

    def __init__(self, statuses: list[int]):
        self.requests: list[dict] = []
        self.statuses = statuses
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait_for(self, count: int, timeout: float = 40) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.requests


@pytest.fixture
def loopback_allowed(settings, monkeypatch):
    """The SSRF guard lets 127.0.0.1 through for this test only; the worker gets the same list and fast retries."""
    settings.INGEST_ALLOWED_HOSTS = ["127.0.0.1"]
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "1")


def _receiver(statuses):
    receiver = Receiver(statuses)
    receiver.thread.start()
    return receiver


def _subscribe(client, url, events):
    answer = client.post("/api/v1/webhooks/", {"target_url": url, "events": events}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def _wait_delivery(pk, status, timeout=40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery = WebhookDelivery.objects.get(pk=pk)
        if delivery.status == status:
            return delivery
        time.sleep(0.2)
    return WebhookDelivery.objects.get(pk=pk)


@pytest.mark.worker
def test_a_verdict_change_is_posted_signed_by_a_real_worker(loopback_allowed, celery_worker, editor):
    receiver = _receiver([200])
    tool = token_client(editor, read_write=False)  # a read-only token may subscribe
    subscription = _subscribe(tool, receiver.url, ["claim.verdict_changed"])
    claim = ClaimFactory(text="A bridge was destroyed")
    writer = token_client(editor, read_write=True)

    answer = writer.post(f"/api/v1/claims/{claim.pk}/verdict/", {"verdict": "false", "rationale": "Still standing"},
                         format="json")
    [request] = receiver.wait_for(1)

    assert answer.status_code == 200
    headers, body = request["headers"], request["body"]
    expected = hmac.new(
        subscription["secret"].encode(), headers["X-Claims-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Claims-Signature"] == f"sha256={expected}"
    assert headers["X-Claims-Event"] == "claim.verdict_changed"
    envelope = json.loads(body)
    delivery = _wait_delivery(WebhookDelivery.objects.get().pk, "delivered")
    assert envelope["delivery_id"] == headers["X-Claims-Delivery"] == str(delivery.delivery_id)
    assert {k: envelope["data"][k] for k in ("from_verdict", "to_verdict", "rationale", "published")} == {
        "from_verdict": "unverified", "to_verdict": "false", "rationale": "Still standing", "published": False,
    }
    assert envelope["data"]["claim"]["id"] == claim.pk
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    log = tool.get(f"/api/v1/webhooks/{subscription['id']}/deliveries/").json()["results"]
    assert [(d["status"], [a["status_code"] for a in d["log"]]) for d in log] == [("delivered", [200])]


@pytest.mark.worker
def test_a_failing_receiver_is_retried_with_the_same_delivery_id(loopback_allowed, celery_worker, editor):
    receiver = _receiver([503, 200])
    tool = token_client(editor, read_write=False)
    _subscribe(tool, receiver.url, ["claim.created"])

    from claims.services import claim_create

    claim_create(text="Shelling hit the airport")
    first, second = receiver.wait_for(2)

    assert first["headers"]["X-Claims-Delivery"] == second["headers"]["X-Claims-Delivery"]
    delivery = _wait_delivery(WebhookDelivery.objects.get().pk, "delivered")
    assert (delivery.attempts, [a["status_code"] for a in delivery.log]) == (2, [503, 200])
    assert json.loads(second["body"])["data"]["text"] == "Shelling hit the airport"


def test_a_private_target_is_refused_by_the_ssrf_guard(world, viewer):
    tool = token_client(viewer, read_write=False)

    answer = tool.post("/api/v1/webhooks/", {"target_url": "http://127.0.0.1:8000/hook", "events": ["claim.created"]},
                       format="json")

    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["target_url"]
    assert "private, loopback" in answer.json()["error"]["fields"]["target_url"][0]


def test_events_are_queued_only_for_subscribers_and_only_on_commit(world, viewer, django_capture_on_commit_callbacks):
    from claims.services import claim_create

    tool = token_client(viewer, read_write=False)
    WebhookSubscriptionFactory(
        token=tool.token, target_url="https://example.org/hook", events=["statement.created"], secret="s"
    )

    with django_capture_on_commit_callbacks() as callbacks:
        claim_create(text="Nobody subscribed to this")

    assert (WebhookDelivery.objects.count(), len(callbacks)) == (0, 0)
