"""Similar-claim candidates at any scale: a handful of claims, each found through an index, never a scan."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from django.db import connection, transaction
from pgvector import HalfVector

from claims.embeddings import claim_embedding
from claims.models import Claim

# Similar-claim candidates (claim_candidates): nearest wordings by embedding, claims sharing rare words.
NEAREST = 10
BY_WORDS = 20
HNSW_EF_SEARCH = 40
# Below this many claims (PostgreSQL's estimate; -1, never analysed, counts as few), the nearest wordings come
# from a scan of every vector: exact, and a few ms. Above it, from the HNSW graph walk, which can miss a
# wording far from all the others when the rest are much alike (a new kind of claim among thousands of
# templated ones): the word channel covers that.
EXACT_BELOW = 20_000
# Words in more claims than this are never used to find candidates (their index entries are long lists).
WORD_CLAIMS_MAX = 20_000
# The rarest usable words, tried in pairs (a word alone only when it is the only one, and this rare).
RARE_WORDS = 5
SINGLE_WORD_CLAIMS_MAX = 500
# At most this many claims sharing the words are read and ranked.
WORD_MATCHES = 200


def claim_candidates(
    *, text: str, exclude_ids: tuple[int, ...] = (), nearest: int = NEAREST, by_words: int = BY_WORDS,
    embedding: np.ndarray | None = None,
) -> list[Claim]:
    """Live, not rejected claims that may say the same as `text`: a handful, each found through an index.

    Two channels, united: the `nearest` claims by cosine distance of the wording embeddings (HNSW index,
    a graph walk, so the cost barely grows with the number of claims), and up to `by_words` claims that
    share rare words with the text (full text, GIN index), ranked by how many of the text's words they
    have. Names and numbers ("Zenda", "F-16", "12") weigh little in a static embedding; the word channel
    catches the claims that share them. It asks for any two of the text's RARE_WORDS rarest words (so
    words said differently, or new to the database, do not lose the claim), rarity from PostgreSQL's
    statistics of the full-text index; reads are capped at WORD_MATCHES claims, so a word the statistics
    missed cannot turn into a scan of every claim. `embedding` is the text's, when the caller has it.
    """
    if embedding is None:
        embedding = claim_embedding(text)
    nearest_sql, exact_sql, by_words_sql = _candidate_sql()
    # One transaction, no savepoint: the index settings are local to it and cost no query of their own.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_LEXEMES_SQL, [text, max(HNSW_EF_SEARCH, nearest)])
        version, lexemes = cursor.fetchone()
        lexemes = [lexeme for lexeme in lexemes or () if lexeme]
        parts, params = [], []
        if embedding is not None and nearest:
            parts.append(exact_sql if version < EXACT_BELOW else nearest_sql)
            params += [list(exclude_ids), HalfVector(embedding).to_text(), nearest]
        wanted = _rare_words_query(lexemes, word_counts(cursor, version)) if by_words else None
        if wanted:
            parts.append(by_words_sql)
            params += [wanted, list(exclude_ids), WORD_MATCHES, _tsquery_any(lexemes), by_words]
        if not parts:
            return []
        found = list(Claim.objects.raw(" UNION ALL ".join(parts), params))
    return list({claim.pk: claim for claim in found}.values())


def _rare_words_query(lexemes: list[str], counts: dict[str, float]) -> str | None:
    """A tsquery for claims that have two of the text's rarest words (or its one very rare word)."""
    # Words the statistics do not list are rarer than any they list (or absent): count 0, longer first.
    ranked = sorted((counts.get(lexeme, 0.0), -len(lexeme), lexeme) for lexeme in set(lexemes))
    usable = [(claims, lexeme) for claims, _length, lexeme in ranked if claims <= WORD_CLAIMS_MAX][:RARE_WORDS]
    if len(usable) >= 2:
        words = [lexeme for _claims, lexeme in usable]
        return " | ".join(
            f"({_tsquery_any([a])} & {_tsquery_any([b])})" for i, a in enumerate(words) for b in words[i + 1:]
        )
    if usable and usable[0][0] <= SINGLE_WORD_CLAIMS_MAX:
        return _tsquery_any([usable[0][1]])
    return None


