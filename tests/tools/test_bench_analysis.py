"""`manage.py bench_analysis` beside a checkout without ../shared: the demo corpus, and it says so."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tools.management.commands import bench_analysis


def test_without_the_corpus_it_measures_the_demo_articles_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_analysis, "DEFAULT_TEXTS", tmp_path / "missing")
    out = io.StringIO()

    call_command("bench_analysis", "--runs", "1", stdout=out)

    text = out.getvalue()
    assert text.splitlines()[0].startswith(f"no .txt files in {tmp_path / 'missing'} (../shared missing?): "
                                           "measured on the demo corpus sources/demo instead")
    assert re.search(r"^texts 2  words \d+  runs 1", text, re.MULTILINE)
    assert re.search(r"^full analysis +\d+ words/s$", text, re.MULTILINE)


def test_a_folder_given_without_texts_is_an_error_not_the_demo(tmp_path):
    with pytest.raises(CommandError, match=r"no \.txt files in"):
        call_command("bench_analysis", str(tmp_path), "--runs", "1", stdout=io.StringIO())
