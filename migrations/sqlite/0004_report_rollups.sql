-- Report rollups (issue 7, decision 0029), SQLite dialect. Keep in step with
-- ../postgres/0004_report_rollups.sql. Written by tools/report-rollups.py: change that and rerun
-- it rather than editing this file.
--
-- Per agency and local day (Vietnam time: day = (sent_at + 7 h) div 24 h, the day the document
-- reached the hub), the counts a report adds up, kept by triggers in the same transaction as the
-- rows they summarise, whatever writes them (ingest, statuses, revoke/update, repairs), so they
-- never disagree: report_sent from document_facts (the sender's side), report_received from
-- receipts (the receiver's side). Besides plain counts, report_received holds:
-- - unanswered: receipts with no status yet, revoked ones (change 13/15) left out;
-- - lateK: receipts first answered K or more local days after the day they were sent, revoked
--   ones left out; with the operator's holidays a report turns these into overdue counts;
-- - hN: answered receipts whose first status came after a delay in bucket N. The lower bounds of
--   h1, h2, … in seconds (h0: under a second):
--   1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800,
--   14400, 21600, 28800, 43200, 57600, 86400, 108000, 129600, 151200, 172800, 216000, 259200,
--   345600, 432000, 604800, 864000, 1209600, 1814400, 2592000, 5184000.
--   A report finds the bucket that holds the median, then reads that bucket's delays in order
--   from receipts_delay: the median stays exact.

-- Documents an agency sent, by the day they reached the hub.
CREATE TABLE report_sent (
    agency TEXT NOT NULL,
    day INTEGER NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0,
    signed INTEGER NOT NULL DEFAULT 0,
    paperless INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agency, day)
) WITHOUT ROWID;
-- What was there before this migration.
INSERT INTO report_sent (agency, day, sent, signed, paperless)
SELECT r.sender, (r.sent_at + 25200000) / 86400000,
    SUM(1),
    SUM(CASE WHEN r.signed <> 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.paper = 0 THEN 1 ELSE 0 END)
FROM document_facts r WHERE r.sent_at IS NOT NULL GROUP BY 1, 2;

CREATE TRIGGER document_facts_report_insert AFTER INSERT ON document_facts
WHEN NEW.sent_at IS NOT NULL
BEGIN
    INSERT INTO report_sent (agency, day, sent, signed, paperless)
    VALUES (NEW.sender, (NEW.sent_at + 25200000) / 86400000,
        1,
        CASE WHEN NEW.signed <> 0 THEN 1 ELSE 0 END,
        CASE WHEN NEW.paper = 0 THEN 1 ELSE 0 END)
    ON CONFLICT (agency, day) DO UPDATE SET
        sent = report_sent.sent + excluded.sent,
        signed = report_sent.signed + excluded.signed,
        paperless = report_sent.paperless + excluded.paperless;
END;

CREATE TRIGGER document_facts_report_update AFTER UPDATE OF sender, signed, paper, sent_at ON document_facts
WHEN OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL AND OLD.sender = NEW.sender AND (OLD.sent_at + 25200000) / 86400000 = (NEW.sent_at + 25200000) / 86400000
BEGIN
    UPDATE report_sent SET
        signed = signed + (CASE WHEN NEW.signed <> 0 THEN 1 ELSE 0 END) - (CASE WHEN OLD.signed <> 0 THEN 1 ELSE 0 END),
        paperless = paperless + (CASE WHEN NEW.paper = 0 THEN 1 ELSE 0 END) - (CASE WHEN OLD.paper = 0 THEN 1 ELSE 0 END)
    WHERE agency = NEW.sender AND day = (NEW.sent_at + 25200000) / 86400000;
END;

CREATE TRIGGER document_facts_report_move_out AFTER UPDATE OF sender, signed, paper, sent_at ON document_facts
WHEN OLD.sent_at IS NOT NULL AND NOT (OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL AND OLD.sender = NEW.sender AND (OLD.sent_at + 25200000) / 86400000 = (NEW.sent_at + 25200000) / 86400000)
BEGIN
    UPDATE report_sent SET
        sent = sent - 1,
        signed = signed - (CASE WHEN OLD.signed <> 0 THEN 1 ELSE 0 END),
        paperless = paperless - (CASE WHEN OLD.paper = 0 THEN 1 ELSE 0 END)
    WHERE agency = OLD.sender AND day = (OLD.sent_at + 25200000) / 86400000;
END;

CREATE TRIGGER document_facts_report_move_in AFTER UPDATE OF sender, signed, paper, sent_at ON document_facts
WHEN NEW.sent_at IS NOT NULL AND NOT (OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL AND OLD.sender = NEW.sender AND (OLD.sent_at + 25200000) / 86400000 = (NEW.sent_at + 25200000) / 86400000)
BEGIN
    INSERT INTO report_sent (agency, day, sent, signed, paperless)
    VALUES (NEW.sender, (NEW.sent_at + 25200000) / 86400000,
        1,
        CASE WHEN NEW.signed <> 0 THEN 1 ELSE 0 END,
        CASE WHEN NEW.paper = 0 THEN 1 ELSE 0 END)
    ON CONFLICT (agency, day) DO UPDATE SET
        sent = report_sent.sent + excluded.sent,
        signed = report_sent.signed + excluded.signed,
        paperless = report_sent.paperless + excluded.paperless;
END;

CREATE TRIGGER document_facts_report_delete AFTER DELETE ON document_facts
WHEN OLD.sent_at IS NOT NULL
BEGIN
    UPDATE report_sent SET
        sent = sent - 1,
        signed = signed - (CASE WHEN OLD.signed <> 0 THEN 1 ELSE 0 END),
        paperless = paperless - (CASE WHEN OLD.paper = 0 THEN 1 ELSE 0 END)
    WHERE agency = OLD.sender AND day = (OLD.sent_at + 25200000) / 86400000;
END;

-- Documents an agency was sent and what it answered, by the day they reached the hub.
CREATE TABLE report_received (
    agency TEXT NOT NULL,
    day INTEGER NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    acknowledged INTEGER NOT NULL DEFAULT 0,
    accepted INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    unanswered INTEGER NOT NULL DEFAULT 0,
    late2 INTEGER NOT NULL DEFAULT 0,
    late3 INTEGER NOT NULL DEFAULT 0,
    late4 INTEGER NOT NULL DEFAULT 0,
    late5 INTEGER NOT NULL DEFAULT 0,
    late6 INTEGER NOT NULL DEFAULT 0,
    late7 INTEGER NOT NULL DEFAULT 0,
    late8 INTEGER NOT NULL DEFAULT 0,
    late9 INTEGER NOT NULL DEFAULT 0,
    late10 INTEGER NOT NULL DEFAULT 0,
    late11 INTEGER NOT NULL DEFAULT 0,
    late12 INTEGER NOT NULL DEFAULT 0,
    late13 INTEGER NOT NULL DEFAULT 0,
    late14 INTEGER NOT NULL DEFAULT 0,
    late15 INTEGER NOT NULL DEFAULT 0,
    h0 INTEGER NOT NULL DEFAULT 0,
    h1 INTEGER NOT NULL DEFAULT 0,
    h2 INTEGER NOT NULL DEFAULT 0,
    h3 INTEGER NOT NULL DEFAULT 0,
    h4 INTEGER NOT NULL DEFAULT 0,
    h5 INTEGER NOT NULL DEFAULT 0,
    h6 INTEGER NOT NULL DEFAULT 0,
    h7 INTEGER NOT NULL DEFAULT 0,
    h8 INTEGER NOT NULL DEFAULT 0,
    h9 INTEGER NOT NULL DEFAULT 0,
    h10 INTEGER NOT NULL DEFAULT 0,
    h11 INTEGER NOT NULL DEFAULT 0,
    h12 INTEGER NOT NULL DEFAULT 0,
    h13 INTEGER NOT NULL DEFAULT 0,
    h14 INTEGER NOT NULL DEFAULT 0,
    h15 INTEGER NOT NULL DEFAULT 0,
    h16 INTEGER NOT NULL DEFAULT 0,
    h17 INTEGER NOT NULL DEFAULT 0,
    h18 INTEGER NOT NULL DEFAULT 0,
    h19 INTEGER NOT NULL DEFAULT 0,
    h20 INTEGER NOT NULL DEFAULT 0,
    h21 INTEGER NOT NULL DEFAULT 0,
    h22 INTEGER NOT NULL DEFAULT 0,
    h23 INTEGER NOT NULL DEFAULT 0,
    h24 INTEGER NOT NULL DEFAULT 0,
    h25 INTEGER NOT NULL DEFAULT 0,
    h26 INTEGER NOT NULL DEFAULT 0,
    h27 INTEGER NOT NULL DEFAULT 0,
    h28 INTEGER NOT NULL DEFAULT 0,
    h29 INTEGER NOT NULL DEFAULT 0,
    h30 INTEGER NOT NULL DEFAULT 0,
    h31 INTEGER NOT NULL DEFAULT 0,
    h32 INTEGER NOT NULL DEFAULT 0,
    h33 INTEGER NOT NULL DEFAULT 0,
    h34 INTEGER NOT NULL DEFAULT 0,
    h35 INTEGER NOT NULL DEFAULT 0,
    h36 INTEGER NOT NULL DEFAULT 0,
    h37 INTEGER NOT NULL DEFAULT 0,
    h38 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agency, day)
) WITHOUT ROWID;
-- What was there before this migration.
INSERT INTO report_received (agency, day, received, acknowledged, accepted, completed, rejected, unanswered, late2, late3, late4, late5, late6, late7, late8, late9, late10, late11, late12, late13, late14, late15, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23, h24, h25, h26, h27, h28, h29, h30, h31, h32, h33, h34, h35, h36, h37, h38)
SELECT r.receiver, (r.sent_at + 25200000) / 86400000,
    SUM(1),
    SUM(CASE WHEN r.first_status_at IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.status = '06' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.status = '02' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 3 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 5 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 7 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 8 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 9 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 10 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 11 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 12 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 13 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 14 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND (r.change IS NULL OR r.change NOT IN ('13', '15')) AND (r.first_status_at + 25200000) / 86400000 - (r.sent_at + 25200000) / 86400000 >= 15 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at < 1000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 1000 AND r.first_status_at - r.sent_at < 2000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 2000 AND r.first_status_at - r.sent_at < 5000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 5000 AND r.first_status_at - r.sent_at < 10000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 10000 AND r.first_status_at - r.sent_at < 20000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 20000 AND r.first_status_at - r.sent_at < 30000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 30000 AND r.first_status_at - r.sent_at < 60000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 60000 AND r.first_status_at - r.sent_at < 120000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 120000 AND r.first_status_at - r.sent_at < 300000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 300000 AND r.first_status_at - r.sent_at < 600000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 600000 AND r.first_status_at - r.sent_at < 900000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 900000 AND r.first_status_at - r.sent_at < 1200000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 1200000 AND r.first_status_at - r.sent_at < 1800000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 1800000 AND r.first_status_at - r.sent_at < 2700000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 2700000 AND r.first_status_at - r.sent_at < 3600000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 3600000 AND r.first_status_at - r.sent_at < 5400000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 5400000 AND r.first_status_at - r.sent_at < 7200000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 7200000 AND r.first_status_at - r.sent_at < 10800000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 10800000 AND r.first_status_at - r.sent_at < 14400000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 14400000 AND r.first_status_at - r.sent_at < 21600000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 21600000 AND r.first_status_at - r.sent_at < 28800000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 28800000 AND r.first_status_at - r.sent_at < 43200000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 43200000 AND r.first_status_at - r.sent_at < 57600000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 57600000 AND r.first_status_at - r.sent_at < 86400000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 86400000 AND r.first_status_at - r.sent_at < 108000000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 108000000 AND r.first_status_at - r.sent_at < 129600000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 129600000 AND r.first_status_at - r.sent_at < 151200000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 151200000 AND r.first_status_at - r.sent_at < 172800000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 172800000 AND r.first_status_at - r.sent_at < 216000000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 216000000 AND r.first_status_at - r.sent_at < 259200000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 259200000 AND r.first_status_at - r.sent_at < 345600000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 345600000 AND r.first_status_at - r.sent_at < 432000000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 432000000 AND r.first_status_at - r.sent_at < 604800000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 604800000 AND r.first_status_at - r.sent_at < 864000000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 864000000 AND r.first_status_at - r.sent_at < 1209600000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 1209600000 AND r.first_status_at - r.sent_at < 1814400000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 1814400000 AND r.first_status_at - r.sent_at < 2592000000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 2592000000 AND r.first_status_at - r.sent_at < 5184000000 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.first_status_at IS NOT NULL AND r.first_status_at - r.sent_at >= 5184000000 THEN 1 ELSE 0 END)
