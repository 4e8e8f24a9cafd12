"""`manage.py train_attribution` on a tiny brat corpus written here: deterministic, usable, clear on bad input."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.analysis.attribution import CLUSTER_MODEL, CUE_MODEL, SPAN_MODEL, AttributionModel
from claims.analysis.nlp import get_nlp
from tools.training.attribution import brat_read

# Invented reports: (speaker, cue, content) pieces joined into sentences, with brat offsets computed below.
_REPORTS = [
    [
        ("The harbour master", "said", "that the ferry would sail at noon."),
        ("Officials", "added", "the pier was safe."),
    ],
    [("A farmer", "told", "reporters the river had flooded the fields."), ("The mayor", "said", "help was coming.")],
    [("The coach", "said", "the team had trained all week."), ("Fans", "claimed", "the referee was unfair.")],
]


def _write_split(root: Path, reports: list[list[tuple[str, str, str]]]) -> None:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for n, article in enumerate(reports):
        text, lines, t = "", [], 0
        for e, (source, cue, content) in enumerate(article, start=1):
            if text:
                text += " "
            offsets = {}
            for label, words in (("Source", source), ("Cue", cue), ("Content", content)):
                offsets[label] = (len(text), len(text) + len(words))
                text += words + (" " if label != "Content" else "")
            ids = {}
            for label, (start, end) in offsets.items():
                t += 1
                ids[label] = f"T{t}"
                lines.append(f"T{t}\t{label} {start} {end}\t{text[start:end]}")
            roles = " ".join(f"{label}:{ids[label]}" for label in ("Source", "Cue", "Content"))
            lines.append(f"E{e}\tAttribution:{ids['Cue']} {roles}")
        (root / "text" / f"story-{n}.txt").write_text(text, encoding="utf-8")
        (root / "attributions" / f"story-{n}_aaaa.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    _write_split(tmp_path / "train", _REPORTS)
    return tmp_path / "train"


def test_brat_read_gives_the_annotated_spans(corpus: Path):
    first = brat_read(corpus)[0]
    assert [(first.text[slice(*a.source[0])], first.text[slice(*a.cue[0])]) for a in first.gold] == [
        ("The harbour master", "said"),
        ("Officials", "added"),
    ]


def test_runs_write_identical_weights_side_by_side_or_one_after_the_other(corpus: Path, tmp_path: Path):
    for run, jobs in (("a", 2), ("b", 2), ("c", 1)):
        call_command("train_attribution", str(corpus), out=str(tmp_path / run), jobs=jobs, stdout=StringIO())
    for name in (CUE_MODEL, SPAN_MODEL, CLUSTER_MODEL):
        weights = {run: (tmp_path / run / name).read_bytes() for run in "abc"}
        assert weights["a"] == weights["b"] == weights["c"]
        assert len(weights["a"]) > 0


def test_trained_model_finds_a_training_attribution(corpus: Path, tmp_path: Path):
    call_command("train_attribution", str(corpus), out=str(tmp_path / "m"), stdout=StringIO())
    model = AttributionModel(tmp_path / "m" / CUE_MODEL, tmp_path / "m" / SPAN_MODEL, tmp_path / "m" / CLUSTER_MODEL)
    assert model.clusters is not None
    doc = get_nlp()("The coach said the team had trained all week.")
    found = model.find(doc)
    assert [[doc[i].text for i in a.cue] for a in found] == [["said"]]


def test_a_folder_without_texts_is_a_clear_error(tmp_path: Path):
    with pytest.raises(CommandError, match="no text/ folder"):
        call_command("train_attribution", str(tmp_path), out=str(tmp_path / "m"), stdout=StringIO())


def test_dev_must_differ_from_train(corpus: Path, tmp_path: Path):
    with pytest.raises(CommandError, match="another split"):
        call_command("train_attribution", str(corpus), dev=str(corpus), out=str(tmp_path / "m"), stdout=StringIO())
