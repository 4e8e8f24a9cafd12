-- claims_tally: the dashboard's and the review queue's counts, kept by triggers instead of counted per request.
--
-- A count is the sum of its rows. A trigger adds a write's change to the writing session's own row
-- (slot = pg_backend_pid()): two ingestion workers writing statements at once each update their own row and never
-- wait on each other, as they would on one row per count (row locks are held to the end of the transaction, and an
-- analysis is one long transaction that also locks claims: one shared row would serialise the workers and deadlock
-- them against the claim locks). Statement-level triggers with transition tables add one change per SQL statement,
-- so a bulk insert, update or delete is one aggregate, not one update of a row per row written. Slot 0 holds the
-- rows of sessions that have ended (claims_tally_fold, run by the periodic task claims.fold_tallies, never by a
-- reader). A TRUNCATE empties the table's counts; claims_tally_recount() counts everything again.
--
-- Names: "statements" and "statements:pending" (not withdrawn by a later revision of their article),
-- "statements:day:<YYYY-MM-DD>:<stance>" (neither rejected nor withdrawn, by the article's publication day in UTC,
-- or the statement's own day when the article has none), "claims:<verdict>" (listed claims, i.e. not merged and
-- Claim.listed, with that verdict; their sum is what the lists show), "parties", "articles", "articles:<status>".
--
-- claims_partyday holds the party page's chart the same way: a party's counted statements (claims and positions
-- alike) by day (UTC, claims_utc_day) and stance, one share a session (`slot`), folded with the tallies.
--
-- Known limit: a statement written in a transaction that has not committed while another transaction re-dates its
-- article is counted on the article's old day (the re-dating cannot see it); claims_tally_recount() puts it right.

CREATE OR REPLACE FUNCTION claims_tally_add(p_names text[], p_deltas bigint[]) RETURNS void AS $$
    INSERT INTO claims_tally AS t (name, slot, n)
    SELECT d.name, pg_backend_pid(), d.n FROM unnest(p_names, p_deltas) AS d (name, n) WHERE d.n <> 0
    ON CONFLICT (name, slot) DO UPDATE SET n = t.n + EXCLUDED.n;
$$ LANGUAGE sql;

-- Add to the writing session's share of each (party, day, stance) given.
CREATE OR REPLACE FUNCTION claims_party_day_add(p_parties bigint[], p_days date[], p_stances text[], p_deltas bigint[])
RETURNS void AS $$
    INSERT INTO claims_partyday AS t (party_id, day, stance, slot, statements)
    SELECT d.party_id, d.day, d.stance, pg_backend_pid(), d.n
    FROM unnest(p_parties, p_days, p_stances, p_deltas) AS d (party_id, day, stance, n) WHERE d.n <> 0
    ON CONFLICT (party_id, day, stance, slot) DO UPDATE SET statements = t.statements + EXCLUDED.statements;
$$ LANGUAGE sql;

