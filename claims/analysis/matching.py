"""Match texts to known claims, or group texts that report the same claim."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from claims.analysis.similarity import WEIGHTS, Spaces, cluster, combine, cosines, words

# How a batch of texts is matched (see docs/analysis.md, "Claim matching"). All unsupervised: no label is used.
# 1. Claim expansion: a claim is represented by its own wording plus, with weight EXPANSION, the mean of the
#    texts that pick it clearly (best score ahead of the runner-up by at least EXPANSION_MARGIN); repeated
#    EXPANSION_ROUNDS times. Reports of one claim name what the claim text may not ("al-Shabab", "Somalia").
# 2. Neighbour smoothing: a text also borrows the (softmaxed) claim scores of its NEIGHBOURS most similar
#    fellow texts, with weight NEIGHBOUR_WEIGHT, since reports of one claim resemble each other.
# MATCH_WEIGHTS weigh word, character and embedding cosines here. The values are the best, on Emergent train,
# when each group of unseen claims' headlines is matched as one batch among all claims (the held-out setting,
# docs/analysis.md "The link decision"), over 3 fold layouts of 4 folds grouped by claim; chosen inside the folds
# the same grid gives 0.933 top-1, against 0.923 for the values chosen with all headlines in one batch
# (1/3 each, expansion 2.0, margin 0.05).
MATCH_WEIGHTS = (0.4, 0.3, 0.3)
EXPANSION = 4.0
EXPANSION_MARGIN = 0.1
EXPANSION_ROUNDS = 2
NEIGHBOURS = 3
NEIGHBOUR_WEIGHT = 0.2
TEMPERATURE = 0.02
# The link decision is a logistic model over the best claim's scores (LINK_FEATURES), fitted and calibrated by
# `manage.py train_matching` (tools/training/matching.py) on Emergent train and stored in LINK_MODEL_PATH: one
# model for texts matched together in a batch (expansion and smoothing see their fellow texts), one for a text
# matched alone among its candidates (the pipeline's lookup). A text links to its best claim when the model's
# probability that the best claim is its own reaches the model's threshold, chosen on held-out folds so that
# links stay at least 95 % right.
LINK_MODEL_PATH = Path(__file__).resolve().parent / "data" / "match_link.json"
# From this many texts on, a batch is matched together (the batch model); fewer are matched one by one.
BATCH_MIN = 20
# A text matched alone competes with this many claims, its nearest by direct score (what retrieval hands over).
SINGLE_CANDIDATES = 30
# The single-text link model was fitted on pools of SINGLE_CANDIDATES claims; in a smaller pool (a young tracker,
# or a text whose indexes found only a few candidates) its margin features read far more confident than they are
# (a 0.27-similar claim among seven scored 0.44, over the threshold). There a link also needs the direct
# similarity the matcher used before the link model, chosen on Emergent (docs/analysis.md, "The link decision").
SMALL_POOL_MIN_SIMILARITY = 0.3


class MatchBatch:
    """The cosine matrices of one batch (texts x claims and texts x texts, per space), computed once."""

    def __init__(self, texts: list[str], claims: list[str]) -> None:
        spaces = Spaces(texts + claims)
        encoded_texts = spaces.encode(texts)
        self.direct = cosines(encoded_texts, spaces.encode(claims))
        self.among = cosines(encoded_texts, encoded_texts)

    def scores(self, weights: tuple[float, float, float] = WEIGHTS) -> np.ndarray:
        return combine(*self.direct, weights)

    def expansion_rounds(
        self, *, weights: tuple[float, float, float] = WEIGHTS, expansion: float = EXPANSION,
        margin: float = EXPANSION_MARGIN,
    ) -> Iterator[np.ndarray]:
        """Texts x claims scores after 1, 2, ... rounds of claim expansion (endless; take what you need)."""
        scores = self.scores(weights)
        while True:
            scores = combine(*self._expanded(_clear_choices(scores, margin), expansion), weights)
            yield scores

    def _expanded(self, assign: np.ndarray, expansion: float) -> list[np.ndarray | None]:
        """Cosines of each text with each claim's vector plus `expansion` x the unit mean of its assigned texts.

        Computed from the cosine matrices alone: with u the unit mean of the assigned texts,
        q.(c + b u) / |c + b u| = (q.c + b q.u) / sqrt(1 + b^2 + 2 b c.u). A text stays in the mean of
        the claim it picked clearly: leaving it out scored lower on Emergent (0.910 against 0.922 by
        grouped cross-validation), since a clear pick is right far more often than not.
        """
        out: list[np.ndarray | None] = []
        beta = np.where(assign.sum(axis=1) > 0, expansion, 0.0)
        for direct, among in zip(self.direct, self.among, strict=True):
            if direct is None:
                out.append(None)
                continue
            a_g = assign @ among  # claims x texts: sum over assigned texts of their cosine with each text
            norm = np.sqrt(np.maximum((a_g * assign).sum(axis=1), 1e-12))
            c_u = (assign * direct.T).sum(axis=1) / norm
            q_u = a_g.T / norm
            out.append((direct + beta * q_u) / np.sqrt(1.0 + beta**2 + 2.0 * beta * c_u))
        return out

    def kernel(self, neighbours: int, weights: tuple[float, float, float] = WEIGHTS) -> csr_matrix:
        """Texts x texts: each text's `neighbours` most similar fellow texts by similarity, rows summing to 1."""
        among = combine(*self.among, weights)
        n = among.shape[0]
        np.fill_diagonal(among, 0.0)
        k = min(neighbours, n - 1)
        nearest = np.argpartition(-among, k - 1, axis=1)[:, :k]
        rows = np.repeat(np.arange(n), k)
        values = among[rows, nearest.ravel()]
        totals = np.maximum(np.add.reduceat(values, np.arange(0, n * k, k)), 1e-9)
        return csr_matrix((values / np.repeat(totals, k), (rows, nearest.ravel())), shape=(n, n))

    def smoothed(
        self, scores: np.ndarray, *, neighbours: int = NEIGHBOURS, weight: float = NEIGHBOUR_WEIGHT,
        weights: tuple[float, float, float] = WEIGHTS, kernel: csr_matrix | None = None,
    ) -> np.ndarray:
        """`scores` plus `weight` x the softmaxed scores of each text's nearest fellow texts."""
        if neighbours <= 0 or weight <= 0 or scores.shape[0] < 2:
            return scores
        if kernel is None:
            kernel = self.kernel(neighbours, weights)
        scale = scores.max() if scores.size else 1.0
        smoothed = scores
        for _ in range(3):
            shifted = (smoothed - smoothed.max(axis=1, keepdims=True)) / TEMPERATURE
            probs = np.exp(shifted)
            probs /= probs.sum(axis=1, keepdims=True)
            smoothed = scores + weight * scale * np.asarray(kernel @ probs)
        return smoothed


