"""The ingestion benchmark's worker: the project's `celery -A config worker`, with timers on the pipeline's stages.

    python -m tools.bench.worker TIMINGS_DIR worker --concurrency 2 ...   (started by `manage.py bench_ingestion`)

Same app, settings, queues and tasks as a production worker. Before the worker starts, the pipeline's stage
functions are wrapped (by module attribute, which is where their callers look them up) so that each task's
time is split into stages, and each finished task appends one JSON line to TIMINGS_DIR/<pid>.jsonl:
{"task", "id", "pid", "kwargs", "state" (SUCCESS, RETRY, FAILURE), "start", "end" (wall clock, s),
"stages": {stage: seconds}, "calls": {stage: count}}.
The language models are loaded in the parent before the pool forks, as in a worker that has been up for
a while; the time that took is written to TIMINGS_DIR/preload.json (a one-time cost per worker process).
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

# Stage -> (module, attribute) of the functions timed; nested stages are subtracted by the report.
STAGES = {
    "fetch": [("sources.services", "url_fetch")],
    "extract": [("sources.services", "body_decode"), ("sources.services", "html_extract")],
    "store": [("sources.services", "article_store")],
    "dedup": [("sources.services", "text_lsh_bands"), ("sources.services", "_duplicate_find")],
    "hand-over": [("sources.services", "revision_hand_to_analysis")],
    "parties": [("claims.linking", "_party_rows")],
    "analysis": [("claims.analysis", "analyse")],
    "party index": [("claims.analysis.parties", "PartyResolver.__init__"),
                    ("claims.analysis.parties", "PartyResolver.add")],
    "claim matching": [("claims.linking", "claim_match")],
    "speakers": [("claims.linking", "_proposed_party")],
    "claims written": [("claims.services", "claim_create")],
    "statements written": [("claims.services", "statement_create_many")],
    "claim locks": [("claims.services", "claims_lock_live")],
}

_task: dict | None = None  # the task this process is running (prefork and solo pools run one at a time)


_active: set[str] = set()  # the stages running now, so that a stage nested in another can be told apart


def _timed(stage: str, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        outer = set(_active)
        _active.add(stage)
        try:
            return func(*args, **kwargs)
        finally:
            if stage not in outer:
                _active.discard(stage)
            if _task is not None:
                spent = time.perf_counter() - started
                _task["stages"][stage] = _task["stages"].get(stage, 0.0) + spent
                _task["calls"][stage] = _task["calls"].get(stage, 0) + 1
                for around in outer - {stage}:  # e.g. "party index" inside "analysis": the report subtracts it
                    key = f"{stage} in {around}"
                    _task["stages"][key] = _task["stages"].get(key, 0.0) + spent
    return wrapper


def install_timers() -> None:
    for stage, places in STAGES.items():
        for module, attribute in places:
            owner = importlib.import_module(module)
            *path, name = attribute.split(".")
            for part in path:
                owner = getattr(owner, part)
            setattr(owner, name, _timed(stage, getattr(owner, name)))


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
    install_timers()
    connect_recorder(directory)
    (directory / "preload.json").write_text(json.dumps({"seconds": preload()}), encoding="utf-8")
    from config.celery import app

    app.worker_main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
