"""The pipeline's stage marks: silent without an observer, timed and nested with one."""

from __future__ import annotations

import pytest

from core.stages import pipeline_stage, stage_observer_set


@pipeline_stage("outer")
def _outer(n: int) -> int:
    return _inner(n) + 1


@pipeline_stage("inner")
def _inner(n: int) -> int:
    if n < 0:
        raise ValueError("negative")
    return n * 2


@pytest.fixture
def seen():
    calls: list[tuple[str, frozenset[str]]] = []
    seconds: list[float] = []

    def observe(stage: str, spent: float, outer: frozenset[str]) -> None:
        calls.append((stage, outer))
        seconds.append(spent)

    stage_observer_set(observe)
    yield calls, seconds
    stage_observer_set(None)


def test_a_marked_function_without_an_observer_is_the_function():
    assert _outer(3) == 7
    assert _outer.pipeline_stage == "outer"
    assert _outer.__name__ == "_outer"


def test_the_observer_gets_each_stage_with_the_stages_around_it(seen):
    calls, seconds = seen

    assert _outer(3) == 7
    assert _inner(1) == 2

    assert calls == [("inner", frozenset({"outer"})), ("outer", frozenset()), ("inner", frozenset())]
    assert all(s >= 0 for s in seconds) and seconds[1] >= seconds[0]


def test_a_stage_that_raises_is_still_reported_and_left(seen):
    calls, _ = seen

    with pytest.raises(ValueError, match="negative"):
        _outer(-1)
    _inner(1)

    assert calls == [("inner", frozenset({"outer"})), ("outer", frozenset()), ("inner", frozenset())]
