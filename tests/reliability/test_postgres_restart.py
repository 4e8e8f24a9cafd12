"""A real PostgreSQL restart under a running web server and worker (never the shared server on 54329).

A private embedded PostgreSQL and Redis (`manage.py services start` with their own var dir and free ports)
hold a migrated database; gunicorn (as `make run` starts it) and a Celery worker run against them with
DATABASE_URL/REDIS_URL set, as in production (the embedded backend would start a stopped server by itself).
PostgreSQL is stopped with `pg_ctl stop -m fast`: pages answer 503 with a clear message, the API 503 JSON,
/healthz 503 with the database named; the worker stays up. It is started again on the same port: the same
web and worker processes, never restarted, serve reads and ingest new work.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import REPO
from tests.reliability.servers import free_port, wait_for
from tests.reliability.test_worker_faults import _serve_stories

pytestmark = pytest.mark.worker

PASSWORD = "correct horse battery"
SETUP = """
from django.contrib.auth import get_user_model
from core.enums import Role
from core.roles import user_set_role
from claims.services import api_token_create
user = get_user_model().objects.create_user(username="ana", password={password!r})
user_set_role(user=user, role=Role.ANALYST)
print(api_token_create(user=user, name="restart", read_write=True)[1])
"""


class PrivateStack:
    """A private PostgreSQL + Redis (their own var dir and ports), and the environment of processes using them."""

    def __init__(self, root) -> None:
        self.pg_port, self.redis_port = free_port(), free_port()
        self.services_env = dict(os.environ, EMBEDDED_VAR_DIR=str(root / "var"), EMBEDDED_PG_PORT=str(self.pg_port),
                                 EMBEDDED_REDIS_PORT=str(self.redis_port), APP_ENV="development")
        for name in ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME", "EMBEDDED_REDIS_DB"):
            self.services_env.pop(name, None)
        self.url = f"postgresql://postgres@127.0.0.1:{self.pg_port}/claims"
        # The processes under test: plain PostgreSQL backend (DATABASE_URL), DEBUG off, as deployed.
        self.app_env = dict(self.services_env, DATABASE_URL=self.url, REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
                            DEBUG="0", INGEST_ALLOWED_HOSTS="127.0.0.1", INGEST_HOST_WAIT_SECONDS="0",
                            LOG_LEVEL="WARNING")

    def manage(self, *args: str, env: dict | None = None) -> str:
        result = subprocess.run(  # noqa: S603 -- our own manage.py
            [sys.executable, "manage.py", *args], cwd=REPO, env=env or self.services_env, capture_output=True,
            text=True, timeout=300,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stdout}\n{result.stderr}"
        return result.stdout

    def stop_postgres(self) -> None:
        """`pg_ctl stop -m fast` on the private data dir (config.embedded.stop_postgres), Redis left running."""
        result = subprocess.run(
            [sys.executable, "-c", "from config import embedded; print(embedded.stop_postgres())"],
            cwd=REPO, env=self.services_env, capture_output=True, text=True, timeout=120,
        )
        assert result.stdout.strip() == "True", result.stderr

    def postgres_accepts(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=2) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except psycopg.OperationalError:
            return False


@pytest.fixture
def stack(tmp_path):
    stack = PrivateStack(tmp_path)
    stack.manage("services", "start")
    try:
        stack.manage("migrate", "--no-input", env=stack.app_env)
        stack.token = stack.manage("shell", "-c", SETUP.format(password=PASSWORD), env=stack.app_env).split()[-1]
        yield stack
    finally:
        subprocess.run([sys.executable, "manage.py", "services", "stop"], cwd=REPO,
                       env=stack.services_env, capture_output=True, timeout=180)


@pytest.fixture
def processes(stack, tmp_path):
    """gunicorn (2 processes x 2 threads, as `make run`) and a prefork Celery worker on the private stack."""
    port = free_port()
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in ("web", "worker")}  # noqa: SIM115 -- closed below
    web = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "2", "--timeout", "60"], cwd=REPO, env=stack.app_env, stdout=logs["web"],
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--hostname", f"restart-{os.getpid()}@%h"],
        cwd=REPO, env=stack.app_env, stdout=logs["worker"], stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy():
        try:
            answer = httpx.get(base + "/healthz", timeout=5)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200 and answer.json()["workers"]["count"] >= 1

    try:
        wait_for(healthy, timeout=90, what=f"gunicorn and the worker (logs in {tmp_path})")
        yield base, web, worker
    finally:
        for process in (web, worker):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs.values():
            log.close()


def _ingest(api: httpx.Client, url: str) -> dict:
    """Submit one URL through the API and wait for the worker to finish it; the run as the API shows it."""
    answer = api.post("/api/v1/ingestion-runs/", json={"url": url})
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["id"]

    def finished():
        run = api.get(f"/api/v1/ingestion-runs/{run_id}/").json()
        return run if run["items"] and all(item["status"] != "pending" for item in run["items"]) else None

    return wait_for(finished, timeout=90, interval=0.5, what=f"ingestion run {run_id}")


def _sign_in(browser: httpx.Client) -> None:
    form = browser.get("/accounts/login/")
    token = browser.cookies["csrftoken"]
    assert form.status_code == 200
    answer = browser.post("/accounts/login/", data={"username": "ana", "password": PASSWORD,
                                                    "csrfmiddlewaretoken": token})
    assert answer.status_code == 302, answer.text


def test_web_and_worker_carry_on_by_themselves_after_postgresql_restarts(stack, processes, site):
    base, web, worker = processes
    first, second = _serve_stories(site, 2)
    api = httpx.Client(base_url=base, timeout=20, headers={"Authorization": f"Bearer {stack.token}"})
    browser = httpx.Client(base_url=base, timeout=20)
    _sign_in(browser)
    before = _ingest(api, first)
    assert [item["status"] for item in before["items"]] == ["new"]
    assert browser.get("/articles/").status_code == 200

    stack.stop_postgres()
    assert not stack.postgres_accepts()

    # What people see while it is down: a clear 503, never a stack trace or a generic error.
    health = httpx.get(base + "/healthz", timeout=20)
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable"
    assert health.json()["database"] == "OperationalError"
    assert health.json()["redis"] == "ok"
    for path in ("/articles/", "/claims/", "/"):
        page = browser.get(path)
        assert page.status_code == 503, (path, page.status_code)
        assert "cannot reach its database" in page.text
        assert page.headers["Retry-After"] == "30"
        assert "Traceback" not in page.text
    listing = api.get("/api/v1/articles/")
    assert (listing.status_code, listing.json()["error"]["code"]) == (503, "database_unavailable")
    submitted = api.post("/api/v1/ingestion-runs/", json={"url": second})
    assert submitted.status_code == 503
    assert worker.poll() is None and web.poll() is None

    # Started again on the same port; the same web and worker processes, never restarted.
    stack.manage("services", "start")
    assert stack.postgres_accepts()
    assert httpx.get(base + "/healthz", timeout=20).status_code == 200
    for _ in range(6):  # every gunicorn process and thread finds its kept connection dead and opens a new one
        assert browser.get("/articles/").status_code == 200
        assert api.get("/api/v1/articles/").status_code == 200
    page = browser.get(f"/articles/{before['items'][0]['article']}/")
    assert page.status_code == 200 and "Bridges near" in page.text  # the session survived, the data too
    after = _ingest(api, second)
    assert [item["status"] for item in after["items"]] == ["new"]
    assert len(api.get("/api/v1/articles/").json()["results"]) == 2
    assert worker.poll() is None and web.poll() is None

    # Work in flight: the database goes away while the worker is fetching a (slow) page, so storing it fails.
    # The task tries again by itself once the database is back; the article is stored once, nothing is lost.
    (slow,) = _serve_stories(site, 1, delay=4.0, start=2)
    submitted = api.post("/api/v1/ingestion-runs/", json={"url": slow})
    assert submitted.status_code == 202, submitted.text
    run_id = submitted.json()["id"]
    wait_for(lambda: site.hits(urlsplit(slow).path) >= 1, timeout=30, interval=0.1, what="the worker's fetch")
    stack.stop_postgres()
    time.sleep(6)  # the fetch ends and its store fails against the stopped database
    stack.manage("services", "start")

    def finished():
        run = api.get(f"/api/v1/ingestion-runs/{run_id}/").json()
        return run if all(item["status"] != "pending" for item in run["items"]) else None

    run = wait_for(finished, timeout=120, interval=1, what=f"ingestion run {run_id} after the database came back")
    assert [item["status"] for item in run["items"]] == ["new"], run
    assert len(api.get("/api/v1/articles/").json()["results"]) == 3
    assert worker.poll() is None and web.poll() is None


@pytest.mark.parametrize("path, expected", [("/claims/", "text/html"), ("/api/v1/claims/", "application/json")])
def test_the_error_handler_says_503_only_when_the_database_cannot_be_reached(rf, path, expected):
    from django.db import OperationalError

    from config.health import server_error

    try:
        raise OperationalError("connection refused")
    except OperationalError:
        down = server_error(rf.get(path))
    try:
        raise ValueError("a bug")
    except ValueError:
        bug = server_error(rf.get(path))

    assert (down.status_code, down["Retry-After"], down["Content-Type"].split(";")[0]) == (503, "30", expected)
    assert b"cannot reach its database" in down.content
    assert (bug.status_code, bug["Content-Type"].split(";")[0]) == (500, expected)
    assert b"database" not in bug.content and b"a bug" not in bug.content
