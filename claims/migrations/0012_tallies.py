"""Tallies: the dashboard's and the review queue's counts, kept by triggers instead of counted per request.

A count is the sum of its rows in claims_tally. A trigger adds a write's change to the writing session's own row
(slot = pg_backend_pid()): two ingestion workers writing statements at once each update their own row and never
wait on each other, as they would on one row per count (row locks are held to the end of the transaction, and
an analysis is one long transaction that also locks claims: one shared row would serialise the workers and
deadlock them against the claim locks). Statement-level triggers with transition tables add one change per SQL
statement, so a bulk insert, update or delete of a million rows is one aggregate, not a million updates of one
row. Slot 0 holds the rows of sessions that have ended (claims_tally_fold, called by the readers when the table
grows). A TRUNCATE empties the table's counts; claims_tally_recount() counts everything again (the backfill
below, and tools.synthetic after a load with these triggers off).

Names: "statements", "statements:pending", "claims:<verdict>" (live claims, i.e. not merged, with that verdict;
their sum is the live claims), "parties", "articles".
"""

from django.db import migrations, models

TALLY_SQL = """
CREATE FUNCTION claims_tally_add(p_names text[], p_deltas bigint[]) RETURNS void AS $$
    INSERT INTO claims_tally AS t (name, slot, n)
    SELECT d.name, pg_backend_pid(), d.n FROM unnest(p_names, p_deltas) AS d (name, n) WHERE d.n <> 0
    ON CONFLICT (name, slot) DO UPDATE SET n = t.n + EXCLUDED.n;
$$ LANGUAGE sql;

-- All statements, and those waiting for review. An UPDATE's change is (new rows) - (old rows): no join needed.
CREATE FUNCTION claims_statement_tally() RETURNS trigger AS $$
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

-- Live claims by verdict: a merge (merged_into_id set) takes a claim out, a verdict change moves it.
CREATE FUNCTION claims_claim_tally() RETURNS trigger AS $$
DECLARE
    v_names text[];
    v_deltas bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg('claims:' || verdict), array_agg(n) INTO v_names, v_deltas
        FROM (SELECT verdict, count(*) AS n FROM new_rows WHERE merged_into_id IS NULL GROUP BY verdict) d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg('claims:' || verdict), array_agg(-n) INTO v_names, v_deltas
        FROM (SELECT verdict, count(*) AS n FROM old_rows WHERE merged_into_id IS NULL GROUP BY verdict) d;
    ELSE
        SELECT array_agg('claims:' || verdict), array_agg(n) INTO v_names, v_deltas
        FROM (
            SELECT verdict, sum(n) AS n FROM (
                SELECT verdict, 1 AS n FROM new_rows WHERE merged_into_id IS NULL
                UNION ALL
                SELECT verdict, -1 FROM old_rows WHERE merged_into_id IS NULL
            ) c GROUP BY verdict HAVING sum(n) <> 0
        ) d;
    END IF;
    IF v_names IS NOT NULL THEN
        PERFORM claims_tally_add(v_names, v_deltas);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Rows of a table, under the name given as the trigger's argument.
CREATE FUNCTION claims_rows_tally() RETURNS trigger AS $$
DECLARE
    v_n bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO v_n FROM new_rows;
    ELSE
        SELECT -count(*) INTO v_n FROM old_rows;
    END IF;
    IF v_n <> 0 THEN
        PERFORM claims_tally_add(ARRAY[TG_ARGV[0]], ARRAY[v_n]);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A TRUNCATE leaves nothing to count: the counts named by the argument, and "<argument>:...", go.
CREATE FUNCTION claims_tally_truncated() RETURNS trigger AS $$
BEGIN
    DELETE FROM claims_tally WHERE name = TG_ARGV[0] OR name LIKE TG_ARGV[0] || ':%';
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER claims_statement_tally_insert AFTER INSERT ON claims_statement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_statement_tally();
CREATE TRIGGER claims_statement_tally_update AFTER UPDATE ON claims_statement
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_statement_tally();
CREATE TRIGGER claims_statement_tally_delete AFTER DELETE ON claims_statement
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_statement_tally();
CREATE TRIGGER claims_statement_tally_truncate AFTER TRUNCATE ON claims_statement
    FOR EACH STATEMENT EXECUTE FUNCTION claims_tally_truncated('statements');

CREATE TRIGGER claims_claim_tally_insert AFTER INSERT ON claims_claim
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_tally();
CREATE TRIGGER claims_claim_tally_update AFTER UPDATE ON claims_claim
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_tally();
CREATE TRIGGER claims_claim_tally_delete AFTER DELETE ON claims_claim
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_tally();
CREATE TRIGGER claims_claim_tally_truncate AFTER TRUNCATE ON claims_claim
    FOR EACH STATEMENT EXECUTE FUNCTION claims_tally_truncated('claims');

CREATE TRIGGER claims_party_tally_insert AFTER INSERT ON claims_party
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_rows_tally('parties');
CREATE TRIGGER claims_party_tally_delete AFTER DELETE ON claims_party
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_rows_tally('parties');
CREATE TRIGGER claims_party_tally_truncate AFTER TRUNCATE ON claims_party
    FOR EACH STATEMENT EXECUTE FUNCTION claims_tally_truncated('parties');

CREATE TRIGGER sources_article_tally_insert AFTER INSERT ON sources_article
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_rows_tally('articles');
CREATE TRIGGER sources_article_tally_delete AFTER DELETE ON sources_article
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_rows_tally('articles');
CREATE TRIGGER sources_article_tally_truncate AFTER TRUNCATE ON sources_article
    FOR EACH STATEMENT EXECUTE FUNCTION claims_tally_truncated('articles');

-- Ended sessions' rows into slot 0. The rows folded are committed and no live session writes them, so a fold
-- waits on no writer (a new session that reuses an ended one's pid waits for the fold, a moment). One fold at a
-- time: a second caller has nothing to do.
CREATE FUNCTION claims_tally_fold() RETURNS void AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('claims_tally_fold')) THEN
        RETURN;
    END IF;
    WITH gone AS (
        DELETE FROM claims_tally t
        WHERE t.slot <> 0 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = t.slot)
        RETURNING t.name, t.n
    )
    INSERT INTO claims_tally AS t (name, slot, n)
    SELECT name, 0, sum(n) FROM gone GROUP BY name
    ON CONFLICT (name, slot) DO UPDATE SET n = t.n + EXCLUDED.n;
END;
$$ LANGUAGE plpgsql;

-- Every count from the tables. Writers wait while it counts (readers do not), so no write is lost or counted
-- twice; about a second at a million claims and three million statements.
CREATE FUNCTION claims_tally_recount() RETURNS void AS $$
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

SELECT claims_tally_recount();
"""

