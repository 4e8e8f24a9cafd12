-- claims_claimstance: each claim's (party or speaker, stance) groups, with how many of their statements an analyst
-- accepted (the public page's count); claims_claimpartyday: each claim's (party, day, stance) counts (the "who said
-- it when" chart; statements with no resolved party are not in it).
-- The group a statement counts in: its claim, its party (or, unresolved, its speaker's words) and its stance.
-- Rejected statements and positions (no claim) count nowhere. "seen" is the article's publication, or the
-- statement's creation when the article has no date; its day is that moment's date in UTC. Adding is an upsert;
-- removing decrements, deletes an empty group or day, and recomputes first/last seen only when the statement
-- removed was at either end (rare: a rejection, a move, a delete). An accept or an un-accept moves `accepted` only.
-- A (claim, party, day, stance) row is only written together with its (claim, party, stance) group, after it:
-- it adds no lock order of its own.

CREATE OR REPLACE FUNCTION claims_utc_day(p_at timestamptz) RETURNS date AS $$
    SELECT (p_at AT TIME ZONE 'UTC')::date;
$$ LANGUAGE sql IMMUTABLE;

-- One statement of a claim and a party more (p_delta 1) or less (-1) on a day.
CREATE OR REPLACE FUNCTION claims_claim_party_day_add(p_claim bigint, p_party bigint, p_day date, p_stance text,
                                                      p_delta integer) RETURNS void AS $$
BEGIN
    IF p_delta > 0 THEN
        INSERT INTO claims_claimpartyday AS d (claim_id, party_id, day, stance, statements)
        VALUES (p_claim, p_party, p_day, p_stance, p_delta)
        ON CONFLICT (claim_id, party_id, day, stance) DO UPDATE SET statements = d.statements + EXCLUDED.statements;
    ELSE
        DELETE FROM claims_claimpartyday
        WHERE claim_id = p_claim AND party_id = p_party AND day = p_day AND stance = p_stance
          AND statements <= -p_delta;
        IF NOT FOUND THEN
            UPDATE claims_claimpartyday SET statements = statements + p_delta
            WHERE claim_id = p_claim AND party_id = p_party AND day = p_day AND stance = p_stance;
        END IF;
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION claims_stance_refresh_dates(p_claim bigint, p_party bigint, p_speaker text, p_stance text)
RETURNS void AS $$
    UPDATE claims_claimstance cs SET first_seen = r.first_seen, last_seen = r.last_seen
    FROM (
        SELECT min(COALESCE(a.published_at, s.created_at)) AS first_seen,
               max(COALESCE(a.published_at, s.created_at)) AS last_seen
        FROM claims_statement s JOIN sources_article a ON a.id = s.article_id
        WHERE s.claim_id = p_claim AND s.stance = p_stance AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
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
       AND (NEW.review_state = 'rejected' OR NEW.withdrawn_at IS NOT NULL)
           = (OLD.review_state = 'rejected' OR OLD.withdrawn_at IS NOT NULL) THEN
        -- the statement stays in its group with the same date: a cue fix, or an accept that moves `accepted`
        IF NEW.claim_id IS NOT NULL AND NEW.review_state <> 'rejected' AND NEW.withdrawn_at IS NULL
           AND (NEW.review_state = 'accepted') <> (OLD.review_state = 'accepted') THEN
            UPDATE claims_claimstance cs
            SET accepted = cs.accepted + CASE WHEN NEW.review_state = 'accepted' THEN 1 ELSE -1 END
            WHERE cs.claim_id = NEW.claim_id AND cs.stance = NEW.stance
              AND cs.speaker = CASE WHEN NEW.party_id IS NULL THEN NEW.speaker_text ELSE '' END
              AND ((NEW.party_id IS NULL AND cs.party_id IS NULL) OR cs.party_id = NEW.party_id);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.claim_id IS NOT NULL AND OLD.review_state <> 'rejected' AND OLD.withdrawn_at IS NULL THEN
        v_speaker := CASE WHEN OLD.party_id IS NULL THEN OLD.speaker_text ELSE '' END;
        IF OLD.party_id IS NULL THEN
            UPDATE claims_claimstance cs
            SET statements = cs.statements - 1, accepted = cs.accepted - (OLD.review_state = 'accepted')::int
            WHERE cs.claim_id = OLD.claim_id AND cs.party_id IS NULL AND cs.speaker = v_speaker AND cs.stance = OLD.stance
            RETURNING cs.id, cs.statements, cs.first_seen, cs.last_seen INTO v_group_id, v_left_over, v_first, v_last;
        ELSE
            UPDATE claims_claimstance cs
            SET statements = cs.statements - 1, accepted = cs.accepted - (OLD.review_state = 'accepted')::int
            WHERE cs.claim_id = OLD.claim_id AND cs.party_id = OLD.party_id AND cs.speaker = '' AND cs.stance = OLD.stance
            RETURNING cs.id, cs.statements, cs.first_seen, cs.last_seen INTO v_group_id, v_left_over, v_first, v_last;
        END IF;
        SELECT COALESCE(a.published_at, OLD.created_at) INTO v_seen FROM sources_article a WHERE a.id = OLD.article_id;
        IF v_left_over = 0 THEN
            DELETE FROM claims_claimstance WHERE id = v_group_id;
        ELSIF v_group_id IS NOT NULL THEN
            IF v_seen IS NULL OR v_seen <= v_first OR v_seen >= v_last THEN
                PERFORM claims_stance_refresh_dates(OLD.claim_id, OLD.party_id, v_speaker, OLD.stance);
            END IF;
        END IF;
        IF OLD.party_id IS NOT NULL THEN
            PERFORM claims_claim_party_day_add(
                OLD.claim_id, OLD.party_id, claims_utc_day(COALESCE(v_seen, OLD.created_at)), OLD.stance, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.claim_id IS NOT NULL AND NEW.review_state <> 'rejected' AND NEW.withdrawn_at IS NULL THEN
        v_speaker := CASE WHEN NEW.party_id IS NULL THEN NEW.speaker_text ELSE '' END;
        SELECT COALESCE(a.published_at, NEW.created_at) INTO v_seen FROM sources_article a WHERE a.id = NEW.article_id;
        INSERT INTO claims_claimstance AS cs (claim_id, party_id, speaker, stance, statements, accepted, first_seen, last_seen)
        VALUES (NEW.claim_id, NEW.party_id, v_speaker, NEW.stance, 1, (NEW.review_state = 'accepted')::int, v_seen, v_seen)
        ON CONFLICT ON CONSTRAINT claim_stance_unique DO UPDATE SET
            statements = cs.statements + 1,
            accepted = cs.accepted + EXCLUDED.accepted,
            first_seen = LEAST(cs.first_seen, EXCLUDED.first_seen),
            last_seen = GREATEST(cs.last_seen, EXCLUDED.last_seen);
        IF NEW.party_id IS NOT NULL THEN
            PERFORM claims_claim_party_day_add(
                NEW.claim_id, NEW.party_id, claims_utc_day(COALESCE(v_seen, NEW.created_at)), NEW.stance, 1);
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER claims_statement_stances
    AFTER INSERT OR DELETE OR UPDATE OF claim_id, party_id, speaker_text, stance, review_state, article_id, withdrawn_at
    ON claims_statement FOR EACH ROW EXECUTE FUNCTION claims_statement_stances();

-- A re-fetch can change an article's date: the groups its statements count in get their dates again, and those
-- statements move from their old day to their new one.
CREATE OR REPLACE FUNCTION claims_article_stance_dates() RETURNS trigger AS $$
BEGIN
    PERFORM claims_stance_refresh_dates(g.claim_id, g.party_id, g.speaker, g.stance)
    FROM (
        SELECT DISTINCT s.claim_id, s.party_id, CASE WHEN s.party_id IS NULL THEN s.speaker_text ELSE '' END AS speaker,
               s.stance
        FROM claims_statement s
        WHERE s.article_id = NEW.id AND s.claim_id IS NOT NULL AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
    ) g;
    PERFORM claims_claim_party_day_add(m.claim_id, m.party_id, m.day, m.stance, m.n)
    FROM (
        SELECT s.claim_id, s.party_id, claims_utc_day(COALESCE(OLD.published_at, s.created_at)) AS day, s.stance,
               -count(*)::int AS n
        FROM claims_statement s
        WHERE s.article_id = NEW.id AND s.claim_id IS NOT NULL AND s.party_id IS NOT NULL
          AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
        GROUP BY 1, 2, 3, 4
        UNION ALL
        SELECT s.claim_id, s.party_id, claims_utc_day(COALESCE(NEW.published_at, s.created_at)), s.stance, count(*)::int
        FROM claims_statement s
        WHERE s.article_id = NEW.id AND s.claim_id IS NOT NULL AND s.party_id IS NOT NULL
          AND s.review_state <> 'rejected' AND s.withdrawn_at IS NULL
        GROUP BY 1, 2, 3, 4
        ORDER BY n  -- the old days out before the new ones in: a day that stays is never deleted on the way
    ) m;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER claims_article_stance_dates
    AFTER UPDATE OF published_at ON sources_article
    FOR EACH ROW WHEN ((old.published_at IS DISTINCT FROM new.published_at))
    EXECUTE FUNCTION claims_article_stance_dates();