FROM receipts r WHERE r.sent_at IS NOT NULL GROUP BY 1, 2;

CREATE TRIGGER receipts_report_fresh AFTER INSERT ON receipts
WHEN NEW.sent_at IS NOT NULL AND NEW.status IS NULL AND NEW.first_status_at IS NULL
BEGIN
    INSERT INTO report_received (agency, day, received, unanswered)
    VALUES (NEW.receiver, (NEW.sent_at + 25200000) / 86400000,
        1,
        CASE WHEN NEW.first_status_at IS NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) THEN 1 ELSE 0 END)
    ON CONFLICT (agency, day) DO UPDATE SET
        received = report_received.received + excluded.received,
        unanswered = report_received.unanswered + excluded.unanswered;
END;

CREATE TRIGGER receipts_report_insert AFTER INSERT ON receipts
WHEN NEW.sent_at IS NOT NULL AND NOT (NEW.sent_at IS NOT NULL AND NEW.status IS NULL AND NEW.first_status_at IS NULL)
BEGIN
    INSERT INTO report_received (agency, day, received, acknowledged, accepted, completed, rejected, unanswered, late2, late3, late4, late5, late6, late7, late8, late9, late10, late11, late12, late13, late14, late15, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23, h24, h25, h26, h27, h28, h29, h30, h31, h32, h33, h34, h35, h36, h37, h38)
    VALUES (NEW.receiver, (NEW.sent_at + 25200000) / 86400000,
        1,
        CASE WHEN NEW.first_status_at IS NOT NULL THEN 1 ELSE 0 END,
        CASE WHEN NEW.status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END,
        CASE WHEN NEW.status = '06' THEN 1 ELSE 0 END,
        CASE WHEN NEW.status = '02' THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 3 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 4 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 5 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 6 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 7 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 8 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 9 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 10 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 11 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 12 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 13 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 14 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 15 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at < 1000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1000 AND NEW.first_status_at - NEW.sent_at < 2000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 2000 AND NEW.first_status_at - NEW.sent_at < 5000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 5000 AND NEW.first_status_at - NEW.sent_at < 10000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 10000 AND NEW.first_status_at - NEW.sent_at < 20000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 20000 AND NEW.first_status_at - NEW.sent_at < 30000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 30000 AND NEW.first_status_at - NEW.sent_at < 60000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 60000 AND NEW.first_status_at - NEW.sent_at < 120000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 120000 AND NEW.first_status_at - NEW.sent_at < 300000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 300000 AND NEW.first_status_at - NEW.sent_at < 600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 600000 AND NEW.first_status_at - NEW.sent_at < 900000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 900000 AND NEW.first_status_at - NEW.sent_at < 1200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1200000 AND NEW.first_status_at - NEW.sent_at < 1800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1800000 AND NEW.first_status_at - NEW.sent_at < 2700000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 2700000 AND NEW.first_status_at - NEW.sent_at < 3600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 3600000 AND NEW.first_status_at - NEW.sent_at < 5400000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 5400000 AND NEW.first_status_at - NEW.sent_at < 7200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 7200000 AND NEW.first_status_at - NEW.sent_at < 10800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 10800000 AND NEW.first_status_at - NEW.sent_at < 14400000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 14400000 AND NEW.first_status_at - NEW.sent_at < 21600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 21600000 AND NEW.first_status_at - NEW.sent_at < 28800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 28800000 AND NEW.first_status_at - NEW.sent_at < 43200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 43200000 AND NEW.first_status_at - NEW.sent_at < 57600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 57600000 AND NEW.first_status_at - NEW.sent_at < 86400000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 86400000 AND NEW.first_status_at - NEW.sent_at < 108000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 108000000 AND NEW.first_status_at - NEW.sent_at < 129600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 129600000 AND NEW.first_status_at - NEW.sent_at < 151200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 151200000 AND NEW.first_status_at - NEW.sent_at < 172800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 172800000 AND NEW.first_status_at - NEW.sent_at < 216000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 216000000 AND NEW.first_status_at - NEW.sent_at < 259200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 259200000 AND NEW.first_status_at - NEW.sent_at < 345600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 345600000 AND NEW.first_status_at - NEW.sent_at < 432000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 432000000 AND NEW.first_status_at - NEW.sent_at < 604800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 604800000 AND NEW.first_status_at - NEW.sent_at < 864000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 864000000 AND NEW.first_status_at - NEW.sent_at < 1209600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1209600000 AND NEW.first_status_at - NEW.sent_at < 1814400000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1814400000 AND NEW.first_status_at - NEW.sent_at < 2592000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 2592000000 AND NEW.first_status_at - NEW.sent_at < 5184000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 5184000000 THEN 1 ELSE 0 END)
    ON CONFLICT (agency, day) DO UPDATE SET
        received = report_received.received + excluded.received,
        acknowledged = report_received.acknowledged + excluded.acknowledged,
        accepted = report_received.accepted + excluded.accepted,
        completed = report_received.completed + excluded.completed,
        rejected = report_received.rejected + excluded.rejected,
        unanswered = report_received.unanswered + excluded.unanswered,
        late2 = report_received.late2 + excluded.late2,
        late3 = report_received.late3 + excluded.late3,
        late4 = report_received.late4 + excluded.late4,
        late5 = report_received.late5 + excluded.late5,
        late6 = report_received.late6 + excluded.late6,
        late7 = report_received.late7 + excluded.late7,
        late8 = report_received.late8 + excluded.late8,
        late9 = report_received.late9 + excluded.late9,
        late10 = report_received.late10 + excluded.late10,
        late11 = report_received.late11 + excluded.late11,
        late12 = report_received.late12 + excluded.late12,
        late13 = report_received.late13 + excluded.late13,
        late14 = report_received.late14 + excluded.late14,
        late15 = report_received.late15 + excluded.late15,
        h0 = report_received.h0 + excluded.h0,
        h1 = report_received.h1 + excluded.h1,
        h2 = report_received.h2 + excluded.h2,
        h3 = report_received.h3 + excluded.h3,
        h4 = report_received.h4 + excluded.h4,
        h5 = report_received.h5 + excluded.h5,
        h6 = report_received.h6 + excluded.h6,
        h7 = report_received.h7 + excluded.h7,
        h8 = report_received.h8 + excluded.h8,
        h9 = report_received.h9 + excluded.h9,
        h10 = report_received.h10 + excluded.h10,
        h11 = report_received.h11 + excluded.h11,
        h12 = report_received.h12 + excluded.h12,
        h13 = report_received.h13 + excluded.h13,
        h14 = report_received.h14 + excluded.h14,
        h15 = report_received.h15 + excluded.h15,
        h16 = report_received.h16 + excluded.h16,
        h17 = report_received.h17 + excluded.h17,
        h18 = report_received.h18 + excluded.h18,
        h19 = report_received.h19 + excluded.h19,
        h20 = report_received.h20 + excluded.h20,
        h21 = report_received.h21 + excluded.h21,
        h22 = report_received.h22 + excluded.h22,
        h23 = report_received.h23 + excluded.h23,
        h24 = report_received.h24 + excluded.h24,
        h25 = report_received.h25 + excluded.h25,
        h26 = report_received.h26 + excluded.h26,
        h27 = report_received.h27 + excluded.h27,
        h28 = report_received.h28 + excluded.h28,
        h29 = report_received.h29 + excluded.h29,
        h30 = report_received.h30 + excluded.h30,
        h31 = report_received.h31 + excluded.h31,
        h32 = report_received.h32 + excluded.h32,
        h33 = report_received.h33 + excluded.h33,
        h34 = report_received.h34 + excluded.h34,
        h35 = report_received.h35 + excluded.h35,
        h36 = report_received.h36 + excluded.h36,
        h37 = report_received.h37 + excluded.h37,
        h38 = report_received.h38 + excluded.h38;
