"""Request ids, structured logs, /healthz, and task failures shown on the sources page."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.conf import settings
from django.urls import reverse

from config import health
from config.logging import JsonFormatter, logging_config
from tests.conftest import REPO
from tests.factories import IngestionItemFactory, IngestionRunFactory


@pytest.fixture(autouse=True)
def _fresh_broker_check():
    health.broker_check_reset()
    yield
    health.broker_check_reset()


def test_a_request_gets_an_id_in_its_response(client, db):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_plain_incoming_request_id_is_kept_and_a_hostile_one_replaced(client, db):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abc")
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: evil=1" + "a" * 200)

    assert kept["X-Request-ID"] == "lb-1234.abc"
    assert replaced["X-Request-ID"] != "x" and "evil" not in replaced["X-Request-ID"]


def test_every_log_line_of_a_request_carries_its_id_as_json(client, viewer, caplog):
    client.force_login(viewer)
    formatter = JsonFormatter()
    with caplog.at_level(logging.INFO, logger="claims.request"):
        client.get(reverse("claims:party_list"), HTTP_X_REQUEST_ID="trace-42")

    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "claims.request"]
    assert [(e["request_id"], e["method"], e["path"], e["status"]) for e in lines] == [
        ("trace-42", "GET", "/parties/", 200)
    ]
    assert lines[0]["level"] == "INFO" and lines[0]["task_id"] == "-"


def test_log_format_is_plain_by_default_and_json_on_request():
    assert logging_config(log_format="plain", level="INFO")["handlers"]["console"]["formatter"] == "plain"
    assert logging_config(log_format="json", level="INFO")["handlers"]["console"]["formatter"] == "json"
    with pytest.raises(Exception, match="LOG_FORMAT"):
        logging_config(log_format="xml", level="INFO")


def test_healthz_is_200_with_database_and_redis_and_says_nothing_secret(client, db):
    answer = client.get("/healthz")

    body = answer.json()
    assert (answer.status_code, body["status"], body["database"], body["redis"]) == (200, "ok", "ok", "ok")
    assert set(body["workers"]) == {"count", "detail"}
    text = answer.content.decode()
    for secret in (settings.SECRET_KEY, settings.DATABASES["default"]["HOST"] + ":", "redis://", "postgres"):
        assert secret not in text


def test_healthz_is_503_when_redis_is_down(client, db, monkeypatch):
    monkeypatch.setattr(health, "broker_url", lambda: "redis://127.0.0.1:1/0")  # nothing listens on port 1

    answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"
    assert answer.json()["redis"] != "ok"
    assert answer.json()["workers"] == {"count": 0, "detail": "unknown: Redis is down"}


@pytest.mark.worker
def test_healthz_counts_a_live_worker(client, celery_worker):
    assert client.get("/healthz").json()["workers"]["count"] >= 1


@pytest.fixture
def json_worker_logs(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")


@pytest.mark.worker
def test_worker_logs_are_json_with_the_task_id_and_failures_reach_the_sources_page(
    json_worker_logs, celery_worker, client, viewer
):
    from config.celery import app

    ok = app.send_task("config.ping")
    ok.get(timeout=20)
    failing = app.send_task("sources.ingest_item", kwargs={"item_id": "not-a-number"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        f["task_id"] == failing.id for f in health.task_failures_recent(limit=50)
    ):
        time.sleep(0.2)

    log_file = REPO / "var" / f"test-worker-{settings.DATABASES['default']['NAME']}.log"
    entries = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    assert any(e["task_id"] == ok.id for e in entries)
    assert any(e["task_id"] == failing.id and e["level"] == "ERROR" for e in entries)
    client.force_login(viewer)
    page = client.get(reverse("sources:source_list")).content.decode()
    assert "Background jobs that failed" in page
    assert "sources.ingest_item" in page and "item_id=not-a-number" in page


def test_failed_items_are_listed_with_their_error(client, viewer):

    run = IngestionRunFactory(kind="url_batch")
    IngestionItemFactory(run=run, url="https://gone.example/story", status="failed", error="HTTP 410 Gone")
    client.force_login(viewer)

    page = client.get(reverse("sources:source_list")).content.decode()

    assert "Articles that could not be ingested" in page
    assert "https://gone.example/story" in page and "HTTP 410 Gone" in page


def test_pages_say_ingestion_is_paused_while_the_broker_is_down_and_keep_serving(client, viewer, monkeypatch):
    client.force_login(viewer)
    assert "ingestion-paused" not in client.get(reverse("claims:party_list")).content.decode()

    monkeypatch.setattr(health, "broker_url", lambda: "redis://127.0.0.1:1/0")
    health.broker_check_reset()
    down = client.get(reverse("claims:party_list"))

    assert down.status_code == 200
    assert "Ingestion is paused" in down.content.decode()
