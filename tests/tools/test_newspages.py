"""The real-page targets of issues #14 and #15 on invented pages (tests/fixtures/newspages: four stories, three
outlets each, with page furniture), pushed through the real pipeline as `manage.py newscheck` does: ingestion,
the analysis task, parties, statements, claims. Invented pages are weak evidence: they show the rules hold on the
shapes they were written for, not on news the project never saw (docs/analysis.md, "The real-news check")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claims.analysis.speakers import FURNITURE
from claims.analysis.wording import claim_readable
from claims.enums import Stance
from claims.models import Statement
from config.celery import app
from tools.newscheck import files_ingest, report_build

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "newspages"
STORIES = ("rail", "drone", "convention", "recall")


@pytest.fixture
def report(transactional_db, monkeypatch):
    monkeypatch.setattr(app.conf, "task_always_eager", True)
    monkeypatch.setattr(app.conf, "task_eager_propagates", True)
    intake = files_ingest(directory=PAGES)
    assert (len(intake.articles), intake.problems) == (12, {})
    return report_build(intake)


def test_invented_pages_meet_the_real_page_targets(report):
    # Speakers are speakers: no furniture, no common noun, each with a sensible kind.
    assert sorted((name, kind) for name, kind, _n in report.parties) == [
        ("Anton Varga", "person"), ("Brightwell Foods", "organisation"), ("Consumer groups", "organisation"),
        ("Continental Refugee Office", "government-body"), ("Drivers' union", "organisation"),
        ("Fire service", "government-body"), ("Food Safety Authority", "government-body"),
        ("Frida Holm", "person"), ("Government spokesman", "anonymous"), ("Helga Sorn", "person"),
        ("Jonas Albrecht", "person"), ("Lena Brandvik", "person"), ("Mira Olsen", "person"),
        ("Norland Rail", "organisation"), ("Ole Brandt", "person"), ("One mother", "anonymous"),
        ("One student", "anonymous"), ("Oskar Lind", "person"), ("Piet Wouters", "person"),
        ("Rail Workers' Union", "organisation"), ("Rena Castell", "person"), ("Sanna Kiel", "person"),
        ("Tessaly's army", "military"), ("Tessaly's defence ministry", "government-body"), ("Valdoria", "state"),
        ("Valdoria's foreign ministry", "government-body"),
    ]
    speakers = {s.speaker.lower() for a in report.articles for s in a.statements}
    assert not speakers & FURNITURE
    # A treaty that "says" keeps its words as written, as no party; a correction box gives no statement at all.
    assert {s.kind for a in report.articles for s in a.statements if "Convention" in s.speaker} == {"unresolved"}
    assert not any("version of this article" in s for s in speakers)

    # No statement crosses a paragraph break, and none comes from a caption or a correction box.
    for statement in Statement.objects.select_related("revision"):
        words = statement.revision.text[statement.start:statement.end]
        assert not re.search(r"\n\s*\n", words), words
        assert not re.match(r"(?i)(video|photo|legend|correction|update|read more)\s*:", words), words

    # Each story is one claim across at least two of its three reports.
    by_name = {a.name: a for a in report.articles}
    for story in STORIES:
        reports = [a for name, a in by_name.items() if name.startswith(story + "-")]
        claims = [{s.claim_id for s in a.statements if s.claim_id} for a in reports]
        shared = {c for c in set().union(*claims) if sum(c in ids for ids in claims) >= 2}
        assert shared, story

    # Contested only where parties really take opposite sides: the three stories with a named denier.
    contested = sorted(c.text for c in report.claims if c.contested)
    assert contested == [
        "A Valdorian drone struck a fuel depot near Kessel, setting two tanks on fire",
        "Norland Rail plans to scrap its night trains from next winter",
        "Osterland will withdraw from the Northern Refugee Convention",
    ]
    for claim in report.claims:
        if claim.contested:
            rows = Statement.objects.filter(claim_id=claim.id).values_list("party_id", "stance")
            asserting = {p for p, stance in rows if stance == Stance.ASSERTS}
            denying = {p for p, stance in rows if stance == Stance.DENIES}
            assert asserting and denying and not asserting & denying, claim.text

    # At least nine in ten machine claims are readable clauses; chit-chat founds none.
    texts = [c.text for c in report.claims]
    assert sum(claim_readable(t) for t in texts) >= 0.9 * len(texts), [t for t in texts if not claim_readable(t)]
    assert not {"We will see", "It's scary", "Good morning, everyone"} & set(texts)
