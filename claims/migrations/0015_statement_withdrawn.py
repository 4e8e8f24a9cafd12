"""Revisions supersede (issue 15): statements a later revision no longer has are withdrawn, not deleted; claims
left with no live statement leave the lists.

- Statement.withdrawn_at / withdrawn_in, and a trigger that withdrawn_in is a later revision of the statement's
  article (a CHECK cannot look at another table).
- Every count kept by triggers leaves withdrawn statements out as it leaves rejected ones out: the claims'
  counters (0006), the claims' stance groups (0008), the tallies (0012, 0013): "statements" and
  "statements:pending" are the statements not withdrawn, the day counts the counted ones. Written once below
  with the predicates as tokens, so that the reverse migration puts back the same functions with the old ones.
- Claim.listed, a stored generated column (machine-made proposals nobody accepted, with no live statement and
  no verdict, are hidden); the claims' tallies "claims:<verdict>" count listed claims, so the dashboard agrees with the lists.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# A statement that counts (claims' counters, stances, day tallies): not rejected, not withdrawn. <S> is the row alias.
COUNTED_NOW = "<S>review_state <> 'rejected' AND <S>withdrawn_at IS NULL"
COUNTED_BEFORE = "<S>review_state <> 'rejected'"
# In the "statements" and "statements:pending" tallies.
LIVE_NOW, LIVE_BEFORE = "withdrawn_at IS NULL", "true"
PENDING_NOW, PENDING_BEFORE = "review_state = 'pending' AND withdrawn_at IS NULL", "review_state = 'pending'"
# In the "claims:<verdict>" tallies.
LISTED_NOW, LISTED_BEFORE = "merged_into_id IS NULL AND listed", "merged_into_id IS NULL"
# The columns whose change can move a statement in or out of the counts, for the row triggers' UPDATE OF.
MOVES_NOW, MOVES_BEFORE = ", withdrawn_at", ""

TRIGGERS = """
CREATE OR REPLACE FUNCTION claims_statement_counts() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.claim_id IS NOT NULL AND (<COUNTED OLD.>) THEN
        UPDATE claims_claim SET
            statement_count = statement_count - 1,
            backing_count = backing_count - (OLD.stance IN ('asserts', 'confirms'))::int,
            denial_count = denial_count - (OLD.stance = 'denies')::int
        WHERE id = OLD.claim_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.claim_id IS NOT NULL AND (<COUNTED NEW.>) THEN
        UPDATE claims_claim SET
            statement_count = statement_count + 1,
            backing_count = backing_count + (NEW.stance IN ('asserts', 'confirms'))::int,
            denial_count = denial_count + (NEW.stance = 'denies')::int
        WHERE id = NEW.claim_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER claims_statement_counts ON claims_statement;
CREATE TRIGGER claims_statement_counts
    AFTER INSERT OR DELETE OR UPDATE OF claim_id, stance, review_state<MOVES> ON claims_statement
    FOR EACH ROW EXECUTE FUNCTION claims_statement_counts();

