"""PolNeAR attributions: the gold of a split and a faithful re-implementation of ../shared/eval/score_polnear.py."""

from __future__ import annotations

import collections
import os
from pathlib import Path


def _chars(value: object) -> set[int]:
    if value is None:
        return set()
    if value and isinstance(value[0], int):  # type: ignore[index]
        value = [value]
    chars: set[int] = set()
    for start, end in value:  # type: ignore[union-attr]
        chars.update(range(int(start), int(end)))
    return chars


def _char_f1(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    if not inter:
        return 0.0
    p, r = inter / len(a), inter / len(b)
    return 2 * p * r / (p + r)


def polnear_gold(split_dir: Path) -> dict[str, list[dict[str, set[int]]]]:
    """Gold attributions per text; with several annotators, the first file in sorted order."""
    by_text: dict[str, list[str]] = collections.defaultdict(list)
    for name in sorted(os.listdir(split_dir / "attributions")):
        if name.endswith(".ann"):
            by_text[name.rsplit("_", 1)[0]].append(name)
    gold = {}
    for stem, files in by_text.items():
        spans_by_id: dict[str, tuple[str, list[tuple[int, ...]]]] = {}
        events = []
        with open(split_dir / "attributions" / files[0], encoding="utf-8") as handle:
            for line in handle:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 2:
                    continue  # the rest of a span text that runs over a line break (a few training files)
                if line.startswith("T"):
                    label, offsets = parts[1].split(" ", 1)
                    spans_by_id[parts[0]] = (label, [tuple(map(int, s.split())) for s in offsets.split(";")])
                elif line.startswith("E"):
                    events.append(dict(arg.split(":") for arg in parts[1].split()))
        attributions = []
        for event in events:
            record = {}
            for role, key in (("Source", "source"), ("Cue", "cue"), ("Content", "content")):
                tid = event.get(role)
                record[key] = _chars(spans_by_id[tid][1]) if tid in spans_by_id else set()
            attributions.append(record)
        gold[stem] = attributions
    return gold


def polnear_texts(split_dir: Path) -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted((split_dir / "text").glob("*.txt"))}


def prediction_chars(prediction: dict[str, object]) -> dict[str, set[int]]:
    return {k: _chars(prediction.get(k)) for k in ("source", "cue", "content")}


def cue_pairs(gold_attrs: list[dict[str, set[int]]], preds: list[dict[str, set[int]]]):
    """score_polnear.py's greedy pairing: each gold attribution, in order, takes the unused prediction whose cue
    overlaps its cue most. Yields (gold, index of its prediction)."""
    used: set[int] = set()
    for g in gold_attrs:
        best, best_overlap = None, 0
        for i, p in enumerate(preds):
            overlap = len(g["cue"] & p["cue"])
            if i not in used and overlap > best_overlap:
                best, best_overlap = i, overlap
        if best is not None:
            used.add(best)
            yield g, best


def attribution_right(g: dict[str, set[int]], p: dict[str, set[int]]) -> bool:
    """A paired prediction is the attribution: its source overlaps (or both have none), its content char-F1 >= 0.5."""
    source_ok = (not g["source"] and not p["source"]) or bool(g["source"] & p["source"])
    return source_ok and _char_f1(p["content"], g["content"]) >= 0.5


def polnear_score(
    gold: dict[str, list[dict[str, set[int]]]], predictions: dict[str, list[dict[str, object]]]
) -> dict[str, object]:
    """Cue and attribution P/R/F1 exactly as score_polnear.py computes them."""
    n_gold = sum(len(v) for v in gold.values())
    n_pred = cue_tp = full_tp = 0
    src_f1: list[float] = []
    content_f1: list[float] = []
    for stem, gold_attrs in gold.items():
        preds = [prediction_chars(p) for p in predictions.get(stem, [])]
        n_pred += len(preds)
        for g, best in cue_pairs(gold_attrs, preds):
            p = preds[best]
            cue_tp += 1
            src_f1.append(_char_f1(p["source"], g["source"]))
            content_f1.append(_char_f1(p["content"], g["content"]))
            if attribution_right(g, p):
                full_tp += 1

    def prf(tp: int) -> dict[str, float]:
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}

    return {
        "documents": len(gold),
        "gold": n_gold,
        "predicted": n_pred,
        "cue": prf(cue_tp),
        "attribution": prf(full_tp),
        "source_char_f1": round(sum(src_f1) / len(src_f1), 4) if src_f1 else 0.0,
        "content_char_f1": round(sum(content_f1) / len(content_f1), 4) if content_f1 else 0.0,
    }
