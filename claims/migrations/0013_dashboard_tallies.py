"""More of the dashboard from claims_tally (migration 0012's design: per-session rows, statement-level triggers with
transition tables, claims_tally_recount() after a load), and the index of its contested-claims list.

New counts:
- "articles:<status>": articles by status (the ingestion panel grouped a million articles per request). One
  function now keeps "articles" and these, for every write on sources_article; an UPDATE adds a status move.
- "statements:day:<YYYY-MM-DD>:<stance>": statements not rejected, by stance and by day, the day being the
  article's publication date in UTC or, when the article has none, the day the statement was recorded (the
  dashboard's 30-day chart counted ~120,000 statements through 43,000 article lookups per request, 250 ms at 1M).
  The statements' trigger adds them; the articles' trigger moves an article's statements when its publication
  date changes. Their prefix is "statements:", so a TRUNCATE of the statements empties them too.

Known limit: a statement written in a transaction that has not committed while another transaction re-dates its
article is counted on the article's old day (the re-dating cannot see it); claims_tally_recount() puts it right.
"""

from django.db import migrations, models

# 0012's definitions, put back by the reverse migration.
STATEMENT_TALLY_0012 = """
CREATE OR REPLACE FUNCTION claims_statement_tally() RETURNS trigger AS $$
DECLARE
    v_all bigint := 0;
    v_pending bigint := 0;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT v_all + count(*), v_pending + count(*) FILTER (WHERE review_state = 'pending')
        INTO v_all, v_pending FROM new_rows;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT v_all - count(*), v_pending - count(*) FILTER (WHERE review_state = 'pending')
        INTO v_all, v_pending FROM old_rows;
    END IF;
    IF v_all <> 0 OR v_pending <> 0 THEN
        PERFORM claims_tally_add(ARRAY['statements', 'statements:pending'], ARRAY[v_all, v_pending]);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

RECOUNT_0012 = """
CREATE OR REPLACE FUNCTION claims_tally_recount() RETURNS void AS $$
BEGIN
    LOCK TABLE claims_statement, claims_claim, claims_party, sources_article IN SHARE MODE;
    DELETE FROM claims_tally;
    INSERT INTO claims_tally (name, slot, n)
    SELECT 'statements', 0, count(*) FROM claims_statement
    UNION ALL
    SELECT 'statements:pending', 0, count(*) FROM claims_statement WHERE review_state = 'pending'
    UNION ALL
    SELECT 'claims:' || verdict, 0, count(*) FROM claims_claim WHERE merged_into_id IS NULL GROUP BY verdict
    UNION ALL
    SELECT 'parties', 0, count(*) FROM claims_party
    UNION ALL
    SELECT 'articles', 0, count(*) FROM sources_article;