CREATE OR REPLACE FUNCTION claims_stance_refresh_dates(p_claim bigint, p_party bigint, p_speaker text, p_stance text)
RETURNS void AS $$
    UPDATE claims_claimstance cs SET first_seen = r.first_seen, last_seen = r.last_seen
    FROM (
        SELECT min(COALESCE(a.published_at, s.created_at)) AS first_seen,
               max(COALESCE(a.published_at, s.created_at)) AS last_seen
        FROM claims_statement s JOIN sources_article a ON a.id = s.article_id
        WHERE s.claim_id = p_claim AND s.stance = p_stance AND (<COUNTED s.>)
          AND ((p_party IS NULL AND s.party_id IS NULL AND s.speaker_text = p_speaker) OR s.party_id = p_party)
    ) r
    WHERE cs.claim_id = p_claim AND cs.stance = p_stance AND cs.speaker = p_speaker
      AND ((p_party IS NULL AND cs.party_id IS NULL) OR cs.party_id = p_party);
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION claims_statement_stances() RETURNS trigger AS $$
DECLARE
    v_speaker text;
    v_seen timestamptz;
    v_group_id bigint;
    v_left_over integer;
    v_first timestamptz;
    v_last timestamptz;
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.claim_id IS NOT DISTINCT FROM OLD.claim_id AND NEW.party_id IS NOT DISTINCT FROM OLD.party_id
       AND NEW.speaker_text = OLD.speaker_text AND NEW.stance = OLD.stance AND NEW.article_id = OLD.article_id
       AND (<COUNTED NEW.>) = (<COUNTED OLD.>) THEN
        RETURN NULL;  -- the statement stays in its group with the same date: an accept, a cue fix, a new revision
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.claim_id IS NOT NULL AND (<COUNTED OLD.>) THEN
        v_speaker := CASE WHEN OLD.party_id IS NULL THEN OLD.speaker_text ELSE '' END;
        IF OLD.party_id IS NULL THEN
            UPDATE claims_claimstance cs SET statements = cs.statements - 1
            WHERE cs.claim_id = OLD.claim_id AND cs.party_id IS NULL AND cs.speaker = v_speaker AND cs.stance = OLD.stance
            RETURNING cs.id, cs.statements, cs.first_seen, cs.last_seen INTO v_group_id, v_left_over, v_first, v_last;
        ELSE
            UPDATE claims_claimstance cs SET statements = cs.statements - 1
            WHERE cs.claim_id = OLD.claim_id AND cs.party_id = OLD.party_id AND cs.speaker = '' AND cs.stance = OLD.stance
            RETURNING cs.id, cs.statements, cs.first_seen, cs.last_seen INTO v_group_id, v_left_over, v_first, v_last;
        END IF;
        IF v_left_over = 0 THEN
            DELETE FROM claims_claimstance WHERE id = v_group_id;
        ELSIF v_group_id IS NOT NULL THEN
            SELECT COALESCE(a.published_at, OLD.created_at) INTO v_seen FROM sources_article a WHERE a.id = OLD.article_id;
            IF v_seen IS NULL OR v_seen <= v_first OR v_seen >= v_last THEN
                PERFORM claims_stance_refresh_dates(OLD.claim_id, OLD.party_id, v_speaker, OLD.stance);
            END IF;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.claim_id IS NOT NULL AND (<COUNTED NEW.>) THEN
        v_speaker := CASE WHEN NEW.party_id IS NULL THEN NEW.speaker_text ELSE '' END;
        SELECT COALESCE(a.published_at, NEW.created_at) INTO v_seen FROM sources_article a WHERE a.id = NEW.article_id;
        INSERT INTO claims_claimstance AS cs (claim_id, party_id, speaker, stance, statements, first_seen, last_seen)
        VALUES (NEW.claim_id, NEW.party_id, v_speaker, NEW.stance, 1, v_seen, v_seen)
        ON CONFLICT ON CONSTRAINT claim_stance_unique DO UPDATE SET
            statements = cs.statements + 1,
            first_seen = LEAST(cs.first_seen, EXCLUDED.first_seen),
            last_seen = GREATEST(cs.last_seen, EXCLUDED.last_seen);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER claims_statement_stances ON claims_statement;
CREATE TRIGGER claims_statement_stances
    AFTER INSERT OR DELETE OR UPDATE OF claim_id, party_id, speaker_text, stance, review_state, article_id<MOVES>
    ON claims_statement FOR EACH ROW EXECUTE FUNCTION claims_statement_stances();

CREATE OR REPLACE FUNCTION claims_article_stance_dates() RETURNS trigger AS $$
BEGIN
    PERFORM claims_stance_refresh_dates(g.claim_id, g.party_id, g.speaker, g.stance)
    FROM (
        SELECT DISTINCT s.claim_id, s.party_id, CASE WHEN s.party_id IS NULL THEN s.speaker_text ELSE '' END AS speaker,
               s.stance
        FROM claims_statement s
        WHERE s.article_id = NEW.id AND s.claim_id IS NOT NULL AND (<COUNTED s.>)
    ) g;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION claims_statement_tally() RETURNS trigger AS $$