END;

CREATE TRIGGER receipts_report_status AFTER UPDATE OF receiver, status, first_status_at, change, sent_at ON receipts
WHEN OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL AND OLD.receiver = NEW.receiver AND (OLD.sent_at + 25200000) / 86400000 = (NEW.sent_at + 25200000) / 86400000 AND NEW.sent_at = OLD.sent_at AND NEW.first_status_at IS OLD.first_status_at AND NEW.change IS OLD.change
BEGIN
    UPDATE report_received SET
        accepted = accepted + (CASE WHEN NEW.status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END) - (CASE WHEN OLD.status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END),
        completed = completed + (CASE WHEN NEW.status = '06' THEN 1 ELSE 0 END) - (CASE WHEN OLD.status = '06' THEN 1 ELSE 0 END),
        rejected = rejected + (CASE WHEN NEW.status = '02' THEN 1 ELSE 0 END) - (CASE WHEN OLD.status = '02' THEN 1 ELSE 0 END)
    WHERE agency = NEW.receiver AND day = (NEW.sent_at + 25200000) / 86400000;
END;

CREATE TRIGGER receipts_report_update AFTER UPDATE OF receiver, status, first_status_at, change, sent_at ON receipts
WHEN OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL AND OLD.receiver = NEW.receiver AND (OLD.sent_at + 25200000) / 86400000 = (NEW.sent_at + 25200000) / 86400000 AND NOT (OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL AND OLD.receiver = NEW.receiver AND (OLD.sent_at + 25200000) / 86400000 = (NEW.sent_at + 25200000) / 86400000 AND NEW.sent_at = OLD.sent_at AND NEW.first_status_at IS OLD.first_status_at AND NEW.change IS OLD.change)
BEGIN
    UPDATE report_received SET
        acknowledged = acknowledged + (CASE WHEN NEW.first_status_at IS NOT NULL THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL THEN 1 ELSE 0 END),
        accepted = accepted + (CASE WHEN NEW.status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END) - (CASE WHEN OLD.status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END),
        completed = completed + (CASE WHEN NEW.status = '06' THEN 1 ELSE 0 END) - (CASE WHEN OLD.status = '06' THEN 1 ELSE 0 END),
        rejected = rejected + (CASE WHEN NEW.status = '02' THEN 1 ELSE 0 END) - (CASE WHEN OLD.status = '02' THEN 1 ELSE 0 END),
        unanswered = unanswered + (CASE WHEN NEW.first_status_at IS NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) THEN 1 ELSE 0 END),
        late2 = late2 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 2 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 2 THEN 1 ELSE 0 END),
        late3 = late3 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 3 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 3 THEN 1 ELSE 0 END),
        late4 = late4 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 4 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 4 THEN 1 ELSE 0 END),
        late5 = late5 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 5 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 5 THEN 1 ELSE 0 END),
        late6 = late6 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 6 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 6 THEN 1 ELSE 0 END),
        late7 = late7 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 7 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 7 THEN 1 ELSE 0 END),
        late8 = late8 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 8 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 8 THEN 1 ELSE 0 END),
        late9 = late9 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 9 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 9 THEN 1 ELSE 0 END),
        late10 = late10 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 10 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 10 THEN 1 ELSE 0 END),
        late11 = late11 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 11 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 11 THEN 1 ELSE 0 END),
        late12 = late12 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 12 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 12 THEN 1 ELSE 0 END),
        late13 = late13 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 13 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 13 THEN 1 ELSE 0 END),
        late14 = late14 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 14 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 14 THEN 1 ELSE 0 END),
        late15 = late15 + (CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 15 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 15 THEN 1 ELSE 0 END),
        h0 = h0 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at < 1000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at < 1000 THEN 1 ELSE 0 END),
        h1 = h1 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1000 AND NEW.first_status_at - NEW.sent_at < 2000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1000 AND OLD.first_status_at - OLD.sent_at < 2000 THEN 1 ELSE 0 END),
        h2 = h2 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 2000 AND NEW.first_status_at - NEW.sent_at < 5000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 2000 AND OLD.first_status_at - OLD.sent_at < 5000 THEN 1 ELSE 0 END),
        h3 = h3 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 5000 AND NEW.first_status_at - NEW.sent_at < 10000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 5000 AND OLD.first_status_at - OLD.sent_at < 10000 THEN 1 ELSE 0 END),
        h4 = h4 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 10000 AND NEW.first_status_at - NEW.sent_at < 20000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 10000 AND OLD.first_status_at - OLD.sent_at < 20000 THEN 1 ELSE 0 END),
        h5 = h5 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 20000 AND NEW.first_status_at - NEW.sent_at < 30000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 20000 AND OLD.first_status_at - OLD.sent_at < 30000 THEN 1 ELSE 0 END),
        h6 = h6 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 30000 AND NEW.first_status_at - NEW.sent_at < 60000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 30000 AND OLD.first_status_at - OLD.sent_at < 60000 THEN 1 ELSE 0 END),
        h7 = h7 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 60000 AND NEW.first_status_at - NEW.sent_at < 120000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 60000 AND OLD.first_status_at - OLD.sent_at < 120000 THEN 1 ELSE 0 END),
        h8 = h8 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 120000 AND NEW.first_status_at - NEW.sent_at < 300000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 120000 AND OLD.first_status_at - OLD.sent_at < 300000 THEN 1 ELSE 0 END),
        h9 = h9 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 300000 AND NEW.first_status_at - NEW.sent_at < 600000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 300000 AND OLD.first_status_at - OLD.sent_at < 600000 THEN 1 ELSE 0 END),
        h10 = h10 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 600000 AND NEW.first_status_at - NEW.sent_at < 900000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 600000 AND OLD.first_status_at - OLD.sent_at < 900000 THEN 1 ELSE 0 END),
        h11 = h11 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 900000 AND NEW.first_status_at - NEW.sent_at < 1200000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 900000 AND OLD.first_status_at - OLD.sent_at < 1200000 THEN 1 ELSE 0 END),
        h12 = h12 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1200000 AND NEW.first_status_at - NEW.sent_at < 1800000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1200000 AND OLD.first_status_at - OLD.sent_at < 1800000 THEN 1 ELSE 0 END),
        h13 = h13 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1800000 AND NEW.first_status_at - NEW.sent_at < 2700000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1800000 AND OLD.first_status_at - OLD.sent_at < 2700000 THEN 1 ELSE 0 END),
        h14 = h14 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 2700000 AND NEW.first_status_at - NEW.sent_at < 3600000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 2700000 AND OLD.first_status_at - OLD.sent_at < 3600000 THEN 1 ELSE 0 END),
        h15 = h15 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 3600000 AND NEW.first_status_at - NEW.sent_at < 5400000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 3600000 AND OLD.first_status_at - OLD.sent_at < 5400000 THEN 1 ELSE 0 END),
        h16 = h16 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 5400000 AND NEW.first_status_at - NEW.sent_at < 7200000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 5400000 AND OLD.first_status_at - OLD.sent_at < 7200000 THEN 1 ELSE 0 END),
        h17 = h17 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 7200000 AND NEW.first_status_at - NEW.sent_at < 10800000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 7200000 AND OLD.first_status_at - OLD.sent_at < 10800000 THEN 1 ELSE 0 END),
        h18 = h18 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 10800000 AND NEW.first_status_at - NEW.sent_at < 14400000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 10800000 AND OLD.first_status_at - OLD.sent_at < 14400000 THEN 1 ELSE 0 END),
        h19 = h19 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 14400000 AND NEW.first_status_at - NEW.sent_at < 21600000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 14400000 AND OLD.first_status_at - OLD.sent_at < 21600000 THEN 1 ELSE 0 END),
        h20 = h20 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 21600000 AND NEW.first_status_at - NEW.sent_at < 28800000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 21600000 AND OLD.first_status_at - OLD.sent_at < 28800000 THEN 1 ELSE 0 END),
        h21 = h21 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 28800000 AND NEW.first_status_at - NEW.sent_at < 43200000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 28800000 AND OLD.first_status_at - OLD.sent_at < 43200000 THEN 1 ELSE 0 END),
        h22 = h22 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 43200000 AND NEW.first_status_at - NEW.sent_at < 57600000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 43200000 AND OLD.first_status_at - OLD.sent_at < 57600000 THEN 1 ELSE 0 END),
        h23 = h23 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 57600000 AND NEW.first_status_at - NEW.sent_at < 86400000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 57600000 AND OLD.first_status_at - OLD.sent_at < 86400000 THEN 1 ELSE 0 END),
        h24 = h24 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 86400000 AND NEW.first_status_at - NEW.sent_at < 108000000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 86400000 AND OLD.first_status_at - OLD.sent_at < 108000000 THEN 1 ELSE 0 END),
        h25 = h25 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 108000000 AND NEW.first_status_at - NEW.sent_at < 129600000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 108000000 AND OLD.first_status_at - OLD.sent_at < 129600000 THEN 1 ELSE 0 END),
        h26 = h26 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 129600000 AND NEW.first_status_at - NEW.sent_at < 151200000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 129600000 AND OLD.first_status_at - OLD.sent_at < 151200000 THEN 1 ELSE 0 END),
        h27 = h27 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 151200000 AND NEW.first_status_at - NEW.sent_at < 172800000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 151200000 AND OLD.first_status_at - OLD.sent_at < 172800000 THEN 1 ELSE 0 END),
        h28 = h28 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 172800000 AND NEW.first_status_at - NEW.sent_at < 216000000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 172800000 AND OLD.first_status_at - OLD.sent_at < 216000000 THEN 1 ELSE 0 END),
        h29 = h29 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 216000000 AND NEW.first_status_at - NEW.sent_at < 259200000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 216000000 AND OLD.first_status_at - OLD.sent_at < 259200000 THEN 1 ELSE 0 END),
        h30 = h30 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 259200000 AND NEW.first_status_at - NEW.sent_at < 345600000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 259200000 AND OLD.first_status_at - OLD.sent_at < 345600000 THEN 1 ELSE 0 END),
        h31 = h31 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 345600000 AND NEW.first_status_at - NEW.sent_at < 432000000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 345600000 AND OLD.first_status_at - OLD.sent_at < 432000000 THEN 1 ELSE 0 END),
        h32 = h32 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 432000000 AND NEW.first_status_at - NEW.sent_at < 604800000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 432000000 AND OLD.first_status_at - OLD.sent_at < 604800000 THEN 1 ELSE 0 END),
        h33 = h33 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 604800000 AND NEW.first_status_at - NEW.sent_at < 864000000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 604800000 AND OLD.first_status_at - OLD.sent_at < 864000000 THEN 1 ELSE 0 END),
        h34 = h34 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 864000000 AND NEW.first_status_at - NEW.sent_at < 1209600000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 864000000 AND OLD.first_status_at - OLD.sent_at < 1209600000 THEN 1 ELSE 0 END),
        h35 = h35 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1209600000 AND NEW.first_status_at - NEW.sent_at < 1814400000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1209600000 AND OLD.first_status_at - OLD.sent_at < 1814400000 THEN 1 ELSE 0 END),
        h36 = h36 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1814400000 AND NEW.first_status_at - NEW.sent_at < 2592000000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1814400000 AND OLD.first_status_at - OLD.sent_at < 2592000000 THEN 1 ELSE 0 END),
        h37 = h37 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 2592000000 AND NEW.first_status_at - NEW.sent_at < 5184000000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 2592000000 AND OLD.first_status_at - OLD.sent_at < 5184000000 THEN 1 ELSE 0 END),
        h38 = h38 + (CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 5184000000 THEN 1 ELSE 0 END) - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 5184000000 THEN 1 ELSE 0 END)
    WHERE agency = NEW.receiver AND day = (NEW.sent_at + 25200000) / 86400000;