END;
$$ LANGUAGE plpgsql;
"""

TALLY_SQL = """
-- The name of a statement's day count. UTC, as settings.TIME_ZONE; claims.selectors reads these only in UTC.
CREATE FUNCTION claims_statement_day(p_at timestamptz, p_stance text) RETURNS text AS $$
    SELECT 'statements:day:' || to_char((p_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') || ':' || p_stance;
$$ LANGUAGE sql IMMUTABLE;

-- All statements, those waiting for review, and the counted ones (not rejected) by day and stance. An UPDATE's
-- change is (new rows) - (old rows); for the days only the rows whose day or stance or counting changed are
-- joined to their articles (a merge moves 100,000 statements to another claim and changes no day).
CREATE OR REPLACE FUNCTION claims_statement_tally() RETURNS trigger AS $$
DECLARE
    v_all bigint := 0;
    v_pending bigint := 0;
    v_names text[];
    v_deltas bigint[];
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT v_all + count(*), v_pending + count(*) FILTER (WHERE review_state = 'pending')
        INTO v_all, v_pending FROM new_rows;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT v_all - count(*), v_pending - count(*) FILTER (WHERE review_state = 'pending')
        INTO v_all, v_pending FROM old_rows;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(name), array_agg(n) INTO v_names, v_deltas FROM (
            SELECT claims_statement_day(coalesce(a.published_at, s.created_at), s.stance) AS name, count(*) AS n
            FROM new_rows s JOIN sources_article a ON a.id = s.article_id
            WHERE s.review_state <> 'rejected' GROUP BY 1
        ) d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(name), array_agg(-n) INTO v_names, v_deltas FROM (
            SELECT claims_statement_day(coalesce(a.published_at, s.created_at), s.stance) AS name, count(*) AS n
            FROM old_rows s JOIN sources_article a ON a.id = s.article_id
            WHERE s.review_state <> 'rejected' GROUP BY 1
        ) d;
    ELSE
        SELECT array_agg(name), array_agg(n) INTO v_names, v_deltas FROM (
            SELECT claims_statement_day(coalesce(a.published_at, c.created_at), c.stance) AS name, sum(c.n) AS n
            FROM (
                SELECT s.article_id, s.created_at, s.stance, 1 AS n
                FROM new_rows s JOIN old_rows o ON o.id = s.id
                WHERE s.review_state <> 'rejected'
                  AND (s.article_id, s.created_at, s.stance, o.review_state = 'rejected')
                      IS DISTINCT FROM (o.article_id, o.created_at, o.stance, false)
                UNION ALL
                SELECT o.article_id, o.created_at, o.stance, -1
                FROM old_rows o JOIN new_rows s ON s.id = o.id
                WHERE o.review_state <> 'rejected'
                  AND (o.article_id, o.created_at, o.stance, s.review_state = 'rejected')
                      IS DISTINCT FROM (s.article_id, s.created_at, s.stance, false)
            ) c JOIN sources_article a ON a.id = c.article_id
            GROUP BY 1 HAVING sum(c.n) <> 0
        ) d;
    END IF;
    IF v_all <> 0 OR v_pending <> 0 THEN
        v_names := ARRAY['statements', 'statements:pending'] || coalesce(v_names, '{}');
        v_deltas := ARRAY[v_all, v_pending] || coalesce(v_deltas, '{}');
    END IF;
    IF v_names IS NOT NULL THEN
        PERFORM claims_tally_add(v_names, v_deltas);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- All articles and articles by status; an UPDATE moves statuses, and the statements of an article whose
-- publication date changed to their new days (a statement counts on its article's day).
CREATE FUNCTION claims_article_tally() RETURNS trigger AS $$
DECLARE
    v_names text[];
    v_deltas bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(name), array_agg(n) INTO v_names, v_deltas FROM (
            SELECT 'articles' AS name, count(*) AS n FROM new_rows
            UNION ALL
            SELECT 'articles:' || status, count(*) FROM new_rows GROUP BY status
        ) d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(name), array_agg(-n) INTO v_names, v_deltas FROM (
            SELECT 'articles' AS name, count(*) AS n FROM old_rows
            UNION ALL
            SELECT 'articles:' || status, count(*) FROM old_rows GROUP BY status
        ) d;
    ELSE
        SELECT array_agg(name), array_agg(n) INTO v_names, v_deltas FROM (
            SELECT name, sum(n) AS n FROM (
                SELECT 'articles:' || status AS name, 1 AS n FROM new_rows
                UNION ALL
                SELECT 'articles:' || status, -1 FROM old_rows
                UNION ALL
                SELECT claims_statement_day(coalesce(moved.published_at, s.created_at), s.stance), moved.n
                FROM (
                    SELECT n.id, n.published_at, 1 AS n FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE n.published_at IS DISTINCT FROM o.published_at
                    UNION ALL
                    SELECT o.id, o.published_at, -1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                    WHERE n.published_at IS DISTINCT FROM o.published_at
                ) moved
                JOIN claims_statement s ON s.article_id = moved.id AND s.review_state <> 'rejected'
            ) c GROUP BY name HAVING sum(n) <> 0
        ) d;
    END IF;
    IF v_names IS NOT NULL THEN
        PERFORM claims_tally_add(v_names, v_deltas);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER sources_article_tally_insert ON sources_article;
DROP TRIGGER sources_article_tally_delete ON sources_article;
CREATE TRIGGER sources_article_tally_insert AFTER INSERT ON sources_article
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_article_tally();
CREATE TRIGGER sources_article_tally_update AFTER UPDATE ON sources_article
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_article_tally();
CREATE TRIGGER sources_article_tally_delete AFTER DELETE ON sources_article
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_article_tally();

CREATE OR REPLACE FUNCTION claims_tally_recount() RETURNS void AS $$
BEGIN
    LOCK TABLE claims_statement, claims_claim, claims_party, sources_article IN SHARE MODE;
    DELETE FROM claims_tally;
    INSERT INTO claims_tally (name, slot, n)
    SELECT 'statements', 0, count(*) FROM claims_statement
    UNION ALL
    SELECT 'statements:pending', 0, count(*) FROM claims_statement WHERE review_state = 'pending'
    UNION ALL
    SELECT claims_statement_day(coalesce(a.published_at, s.created_at), s.stance), 0, count(*)
    FROM claims_statement s JOIN sources_article a ON a.id = s.article_id
    WHERE s.review_state <> 'rejected' GROUP BY 1
    UNION ALL
    SELECT 'claims:' || verdict, 0, count(*) FROM claims_claim WHERE merged_into_id IS NULL GROUP BY verdict
    UNION ALL
    SELECT 'parties', 0, count(*) FROM claims_party
    UNION ALL
    SELECT 'articles', 0, count(*) FROM sources_article
    UNION ALL
    SELECT 'articles:' || status, 0, count(*) FROM sources_article GROUP BY status;
END;
$$ LANGUAGE plpgsql;

SELECT claims_tally_recount();
"""

DROP_TALLY_SQL = (
    """
DROP TRIGGER sources_article_tally_insert ON sources_article;
DROP TRIGGER sources_article_tally_update ON sources_article;
DROP TRIGGER sources_article_tally_delete ON sources_article;
CREATE TRIGGER sources_article_tally_insert AFTER INSERT ON sources_article
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_rows_tally('articles');
CREATE TRIGGER sources_article_tally_delete AFTER DELETE ON sources_article
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_rows_tally('articles');
DROP FUNCTION claims_article_tally();
"""
    + STATEMENT_TALLY_0012
    + "DROP FUNCTION claims_statement_day(timestamptz, text);\n"
    + RECOUNT_0012
    + "SELECT claims_tally_recount();\n"
)

# (table, trigger) of every tally trigger: tools.synthetic turns them off for its load, then recounts.
TALLY_TRIGGERS = tuple(
    (table, f"{prefix}_tally_{event}")
    for table, prefix, events in (
        ("claims_statement", "claims_statement", ("insert", "update", "delete", "truncate")),
        ("claims_claim", "claims_claim", ("insert", "update", "delete", "truncate")),
        ("claims_party", "claims_party", ("insert", "delete", "truncate")),
        ("sources_article", "sources_article", ("insert", "update", "delete", "truncate")),
    )
    for event in events
)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0012_tallies'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(models.OrderBy(models.F('statement_count'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('merged_into__isnull', True)), name='claim_live_statements_idx'),
        ),
        migrations.RunSQL(TALLY_SQL, DROP_TALLY_SQL),
    ]
