"""Score the analysis against the seed annotation, PolNeAR attributions and Emergent stance and matching."""

from __future__ import annotations

import collections
import csv
import json
import os
from collections.abc import Iterable
from pathlib import Path

from claims.analysis.records import ExtractedStatement, KnownParty

# -- output format shared by `extract` and the PolNeAR scorer --------------------------------------


def _offsets(spans: Iterable[object]) -> list[list[int]]:
    return [[s.start, s.end] for s in spans]  # type: ignore[attr-defined]


def statement_record(doc: str, statement: ExtractedStatement) -> dict[str, object]:
    """One JSON-lines record: offsets as score_polnear.py reads them, plus party, stance and claim key."""
    cue = _offsets(statement.cue)
    content = _offsets(statement.content)
    return {
        "doc": doc,
        "source": [statement.speaker.start, statement.speaker.end] if statement.speaker else None,
        "cue": cue[0] if len(cue) == 1 else cue,
        "content": (content[0] if len(content) == 1 else content) if content else None,
        "party": statement.party_id,
        "proposed_party": statement.proposed_party,
        "stance": statement.stance,
        "claim_key": statement.claim_key,
        "direct": statement.direct,
        "confidence": statement.confidence,
    }


def attribution_records(doc: str, statements: list[ExtractedStatement]) -> list[dict[str, object]]:
    """One record per cue: conjoined speakers, and clauses split off one report, are one PolNeAR attribution."""
    by_cue: dict[str, dict[str, object]] = {}
    for statement in statements:
        record = statement_record(doc, statement)
        key = json.dumps(record["cue"])
        if key not in by_cue:
            by_cue[key] = record
            continue
        merged = by_cue[key]
        segments = {tuple(s) for s in _segment_list(merged["content"])} | {
            tuple(s) for s in _segment_list(record["content"])
        }
        ordered = [list(s) for s in sorted(segments)]
        merged["content"] = (ordered[0] if len(ordered) == 1 else ordered) if ordered else None
    return list(by_cue.values())


def _segment_list(value: object) -> list[list[int]]:
    if not value:
        return []
    if isinstance(value[0], int):  # type: ignore[index]
        return [value]  # type: ignore[list-item]
    return list(value)  # type: ignore[call-overload]


# -- PolNeAR: a faithful re-implementation of ../shared/eval/score_polnear.py -----------------------


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


def polnear_score(
    gold: dict[str, list[dict[str, set[int]]]], predictions: dict[str, list[dict[str, object]]]
) -> dict[str, object]:
    """Cue and attribution P/R/F1 exactly as score_polnear.py computes them."""
    n_gold = sum(len(v) for v in gold.values())
    n_pred = cue_tp = full_tp = 0
    src_f1: list[float] = []
    content_f1: list[float] = []
    for stem, gold_attrs in gold.items():
        preds = [{k: _chars(p.get(k)) for k in ("source", "cue", "content")} for p in predictions.get(stem, [])]
        n_pred += len(preds)
        used: set[int] = set()
        for g in gold_attrs:
            best, best_overlap = None, 0
            for i, p in enumerate(preds):
                overlap = len(g["cue"] & p["cue"])
                if i not in used and overlap > best_overlap:
                    best, best_overlap = i, overlap
            if best is None:
                continue
            used.add(best)
            p = preds[best]
            cue_tp += 1
            src_f1.append(_char_f1(p["source"], g["source"]))
            c = _char_f1(p["content"], g["content"])
            content_f1.append(c)
            source_ok = (not g["source"] and not p["source"]) or bool(g["source"] & p["source"])
            if source_ok and c >= 0.5:
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


# -- seed -------------------------------------------------------------------------------------------


def seed_parties(gold: dict[str, object]) -> list[KnownParty]:
    return parties_from_json(gold)


def parties_from_json(data: dict[str, object]) -> list[KnownParty]:
    """KnownParty list from a JSON object with a `parties` list shaped like gold.json's."""
    return [
        KnownParty(
            id=p["id"],
            name=p["name"],
            kind=p.get("kind", ""),
            parent=p.get("parent"),
            aliases=tuple(p.get("aliases", ())),
        )
        for p in data["parties"]  # type: ignore[union-attr]
    ]


