"""Shared fixtures: the real PostgreSQL and Redis, a real Celery worker, people with roles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from core.enums import Role
from core.roles import user_set_role

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session", autouse=True)
def _redis_running() -> None:
    """With no REDIS_URL the tests use the embedded Redis; start it once per run."""
    if settings.USE_EMBEDDED_REDIS:
        from config import embedded

        embedded.ensure_redis()


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    return REPO / "sources" / "demo"


def _person(username: str, role: Role | None):
    user = get_user_model().objects.create_user(username=username, password="correct horse battery")
    if role is not None:
        user_set_role(user=user, role=role)
    return user


@pytest.fixture
def viewer(db):
    return _person("vera-viewer", Role.VIEWER)


@pytest.fixture
def analyst(db):
    return _person("ana-analyst", Role.ANALYST)


@pytest.fixture
def editor(db):
    return _person("ed-editor", Role.EDITOR)


@pytest.fixture
def admin_user(db):
    return _person("ada-admin", Role.ADMIN)


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role."""
    return _person("otto-outsider", None)


def _worker_env(database_name: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{database_name}"
    env["REDIS_URL"] = settings.REDIS_URL
    env["APP_ENV"] = "test"
    env["INGEST_ALLOWED_HOSTS"] = ",".join(settings.INGEST_ALLOWED_HOSTS)
    return env


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process on the test database and the test Redis.

    Tests that use it see committed data only (transactional_db), as the worker does.
    """
    from config.celery import app

    app.control.purge()
    name = settings.DATABASES["default"]["NAME"]
    log = open(REPO / "var" / f"test-worker-{name}.log", "w")  # noqa: SIM115 -- closed at teardown
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle", "--hostname", f"test-{os.getpid()}@%h"],
        cwd=REPO, env=_worker_env(name), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                app.send_task("config.ping").get(timeout=5)
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Celery worker did not come up; see {log.name}") from None
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def seeded(db, seed_dir):
    """The demo corpus: the two seed articles and their hand annotation, as an analyst would import it."""
    import json

    from claims.annotations import annotation_import

    return annotation_import(data=json.loads((seed_dir / "gold.json").read_text()), base_dir=seed_dir)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# Here, for tests/web and tests/security alike: Playwright's sync API allows one instance per process, and a
# session-scoped browser defined in two places would start twice.
@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Pages in their own browser contexts (own cookies); every dialog is recorded and dismissed."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []

        def on_dialog(dialog):
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield make
    for context in contexts:
        context.close()
