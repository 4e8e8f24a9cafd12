"""The JSON-lines management commands, run without the database."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_extract_prints_statements_with_shared_claim_keys(tmp_path: Path):
    parties = {"parties": [{"id": "georgia", "name": "Georgia", "kind": "state", "parent": None, "aliases": []}]}
    (tmp_path / "parties.json").write_text(json.dumps(parties), encoding="utf-8")
    (tmp_path / "one.txt").write_text("Georgia said a Russian jet had bombed the bridge near Gori.", encoding="utf-8")
    (tmp_path / "two.txt").write_text(
        "Georgia said the bridge near Gori was bombed by a Russian jet.", encoding="utf-8"
    )
    out = StringIO()
    call_command(
        "extract",
        str(tmp_path / "one.txt"),
        str(tmp_path / "two.txt"),
        parties=str(tmp_path / "parties.json"),
        stdout=out,
    )
    records = _lines(out.getvalue())
    assert [(r["doc"], r["party"], r["stance"], r["cue"]) for r in records] == [
        ("one", "georgia", "asserts", [8, 12]),
        ("two", "georgia", "asserts", [8, 12]),
    ]
    assert records[0]["claim_key"] == records[1]["claim_key"]


def test_stance_command(tmp_path: Path):
    rows = [
        {"id": 1, "claim": "A shark bit a man in the river", "text": "Police say river shark attack story is a hoax"},
        {"id": 2, "claim": "A shark bit a man in the river", "text": "Shark bites man in river"},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = StringIO()
    call_command("stance", str(path), stdout=out)
    assert _lines(out.getvalue()) == [{"id": 1, "stance": "denies"}, {"id": 2, "stance": "asserts"}]


def test_match_command_clusters_and_matches(tmp_path: Path):
    texts = tmp_path / "texts.jsonl"
    claims = tmp_path / "claims.jsonl"
    texts.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"id": "a", "text": "Apple in talks to buy Beats for $3.2 billion"},
                {"id": "b", "text": "Apple to buy Beats headphones maker for $3.2bn"},
                {"id": "c", "text": "Meteorite crashes through roof of Ohio home"},
                {"id": "d", "text": "Quarterly wheat harvest figures published"},
            ]
        ),
        encoding="utf-8",
    )
    claims.write_text(
        json.dumps({"id": "beats", "text": "Apple will buy Beats"})
        + "\n"
        + json.dumps({"id": "meteor", "text": "A meteorite hit a house in Ohio"}),
        encoding="utf-8",
    )
    out = StringIO()
    call_command("match", str(texts), stdout=out)
    clusters = [r["cluster"] for r in _lines(out.getvalue())]
    assert clusters[0] == clusters[1] != clusters[2]
    out = StringIO()
    call_command("match", str(texts), claims=str(claims), stdout=out)
    lines = _lines(out.getvalue())
    # Every text gets its best claim and score, linked or not; the unrelated one links to nothing.
    assert [sorted(r) for r in lines] == [["best", "claim", "id", "score"]] * 4
    assert [(r["id"], r["best"], r["claim"]) for r in lines[:3]] == [
        ("a", "beats", "beats"), ("b", "beats", "beats"), ("c", "meteor", "meteor")
    ]
    assert lines[3]["best"] in {"beats", "meteor"} and lines[3]["claim"] is None
    assert lines[3]["score"] < min(r["score"] for r in lines[:3])
