"""Load while ingestion runs: gunicorn + a real worker on the seed corpus, analysts' pages and API reads from
threads for a bounded time; no request may fail. Figures go to test-artifacts/load-seed.json."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from claims.services import api_token_create
from config.celery import app
from sources import services
from sources.models import IngestionItem
from tests.conftest import REPO
from tests.reliability.servers import free_port, wait_for
from tests.reliability.test_worker_faults import _no_duplicates, _serve_stories
from tools.load import driver as load

pytestmark = pytest.mark.worker


@pytest.fixture
def web(worker_env, tmp_path):
    port = free_port()
    env = dict(worker_env, API_THROTTLE_TOKEN="1000000/hour", API_THROTTLE_USER="1000000/hour", LOG_LEVEL="WARNING")
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 -- closed below
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "2", "--timeout", "60"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return httpx.get(base + "/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, timeout=60, what=f"gunicorn (log {log.name})")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_pages_and_api_hold_under_load_while_articles_are_ingested(seeded, site, worker_env, workers, web, analyst):
    _, token = api_token_create(user=analyst, name="load")
    workers("ingest", worker_env).wait_ready(app)
    run = services.article_submit_urls(urls=_serve_stories(site, 10, delay=0.2))

    result = load.run(base_url=web, user=analyst.username, password="correct horse battery", token=token,
                      threads=4, duration=20, max_requests=4000)

    (REPO / "test-artifacts").mkdir(exist_ok=True)
    (REPO / "test-artifacts" / "load-seed.json").write_text(json.dumps(result, indent=2))
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] >= 8  # every thread was answered, twice; throughput is a figure (docs), not a test
    wait_for(lambda: not IngestionItem.objects.filter(run=run, status="pending").exists(), timeout=120,
             what="the articles ingested during the load")
    assert list(IngestionItem.objects.filter(run=run).values_list("status", flat=True)) == ["new"] * 10
    _no_duplicates()
