"""Stance of a text towards a claim: asserts it, denies it, or only reports that someone says it.

A linear model over the text's words and characters, cue-word counts (denial and hedging
words) and how much of the claim the text repeats. Trained on Emergent headlines:

    python -m claims.analysis.stance ../shared/eval/emergent/emergent-train.csv

writes `data/stance.joblib`, which `load_stance_model` reads.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from claims.analysis.similarity import words

MODEL_PATH = Path(__file__).resolve().parent / "data" / "stance.joblib"
LABELS = {"for": "asserts", "against": "denies", "observing": "observes"}

_DENIAL = re.compile(
    r"\b(fake[sd]?|hoax(?:es)?|false(?:ly)?|den(?:y|ies|ied|ying)|debunk\w*|untrue|myth|fabricat\w*|satir\w*|"
    r"no evidence|isn'?t|aren'?t|wasn'?t|didn'?t|doesn'?t|won'?t|not|never|nope|refut\w*|dismiss\w*|"
    r"reject\w*|rubbish|nonsense|scam|prank|lies?|bogus|phony|made up|spoof|joke)\b"
)
_HEDGE = re.compile(
    r"\b(reportedly|allegedly|alleged|claims?|claimed|rumou?r\w*|reports?|may|might|could|possibly|"
    r"apparently|purportedly|suggests?|says|said|according|sources?|unconfirmed|if|would|believed|"
    r"thought|speculat\w*|unverified|viral|investigat\w*)\b"
)
_ATTRIBUTION = re.compile(r"\b(says?|said|told|tells|according to)\b")
_REPORT = re.compile(r"\b(report|reports|reported)\b")


def _cue_features(claims: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    rows = []
    for claim, text in zip(claims, texts, strict=True):
        lower = text.lower().replace("\u2019", "'")
        claim_words, text_words = set(words(claim)), set(words(text))
        rows.append(
            [
                len(_DENIAL.findall(lower)),
                len(_HEDGE.findall(lower)),
                float("?" in text),
                float(":" in text),
                len(claim_words & text_words) / max(1, len(claim_words)),
                float(len(text_words)),
                float(bool(_ATTRIBUTION.search(lower))),
                float(bool(_REPORT.search(lower))),
            ]
        )
    return np.asarray(rows, dtype=float)


class StanceModel:
    """Fit on (claim, text, label) triples; predicts asserts / denies / observes."""

    def __init__(self, *, c: float = 1.0) -> None:
        self.word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self.model = LogisticRegression(C=c, max_iter=3000)

    def _features(self, claims: Sequence[str], texts: Sequence[str], *, fit: bool) -> csr_matrix:
        if fit:
            parts = [self.word.fit_transform(texts), self.char.fit_transform(texts)]
        else:
            parts = [self.word.transform(texts), self.char.transform(texts)]
        parts.append(csr_matrix(_cue_features(claims, texts)))
        return hstack(parts).tocsr()

    def fit(self, claims: Sequence[str], texts: Sequence[str], labels: Sequence[str]) -> StanceModel:
        self.model.fit(self._features(claims, texts, fit=True), [LABELS.get(label, label) for label in labels])
        return self

    def predict(self, claims: Sequence[str], texts: Sequence[str]) -> list[str]:
        if not texts:
            return []
        return [str(label) for label in self.model.predict(self._features(claims, texts, fit=False))]


@lru_cache(maxsize=1)
def load_stance_model(path: Path = MODEL_PATH) -> StanceModel:
    import joblib

    return joblib.load(path)


def train_from_emergent(csv_path: Path, output: Path = MODEL_PATH) -> Path:
    import joblib

    from claims.analysis.evaluation import emergent_rows

    rows = emergent_rows(csv_path)
    model = StanceModel().fit(
        [r["claimHeadline"] for r in rows],
        [r["articleHeadline"] for r in rows],
        [r["articleHeadlineStance"] for r in rows],
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, output, compress=3)
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("emergent_csv", type=Path)
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    # Through the module's real name, so that the pickle names claims.analysis.stance.StanceModel, not __main__'s.
    from claims.analysis import stance

    print(stance.train_from_emergent(args.emergent_csv, args.output))


if __name__ == "__main__":
    main()
