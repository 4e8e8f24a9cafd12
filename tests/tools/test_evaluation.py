"""The PolNeAR scoring re-implementation."""

from __future__ import annotations

from pathlib import Path

from claims.analysis import analyse
from claims.analysis.interchange import attribution_records
from tools.evaluation.polnear import polnear_gold, polnear_score

ANN = """T1\tSource 0 6\tSerbia
T2\tCue 7 11\tsaid
T3\tContent 12 34\tthe border was closed.
E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3
"""


def _split(tmp_path: Path) -> Path:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "doc.txt").write_text("Serbia said the border was closed.", encoding="utf-8")
    (tmp_path / "attributions" / "doc_ab12.ann").write_text(ANN, encoding="utf-8")
    return tmp_path


def test_full_match_needs_cue_source_and_half_the_content(tmp_path):
    gold = polnear_gold(_split(tmp_path))
    good = {"doc": [{"source": [0, 6], "cue": [7, 11], "content": [12, 33]}]}
    wrong_content = {"doc": [{"source": [0, 6], "cue": [7, 11], "content": [12, 15]}]}
    assert polnear_score(gold, good)["attribution"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert polnear_score(gold, wrong_content)["attribution"]["f1"] == 0.0
    assert polnear_score(gold, wrong_content)["cue"]["f1"] == 1.0


def test_extracted_statement_scores_as_a_full_match(tmp_path):
    split = _split(tmp_path)
    text = (split / "text" / "doc.txt").read_text(encoding="utf-8")
    predictions = {"doc": attribution_records("doc", analyse(text, []))}
    assert polnear_score(polnear_gold(split), predictions)["attribution"]["f1"] == 1.0