DECLARE
    v_all bigint := 0;
    v_pending bigint := 0;
    v_names text[];
    v_deltas bigint[];
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT v_all + count(*) FILTER (WHERE <LIVE>), v_pending + count(*) FILTER (WHERE <PENDING>)
        INTO v_all, v_pending FROM new_rows;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT v_all - count(*) FILTER (WHERE <LIVE>), v_pending - count(*) FILTER (WHERE <PENDING>)
        INTO v_all, v_pending FROM old_rows;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(name), array_agg(n) INTO v_names, v_deltas FROM (
            SELECT claims_statement_day(coalesce(a.published_at, s.created_at), s.stance) AS name, count(*) AS n
            FROM new_rows s JOIN sources_article a ON a.id = s.article_id
            WHERE <COUNTED s.> GROUP BY 1
        ) d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(name), array_agg(-n) INTO v_names, v_deltas FROM (
            SELECT claims_statement_day(coalesce(a.published_at, s.created_at), s.stance) AS name, count(*) AS n
            FROM old_rows s JOIN sources_article a ON a.id = s.article_id
            WHERE <COUNTED s.> GROUP BY 1
        ) d;
    ELSE
        SELECT array_agg(name), array_agg(n) INTO v_names, v_deltas FROM (
            SELECT claims_statement_day(coalesce(a.published_at, c.created_at), c.stance) AS name, sum(c.n) AS n
            FROM (
                SELECT s.article_id, s.created_at, s.stance, 1 AS n
                FROM new_rows s JOIN old_rows o ON o.id = s.id
                WHERE (<COUNTED s.>)
                  AND (s.article_id, s.created_at, s.stance, NOT (<COUNTED o.>))
                      IS DISTINCT FROM (o.article_id, o.created_at, o.stance, false)
                UNION ALL
                SELECT o.article_id, o.created_at, o.stance, -1
                FROM old_rows o JOIN new_rows s ON s.id = o.id
                WHERE (<COUNTED o.>)
                  AND (o.article_id, o.created_at, o.stance, NOT (<COUNTED s.>))
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

CREATE OR REPLACE FUNCTION claims_claim_tally() RETURNS trigger AS $$
DECLARE
    v_names text[];
    v_deltas bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg('claims:' || verdict), array_agg(n) INTO v_names, v_deltas
        FROM (SELECT verdict, count(*) AS n FROM new_rows WHERE <LISTED> GROUP BY verdict) d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg('claims:' || verdict), array_agg(-n) INTO v_names, v_deltas
        FROM (SELECT verdict, count(*) AS n FROM old_rows WHERE <LISTED> GROUP BY verdict) d;
    ELSE
        SELECT array_agg('claims:' || verdict), array_agg(n) INTO v_names, v_deltas
        FROM (
            SELECT verdict, sum(n) AS n FROM (
                SELECT verdict, 1 AS n FROM new_rows WHERE <LISTED>
                UNION ALL
                SELECT verdict, -1 FROM old_rows WHERE <LISTED>
            ) c GROUP BY verdict HAVING sum(n) <> 0
        ) d;
    END IF;
    IF v_names IS NOT NULL THEN
        PERFORM claims_tally_add(v_names, v_deltas);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

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
                JOIN claims_statement s ON s.article_id = moved.id AND (<COUNTED s.>)
            ) c GROUP BY name HAVING sum(n) <> 0
        ) d;
    END IF;
    IF v_names IS NOT NULL THEN
        PERFORM claims_tally_add(v_names, v_deltas);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION claims_tally_recount() RETURNS void AS $$
BEGIN
    LOCK TABLE claims_statement, claims_claim, claims_party, sources_article IN SHARE MODE;
    DELETE FROM claims_tally;
    INSERT INTO claims_tally (name, slot, n)
    SELECT 'statements', 0, count(*) FROM claims_statement WHERE <LIVE>
    UNION ALL
    SELECT 'statements:pending', 0, count(*) FROM claims_statement WHERE <PENDING>
    UNION ALL
    SELECT claims_statement_day(coalesce(a.published_at, s.created_at), s.stance), 0, count(*)
    FROM claims_statement s JOIN sources_article a ON a.id = s.article_id
    WHERE <COUNTED s.> GROUP BY 1
    UNION ALL
    SELECT 'claims:' || verdict, 0, count(*) FROM claims_claim WHERE <LISTED> GROUP BY verdict
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

