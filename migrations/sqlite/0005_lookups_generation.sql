-- Lookups generation (decision 0018). Ingest keeps what it looks up for every package (the
-- endpoint hosting an agency, routes, the catalogue, the signature rules) in memory and checks
-- it against this counter, which every change to those tables bumps, by any process or node.
-- Keep in step with ../postgres/0005_lookups_generation.sql.
CREATE TABLE lookups_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO lookups_generation (id, n) VALUES (1, 0);
CREATE TRIGGER agencies_lookups_insert AFTER INSERT ON agencies
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER agencies_lookups_delete AFTER DELETE ON agencies
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER agencies_lookups_update AFTER UPDATE OF code, old_code, endpoint_id ON agencies
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER endpoints_lookups_insert AFTER INSERT ON endpoints
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER endpoints_lookups_delete AFTER DELETE ON endpoints
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER endpoints_lookups_update AFTER UPDATE OF name, mode ON endpoints
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER doc_types_lookups_insert AFTER INSERT ON doc_types
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER doc_types_lookups_delete AFTER DELETE ON doc_types
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER doc_types_lookups_update AFTER UPDATE ON doc_types
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER signature_rules_lookups_insert AFTER INSERT ON signature_rules
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER signature_rules_lookups_delete AFTER DELETE ON signature_rules
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER signature_rules_lookups_update AFTER UPDATE ON signature_rules
BEGIN UPDATE lookups_generation SET n = n + 1 WHERE id = 1; END;
