-- Lookups generation (decision 0018). Ingest keeps what it looks up for every package (the
-- endpoint hosting an agency, routes, the catalogue, the signature rules) in memory and checks
-- it against this counter, which every change to those tables bumps, by any process or node.
-- Keep in step with ../sqlite/0005_lookups_generation.sql.
CREATE TABLE lookups_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO lookups_generation (id, n) VALUES (1, 0);

-- Once per statement: a bulk import bumps it once.
CREATE FUNCTION bump_lookups_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lookups_generation SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER agencies_lookups AFTER INSERT OR DELETE OR UPDATE OF code, old_code, endpoint_id ON agencies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_lookups_generation();
CREATE TRIGGER endpoints_lookups AFTER INSERT OR DELETE OR UPDATE OF name, mode ON endpoints
    FOR EACH STATEMENT EXECUTE FUNCTION bump_lookups_generation();
CREATE TRIGGER doc_types_lookups AFTER INSERT OR DELETE OR UPDATE ON doc_types
    FOR EACH STATEMENT EXECUTE FUNCTION bump_lookups_generation();
CREATE TRIGGER signature_rules_lookups AFTER INSERT OR DELETE OR UPDATE ON signature_rules
    FOR EACH STATEMENT EXECUTE FUNCTION bump_lookups_generation();