END;

CREATE TRIGGER receipts_report_move_out AFTER UPDATE OF receiver, status, first_status_at, change, sent_at ON receipts
WHEN OLD.sent_at IS NOT NULL AND NOT (OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL AND OLD.receiver = NEW.receiver AND (OLD.sent_at + 25200000) / 86400000 = (NEW.sent_at + 25200000) / 86400000)
BEGIN
    UPDATE report_received SET
        received = received - 1,
        acknowledged = acknowledged - (CASE WHEN OLD.first_status_at IS NOT NULL THEN 1 ELSE 0 END),
        accepted = accepted - (CASE WHEN OLD.status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END),
        completed = completed - (CASE WHEN OLD.status = '06' THEN 1 ELSE 0 END),
        rejected = rejected - (CASE WHEN OLD.status = '02' THEN 1 ELSE 0 END),
        unanswered = unanswered - (CASE WHEN OLD.first_status_at IS NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) THEN 1 ELSE 0 END),
        late2 = late2 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 2 THEN 1 ELSE 0 END),
        late3 = late3 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 3 THEN 1 ELSE 0 END),
        late4 = late4 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 4 THEN 1 ELSE 0 END),
        late5 = late5 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 5 THEN 1 ELSE 0 END),
        late6 = late6 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 6 THEN 1 ELSE 0 END),
        late7 = late7 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 7 THEN 1 ELSE 0 END),
        late8 = late8 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 8 THEN 1 ELSE 0 END),
        late9 = late9 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 9 THEN 1 ELSE 0 END),
        late10 = late10 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 10 THEN 1 ELSE 0 END),
        late11 = late11 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 11 THEN 1 ELSE 0 END),
        late12 = late12 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 12 THEN 1 ELSE 0 END),
        late13 = late13 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 13 THEN 1 ELSE 0 END),
        late14 = late14 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 14 THEN 1 ELSE 0 END),
        late15 = late15 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 15 THEN 1 ELSE 0 END),
        h0 = h0 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at < 1000 THEN 1 ELSE 0 END),
        h1 = h1 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1000 AND OLD.first_status_at - OLD.sent_at < 2000 THEN 1 ELSE 0 END),
        h2 = h2 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 2000 AND OLD.first_status_at - OLD.sent_at < 5000 THEN 1 ELSE 0 END),
        h3 = h3 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 5000 AND OLD.first_status_at - OLD.sent_at < 10000 THEN 1 ELSE 0 END),
        h4 = h4 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 10000 AND OLD.first_status_at - OLD.sent_at < 20000 THEN 1 ELSE 0 END),
        h5 = h5 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 20000 AND OLD.first_status_at - OLD.sent_at < 30000 THEN 1 ELSE 0 END),
        h6 = h6 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 30000 AND OLD.first_status_at - OLD.sent_at < 60000 THEN 1 ELSE 0 END),
        h7 = h7 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 60000 AND OLD.first_status_at - OLD.sent_at < 120000 THEN 1 ELSE 0 END),
        h8 = h8 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 120000 AND OLD.first_status_at - OLD.sent_at < 300000 THEN 1 ELSE 0 END),
        h9 = h9 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 300000 AND OLD.first_status_at - OLD.sent_at < 600000 THEN 1 ELSE 0 END),
        h10 = h10 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 600000 AND OLD.first_status_at - OLD.sent_at < 900000 THEN 1 ELSE 0 END),
        h11 = h11 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 900000 AND OLD.first_status_at - OLD.sent_at < 1200000 THEN 1 ELSE 0 END),
        h12 = h12 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1200000 AND OLD.first_status_at - OLD.sent_at < 1800000 THEN 1 ELSE 0 END),
        h13 = h13 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1800000 AND OLD.first_status_at - OLD.sent_at < 2700000 THEN 1 ELSE 0 END),
        h14 = h14 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 2700000 AND OLD.first_status_at - OLD.sent_at < 3600000 THEN 1 ELSE 0 END),
        h15 = h15 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 3600000 AND OLD.first_status_at - OLD.sent_at < 5400000 THEN 1 ELSE 0 END),
        h16 = h16 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 5400000 AND OLD.first_status_at - OLD.sent_at < 7200000 THEN 1 ELSE 0 END),
        h17 = h17 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 7200000 AND OLD.first_status_at - OLD.sent_at < 10800000 THEN 1 ELSE 0 END),
        h18 = h18 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 10800000 AND OLD.first_status_at - OLD.sent_at < 14400000 THEN 1 ELSE 0 END),
        h19 = h19 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 14400000 AND OLD.first_status_at - OLD.sent_at < 21600000 THEN 1 ELSE 0 END),
        h20 = h20 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 21600000 AND OLD.first_status_at - OLD.sent_at < 28800000 THEN 1 ELSE 0 END),
        h21 = h21 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 28800000 AND OLD.first_status_at - OLD.sent_at < 43200000 THEN 1 ELSE 0 END),
        h22 = h22 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 43200000 AND OLD.first_status_at - OLD.sent_at < 57600000 THEN 1 ELSE 0 END),
        h23 = h23 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 57600000 AND OLD.first_status_at - OLD.sent_at < 86400000 THEN 1 ELSE 0 END),
        h24 = h24 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 86400000 AND OLD.first_status_at - OLD.sent_at < 108000000 THEN 1 ELSE 0 END),
        h25 = h25 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 108000000 AND OLD.first_status_at - OLD.sent_at < 129600000 THEN 1 ELSE 0 END),
        h26 = h26 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 129600000 AND OLD.first_status_at - OLD.sent_at < 151200000 THEN 1 ELSE 0 END),
        h27 = h27 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 151200000 AND OLD.first_status_at - OLD.sent_at < 172800000 THEN 1 ELSE 0 END),
        h28 = h28 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 172800000 AND OLD.first_status_at - OLD.sent_at < 216000000 THEN 1 ELSE 0 END),
        h29 = h29 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 216000000 AND OLD.first_status_at - OLD.sent_at < 259200000 THEN 1 ELSE 0 END),
        h30 = h30 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 259200000 AND OLD.first_status_at - OLD.sent_at < 345600000 THEN 1 ELSE 0 END),
        h31 = h31 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 345600000 AND OLD.first_status_at - OLD.sent_at < 432000000 THEN 1 ELSE 0 END),
        h32 = h32 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 432000000 AND OLD.first_status_at - OLD.sent_at < 604800000 THEN 1 ELSE 0 END),
        h33 = h33 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 604800000 AND OLD.first_status_at - OLD.sent_at < 864000000 THEN 1 ELSE 0 END),
        h34 = h34 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 864000000 AND OLD.first_status_at - OLD.sent_at < 1209600000 THEN 1 ELSE 0 END),
        h35 = h35 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1209600000 AND OLD.first_status_at - OLD.sent_at < 1814400000 THEN 1 ELSE 0 END),
        h36 = h36 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1814400000 AND OLD.first_status_at - OLD.sent_at < 2592000000 THEN 1 ELSE 0 END),
        h37 = h37 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 2592000000 AND OLD.first_status_at - OLD.sent_at < 5184000000 THEN 1 ELSE 0 END),
        h38 = h38 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 5184000000 THEN 1 ELSE 0 END)
    WHERE agency = OLD.receiver AND day = (OLD.sent_at + 25200000) / 86400000;
