"""The extraction's confidence as a share: a raw score (the construction the cue came from, the speaker's
resolution, the claim wording's checks) mapped to how often statements with that score were attributions the
PolNeAR annotators made too (fitted by `manage.py calibrate_confidence`, docs/analysis.md "Confidence")."""

from __future__ import annotations

import bisect
import json
from functools import lru_cache
from pathlib import Path

MAP_PATH = Path(__file__).resolve().parent / "data" / "confidence.json"


@lru_cache(maxsize=1)
def _steps() -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    if not MAP_PATH.is_file():
        return None
    data = json.loads(MAP_PATH.read_text(encoding="utf-8"))
    return tuple(data["thresholds"]), tuple(data["values"])


def calibrated(raw: float, *, steps: tuple[tuple[float, ...], tuple[float, ...]] | None = None) -> float:
    """The share right for a raw confidence: the value of the last fitted threshold at or below it (the first
    value below the lowest threshold); the raw score itself when no map is shipped."""
    steps = steps if steps is not None else _steps()
    if not steps or not steps[0]:
        return raw
    thresholds, values = steps
    index = bisect.bisect_right(thresholds, raw + 1e-9) - 1
    return values[max(index, 0)]
