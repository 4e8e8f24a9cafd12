"""Named stages of the ingestion and analysis pipeline, for one observer that times them (the ingestion benchmark).

The pipeline's stage functions are marked `@pipeline_stage("fetch")`, `@pipeline_stage("store")`, ... With no
observer (always, except in the benchmark's worker) a marked call costs one global lookup. `stage_observer_set`
installs `observer(stage, seconds, outer)`, called as each marked call ends with the stages it ran inside of
(`outer`, without itself), so that a report can subtract a nested stage from the one around it.
Plain Python, no Django: the language analysis marks its stages too.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

Observer = Callable[[str, float, frozenset[str]], None]

P = ParamSpec("P")
R = TypeVar("R")

_observer: Observer | None = None
_local = threading.local()  # the stages running now in this thread


def stage_observer_set(observer: Observer | None) -> None:
    """Install the one observer of this process (None removes it)."""
    global _observer
    _observer = observer


def pipeline_stage(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a function as (part of) stage `name`: the observer, if any, gets the seconds of each call."""

    def mark(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            observer = _observer
            if observer is None:
                return func(*args, **kwargs)
            active: set[str] = _local.__dict__.setdefault("active", set())
            outer = frozenset(active)
            active.add(name)
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                if name not in outer:
                    active.discard(name)
                observer(name, spent, outer - {name})

        timed.pipeline_stage = name  # type: ignore[attr-defined]
        return timed

    return mark