END;

CREATE TRIGGER receipts_report_move_in AFTER UPDATE OF receiver, status, first_status_at, change, sent_at ON receipts
WHEN NEW.sent_at IS NOT NULL AND NOT (OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL AND OLD.receiver = NEW.receiver AND (OLD.sent_at + 25200000) / 86400000 = (NEW.sent_at + 25200000) / 86400000)
BEGIN
    INSERT INTO report_received (agency, day, received, acknowledged, accepted, completed, rejected, unanswered, late2, late3, late4, late5, late6, late7, late8, late9, late10, late11, late12, late13, late14, late15, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23, h24, h25, h26, h27, h28, h29, h30, h31, h32, h33, h34, h35, h36, h37, h38)
    VALUES (NEW.receiver, (NEW.sent_at + 25200000) / 86400000,
        1,
        CASE WHEN NEW.first_status_at IS NOT NULL THEN 1 ELSE 0 END,
        CASE WHEN NEW.status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END,
        CASE WHEN NEW.status = '06' THEN 1 ELSE 0 END,
        CASE WHEN NEW.status = '02' THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 2 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 3 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 4 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 5 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 6 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 7 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 8 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 9 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 10 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 11 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 12 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 13 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 14 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND (NEW.change IS NULL OR NEW.change NOT IN ('13', '15')) AND (NEW.first_status_at + 25200000) / 86400000 - (NEW.sent_at + 25200000) / 86400000 >= 15 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at < 1000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1000 AND NEW.first_status_at - NEW.sent_at < 2000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 2000 AND NEW.first_status_at - NEW.sent_at < 5000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 5000 AND NEW.first_status_at - NEW.sent_at < 10000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 10000 AND NEW.first_status_at - NEW.sent_at < 20000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 20000 AND NEW.first_status_at - NEW.sent_at < 30000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 30000 AND NEW.first_status_at - NEW.sent_at < 60000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 60000 AND NEW.first_status_at - NEW.sent_at < 120000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 120000 AND NEW.first_status_at - NEW.sent_at < 300000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 300000 AND NEW.first_status_at - NEW.sent_at < 600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 600000 AND NEW.first_status_at - NEW.sent_at < 900000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 900000 AND NEW.first_status_at - NEW.sent_at < 1200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1200000 AND NEW.first_status_at - NEW.sent_at < 1800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1800000 AND NEW.first_status_at - NEW.sent_at < 2700000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 2700000 AND NEW.first_status_at - NEW.sent_at < 3600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 3600000 AND NEW.first_status_at - NEW.sent_at < 5400000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 5400000 AND NEW.first_status_at - NEW.sent_at < 7200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 7200000 AND NEW.first_status_at - NEW.sent_at < 10800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 10800000 AND NEW.first_status_at - NEW.sent_at < 14400000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 14400000 AND NEW.first_status_at - NEW.sent_at < 21600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 21600000 AND NEW.first_status_at - NEW.sent_at < 28800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 28800000 AND NEW.first_status_at - NEW.sent_at < 43200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 43200000 AND NEW.first_status_at - NEW.sent_at < 57600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 57600000 AND NEW.first_status_at - NEW.sent_at < 86400000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 86400000 AND NEW.first_status_at - NEW.sent_at < 108000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 108000000 AND NEW.first_status_at - NEW.sent_at < 129600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 129600000 AND NEW.first_status_at - NEW.sent_at < 151200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 151200000 AND NEW.first_status_at - NEW.sent_at < 172800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 172800000 AND NEW.first_status_at - NEW.sent_at < 216000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 216000000 AND NEW.first_status_at - NEW.sent_at < 259200000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 259200000 AND NEW.first_status_at - NEW.sent_at < 345600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 345600000 AND NEW.first_status_at - NEW.sent_at < 432000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 432000000 AND NEW.first_status_at - NEW.sent_at < 604800000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 604800000 AND NEW.first_status_at - NEW.sent_at < 864000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 864000000 AND NEW.first_status_at - NEW.sent_at < 1209600000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1209600000 AND NEW.first_status_at - NEW.sent_at < 1814400000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 1814400000 AND NEW.first_status_at - NEW.sent_at < 2592000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 2592000000 AND NEW.first_status_at - NEW.sent_at < 5184000000 THEN 1 ELSE 0 END,
        CASE WHEN NEW.first_status_at IS NOT NULL AND NEW.first_status_at - NEW.sent_at >= 5184000000 THEN 1 ELSE 0 END)
    ON CONFLICT (agency, day) DO UPDATE SET
        received = report_received.received + excluded.received,
        acknowledged = report_received.acknowledged + excluded.acknowledged,
        accepted = report_received.accepted + excluded.accepted,
        completed = report_received.completed + excluded.completed,
        rejected = report_received.rejected + excluded.rejected,
        unanswered = report_received.unanswered + excluded.unanswered,
        late2 = report_received.late2 + excluded.late2,
        late3 = report_received.late3 + excluded.late3,
        late4 = report_received.late4 + excluded.late4,
        late5 = report_received.late5 + excluded.late5,
        late6 = report_received.late6 + excluded.late6,
        late7 = report_received.late7 + excluded.late7,
        late8 = report_received.late8 + excluded.late8,
        late9 = report_received.late9 + excluded.late9,
        late10 = report_received.late10 + excluded.late10,
        late11 = report_received.late11 + excluded.late11,
        late12 = report_received.late12 + excluded.late12,
        late13 = report_received.late13 + excluded.late13,
        late14 = report_received.late14 + excluded.late14,
        late15 = report_received.late15 + excluded.late15,
        h0 = report_received.h0 + excluded.h0,
        h1 = report_received.h1 + excluded.h1,
        h2 = report_received.h2 + excluded.h2,
        h3 = report_received.h3 + excluded.h3,
        h4 = report_received.h4 + excluded.h4,
        h5 = report_received.h5 + excluded.h5,
        h6 = report_received.h6 + excluded.h6,
        h7 = report_received.h7 + excluded.h7,
        h8 = report_received.h8 + excluded.h8,
        h9 = report_received.h9 + excluded.h9,
        h10 = report_received.h10 + excluded.h10,
        h11 = report_received.h11 + excluded.h11,
        h12 = report_received.h12 + excluded.h12,
        h13 = report_received.h13 + excluded.h13,
        h14 = report_received.h14 + excluded.h14,
        h15 = report_received.h15 + excluded.h15,
        h16 = report_received.h16 + excluded.h16,
        h17 = report_received.h17 + excluded.h17,
        h18 = report_received.h18 + excluded.h18,
        h19 = report_received.h19 + excluded.h19,
        h20 = report_received.h20 + excluded.h20,
        h21 = report_received.h21 + excluded.h21,
        h22 = report_received.h22 + excluded.h22,
        h23 = report_received.h23 + excluded.h23,
        h24 = report_received.h24 + excluded.h24,
        h25 = report_received.h25 + excluded.h25,
        h26 = report_received.h26 + excluded.h26,
        h27 = report_received.h27 + excluded.h27,
        h28 = report_received.h28 + excluded.h28,
        h29 = report_received.h29 + excluded.h29,
        h30 = report_received.h30 + excluded.h30,
        h31 = report_received.h31 + excluded.h31,
        h32 = report_received.h32 + excluded.h32,
        h33 = report_received.h33 + excluded.h33,
        h34 = report_received.h34 + excluded.h34,
        h35 = report_received.h35 + excluded.h35,
        h36 = report_received.h36 + excluded.h36,
        h37 = report_received.h37 + excluded.h37,
        h38 = report_received.h38 + excluded.h38;
