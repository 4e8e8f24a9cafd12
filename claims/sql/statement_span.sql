-- Statements inside their revision: offsets within the text, the quote equal to the text at those offsets, and
-- the statement's article equal to the revision's article (a CHECK constraint cannot read another table).

CREATE OR REPLACE FUNCTION claims_statement_span_check() RETURNS trigger AS $$
DECLARE
    body text;
    owner bigint;
BEGIN
    SELECT text, article_id INTO body, owner FROM sources_articlerevision WHERE id = NEW.revision_id;
    IF NEW."end" > char_length(body) THEN
        RAISE EXCEPTION 'statement span %-% is outside revision % (% characters)',
            NEW.start, NEW."end", NEW.revision_id, char_length(body) USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.cue_end IS NOT NULL AND NEW.cue_end > char_length(body) THEN
        RAISE EXCEPTION 'statement cue span is outside revision %', NEW.revision_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF substr(body, NEW.start + 1, NEW."end" - NEW.start) <> NEW.quote THEN
        RAISE EXCEPTION 'statement quote does not match revision % at %-%', NEW.revision_id, NEW.start, NEW."end"
            USING ERRCODE = 'check_violation';
    END IF;
    IF owner <> NEW.article_id THEN
        RAISE EXCEPTION 'statement article % is not the article of revision %', NEW.article_id, NEW.revision_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER claims_statement_span_check
    BEFORE INSERT OR UPDATE OF revision_id, article_id, start, "end", cue_end, quote ON claims_statement
    FOR EACH ROW EXECUTE FUNCTION claims_statement_span_check();
