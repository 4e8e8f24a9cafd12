"""Text similarity for claim matching: word TF-IDF, character n-grams and static embeddings."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "data" / "minilm-static"

# Weights of the three similarities and the cut-offs, tuned on Emergent by `manage.py evaluate`
# (headline-to-claim top-1 and same-claim headline pairs), not on the seed articles.
WEIGHTS = (0.4, 0.3, 0.3)
SAME_CLAIM_THRESHOLD = 0.40
# Consecutive statements of one party in one article usually elaborate one claim ("A spokeswoman said").
SAME_SPEAKER_THRESHOLD = 0.25

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "their",
        "his",
        "her",
        "they",
        "he",
        "she",
        "we",
        "you",
        "i",
        "as",
        "into",
        "over",
        "about",
        "than",
        "then",
        "will",
        "would",
        "could",
        "should",
        "may",
        "might",
        "can",
        "also",
        "after",
        "before",
        "since",
        "while",
        "which",
        "who",
        "whom",
        "what",
        "there",
    ]
)


def stem(word: str) -> str:
    """A crude suffix stripper: enough to fold "shot"/"shoots", "soldier"/"soldiers"."""
    for suffix, min_len in (("ing", 6), ("ed", 5), ("es", 5), ("s", 4)):
        if word.endswith(suffix) and len(word) >= min_len and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """Lower-cased, stemmed content words, numbers kept whole."""
    # "4,500" and "4500" are one number; "19m" is "19 million".
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text.lower().replace("\u2019", "'"))
    text = re.sub(
        r"(?<=\d)(m|bn|b|k)\b",
        lambda m: " " + {"m": "million", "bn": "billion", "b": "billion", "k": "thousand"}[m.group(1)],
        text,
    )
    return [stem(w) for w in _TOKEN.findall(text) if w not in _STOP]


def _analyzer(text: str) -> list[str]:
    return words(text)


@lru_cache(maxsize=1)
def embedding_model() -> object | None:
    """The distilled static model, or None when it has not been installed (TF-IDF alone then)."""
    path = Path(os.environ.get("CLAIMS_EMBEDDING_MODEL", DEFAULT_MODEL_DIR))
    if not (path / "model.safetensors").exists():
        return None
    from model2vec import StaticModel

    return StaticModel.from_pretrained(str(path))


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def embed(texts: list[str]) -> np.ndarray | None:
    model = embedding_model()
    if model is None or not texts:
        return None
    return _normalise_rows(np.asarray(model.encode(texts), dtype=np.float32))  # type: ignore[attr-defined]


class Spaces:
    """The three representations of one batch of texts: word TF-IDF, character n-gram TF-IDF, embeddings.

    IDF is estimated on the texts given (plus `background`); rows are L2-normalised, so a dot product
    is a cosine. `similarity` and the claim expansion in `matching` both build on it.
    """

    def __init__(self, corpus: list[str]) -> None:
        self.word = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True).fit(corpus)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True).fit(
            corpus
        )

    def encode(self, texts: list[str]) -> tuple[object, object, np.ndarray | None]:
        """(word TF-IDF rows, character TF-IDF rows, embedding rows or None) of `texts`."""
        return self.word.transform(texts), self.char.transform(texts), embed(texts)


def combine(
    word: np.ndarray, char: np.ndarray, emb: np.ndarray | None, weights: tuple[float, float, float] = WEIGHTS
) -> np.ndarray:
    """The weighted sum of the three cosine matrices; without embeddings the lexical parts carry the whole weight."""
    w_word, w_char, w_emb = weights
    score = w_word * word + w_char * char
    if emb is not None:
        return score + w_emb * np.clip(emb, 0.0, 1.0)
    return score / max(w_word + w_char, 1e-9)


def _dense(matrix: object) -> np.ndarray:
    return matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)  # type: ignore[union-attr]


def cosines(a: tuple[object, object, np.ndarray | None], b: tuple[object, object, np.ndarray | None]) -> tuple:
    """The three cosine matrices between two encoded batches (rows of `a` x rows of `b`)."""
    emb = a[2] @ b[2].T if a[2] is not None and b[2] is not None else None
    return _dense(a[0] @ b[0].T), _dense(a[1] @ b[1].T), emb  # type: ignore[operator]


def similarity(
    queries: list[str],
    candidates: list[str],
    *,
    background: list[str] | None = None,
    weights: tuple[float, float, float] = WEIGHTS,
) -> np.ndarray:
    """Queries x candidates similarity in [0, 1]; IDF is estimated on all texts plus `background`."""
    spaces = Spaces(queries + candidates + (background or []))
    return combine(*cosines(spaces.encode(queries), spaces.encode(candidates)), weights)


def cluster(
    texts: list[str],
    *,
    threshold: float = SAME_CLAIM_THRESHOLD,
    cannot_link: set[tuple[int, int]] | None = None,
    pair_thresholds: dict[tuple[int, int], float] | None = None,
) -> list[int]:
    """Cluster ids by single-link over pairs at or above the threshold (or the pair's own threshold)."""
    n = len(texts)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if n > 1:
        sim = similarity(texts, texts)
        special = pair_thresholds or {}
        pairs = sorted(
            (
                (sim[i, j], i, j)
                for i in range(n)
                for j in range(i + 1, n)
                if sim[i, j] >= special.get((i, j), threshold)
            ),
            reverse=True,
        )
        members: dict[int, set[int]] = {i: {i} for i in range(n)}
        for _, i, j in pairs:
            a, b = find(i), find(j)
            if a == b:
                continue
            if cannot_link and any((min(x, y), max(x, y)) in cannot_link for x in members[a] for y in members[b]):
                continue
            parent[b] = a
            members[a] |= members.pop(b)
    roots: dict[int, int] = {}
    return [roots.setdefault(find(i), len(roots)) for i in range(n)]
