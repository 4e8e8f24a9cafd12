"""`manage.py newscheck DIR`: texts and pages through the real pipeline into a scratch database, reported."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from claims.models import Party
from sources.models import Article
from tools.newscheck import headline_split, scratch_url

TEXT = (
    "Dockers extend harbour strike\n\n"
    "The Dockers Union said on Monday that the strike at the harbour had been extended by another week.\n\n"
    "Its leader, Tomas Brandt, told reporters the owners had refused to meet the union.\n\n"
    "The owners' association said it does not plan to change the shifts."
)
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Ferry service resumes</title></head>
<body><nav><a href="/">Home</a> <a href="/video">Video</a></nav><article><h1>Ferry service resumes</h1>
<p>Ferry service resumes</p>
<p>The Harbour Authority said on Tuesday that the ferry to the islands would run again from Friday.</p>
<p>READ MORE: Dockers extend harbour strike</p>
<p>Captain Ines Moreau, who runs the service, said bookings had doubled since the announcement.</p>
</article></body></html>"""


def test_the_first_short_line_of_a_text_is_its_headline():
    assert headline_split(TEXT)[0] == "Dockers extend harbour strike"
    assert headline_split("One paragraph only, no headline.") == ("", "One paragraph only, no headline.")


def test_the_projects_own_database_is_refused(settings):
    with pytest.raises(ValueError, match="project's own database"):
        scratch_url(settings.DATABASES["default"]["NAME"])
    with pytest.raises(ValueError, match="lower-case"):
        scratch_url("Robert'); DROP TABLE")


def test_a_directory_goes_through_the_pipeline_into_a_scratch_database(db, tmp_path, capfd):
    (tmp_path / "strike.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "ferry.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "notes.md").write_text("not an article", encoding="utf-8")
    report_file = tmp_path / "report.json"

    call_command("newscheck", str(tmp_path), "--database", "newscheck_test", "--json", str(report_file))

    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert sorted((name, kind) for name, kind, _n in report["parties"]) == [
        ("Dockers Union", "organisation"),
        ("Harbour Authority", "government-body"),
        ("Ines Moreau", "person"),
        ("Owners' association", "organisation"),
        ("Tomas Brandt", "person"),
    ]
    by_file = {a["name"]: a for a in report["articles"]}
    assert (by_file["strike.txt"]["title"], by_file["ferry.html"]["title"]) == (
        "Dockers extend harbour strike", "Ferry service resumes"
    )
    strike = [(s["speaker"], s["stance"]) for s in by_file["strike.txt"]["statements"]]
    assert strike == [("Dockers Union", "asserts"), ("Tomas Brandt", "asserts"), ("Owners' association", "denies")]
    assert report["summary"]["articles"] == 2
    out = capfd.readouterr().out
    assert "== parties proposed" in out and "Ines Moreau [person]" in out
    assert "(scratch database: newscheck_test)" in out
    # Nothing went into the project's own database.
    assert (Article.objects.count(), Party.objects.count()) == (0, 0)


def test_a_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="is not a directory"):
        call_command("newscheck", str(tmp_path / "nowhere"))
