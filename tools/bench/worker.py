"""The ingestion benchmark's worker: the project's `celery -A config worker`, with timers on the pipeline's stages.

    python -m tools.bench.worker TIMINGS_DIR worker --concurrency 2 ...   (started by `manage.py bench_ingestion`)

Same app, settings, queues and tasks as a production worker. Before the worker starts, it observes the pipeline's
marked stages (core.stages: `@pipeline_stage("fetch")` and the like on the stage functions) so that each task's
time is split into stages, and each finished task appends one JSON line to TIMINGS_DIR/<pid>.jsonl:
{"task", "id", "pid", "kwargs", "state" (SUCCESS, RETRY, FAILURE), "start", "end" (wall clock, s),
"stages": {stage: seconds}, "calls": {stage: count}}.
The language models are loaded in the parent before the pool forks, as in a worker that has been up for
a while; the time that took is written to TIMINGS_DIR/preload.json (a one-time cost per worker process).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

_task: dict | None = None  # the task this process is running (prefork and solo pools run one at a time)


def _record(stage: str, seconds: float, outer: frozenset[str]) -> None:
    """The stage observer (core.stages): a stage's seconds and calls, added to the running task's record."""
    if _task is None:
        return
    _task["stages"][stage] = _task["stages"].get(stage, 0.0) + seconds
    _task["calls"][stage] = _task["calls"].get(stage, 0) + 1
    for around in outer:  # e.g. "party index" inside "analysis": the report subtracts it
        key = f"{stage} in {around}"
        _task["stages"][key] = _task["stages"].get(key, 0.0) + seconds


def connect_recorder(directory: Path) -> None:
    from celery import signals

    @signals.task_prerun.connect(weak=False)
    def _started(task_id=None, task=None, kwargs=None, **_):
        global _task
        _task = {"task": task.name, "id": task_id, "pid": os.getpid(), "kwargs": kwargs or {}, "start": time.time(),
                 "t0": time.perf_counter(), "stages": {}, "calls": {}}

    @signals.task_postrun.connect(weak=False)
    def _finished(task_id=None, state=None, **_):
        global _task
        if _task is None or _task["id"] != task_id:
            return
        record, _task = _task, None
        record["state"] = state
        record["end"] = record["start"] + time.perf_counter() - record.pop("t0")
        with open(directory / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


def preload() -> float:
    """Load what a worker loads on its first article (the extraction's language identifier, spaCy, the stance and
    similarity models); seconds taken."""
    from claims.analysis import analyse
    from claims.analysis.similarity import similarity
    from sources.extraction import html_extract
    from tools.bench.make_pages import page

    started = time.perf_counter()
    html_extract(html=page(0), url="https://news.example/warm-up")
    analyse("The defence ministry said on Tuesday that two bridges had been destroyed overnight.", [])
    similarity(["two bridges were destroyed"], ["the bridges had been destroyed overnight"])
    return time.perf_counter() - started


def stop_with_parent() -> None:
    """A benchmark worker must not outlive the command that started it (and keep taking tasks from the queue)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)  # a warm shutdown, which stops the pool's processes too
        time.sleep(30)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str]) -> None:
    directory = Path(argv[0])
    stop_with_parent()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from core.stages import stage_observer_set

    stage_observer_set(_record)
    connect_recorder(directory)
    (directory / "preload.json").write_text(json.dumps({"seconds": preload()}), encoding="utf-8")
    from config.celery import app

    app.worker_main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