_word_counts_cache: dict[tuple[str, float], dict[str, float]] = {}


def word_counts(cursor, version: float) -> dict[str, float]:
    """How many claims have each of the most common words, from the statistics of the claims' full-text index.

    Read again only when the statistics may have changed (ANALYZE renews pg_class.reltuples with them),
    so a lookup does not plan the pg_stats view every time.
    """
    key = (connection.settings_dict["NAME"], version)
    if key not in _word_counts_cache:
        cursor.execute(_WORD_COUNTS_SQL)
        row = cursor.fetchone()
        elems, freqs = row if row else (None, None)
        _word_counts_cache.clear()
        _word_counts_cache[key] = {e: f * max(version, 0) for e, f in zip(elems or (), freqs or (), strict=False)}
    return _word_counts_cache[key]


def _tsquery_any(lexemes) -> str:
    """A tsquery matching any of the (already normalised) lexemes, each quoted as tsquery input wants."""
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return " | ".join(quoted)


# The text's lexemes as the claims' full-text index has them, and the claims' row estimate (which ANALYZE
# renews with the word statistics). The HNSW settings ride along, local to
# the transaction: ef_search is how many graph nodes the walk keeps (recall); the iterative scan walks on
# when the filter (merged, rejected, excluded) leaves too few rows.
_LEXEMES_SQL = """
SELECT (SELECT reltuples FROM pg_class WHERE oid = 'claims_claim'::regclass),
       ARRAY(SELECT lexeme FROM unnest(to_tsvector('english', %s)))
FROM (SELECT set_config('hnsw.ef_search', %s::text, true),
             set_config('hnsw.iterative_scan', 'relaxed_order', true)) AS settings
"""
# The most common words of the claims' wordings and the share of claims that have each.
_WORD_COUNTS_SQL = """
SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats
WHERE schemaname = current_schema() AND tablename = 'claim_text_fts_idx'
"""
# Live, not rejected: the same filter for both channels.
_CANDIDATE_FILTER = "merged_into_id IS NULL AND review_state <> 'rejected' AND NOT (id = ANY(%s::bigint[]))"
# The expression of claim_text_fts_idx (models.Claim.Meta.indexes): the index answers the @@.
_CLAIM_TSVECTOR = "to_tsvector('english'::regconfig, COALESCE(text, ''))"


@lru_cache(maxsize=1)
def _candidate_sql() -> tuple[str, str, str]:
    """The channels' SELECTs of whole claims: nearest by the index, nearest by a scan, sharing rare words."""
    columns = ", ".join(f'c."{f.column}"' for f in Claim._meta.concrete_fields)
    nearest = (
        f"(SELECT {columns} FROM claims_claimembedding e JOIN claims_claim c ON c.id = e.claim_id "  # noqa: S608 -- fixed SQL fragments, values are parameters
        f"WHERE {_CANDIDATE_FILTER} ORDER BY e.vector <=> %s::halfvec LIMIT %s)"
    )
    # "+ 0": an order the index cannot give, so PostgreSQL measures every vector.
    exact = nearest.replace("ORDER BY e.vector <=> %s::halfvec", "ORDER BY (e.vector <=> %s::halfvec) + 0")
    by_words = (
        f"(SELECT {columns} FROM (SELECT * FROM claims_claim "  # noqa: S608 -- fixed SQL fragments, values are parameters
        f"WHERE {_CLAIM_TSVECTOR} @@ %s::tsquery AND {_CANDIDATE_FILTER} LIMIT %s) AS c "
        f"ORDER BY ts_rank({_CLAIM_TSVECTOR}, %s::tsquery) DESC, c.id DESC LIMIT %s)"
    )
    return nearest, exact, by_words
