"""Claims' wording embeddings in the database: one claim's on write, every missing one in bulk (binary COPY)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from django.db import connection, transaction

from claims.models import CLAIM_EMBEDDING_DIMENSIONS, Claim, ClaimEmbedding

TABLE = ClaimEmbedding._meta.db_table
HNSW_INDEX = "claim_embedding_hnsw_idx"
# An HNSW build is fast only while its graph fits in maintenance_work_mem (1M claims: ~1 GB).
BUILD_MEMORY = "2GB"
# Refilling more than this many claims drops the HNSW index and builds it again afterwards:
# one build is far cheaper than that many graph insertions.
REBUILD_ABOVE = 50_000
BATCH = 20_000

# The binary COPY row of (claim_id bigint, vector halfvec): field count, then each field's length and bytes;
# halfvec's binary form is int16 dimensions, int16 unused, then the float16 values, all big-endian.
_ROW = np.dtype([
    ("fields", ">i2"), ("id_len", ">i4"), ("id", ">i8"), ("vec_len", ">i4"),
    ("dim", ">i2"), ("unused", ">i2"), ("values", ">f2", (CLAIM_EMBEDDING_DIMENSIONS,)),
])
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)


def embed_wordings(texts: list[str]) -> np.ndarray | None:
    """Unit vectors of the claims' wordings (rows in order), or None when the embedding model is not installed."""
    from claims.analysis.similarity import embed

    vectors = embed(texts)
    if vectors is None:
        return None
    if vectors.shape[1] != CLAIM_EMBEDDING_DIMENSIONS:
        raise ValueError(
            f"the embedding model gives {vectors.shape[1]} dimensions; Claim.embedding holds "
            f"{CLAIM_EMBEDDING_DIMENSIONS} (change CLAIM_EMBEDDING_DIMENSIONS and migrate)"
        )
    return vectors


def claim_embedding(text: str) -> np.ndarray | None:
    """The embedding stored for a claim worded `text` (None without the model, or for empty text)."""
    text = text.strip()
    if not text:
        return None
    vectors = embed_wordings([text])
    return None if vectors is None else vectors[0]


def claim_embedding_store(claim: Claim) -> None:
    """Store the embedding of the claim's wording as it is now; a merged claim has none (never a candidate)."""
    if claim.merged_into_id is not None:
        ClaimEmbedding.objects.filter(claim_id=claim.pk).delete()
        return
    vector = claim_embedding(claim.text)
    if vector is None:
        return
    ClaimEmbedding.objects.update_or_create(claim_id=claim.pk, defaults={"vector": vector})


def _copy_rows(ids: np.ndarray, vectors: np.ndarray) -> bytes:
    rows = np.zeros(len(ids), dtype=_ROW)
    rows["fields"], rows["id_len"], rows["id"] = 2, 8, ids
    rows["vec_len"], rows["dim"] = 4 + 2 * CLAIM_EMBEDDING_DIMENSIONS, CLAIM_EMBEDDING_DIMENSIONS
    rows["values"] = vectors
    return rows.tobytes()


def _drop_for_load(cursor) -> list[str]:
    """Drop the embedding table's HNSW index and foreign key; the SQL that puts them back."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [TABLE],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s", [TABLE, HNSW_INDEX])
    index = cursor.fetchone()
    rebuild = [index[0]] if index else []
    if index:
        cursor.execute(f"DROP INDEX {HNSW_INDEX}")
    for name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
        rebuild.append(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    return rebuild


_MISSING = f"""
SELECT c.id, c.text FROM claims_claim c
WHERE c.merged_into_id IS NULL AND c.id > %s AND NOT EXISTS (SELECT 1 FROM {TABLE} e WHERE e.claim_id = c.id)
ORDER BY c.id LIMIT %s
"""  # noqa: S608 -- the table name is the model's


def claim_embeddings_fill(*, progress: Callable[[str], None] = lambda _m: None, batch: int = BATCH) -> int:
    """Embed every live claim that has no embedding yet; returns how many were filled.

    For the generator and for databases migrated to the embedding table (`manage.py claim_embeddings`):
    wordings are read in id order, embedded in batches and written with binary COPY, never one save per
    claim. Above REBUILD_ABOVE claims the HNSW index and the foreign key are dropped first and put back at
    the end (one index build with enough maintenance memory for its graph, one join to check the keys).
    Runs in one transaction (the caller's, when there is one).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM claims_claim c WHERE c.merged_into_id IS NULL "  # noqa: S608 -- the model's table
            f"AND NOT EXISTS (SELECT 1 FROM {TABLE} e WHERE e.claim_id = c.id)"
        )
        missing = cursor.fetchone()[0]
        if not missing:
            return 0
        rebuild = _drop_for_load(cursor) if missing > REBUILD_ABOVE else []
        started, filled, last_id = time.perf_counter(), 0, 0
        raw = connection.connection
        while True:
            cursor.execute(_MISSING, [last_id, batch])
            rows = cursor.fetchall()
            if not rows:
                break
            last_id = rows[-1][0]
            vectors = embed_wordings([text for _id, text in rows])
            if vectors is None:
                raise RuntimeError("the embedding model is not installed (claims/analysis/data/minilm-static)")
            ids = np.fromiter((pk for pk, _text in rows), dtype=np.int64, count=len(rows))
            with raw.cursor() as copy_cursor, copy_cursor.copy(
                f"COPY {TABLE} (claim_id, vector) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.write(_COPY_HEADER + _copy_rows(ids, vectors) + _COPY_TRAILER)
            filled += len(rows)
            if filled % (batch * 10) == 0:
                progress(f"embedded {filled}/{missing} claims ({time.perf_counter() - started:.0f} s)")
        progress(f"embeddings: {filled} claims in {time.perf_counter() - started:.1f} s")
        if rebuild:
            started = time.perf_counter()
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
            for sql in rebuild:
                cursor.execute(sql)
            progress(f"embedding index and foreign key rebuilt in {time.perf_counter() - started:.1f} s")
    return filled