def _clear_choices(scores: np.ndarray, margin: float) -> np.ndarray:
    """Claims x texts weights: each text whose best claim leads the runner-up by `margin`, averaged per claim."""
    n, m = scores.shape
    assign = np.zeros((m, n))
    if m == 0 or n == 0:
        return assign
    best = scores.argmax(axis=1)
    ordered = np.sort(scores, axis=1)
    lead = ordered[:, -1] - (ordered[:, -2] if m > 1 else 0.0)
    clear = lead >= margin
    assign[best[clear], np.flatnonzero(clear)] = 1.0
    return assign / np.maximum(assign.sum(axis=1, keepdims=True), 1.0)


def match_scores(
    texts: list[str], claims: list[str], *, neighbours: int = NEIGHBOURS, weight: float = NEIGHBOUR_WEIGHT,
    expansion: float = EXPANSION, rounds: int = EXPANSION_ROUNDS,
) -> np.ndarray:
    """Texts x claims scores: claims expanded with the texts that clearly report them, then neighbour-smoothed."""
    if not texts or not claims:
        return np.zeros((len(texts), len(claims)))
    return _match_scores(MatchBatch(texts, claims), neighbours=neighbours, weight=weight, expansion=expansion,
                         rounds=rounds)


def _match_scores(batch: MatchBatch, *, neighbours: int, weight: float, expansion: float, rounds: int) -> np.ndarray:
    scores = batch.scores(MATCH_WEIGHTS)
    if expansion > 0 and rounds > 0:
        stream = batch.expansion_rounds(weights=MATCH_WEIGHTS, expansion=expansion, margin=EXPANSION_MARGIN)
        for _ in range(rounds):
            scores = next(stream)
    return batch.smoothed(scores, neighbours=neighbours, weight=weight, weights=MATCH_WEIGHTS)


