"""The JSON shapes the analysis's commands read and write: statement records (as score_polnear.py reads their
offsets) and known parties (shaped like gold.json's `parties`)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from claims.analysis.records import ExtractedStatement, KnownParty


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
