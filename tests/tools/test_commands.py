"""The tools' commands on tiny invented inputs: `evaluate --polnear` and `train_stance`."""

from __future__ import annotations

import csv
import json
from io import StringIO

import joblib
import pytest
from django.core.management import CommandError, call_command

from claims.analysis.stance import StanceModel
from tests.tools.test_evaluation import _split


def test_evaluate_scores_a_polnear_split_and_writes_the_predictions(tmp_path):
    split, out = _split(tmp_path), StringIO()
    predictions = tmp_path / "predictions.jsonl"

    call_command("evaluate", polnear=split, predictions=predictions, json=True, stdout=out)

    report = json.loads(out.getvalue())["polnear"]
    assert (report["documents"], report["gold"], report["predicted"]) == (1, 1, 1)
    assert report["attribution"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    [line] = predictions.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["cue"] == [7, 11]


def test_train_stance_writes_a_model_that_loads_and_predicts(tmp_path):
    data = tmp_path / "emergent.csv"
    with open(data, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["claimId", "claimHeadline", "articleHeadline",
                                                    "articleHeadlineStance"])
        writer.writeheader()
        for n, topic in enumerate(("the bridge collapsed", "the mayor resigned", "the river flooded",
                                   "the zoo closed")):
            for text, stance in ((f"{topic} is a hoax", "against"), (f"{topic}, reports say", "observing"),
                                 (topic, "for")):
                writer.writerow({"claimId": n, "claimHeadline": topic, "articleHeadline": text,
                                 "articleHeadlineStance": stance})
    output, out = tmp_path / "stance.joblib", StringIO()

    call_command("train_stance", str(data), output=output, stdout=out)

    assert out.getvalue().strip() == str(output)
    model = joblib.load(output)
    assert isinstance(model, StanceModel)
    assert len(model.predict(["the dam broke"], ["the dam broke, reports say"])) == 1
    assert set(model.model.classes_) == {"asserts", "denies", "observes"}


def test_train_stance_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("train_stance", str(tmp_path / "missing.csv"), output=tmp_path / "m.joblib")
