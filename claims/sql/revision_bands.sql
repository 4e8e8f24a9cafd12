-- sources_revisionband: one row per MinHash LSH band key of a revision's text, the near-duplicate check's index
-- (sources.selectors.revision_near_candidates). Kept from sources_articlerevision.lsh_bands on every write path: the
-- ORM, bulk updates, raw SQL, loads. Deleting a revision deletes its rows here, before the foreign key is checked at
-- commit. Three triggers for their WHEN clauses: a load of texts without bands (the generator's) calls nothing.
-- Here rather than in a sources migration because every function and trigger of the tracker lives in these files.

CREATE OR REPLACE FUNCTION sources_revision_bands_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM sources_revisionband WHERE revision_id = OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN NULL;
    END IF;
    INSERT INTO sources_revisionband (key, revision_id)
    SELECT DISTINCT k, NEW.id FROM unnest(NEW.lsh_bands) AS k WHERE k IS NOT NULL;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER sources_revision_bands_insert AFTER INSERT ON sources_articlerevision
    FOR EACH ROW WHEN ((cardinality(new.lsh_bands) > 0)) EXECUTE FUNCTION sources_revision_bands_keep();
CREATE OR REPLACE TRIGGER sources_revision_bands_update AFTER UPDATE OF lsh_bands ON sources_articlerevision
    FOR EACH ROW WHEN ((new.lsh_bands IS DISTINCT FROM old.lsh_bands)) EXECUTE FUNCTION sources_revision_bands_keep();
CREATE OR REPLACE TRIGGER sources_revision_bands_delete AFTER DELETE ON sources_articlerevision
    FOR EACH ROW WHEN ((cardinality(old.lsh_bands) > 0)) EXECUTE FUNCTION sources_revision_bands_keep();
