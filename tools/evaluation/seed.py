"""The seed acceptance figures: claim statements with the right party and stance, one claim across articles."""

from __future__ import annotations

import collections

from claims.analysis.interchange import parties_from_json
from claims.analysis.records import ExtractedStatement, KnownParty


def seed_parties(gold: dict[str, object]) -> list[KnownParty]:
    return parties_from_json(gold)


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
