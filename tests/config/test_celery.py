"""A task really runs on a worker process, through the real Redis broker."""

import pytest

from config.celery import app


@pytest.mark.worker
def test_a_task_runs_on_a_real_worker_through_redis(celery_worker):
    result = app.send_task("config.ping").get(timeout=30)

    assert result["pong"] is True
    assert result["worker"].startswith("test-")
    assert celery_worker.poll() is None  # the worker process is still alive
