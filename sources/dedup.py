"""Text fingerprints for duplicate detection: SHA-256 for exact copies, MinHash LSH bands for near copies."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from core.stages import pipeline_stage

SHINGLE_WORDS = 5
BANDS = 16
ROWS = 4  # 64 hashes; a pair at Jaccard 0.8 shares a band with probability 0.9998, at 0.3 with 0.12
# Below this many words a text has too few shingles for a meaningful similarity; only exact copies count.
MIN_WORDS = 30

_rng = np.random.default_rng(20200929)  # fixed: band keys must be the same in every process, for ever
_A = _rng.integers(1, 2**63, size=BANDS * ROWS, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, size=BANDS * ROWS, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def text_shingles(text: str) -> set[str]:
    words = text_words(text)
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def shingles_jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def shingles_containment(a: set[str], b: set[str]) -> float:
    """Share of the smaller set found in the other: a wire story a site trimmed or added a line to scores high."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _signed64(digest: bytes) -> int:
    return int.from_bytes(digest[:8], "big", signed=True)


@pipeline_stage("dedup")
def text_lsh_bands(text: str) -> list[int]:
    """BANDS keys (PostgreSQL bigints) of the text's MinHash signature; [] for texts too short to compare."""
    if len(text_words(text)) < MIN_WORDS:
        return []
    hashes = np.fromiter(
        (_signed64(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest()) for s in text_shingles(text)),
        dtype=np.int64,
    ).view(np.uint64)
    # multiply-shift hashing: (a*x + b) mod 2**64, high bits; one row per hash function, min over shingles.
    with np.errstate(over="ignore"):
        signature = ((np.outer(_A, hashes) + _B[:, None]) >> np.uint64(32)).min(axis=1)
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append(_signed64(hashlib.blake2b(bytes([band]) + rows, digest_size=8).digest()))
    return keys