DROP_TALLY_SQL = """
DROP TRIGGER IF EXISTS claims_statement_tally_insert ON claims_statement;
DROP TRIGGER IF EXISTS claims_statement_tally_update ON claims_statement;
DROP TRIGGER IF EXISTS claims_statement_tally_delete ON claims_statement;
DROP TRIGGER IF EXISTS claims_statement_tally_truncate ON claims_statement;
DROP TRIGGER IF EXISTS claims_claim_tally_insert ON claims_claim;
DROP TRIGGER IF EXISTS claims_claim_tally_update ON claims_claim;
DROP TRIGGER IF EXISTS claims_claim_tally_delete ON claims_claim;
DROP TRIGGER IF EXISTS claims_claim_tally_truncate ON claims_claim;
DROP TRIGGER IF EXISTS claims_party_tally_insert ON claims_party;
DROP TRIGGER IF EXISTS claims_party_tally_delete ON claims_party;
DROP TRIGGER IF EXISTS claims_party_tally_truncate ON claims_party;
DROP TRIGGER IF EXISTS sources_article_tally_insert ON sources_article;
DROP TRIGGER IF EXISTS sources_article_tally_delete ON sources_article;
DROP TRIGGER IF EXISTS sources_article_tally_truncate ON sources_article;
DROP FUNCTION IF EXISTS claims_tally_recount();
DROP FUNCTION IF EXISTS claims_tally_fold();
DROP FUNCTION IF EXISTS claims_tally_truncated();
DROP FUNCTION IF EXISTS claims_rows_tally();
DROP FUNCTION IF EXISTS claims_claim_tally();
DROP FUNCTION IF EXISTS claims_statement_tally();
DROP FUNCTION IF EXISTS claims_tally_add(text[], bigint[]);
"""

# (table, trigger) of every tally trigger: tools.synthetic turns them off for its load, then recounts.
TALLY_TRIGGERS = tuple(
    (table, f"{prefix}_tally_{event}")
    for table, prefix, events in (
        ("claims_statement", "claims_statement", ("insert", "update", "delete", "truncate")),
        ("claims_claim", "claims_claim", ("insert", "update", "delete", "truncate")),
        ("claims_party", "claims_party", ("insert", "delete", "truncate")),
        ("sources_article", "sources_article", ("insert", "delete", "truncate")),
    )
    for event in events
)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0011_statement_newest_idx'),
        ('sources', '0003_article_seen_idx'),
    ]

    operations = [
        migrations.CreateModel(
            name='Tally',
            fields=[
                ('pk', models.CompositePrimaryKey('name', 'slot', blank=True, editable=False, primary_key=True, serialize=False)),
                ('name', models.CharField(max_length=64)),
                ('slot', models.IntegerField()),
                ('n', models.BigIntegerField()),
            ],
        ),
        migrations.RunSQL(TALLY_SQL, DROP_TALLY_SQL),
    ]