-- The name of a statement's day count. UTC, as settings.TIME_ZONE; claims.selectors reads these only in UTC.
CREATE OR REPLACE FUNCTION claims_statement_day(p_at timestamptz, p_stance text) RETURNS text AS $$
    SELECT 'statements:day:' || to_char((p_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') || ':' || p_stance;
$$ LANGUAGE sql IMMUTABLE;

-- Statements not withdrawn, those waiting for review, and the counted ones (neither rejected nor withdrawn) by day
-- and stance. An UPDATE's change is (new rows) - (old rows); for the days only the rows whose day or stance or
-- counting changed are joined to their articles (a merge moves 100,000 statements to another claim and changes no day).
CREATE OR REPLACE FUNCTION claims_statement_tally() RETURNS trigger AS $$
DECLARE
    v_all bigint := 0;
    v_pending bigint := 0;
    v_names text[];
    v_deltas bigint[];
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT v_all + count(*) FILTER (WHERE withdrawn_at IS NULL),
               v_pending + count(*) FILTER (WHERE review_state = 'pending' AND withdrawn_at IS NULL)
        INTO v_all, v_pending FROM new_rows;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT v_all - count(*) FILTER (WHERE withdrawn_at IS NULL),
               v_pending - count(*) FILTER (WHERE review_state = 'pending' AND withdrawn_at IS NULL)
        INTO v_all, v_pending FROM old_rows;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(name), array_agg(n) INTO v_names, v_deltas FROM (
            SELECT claims_statement_day(coalesce(a.published_at, s.created_at), s.stance) AS name, count(*) AS n
            FROM new_rows s JOIN sources_article a ON a.id = s.article_id
            WHERE s.review_state <> 'rejected' AND s.withdrawn_at IS NULL GROUP BY 1
        ) d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(name), array_agg(-n) INTO v_names, v_deltas FROM (
            SELECT claims_statement_day(coalesce(a.published_at, s.created_at), s.stance) AS name, count(*) AS n
            FROM old_rows s JOIN sources_article a ON a.id = s.article_id
            WHERE s.review_state <> 'rejected' AND s.withdrawn_at IS NULL GROUP BY 1
        ) d;
    ELSE
        SELECT array_agg(name), array_agg(n) INTO v_names, v_deltas FROM (
            SELECT claims_statement_day(coalesce(a.published_at, c.created_at), c.stance) AS name, sum(c.n) AS n
            FROM (
                SELECT s.article_id, s.created_at, s.stance, 1 AS n
                FROM new_rows s JOIN old_rows o ON o.id = s.id
                WHERE s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
                  AND (s.article_id, s.created_at, s.stance, (o.review_state = 'rejected' OR o.withdrawn_at IS NOT NULL))
                      IS DISTINCT FROM (o.article_id, o.created_at, o.stance, false)
                UNION ALL
                SELECT o.article_id, o.created_at, o.stance, -1
                FROM old_rows o JOIN new_rows s ON s.id = o.id
                WHERE o.review_state <> 'rejected' AND o.withdrawn_at IS NULL
                  AND (o.article_id, o.created_at, o.stance, (s.review_state = 'rejected' OR s.withdrawn_at IS NOT NULL))
                      IS DISTINCT FROM (s.article_id, s.created_at, s.stance, false)
            ) c JOIN sources_article a ON a.id = c.article_id
            GROUP BY 1 HAVING sum(c.n) <> 0
        ) d;
    END IF;
    -- The party days: the same counted statements, by party as well (the party's own, not its parents').
    IF TG_OP = 'INSERT' THEN
        PERFORM claims_party_day_add(array_agg(d.party_id), array_agg(d.day), array_agg(d.stance), array_agg(d.n))
        FROM (
            SELECT s.party_id, claims_utc_day(coalesce(a.published_at, s.created_at)) AS day, s.stance, count(*) AS n
            FROM new_rows s JOIN sources_article a ON a.id = s.article_id
            WHERE s.party_id IS NOT NULL AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL GROUP BY 1, 2, 3
        ) d;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM claims_party_day_add(array_agg(d.party_id), array_agg(d.day), array_agg(d.stance), array_agg(-d.n))
        FROM (
            SELECT s.party_id, claims_utc_day(coalesce(a.published_at, s.created_at)) AS day, s.stance, count(*) AS n
            FROM old_rows s JOIN sources_article a ON a.id = s.article_id
            WHERE s.party_id IS NOT NULL AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL GROUP BY 1, 2, 3
        ) d;
    ELSE
        PERFORM claims_party_day_add(array_agg(d.party_id), array_agg(d.day), array_agg(d.stance), array_agg(d.n))
        FROM (
            SELECT c.party_id, claims_utc_day(coalesce(a.published_at, c.created_at)) AS day, c.stance, sum(c.n) AS n
            FROM (
                SELECT s.party_id, s.article_id, s.created_at, s.stance, 1 AS n
                FROM new_rows s JOIN old_rows o ON o.id = s.id
                WHERE s.party_id IS NOT NULL AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
                  AND (s.party_id, s.article_id, s.created_at, s.stance, (o.review_state = 'rejected' OR o.withdrawn_at IS NOT NULL))
                      IS DISTINCT FROM (o.party_id, o.article_id, o.created_at, o.stance, false)
                UNION ALL
                SELECT o.party_id, o.article_id, o.created_at, o.stance, -1
                FROM old_rows o JOIN new_rows s ON s.id = o.id
                WHERE o.party_id IS NOT NULL AND o.review_state <> 'rejected' AND o.withdrawn_at IS NULL
                  AND (o.party_id, o.article_id, o.created_at, o.stance, (s.review_state = 'rejected' OR s.withdrawn_at IS NOT NULL))
                      IS DISTINCT FROM (s.party_id, s.article_id, s.created_at, s.stance, false)
            ) c JOIN sources_article a ON a.id = c.article_id
            GROUP BY 1, 2, 3 HAVING sum(c.n) <> 0
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

-- Listed claims by verdict (Claim.listed): a merge (merged_into_id set) or hiding takes a claim out, a verdict
-- change moves it.
CREATE OR REPLACE FUNCTION claims_claim_tally() RETURNS trigger AS $$
DECLARE
    v_names text[];
    v_deltas bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg('claims:' || verdict), array_agg(n) INTO v_names, v_deltas
        FROM (SELECT verdict, count(*) AS n FROM new_rows WHERE merged_into_id IS NULL AND listed GROUP BY verdict) d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg('claims:' || verdict), array_agg(-n) INTO v_names, v_deltas
        FROM (SELECT verdict, count(*) AS n FROM old_rows WHERE merged_into_id IS NULL AND listed GROUP BY verdict) d;
    ELSE
        SELECT array_agg('claims:' || verdict), array_agg(n) INTO v_names, v_deltas
        FROM (
            SELECT verdict, sum(n) AS n FROM (
                SELECT verdict, 1 AS n FROM new_rows WHERE merged_into_id IS NULL AND listed
                UNION ALL
                SELECT verdict, -1 FROM old_rows WHERE merged_into_id IS NULL AND listed
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
CREATE OR REPLACE FUNCTION claims_rows_tally() RETURNS trigger AS $$
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

-- All articles and articles by status; an UPDATE moves statuses, and the statements of an article whose
-- publication date changed to their new days (a statement counts on its article's day).
CREATE OR REPLACE FUNCTION claims_article_tally() RETURNS trigger AS $$
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
                JOIN claims_statement s ON s.article_id = moved.id AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
            ) c GROUP BY name HAVING sum(n) <> 0
        ) d;
        PERFORM claims_party_day_add(array_agg(d.party_id), array_agg(d.day), array_agg(d.stance), array_agg(d.n))
        FROM (
            SELECT s.party_id, claims_utc_day(coalesce(moved.published_at, s.created_at)) AS day, s.stance,
                   sum(moved.n) AS n
            FROM (
                SELECT n.id, n.published_at, 1 AS n FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.published_at IS DISTINCT FROM o.published_at
                UNION ALL
                SELECT o.id, o.published_at, -1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE n.published_at IS DISTINCT FROM o.published_at
            ) moved
            JOIN claims_statement s ON s.article_id = moved.id AND s.party_id IS NOT NULL
                 AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
            GROUP BY 1, 2, 3 HAVING sum(moved.n) <> 0
        ) d;
    END IF;
    IF v_names IS NOT NULL THEN
        PERFORM claims_tally_add(v_names, v_deltas);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A TRUNCATE leaves nothing to count: the counts named by the argument, and "<argument>:...", go.
CREATE OR REPLACE FUNCTION claims_tally_truncated() RETURNS trigger AS $$
BEGIN
    DELETE FROM claims_tally WHERE name = TG_ARGV[0] OR name LIKE TG_ARGV[0] || ':%';
    IF TG_ARGV[0] = 'statements' THEN
        DELETE FROM claims_partyday;  -- the party days count statements too
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Ended sessions' rows into slot 0. The rows folded are committed and no live session writes them, so a fold
-- waits on no writer (a new session that reuses an ended one's pid waits for the fold, a moment). One fold at a
-- time: a second caller has nothing to do.
CREATE OR REPLACE FUNCTION claims_tally_fold() RETURNS void AS $$
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
    -- The party days likewise (their live shares through party_day_live_idx, not a read of every party's days);
    -- a day that folds to nothing goes, so that a party's first and last day are days with statements.
    WITH gone AS (
        DELETE FROM claims_partyday t
        WHERE t.slot <> 0 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = t.slot)
        RETURNING t.party_id, t.day, t.stance, t.statements
    ), sums AS (
        SELECT party_id, day, stance, sum(statements) AS n FROM gone GROUP BY 1, 2, 3
    ), kept AS (
        UPDATE claims_partyday t SET statements = t.statements + s.n FROM sums s
        WHERE t.slot = 0 AND t.party_id = s.party_id AND t.day = s.day AND t.stance = s.stance
          AND t.statements + s.n <> 0
    ), emptied AS (
        DELETE FROM claims_partyday t USING sums s
        WHERE t.slot = 0 AND t.party_id = s.party_id AND t.day = s.day AND t.stance = s.stance
          AND t.statements + s.n = 0
    )
    INSERT INTO claims_partyday (party_id, day, stance, slot, statements)
    SELECT s.party_id, s.day, s.stance, 0, s.n FROM sums s
    WHERE s.n <> 0 AND NOT EXISTS (
        SELECT 1 FROM claims_partyday t WHERE t.slot = 0 AND t.party_id = s.party_id AND t.day = s.day AND t.stance = s.stance
    );
END;
$$ LANGUAGE plpgsql;

-- Every count from the tables. Writers wait while it counts (readers do not), so no write is lost or counted twice.
CREATE OR REPLACE FUNCTION claims_tally_recount() RETURNS void AS $$
BEGIN
    LOCK TABLE claims_statement, claims_claim, claims_party, sources_article IN SHARE MODE;
    DELETE FROM claims_tally;
    INSERT INTO claims_tally (name, slot, n)
    SELECT 'statements', 0, count(*) FROM claims_statement WHERE withdrawn_at IS NULL
    UNION ALL
    SELECT 'statements:pending', 0, count(*) FROM claims_statement WHERE review_state = 'pending' AND withdrawn_at IS NULL
    UNION ALL
    SELECT claims_statement_day(coalesce(a.published_at, s.created_at), s.stance), 0, count(*)
    FROM claims_statement s JOIN sources_article a ON a.id = s.article_id
    WHERE s.review_state <> 'rejected' AND s.withdrawn_at IS NULL GROUP BY 1
    UNION ALL
    SELECT 'claims:' || verdict, 0, count(*) FROM claims_claim WHERE merged_into_id IS NULL AND listed GROUP BY verdict
    UNION ALL
    SELECT 'parties', 0, count(*) FROM claims_party
    UNION ALL
    SELECT 'articles', 0, count(*) FROM sources_article
    UNION ALL
    SELECT 'articles:' || status, 0, count(*) FROM sources_article GROUP BY status;
    DELETE FROM claims_partyday;
    INSERT INTO claims_partyday (party_id, day, stance, slot, statements)
    SELECT s.party_id, claims_utc_day(coalesce(a.published_at, s.created_at)), s.stance, 0, count(*)
    FROM claims_statement s JOIN sources_article a ON a.id = s.article_id
    WHERE s.party_id IS NOT NULL AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL GROUP BY 1, 2, 3;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER claims_statement_tally_insert AFTER INSERT ON claims_statement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_statement_tally();
CREATE OR REPLACE TRIGGER claims_statement_tally_update AFTER UPDATE ON claims_statement
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_statement_tally();
CREATE OR REPLACE TRIGGER claims_statement_tally_delete AFTER DELETE ON claims_statement
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_statement_tally();
CREATE OR REPLACE TRIGGER claims_statement_tally_truncate AFTER TRUNCATE ON claims_statement
    FOR EACH STATEMENT EXECUTE FUNCTION claims_tally_truncated('statements');

CREATE OR REPLACE TRIGGER claims_claim_tally_insert AFTER INSERT ON claims_claim
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_tally();
CREATE OR REPLACE TRIGGER claims_claim_tally_update AFTER UPDATE ON claims_claim
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_tally();
CREATE OR REPLACE TRIGGER claims_claim_tally_delete AFTER DELETE ON claims_claim
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_tally();
CREATE OR REPLACE TRIGGER claims_claim_tally_truncate AFTER TRUNCATE ON claims_claim
    FOR EACH STATEMENT EXECUTE FUNCTION claims_tally_truncated('claims');

CREATE OR REPLACE TRIGGER claims_party_tally_insert AFTER INSERT ON claims_party
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_rows_tally('parties');
CREATE OR REPLACE TRIGGER claims_party_tally_delete AFTER DELETE ON claims_party
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_rows_tally('parties');
CREATE OR REPLACE TRIGGER claims_party_tally_truncate AFTER TRUNCATE ON claims_party
    FOR EACH STATEMENT EXECUTE FUNCTION claims_tally_truncated('parties');

CREATE OR REPLACE TRIGGER sources_article_tally_insert AFTER INSERT ON sources_article
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_article_tally();
CREATE OR REPLACE TRIGGER sources_article_tally_update AFTER UPDATE ON sources_article
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_article_tally();
CREATE OR REPLACE TRIGGER sources_article_tally_delete AFTER DELETE ON sources_article
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_article_tally();
CREATE OR REPLACE TRIGGER sources_article_tally_truncate AFTER TRUNCATE ON sources_article
    FOR EACH STATEMENT EXECUTE FUNCTION claims_tally_truncated('articles');
