"""Similar-claim candidates at any scale: a handful of claims, each found through an index, never a scan."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from django.db import connection, transaction
from pgvector import HalfVector

from claims.embeddings import claim_embedding
from claims.models import Claim

# Similar-claim candidates (claim_candidates): nearest wordings by embedding, claims sharing rare words.
NEAREST = 20
BY_WORDS = 20
HNSW_EF_SEARCH = 64
RARE_WORD_CLAIMS = 1000
RARE_WORDS = 4
RARE_WORD_MATCHES = 2000


def claim_candidates(
    *, text: str, exclude_ids: tuple[int, ...] = (), nearest: int = NEAREST, by_words: int = BY_WORDS,
    embedding: np.ndarray | None = None,
) -> list[Claim]:
    """Live, not rejected claims that may say the same as `text`: a handful, each found through an index.

    Two channels, united: the `nearest` claims by cosine distance of the wording embeddings (HNSW index,
    a graph walk, so the cost barely grows with the number of claims), and up to `by_words` claims that
    share the text's rare words (full text, GIN index), ranked by how many of the text's words they
    have. Names and numbers ("Zenda", "F-16", "12") weigh little in a static embedding; the rare-word
    channel catches the claims that share them. A word is rare when PostgreSQL's statistics of the
    full-text index put it in at most RARE_WORD_CLAIMS claims (or do not list it at all); the scan of
    the rare words' matches is capped at RARE_WORD_MATCHES rows, so a word the statistics missed
    cannot turn into a scan of every claim. `embedding` is the text's, when the caller has it.
    """
    if embedding is None:
        embedding = claim_embedding(text)
    nearest_sql, by_words_sql = _candidate_sql()
    # One transaction, no savepoint: the index settings are local to it and cost no query of their own.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_LEXEMES_SQL, [max(HNSW_EF_SEARCH, nearest), text])
        lexemes = [(lexeme, claims) for lexeme, claims in cursor.fetchall() if lexeme]
        # Rarest first; among words the statistics do not count, the longer ones (names rather than particles).
        ranked = sorted((claims or 0.0, -len(lexeme), lexeme) for lexeme, claims in lexemes)
        rare = [lexeme for claims, _length, lexeme in ranked if claims <= RARE_WORD_CLAIMS][:RARE_WORDS]
        parts, params = [], []
        if embedding is not None and nearest:
            parts.append(nearest_sql)
            params += [list(exclude_ids), HalfVector(embedding).to_text(), nearest]
        if rare and by_words:
            parts.append(by_words_sql)
            params += [_tsquery_any(rare), list(exclude_ids), RARE_WORD_MATCHES,
                       _tsquery_any(lexeme for lexeme, _freq in lexemes), by_words]
        if not parts:
            return []
        found = list(Claim.objects.raw(" UNION ALL ".join(parts), params))
    return list({claim.pk: claim for claim in found}.values())


def _tsquery_any(lexemes) -> str:
    """A tsquery matching any of the (already normalised) lexemes, each quoted as tsquery input wants."""
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return " | ".join(quoted)


# The text's lexemes as the claims' full-text index has them, with how many claims contain each one
# according to the index's statistics (NULL: not among the most common, so rare or absent).
# The HNSW settings ride along, local to the transaction: ef_search is how many graph nodes the walk keeps
# (recall), the iterative scan walks on when the filter (merged, rejected, excluded) leaves too few rows.
_LEXEMES_SQL = """
WITH settings AS MATERIALIZED (
    SELECT set_config('hnsw.ef_search', %s::text, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)
), stats AS (
    SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs FROM pg_stats
    WHERE schemaname = current_schema() AND tablename = 'claim_text_fts_idx'
)
SELECT t.lexeme, (SELECT stats.freqs[array_position(stats.elems, t.lexeme)] * c.reltuples FROM stats)
FROM settings LEFT JOIN unnest(to_tsvector('english', %s)) AS t ON true
JOIN pg_class c ON c.oid = 'claims_claim'::regclass
"""
# Live, not rejected: the same filter for both channels.
_CANDIDATE_FILTER = "merged_into_id IS NULL AND review_state <> 'rejected' AND NOT (id = ANY(%s::bigint[]))"
# The expression of claim_text_fts_idx (models.Claim.Meta.indexes): the index answers the @@.
_CLAIM_TSVECTOR = "to_tsvector('english'::regconfig, COALESCE(text, ''))"


@lru_cache(maxsize=1)
def _candidate_sql() -> tuple[str, str]:
    """The two channels' SELECTs of whole claims."""
    columns = ", ".join(f'c."{f.column}"' for f in Claim._meta.concrete_fields)
    nearest = (
        f"(SELECT {columns} FROM claims_claimembedding e JOIN claims_claim c ON c.id = e.claim_id "  # noqa: S608 -- fixed SQL fragments, values are parameters
        f"WHERE {_CANDIDATE_FILTER} ORDER BY e.vector <=> %s::halfvec LIMIT %s)"
    )
    by_words = (
        f"(SELECT {columns} FROM (SELECT * FROM claims_claim "  # noqa: S608 -- fixed SQL fragments, values are parameters
        f"WHERE {_CLAIM_TSVECTOR} @@ %s::tsquery AND {_CANDIDATE_FILTER} LIMIT %s) AS c "
        f"ORDER BY ts_rank({_CLAIM_TSVECTOR}, %s::tsquery) DESC, c.id DESC LIMIT %s)"
    )
    return nearest, by_words