def seed_score(gold: dict[str, object], results: dict[str, list[ExtractedStatement]]) -> dict[str, object]:
    """Figures of the seed acceptance test: claim statements with right party and stance, one-claim checks, extras.

    A found statement matches a gold one when it is in the same article, its cue or content overlaps
    the gold evidence, and its party is the gold party or that party's parent.
    """
    parents = {p["id"]: p["parent"] for p in gold["parties"]}  # type: ignore[index,union-attr]
    statements = gold["statements"]  # type: ignore[index]
    found_for: dict[int, list[tuple[str, int]]] = collections.defaultdict(list)
    matched_found: set[tuple[str, int]] = set()
    for g_index, g in enumerate(statements):  # type: ignore[arg-type]
        for s_index, s in enumerate(results.get(g["article"], [])):
            spans = [*s.cue, *s.content]
            overlaps = any(span.start < g["end"] and g["start"] < span.end for span in spans)
            if overlaps and s.party_id in (g["party"], parents.get(g["party"])):
                found_for[g_index].append((g["article"], s_index))
                matched_found.add((g["article"], s_index))
    claim_total = claim_right = 0
    missing = []
    for g_index, g in enumerate(statements):  # type: ignore[arg-type]
        if g["claim"] is None:
            continue
        claim_total += 1
        ok = any(results[a][i].stance == g["stance"] for a, i in found_for[g_index])
        claim_right += ok
        if not ok:
            missing.append(f"{g['article']} {g['party']} {g['stance']}: {g['evidence'][:60]}")
    one_claim = {}
    for claim_id in ("f16-shootdown", "karabakh-84-soldiers"):
        keys = set()
        articles = set()
        for g_index, g in enumerate(statements):  # type: ignore[arg-type]
            if g["claim"] == claim_id:
                for a, i in found_for[g_index]:
                    if results[a][i].claim_key:
                        keys.add(results[a][i].claim_key)
                        articles.add(a)
        one_claim[claim_id] = {"keys": sorted(keys), "one_claim_across_articles": len(keys) == 1 and len(articles) == 2}
    all_found = sum(1 for g_index in range(len(statements)) if found_for[g_index])  # type: ignore[arg-type]
    n_found = sum(len(v) for v in results.values())
    return {
        "claim_statements": claim_total,
        "claim_statements_right_party_and_stance": claim_right,
        "missing_claim_statements": missing,
        "one_claim": one_claim,
        "statements": len(statements),  # type: ignore[arg-type]
        "statements_found": all_found,
        "extracted": n_found,
        "extra": n_found - len(matched_found),
        "extra_statements": [
            f"{a} {s.party_id or s.proposed_party} {s.stance}: "
            f"{' '.join(c.text for c in s.cue)} | {' '.join(c.text for c in s.content)[:60]}"
            for a, sts in results.items()
            for i, s in enumerate(sts)
            if (a, i) not in matched_found
        ],
    }


# -- Emergent -------------------------------------------------------------------------------------

STANCE_LABELS = {"for": "asserts", "against": "denies", "observing": "observes"}


def emergent_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def emergent_stance_cv(rows: list[dict[str, str]], *, folds: int = 5) -> dict[str, object]:
    """Accuracy and F1 of "against" by cross-validation with folds grouped by claim.

    No claim has headlines in both the training and the test rows of a fold; the model's own choice of
    regularisation and feature weights happens inside `StanceModel.fit`, on the training rows only.
    """
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import GroupKFold

    from claims.analysis.stance import StanceModel

    claims = [r["claimHeadline"] for r in rows]
    texts = [r["articleHeadline"] for r in rows]
    gold = np.array([STANCE_LABELS[r["articleHeadlineStance"]] for r in rows])
    predicted = np.empty(len(rows), dtype=object)
    chosen = []
    for train, test in GroupKFold(n_splits=folds).split(texts, gold, [r["claimId"] for r in rows]):
        model = StanceModel().fit([claims[i] for i in train], [texts[i] for i in train], list(gold[train]))
        predicted[test] = model.predict([claims[i] for i in test], [texts[i] for i in test])
        chosen.append({"C": model.c, "parse_weight": model.parse_weight})
    return {
        "rows": len(rows),
        "folds": folds,
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "f1_against": round(float(f1_score(gold, predicted, labels=["denies"], average=None)[0]), 4),
        "macro_f1": round(float(f1_score(gold, predicted, average="macro")), 4),
        "chosen_per_fold": chosen,
    }


