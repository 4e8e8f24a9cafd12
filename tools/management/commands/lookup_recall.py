"""Similar-claim lookup against the exhaustive method it replaced, on reworded claims of the database."""

import json
import time

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from claims.embeddings import claim_embedding
from claims.enums import ReviewState
from claims.linking import claim_match
from claims.models import Claim
from claims.retrieval import NEAREST, claim_candidates


def exhaustive_match(text: str) -> tuple[Claim | None, float]:
    """The lookup before #7: trigram word similarity and full-text rank over every live claim, 20 of each."""
    from claims.analysis.similarity import SAME_CLAIM_THRESHOLD, similarity

    live = Claim.objects.live().exclude(review_state=ReviewState.REJECTED)
    by_trigram = live.annotate(sim=TrigramWordSimilarity(text, "text")).filter(sim__gt=0.2).order_by("-sim")[:20]
    query = SearchQuery(text, config="english", search_type="plain")
    by_words = (
        live.annotate(rank=SearchRank(SearchVector("text", config="english"), query))
        .filter(rank__gt=0).order_by("-rank")[:20]
    )
    candidates = list({c.pk: c for c in [*by_trigram, *by_words]}.values())
    if not candidates:
        return None, 0.0
    scores = similarity([text], [c.text for c in candidates])[0]
    best = int(scores.argmax())
    return (candidates[best] if scores[best] >= SAME_CLAIM_THRESHOLD else None), float(scores[best])


def exact_nearest(text: str, k: int) -> list[int]:
    """The k nearest claims by embedding, by a scan of every vector (what the HNSW walk approximates)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(
            "SELECT e.claim_id FROM claims_claimembedding e JOIN claims_claim c ON c.id = e.claim_id "
            "WHERE c.merged_into_id IS NULL AND c.review_state <> 'rejected' "
            "ORDER BY e.vector <=> %s::halfvec LIMIT %s",
            ["[" + ",".join(f"{x:.6f}" for x in claim_embedding(text)) + "]", k],
        )
        return [row[0] for row in cursor.fetchall()]


REWORDINGS = {
    # what the benchmark's statements do: another noun, another preposition
    "reworded": lambda t: t.replace(" forces ", " troops ", 1).replace(" near ", " close to ", 1),
    # the same fact in the passive voice, the actor last
    "passive": lambda t: _passive(t),
}


def _passive(text: str) -> str:
    actor, rest = text.split(" forces ", 1)
    action, place = rest.rsplit(" near ", 1)
    for verb in sorted(("shot down", "shelled", "struck", "seized", "blockaded", "bombed", "evacuated", "mined",
                        "raided", "captured", "attacked", "closed", "reinforced", "surrounded", "abandoned",
                        "fortified"), key=len, reverse=True):
        if action.startswith(verb + " "):
            return f"{action[len(verb) + 1:].capitalize()} near {place} was {verb} by {actor} troops"
    return text


class Command(BaseCommand):
    help = "Compare claim_match with the exhaustive lookup it replaced, and the HNSW walk with an exact scan."

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=20, help="Claims to reword (spread over the ids).")
        parser.add_argument("--skip-exhaustive", action="store_true", help="The old lookup takes ~17 s a text at 1M.")
        parser.add_argument("--json", dest="output", help="Write the per-text results to this file.")

    def handle(self, *args, sample: int, skip_exhaustive: bool, output: str | None, **options):
        top = Claim.objects.order_by("-id").values_list("id", flat=True).first() or 0
        step = max(1, top // max(1, sample))
        claims = list(Claim.objects.live().filter(id__in=range(7, top + 1, step)).order_by("id")[:sample])
        rows, tally = [], {}
        for claim in claims:
            for kind, reword in REWORDINGS.items():
                text = reword(claim.text)
                started = time.perf_counter()
                new, new_score = claim_match(text=text)
                new_ms = (time.perf_counter() - started) * 1000
                exact = set(exact_nearest(text, NEAREST))
                walked = {c.pk for c in claim_candidates(text=text, by_words=0)}
                row = {"claim": claim.pk, "kind": kind, "text": text, "new": new and new.pk,
                       "new_score": round(new_score, 3), "new_ms": round(new_ms, 1),
                       "hnsw_recall": len(exact & walked) / max(1, len(exact))}
                if not skip_exhaustive:
                    started = time.perf_counter()
                    old, old_score = exhaustive_match(text)
                    row.update(old=old and old.pk, old_score=round(old_score, 3),
                               old_ms=round((time.perf_counter() - started) * 1000, 1))
                rows.append(row)
                t = tally.setdefault(kind, {"texts": 0, "new_found_claim": 0, "old_found_claim": 0, "same_answer": 0,
                                            "hnsw_recall_sum": 0.0})
                t["texts"] += 1
                t["new_found_claim"] += row["new"] == claim.pk
                t["hnsw_recall_sum"] += row["hnsw_recall"]
                if not skip_exhaustive:
                    t["old_found_claim"] += row["old"] == claim.pk
                    t["same_answer"] += row["old"] == row["new"]
                self.stdout.write(json_line(row))
        for kind, t in tally.items():
            recall = t.pop("hnsw_recall_sum") / max(1, t["texts"])
            self.stdout.write(f"{kind}: {t} HNSW recall@{NEAREST} vs exact scan {recall:.3f}")
        if output:
            with open(output, "w") as handle:
                handle.write("\n".join(json_line(r) for r in rows) + "\n")


def json_line(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False)
