"""Give statements that report the same claim one claim key, within an article and across a run."""

from __future__ import annotations

from claims.analysis.records import ExtractedStatement
from claims.analysis.similarity import SAME_SPEAKER_THRESHOLD, cluster, words

_BACK_STANCES = ("denies", "confirms", "questions", "retracts")


def assign_claim_keys(results: dict[str, list[ExtractedStatement]]) -> None:
    """Set `claim_key` in place: clusters of similar claims, anaphoric statements join their antecedent."""
    items: list[ExtractedStatement] = []
    for statements in results.values():
        items.extend(s for s in statements if s.stance != "position" and not s.anaphoric and s.claim_text)
    # Two accusations with different accused parties are different claims however alike the words.
    cannot_link = {
        (i, j)
        for i, a in enumerate(items)
        for j in range(i + 1, len(items))
        if a.target_party_id and items[j].target_party_id and a.target_party_id != items[j].target_party_id
    }
    doc_of = [
        doc
        for doc, statements in results.items()
        for s in statements
        if s.stance != "position" and not s.anaphoric and s.claim_text
    ]
    pair_thresholds = {
        (i, i + 1): SAME_SPEAKER_THRESHOLD
        for i in range(len(items) - 1)
        if doc_of[i] == doc_of[i + 1] and items[i].party_id and items[i].party_id == items[i + 1].party_id
    }
    labels = cluster([s.claim_text for s in items], cannot_link=cannot_link, pair_thresholds=pair_thresholds)
    names: dict[int, str] = {}
    for statement, label in zip(items, labels, strict=True):
        if label not in names:
            slug = "-".join(words(statement.claim_text)[:4]) or "claim"
            names[label] = f"c{len(names) + 1}-{slug}"
        statement.claim_key = names[label]
    for statements in results.values():
        for index, statement in enumerate(statements):
            if statement.anaphoric and statement.stance != "position":
                statement.claim_key = _antecedent_key(statements[:index], statement)


def _antecedent_key(earlier: list[ExtractedStatement], statement: ExtractedStatement) -> str | None:
    """The latest earlier claim someone else put forward: what "denied the claim" points back to."""
    for previous in reversed(earlier):
        if previous.claim_key and previous.stance not in _BACK_STANCES and previous.party_id != statement.party_id:
            return previous.claim_key
    for previous in reversed(earlier):
        if previous.claim_key:
            return previous.claim_key
    return None