# The settings `emergent_matching` chooses among: similarity weights (word, char, embedding), claim expansion
# (weight, margin, rounds; weight 0 is none) and neighbour smoothing (neighbours, weight; 0 is none).
MATCH_GRID_WEIGHTS = ((0.4, 0.3, 0.3), (1 / 3, 1 / 3, 1 / 3), (0.5, 0.25, 0.25))
MATCH_GRID_EXPANSION = ((0.0, 0.0), *((e, m) for e in (1.0, 2.0, 4.0) for m in (0.05, 0.1)))
MATCH_GRID_ROUNDS = 2
MATCH_GRID_SMOOTHING = ((0, 0.0), (3, 0.2), (5, 0.2), (3, 0.4))


def emergent_matching(rows: list[dict[str, str]], *, folds: int = 5) -> dict[str, object]:
    """Top-1 accuracy of matching each headline to its own claim among all claims.

    Every setting in the grid is run once over all headlines (matching uses no label: expansion and
    smoothing only look at the texts). The reported `top1` is grouped cross-validation: the headlines
    are split into folds by claim, and each fold is scored with the setting that was best on the other
    folds' headlines. `selected` is the setting best on all headlines, the one `matching.py` ships;
    `top1_selected_in_sample` is its own (optimistic) figure, printed for comparison only.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from claims.analysis.matching import MatchBatch
    from claims.analysis.similarity import similarity

    claim_text: dict[str, str] = {}
    for r in rows:
        claim_text.setdefault(r["claimId"], r["claimHeadline"])
    ids = list(claim_text)
    index = {cid: i for i, cid in enumerate(ids)}
    texts = [r["articleHeadline"] for r in rows]
    gold = np.array([index[r["claimId"]] for r in rows])
    claims = [claim_text[cid] for cid in ids]

    batch = MatchBatch(texts, claims)
    settings: list[tuple[tuple[float, float, float], tuple[float, float, int], tuple[int, float]]] = []
    right: list[np.ndarray] = []
    for weights in MATCH_GRID_WEIGHTS:
        kernels = {n: batch.kernel(n, weights) for n, _ in MATCH_GRID_SMOOTHING if n}
        for expansion, margin in MATCH_GRID_EXPANSION:
            stream = batch.expansion_rounds(weights=weights, expansion=expansion, margin=margin)
            for rounds in range(1, MATCH_GRID_ROUNDS + 1) if expansion else (0,):
                scores = next(stream) if expansion else batch.scores(weights)
                for neighbours, weight in MATCH_GRID_SMOOTHING:
                    final = batch.smoothed(
                        scores, neighbours=neighbours, weight=weight, weights=weights, kernel=kernels.get(neighbours)
                    )
                    settings.append((weights, (expansion, margin, rounds), (neighbours, weight)))
                    right.append(final.argmax(axis=1) == gold)
    hits = np.array(right)  # settings x headlines
    cv_right = np.zeros(len(gold), dtype=bool)
    chosen = []
    for train, test in GroupKFold(n_splits=folds).split(texts, gold, gold):
        best = int(hits[:, train].mean(axis=1).argmax())
        chosen.append(best)
        cv_right[test] = hits[best, test]
    selected = int(hits.mean(axis=1).argmax())

    def describe(i: int) -> dict[str, object]:
        weights, (expansion, margin, rounds), (neighbours, weight) = settings[i]
        return {
            "weights": [round(w, 3) for w in weights],
            "expansion": expansion,
            "expansion_margin": margin,
            "expansion_rounds": rounds,
            "neighbours": neighbours,
            "neighbour_weight": weight,
        }

    first = settings.index(((0.4, 0.3, 0.3), (0.0, 0.0, 0), (0, 0.0)))
    word_only = similarity(texts, claims, weights=(1.0, 0.0, 0.0)).argmax(axis=1)
    return {
        "headlines": len(rows),
        "claims": len(ids),
        "folds": folds,
        "settings": len(settings),
        "top1": round(float(cv_right.mean()), 4),
        "chosen_per_fold": [describe(i) for i in chosen],
        "selected": describe(selected),
        "top1_selected_in_sample": round(float(hits[selected].mean()), 4),
        "top1_direct": round(float(hits[first].mean()), 4),
        "top1_word_tfidf": round(float((word_only == gold).mean()), 4),
    }