END;

CREATE TRIGGER receipts_report_delete AFTER DELETE ON receipts
WHEN OLD.sent_at IS NOT NULL
BEGIN
    UPDATE report_received SET
        received = received - 1,
        acknowledged = acknowledged - (CASE WHEN OLD.first_status_at IS NOT NULL THEN 1 ELSE 0 END),
        accepted = accepted - (CASE WHEN OLD.status IN ('03', '04', '05', '06') THEN 1 ELSE 0 END),
        completed = completed - (CASE WHEN OLD.status = '06' THEN 1 ELSE 0 END),
        rejected = rejected - (CASE WHEN OLD.status = '02' THEN 1 ELSE 0 END),
        unanswered = unanswered - (CASE WHEN OLD.first_status_at IS NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) THEN 1 ELSE 0 END),
        late2 = late2 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 2 THEN 1 ELSE 0 END),
        late3 = late3 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 3 THEN 1 ELSE 0 END),
        late4 = late4 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 4 THEN 1 ELSE 0 END),
        late5 = late5 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 5 THEN 1 ELSE 0 END),
        late6 = late6 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 6 THEN 1 ELSE 0 END),
        late7 = late7 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 7 THEN 1 ELSE 0 END),
        late8 = late8 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 8 THEN 1 ELSE 0 END),
        late9 = late9 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 9 THEN 1 ELSE 0 END),
        late10 = late10 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 10 THEN 1 ELSE 0 END),
        late11 = late11 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 11 THEN 1 ELSE 0 END),
        late12 = late12 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 12 THEN 1 ELSE 0 END),
        late13 = late13 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 13 THEN 1 ELSE 0 END),
        late14 = late14 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 14 THEN 1 ELSE 0 END),
        late15 = late15 - (CASE WHEN OLD.first_status_at IS NOT NULL AND (OLD.change IS NULL OR OLD.change NOT IN ('13', '15')) AND (OLD.first_status_at + 25200000) / 86400000 - (OLD.sent_at + 25200000) / 86400000 >= 15 THEN 1 ELSE 0 END),
        h0 = h0 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at < 1000 THEN 1 ELSE 0 END),
        h1 = h1 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1000 AND OLD.first_status_at - OLD.sent_at < 2000 THEN 1 ELSE 0 END),
        h2 = h2 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 2000 AND OLD.first_status_at - OLD.sent_at < 5000 THEN 1 ELSE 0 END),
        h3 = h3 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 5000 AND OLD.first_status_at - OLD.sent_at < 10000 THEN 1 ELSE 0 END),
        h4 = h4 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 10000 AND OLD.first_status_at - OLD.sent_at < 20000 THEN 1 ELSE 0 END),
        h5 = h5 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 20000 AND OLD.first_status_at - OLD.sent_at < 30000 THEN 1 ELSE 0 END),
        h6 = h6 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 30000 AND OLD.first_status_at - OLD.sent_at < 60000 THEN 1 ELSE 0 END),
        h7 = h7 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 60000 AND OLD.first_status_at - OLD.sent_at < 120000 THEN 1 ELSE 0 END),
        h8 = h8 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 120000 AND OLD.first_status_at - OLD.sent_at < 300000 THEN 1 ELSE 0 END),
        h9 = h9 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 300000 AND OLD.first_status_at - OLD.sent_at < 600000 THEN 1 ELSE 0 END),
        h10 = h10 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 600000 AND OLD.first_status_at - OLD.sent_at < 900000 THEN 1 ELSE 0 END),
        h11 = h11 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 900000 AND OLD.first_status_at - OLD.sent_at < 1200000 THEN 1 ELSE 0 END),
        h12 = h12 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1200000 AND OLD.first_status_at - OLD.sent_at < 1800000 THEN 1 ELSE 0 END),
        h13 = h13 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1800000 AND OLD.first_status_at - OLD.sent_at < 2700000 THEN 1 ELSE 0 END),
        h14 = h14 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 2700000 AND OLD.first_status_at - OLD.sent_at < 3600000 THEN 1 ELSE 0 END),
        h15 = h15 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 3600000 AND OLD.first_status_at - OLD.sent_at < 5400000 THEN 1 ELSE 0 END),
        h16 = h16 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 5400000 AND OLD.first_status_at - OLD.sent_at < 7200000 THEN 1 ELSE 0 END),
        h17 = h17 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 7200000 AND OLD.first_status_at - OLD.sent_at < 10800000 THEN 1 ELSE 0 END),
        h18 = h18 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 10800000 AND OLD.first_status_at - OLD.sent_at < 14400000 THEN 1 ELSE 0 END),
        h19 = h19 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 14400000 AND OLD.first_status_at - OLD.sent_at < 21600000 THEN 1 ELSE 0 END),
        h20 = h20 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 21600000 AND OLD.first_status_at - OLD.sent_at < 28800000 THEN 1 ELSE 0 END),
        h21 = h21 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 28800000 AND OLD.first_status_at - OLD.sent_at < 43200000 THEN 1 ELSE 0 END),
        h22 = h22 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 43200000 AND OLD.first_status_at - OLD.sent_at < 57600000 THEN 1 ELSE 0 END),
        h23 = h23 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 57600000 AND OLD.first_status_at - OLD.sent_at < 86400000 THEN 1 ELSE 0 END),
        h24 = h24 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 86400000 AND OLD.first_status_at - OLD.sent_at < 108000000 THEN 1 ELSE 0 END),
        h25 = h25 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 108000000 AND OLD.first_status_at - OLD.sent_at < 129600000 THEN 1 ELSE 0 END),
        h26 = h26 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 129600000 AND OLD.first_status_at - OLD.sent_at < 151200000 THEN 1 ELSE 0 END),
        h27 = h27 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 151200000 AND OLD.first_status_at - OLD.sent_at < 172800000 THEN 1 ELSE 0 END),
        h28 = h28 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 172800000 AND OLD.first_status_at - OLD.sent_at < 216000000 THEN 1 ELSE 0 END),
        h29 = h29 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 216000000 AND OLD.first_status_at - OLD.sent_at < 259200000 THEN 1 ELSE 0 END),
        h30 = h30 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 259200000 AND OLD.first_status_at - OLD.sent_at < 345600000 THEN 1 ELSE 0 END),
        h31 = h31 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 345600000 AND OLD.first_status_at - OLD.sent_at < 432000000 THEN 1 ELSE 0 END),
        h32 = h32 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 432000000 AND OLD.first_status_at - OLD.sent_at < 604800000 THEN 1 ELSE 0 END),
        h33 = h33 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 604800000 AND OLD.first_status_at - OLD.sent_at < 864000000 THEN 1 ELSE 0 END),
        h34 = h34 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 864000000 AND OLD.first_status_at - OLD.sent_at < 1209600000 THEN 1 ELSE 0 END),
        h35 = h35 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1209600000 AND OLD.first_status_at - OLD.sent_at < 1814400000 THEN 1 ELSE 0 END),
        h36 = h36 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 1814400000 AND OLD.first_status_at - OLD.sent_at < 2592000000 THEN 1 ELSE 0 END),
        h37 = h37 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 2592000000 AND OLD.first_status_at - OLD.sent_at < 5184000000 THEN 1 ELSE 0 END),
        h38 = h38 - (CASE WHEN OLD.first_status_at IS NOT NULL AND OLD.first_status_at - OLD.sent_at >= 5184000000 THEN 1 ELSE 0 END)
    WHERE agency = OLD.receiver AND day = (OLD.sent_at + 25200000) / 86400000;
END;

-- Exact medians: one receiver's delays in order (see hN above).
CREATE INDEX receipts_delay ON receipts(receiver, (first_status_at - sent_at), sent_at);
-- Rejection reasons: a period's few 02 receipts without reading the others.
CREATE INDEX receipts_rejected ON receipts(sent_at, receiver, reason) WHERE status = '02';