LINK_FEATURES = (
    "score", "margin", "expanded", "direct", "direct_margin", "word", "char", "embedding", "support",
    "direct_agrees", "claim_words_shared", "text_words_shared", "numbers_clash",
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class MatchDecision:
    """A text's best claim (index), the probability that it is the text's own claim, and the decision."""

    best: int | None
    probability: float
    similarity: float
    claim: int | None


@dataclass(frozen=True)
class LinkModel:
    """A logistic model of "the best claim is the text's own" over LINK_FEATURES, and the threshold to link."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float

    @classmethod
    def from_json(cls, data: dict) -> LinkModel:
        if list(data["features"]) != list(LINK_FEATURES):
            raise ValueError(f"link model features {data['features']} are not {list(LINK_FEATURES)}")
        return cls(mean=np.asarray(data["mean"], float), scale=np.asarray(data["scale"], float),
                   coef=np.asarray(data["coef"], float), intercept=float(data["intercept"]),
                   threshold=float(data["threshold"]))

    def probability(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


@lru_cache(maxsize=4)
def link_models(path: Path = LINK_MODEL_PATH) -> dict[str, LinkModel]:
    """The shipped link models by setting ("batch", "single"), loaded once per process."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {name: LinkModel.from_json(model) for name, model in data["models"].items()}


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def match_stages(batch: MatchBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Texts x claims scores with the shipped setting: direct, after expansion, and after smoothing (the final)."""
    direct = batch.scores(MATCH_WEIGHTS)
    expanded = direct
    stream = batch.expansion_rounds(weights=MATCH_WEIGHTS, expansion=EXPANSION, margin=EXPANSION_MARGIN)
    for _ in range(EXPANSION_ROUNDS):
        expanded = next(stream)
    final = batch.smoothed(expanded, neighbours=NEIGHBOURS, weight=NEIGHBOUR_WEIGHT, weights=MATCH_WEIGHTS)
    return direct, expanded, final


def link_features(batch: MatchBatch, texts: list[str], claims: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(best claim per text, LINK_FEATURES of each text and its best claim) after expansion and smoothing.

    Training (tools/training/matching.py) and inference both come through here, so the model sees the same
    numbers it was fitted on.
    """
    direct, expanded, final = match_stages(batch)
    n, m = final.shape
    best = final.argmax(axis=1)
    rows = np.arange(n)

    def runner_up(scores: np.ndarray, top: np.ndarray) -> np.ndarray:
        if m < 2:
            return np.zeros(n)
        masked = scores.copy()
        masked[rows, top] = -np.inf
        return masked.max(axis=1)

    support = np.bincount(best, minlength=m)[best]
    word, char, emb = batch.direct
    claim_words = [set(words(c)) for c in claims]
    claim_numbers = [_numbers(c) for c in claims]
    features = np.zeros((n, len(LINK_FEATURES)))
    for i, text in enumerate(texts):
        b = int(best[i])
        shared = len(set(words(text)) & claim_words[b])
        text_numbers = _numbers(text)
        features[i, 10] = shared / max(len(claim_words[b]), 1)
        features[i, 11] = shared / max(len(set(words(text))), 1)
        features[i, 12] = float(bool(text_numbers) and bool(claim_numbers[b]) and not text_numbers & claim_numbers[b])
    features[:, 0] = final[rows, best]
    features[:, 1] = final[rows, best] - runner_up(final, best)
    features[:, 2] = expanded[rows, best]
    features[:, 3] = direct[rows, best]
    features[:, 4] = direct[rows, best] - runner_up(direct, best)
    features[:, 5] = word[rows, best]
    features[:, 6] = char[rows, best]
    features[:, 7] = emb[rows, best] if emb is not None else 0.0
    features[:, 8] = np.log1p(support)
    features[:, 9] = (direct.argmax(axis=1) == best).astype(float)
    return best, features


def single_candidates(texts: list[str], claims: list[str], *, limit: int = SINGLE_CANDIDATES) -> list[np.ndarray]:
    """For each text, the indexes of its `limit` nearest claims by direct score: what it competes with alone."""
    if len(claims) <= limit:  # all of them: no need to score them first (the pipeline's case)
        return [np.arange(len(claims)) for _ in texts]
    direct = MatchBatch(texts, claims).scores(MATCH_WEIGHTS)
    return [np.argsort(-row, kind="stable")[:limit] for row in direct]


def single_features(text: str, claims: list[str]) -> tuple[int, np.ndarray]:
    """The best claim (index into `claims`) and LINK_FEATURES of one text matched alone among `claims`."""
    best, features = link_features(MatchBatch([text], claims), [text], claims)
    return int(best[0]), features[0]


def match_decide(
    texts: list[str], claims: list[str], *, models: dict[str, LinkModel] | None = None
) -> list[MatchDecision]:
    """Each text's best claim, the probability that it is the text's own, and whether to link (see LINK_MODEL_PATH).

    BATCH_MIN texts or more are matched together, so that reports of one claim help each other; fewer are
    matched one by one, each among its SINGLE_CANDIDATES nearest claims, as the pipeline matches a statement.
    """
    if not texts:
        return []
    if not claims:
        return [MatchDecision(best=None, probability=0.0, similarity=0.0, claim=None) for _ in texts]
    models = models or link_models()
    if len(texts) >= BATCH_MIN:
        batch = MatchBatch(texts, claims)
        best, features = link_features(batch, texts, claims)
        return _decisions(best, features, models["batch"])
    out = []
    for text, candidates in zip(texts, single_candidates(texts, claims), strict=True):
        local, features = single_features(text, [claims[c] for c in candidates])
        [decision] = _decisions(np.array([candidates[local]]), features[None, :], models["single"])
        if len(candidates) < SINGLE_CANDIDATES and decision.similarity < SMALL_POOL_MIN_SIMILARITY:
            decision = replace(decision, claim=None)
        out.append(decision)
    return out


def _decisions(best: np.ndarray, features: np.ndarray, model: LinkModel) -> list[MatchDecision]:
    probability = model.probability(features)
    return [
        MatchDecision(best=int(b), probability=round(float(p), 4), similarity=round(float(f[3]), 4),
                      claim=int(b) if p >= model.threshold else None)
        for b, p, f in zip(best, probability, features, strict=True)
    ]


def match_claims(texts: list[str], claims: list[str]) -> list[tuple[int | None, float]]:
    """Index of the linked claim for each text (None when the link model says no) and the link probability."""
    return [(d.claim, d.probability) for d in match_decide(texts, claims)]


def cluster_texts(texts: list[str]) -> list[int]:
    """Cluster id per text; texts in one cluster report the same claim."""
    return cluster(texts)