# withdrawn_in: a later revision of the statement's own article.
WITHDRAWN_CHECK = """
CREATE FUNCTION claims_statement_withdrawn_check() RETURNS trigger AS $$
BEGIN
    IF NEW.withdrawn_in_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM sources_articlerevision later JOIN sources_articlerevision found ON found.id = NEW.revision_id
        WHERE later.id = NEW.withdrawn_in_id AND later.article_id = found.article_id AND later.number > found.number
    ) THEN
        RAISE EXCEPTION 'statement % is withdrawn in revision %, which is not a later revision of its article',
            NEW.id, NEW.withdrawn_in_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER claims_statement_withdrawn_check
    BEFORE INSERT OR UPDATE OF withdrawn_in_id, revision_id ON claims_statement
    FOR EACH ROW WHEN (NEW.withdrawn_in_id IS NOT NULL) EXECUTE FUNCTION claims_statement_withdrawn_check();
"""

DROP_WITHDRAWN_CHECK = """
DROP TRIGGER claims_statement_withdrawn_check ON claims_statement;
DROP FUNCTION claims_statement_withdrawn_check();
"""


def _triggers(*, counted: str, live: str, pending: str, listed: str, moves: str) -> str:
    sql = TRIGGERS
    for alias in ("OLD.", "NEW.", "s.", "o."):
        sql = sql.replace(f"<COUNTED {alias}>", counted.replace("<S>", alias))
    for token, value in (("<LIVE>", live), ("<PENDING>", pending), ("<LISTED>", listed), ("<MOVES>", moves)):
        sql = sql.replace(token, value)
    assert "<" not in sql.replace("<>", "").replace("<=", "")  # noqa: S101 -- every token replaced
    return sql


TRIGGERS_NOW = _triggers(counted=COUNTED_NOW, live=LIVE_NOW, pending=PENDING_NOW, listed=LISTED_NOW, moves=MOVES_NOW)
TRIGGERS_BEFORE = _triggers(
    counted=COUNTED_BEFORE, live=LIVE_BEFORE, pending=PENDING_BEFORE, listed=LISTED_BEFORE, moves=MOVES_BEFORE
)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0014_data_version'),
        ('sources', '0004_article_refetch'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='statement',
            name='statement_pending_idx',
        ),
        migrations.AddField(
            model_name='statement',
            name='withdrawn_in',
            field=models.ForeignKey(blank=True, help_text='The revision of the article that no longer has the statement.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='sources.articlerevision'),
        ),
        migrations.AddField(
            model_name='statement',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(condition=models.Q(('review_state', 'pending'), ('withdrawn_at__isnull', True)), fields=['created_at', 'id'], name='statement_pending_idx'),
        ),
        migrations.AddConstraint(
            model_name='statement',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('withdrawn_at__isnull', True), ('withdrawn_in__isnull', True)), models.Q(('withdrawn_at__isnull', False), ('withdrawn_in__isnull', False)), _connector='OR'), name='statement_withdrawn_names_its_revision'),
        ),
        migrations.AddConstraint(
            model_name='statement',
            constraint=models.CheckConstraint(condition=models.Q(('withdrawn_in', models.F('revision')), _negated=True), name='statement_not_withdrawn_from_its_own_revision'),
        ),
        migrations.AddField(
            model_name='claim',
            name='listed',
            field=models.GeneratedField(db_persist=True, expression=models.Q(('origin', 'analyst'), ('review_state', 'accepted'), ('statement_count__gt', 0), models.Q(('verdict', 'unverified'), _negated=True), _connector='OR'), output_field=models.BooleanField()),
        ),
        migrations.RunSQL(WITHDRAWN_CHECK, DROP_WITHDRAWN_CHECK),
        migrations.RunSQL(TRIGGERS_NOW, TRIGGERS_BEFORE),
    ]
