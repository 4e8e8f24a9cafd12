-- claims_claim.statement_count / backing_count / denial_count equal to the claim's statements that are not
-- rejected (all, asserting or confirming, denying), whatever writes them: services, bulk updates, deletes, merges.

CREATE OR REPLACE FUNCTION claims_statement_counts() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.claim_id IS NOT NULL AND OLD.review_state <> 'rejected' THEN
        UPDATE claims_claim SET
            statement_count = statement_count - 1,
            backing_count = backing_count - (OLD.stance IN ('asserts', 'confirms'))::int,
            denial_count = denial_count - (OLD.stance = 'denies')::int
        WHERE id = OLD.claim_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.claim_id IS NOT NULL AND NEW.review_state <> 'rejected' THEN
        UPDATE claims_claim SET
            statement_count = statement_count + 1,
            backing_count = backing_count + (NEW.stance IN ('asserts', 'confirms'))::int,
            denial_count = denial_count + (NEW.stance = 'denies')::int
        WHERE id = NEW.claim_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER claims_statement_counts
    AFTER INSERT OR DELETE OR UPDATE OF claim_id, stance, review_state ON claims_statement
    FOR EACH ROW EXECUTE FUNCTION claims_statement_counts();
