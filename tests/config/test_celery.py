"""A task really runs on a worker process, through the real Redis broker, at the worker's lower CPU priority."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from config.celery import app

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.worker
def test_a_task_runs_on_a_real_worker_through_redis(celery_worker):
    result = app.send_task("config.ping").get(timeout=30)

    assert result["pong"] is True
    assert result["worker"].startswith("test-")
    assert celery_worker.poll() is None  # the worker process is still alive
    # The worker's process raised its niceness at start (worker_process_init), to the setting or what it inherited.
    assert result["niceness"] == max(os.nice(0), settings.WORKER_NICENESS)


def _niceness_after(code: str, *, start: int) -> int:
    """os.nice(0) printed by a fresh interpreter at niceness `start` (or this process's, if higher) that ran `code`."""
    script = f"import os; os.nice(max(0, {start} - os.nice(0))); {code}; print(os.nice(0))"
    out = subprocess.run(  # noqa: S603 -- our own interpreter, a fixed script
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    return int(out.stdout.split()[-1])


def test_a_pool_process_raises_its_niceness_to_the_setting():
    code = "from celery import signals; import config.celery; signals.worker_process_init.send(sender=None)"
    base = os.nice(0)

    assert _niceness_after(code, start=0) == max(base, 10)  # WORKER_NICENESS's default
    assert _niceness_after(f"os.environ['WORKER_NICENESS'] = '3'; {code}", start=0) == max(base, 3)


def test_niceness_is_never_lowered():
    # A worker started under `nice -n 15` keeps 15: an unprivileged process could not go back to 10 anyway.
    code = "from config.celery import process_nice_to; process_nice_to(10)"

    assert _niceness_after(code, start=15) == max(os.nice(0), 15)


@pytest.mark.django_db(transaction=True)  # the hook closes the connections, as it must before a fork
def test_the_worker_builds_the_party_index_before_its_pool_forks(settings):
    from django.db import connection

    from claims import linking
    from config.celery import _party_index_before_fork  # the worker_init receiver
    from tests import factories

    party = factories.PartyFactory(name="Ministry of Bridges")
    vars(linking._party_index).pop("index", None)

    settings.WORKER_PARTY_INDEX_BEFORE_FORK = False
    _party_index_before_fork()
    assert getattr(linking._party_index, "index", None) is None

    settings.WORKER_PARTY_INDEX_BEFORE_FORK = True
    _party_index_before_fork()
    built = linking._party_index.index
    assert connection.connection is None  # nothing open to be shared by the pool's processes
    # A pool process's first article finds it: the same index, which knows the party (no rebuild).
    assert linking.party_resolver() is built.resolver
    assert built.resolver.resolve("Ministry of Bridges").party_id == str(party.pk)
