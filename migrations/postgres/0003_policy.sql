-- Policy and reports (issue 7), PostgreSQL dialect. Keep in step with ../sqlite/0003_policy.sql.

-- The paperless catalogue: which document types may travel without a paper copy. Seeded by
-- below, then maintained by the operator (`truc catalogue`, /admin/v1/catalogue).
CREATE TABLE doc_types (
    code TEXT PRIMARY KEY,               -- NĐ 30 Annex III abbreviation (QĐ, CV, TTr, …) or a legal-normative code
    name TEXT NOT NULL,                  -- the TypeName it matches, e.g. "Quyết định"
    category TEXT NOT NULL CHECK (category IN ('administrative', 'legal-normative', 'other')),
    paperless BIGINT NOT NULL,          -- 1: may travel without paper; 0: the package must carry Paper=1
    updated_at BIGINT NOT NULL
);

-- The seed (decision 0023): the 29 administrative types of NĐ 30/2020 Art. 7 (codes: their
-- Annex III abbreviations; Công văn and Thư công have none, so CV and ThC) travel without
-- paper, as QĐ 28/2018 intends; legal-normative types still go out on paper for promulgation
-- until the operator says otherwise (reference §1, §4.8). [uncertain] Operators adjust it.
INSERT INTO doc_types (code, name, category, paperless, updated_at) VALUES
    ('NQ', 'Nghị quyết', 'administrative', 1, 0),
    ('QĐ', 'Quyết định', 'administrative', 1, 0),
    ('CT', 'Chỉ thị', 'administrative', 1, 0),
    ('QC', 'Quy chế', 'administrative', 1, 0),
    ('QyĐ', 'Quy định', 'administrative', 1, 0),
    ('TC', 'Thông cáo', 'administrative', 1, 0),
    ('TB', 'Thông báo', 'administrative', 1, 0),
    ('HD', 'Hướng dẫn', 'administrative', 1, 0),
    ('CTr', 'Chương trình', 'administrative', 1, 0),
    ('KH', 'Kế hoạch', 'administrative', 1, 0),
    ('PA', 'Phương án', 'administrative', 1, 0),
    ('ĐA', 'Đề án', 'administrative', 1, 0),
    ('DA', 'Dự án', 'administrative', 1, 0),
    ('BC', 'Báo cáo', 'administrative', 1, 0),
    ('BB', 'Biên bản', 'administrative', 1, 0),
    ('TTr', 'Tờ trình', 'administrative', 1, 0),
    ('HĐ', 'Hợp đồng', 'administrative', 1, 0),
    ('CV', 'Công văn', 'administrative', 1, 0),
    ('CĐ', 'Công điện', 'administrative', 1, 0),
    ('BGN', 'Bản ghi nhớ', 'administrative', 1, 0),
    ('BTT', 'Bản thỏa thuận', 'administrative', 1, 0),
    ('GUQ', 'Giấy ủy quyền', 'administrative', 1, 0),
    ('GM', 'Giấy mời', 'administrative', 1, 0),
    ('GGT', 'Giấy giới thiệu', 'administrative', 1, 0),
    ('GNP', 'Giấy nghỉ phép', 'administrative', 1, 0),
    ('PG', 'Phiếu gửi', 'administrative', 1, 0),
    ('PC', 'Phiếu chuyển', 'administrative', 1, 0),
    ('PB', 'Phiếu báo', 'administrative', 1, 0),
    ('ThC', 'Thư công', 'administrative', 1, 0),
    ('L', 'Luật', 'legal-normative', 0, 0),
    ('PL', 'Pháp lệnh', 'legal-normative', 0, 0),
    ('NĐ', 'Nghị định', 'legal-normative', 0, 0),
    ('TT', 'Thông tư', 'legal-normative', 0, 0),
    ('TTLT', 'Thông tư liên tịch', 'legal-normative', 0, 0),
    ('NQ-QPPL', 'Nghị quyết quy phạm pháp luật', 'legal-normative', 0, 0),
    ('QĐ-QPPL', 'Quyết định quy phạm pháp luật', 'legal-normative', 0, 0);

-- Signed-not-scanned rules: per sending agency, per document type, or the default.
CREATE TABLE signature_rules (
    scope TEXT NOT NULL CHECK (scope IN ('agency', 'type', 'default')),
    key TEXT NOT NULL,                   -- agency code, doc_types.code, or '*'
    mode TEXT NOT NULL CHECK (mode IN ('refuse', 'flag', 'count')),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
INSERT INTO signature_rules (scope, key, mode, updated_at) VALUES ('default', '*', 'count', 0);

-- What the signature scan found in each stored PDF, once per content digest.
CREATE TABLE pdf_signatures (
    sha256 TEXT PRIMARY KEY,
    signatures BIGINT NOT NULL,         -- signature dictionaries with a readable CMS blob
    sub_filter TEXT,
    signer TEXT,                         -- subject of the first signer's certificate
    signing_time TEXT,                   -- CMS signingTime, else the dictionary's /M
    checked_at BIGINT NOT NULL
);

-- One row per accepted document package: the figures the reports count.
CREATE TABLE document_facts (
    package_id BIGINT PRIMARY KEY REFERENCES packages(id),
    sender TEXT NOT NULL,
    doc_type TEXT,                       -- doc_types.code, NULL when the type is not in the catalogue
    paper BIGINT NOT NULL,              -- the package says a paper copy follows (Paper=1)
    pdfs BIGINT NOT NULL,
    signed_pdfs BIGINT NOT NULL,
    signed BIGINT NOT NULL,             -- at least one PDF and every PDF signed
    flag TEXT,                           -- why the signature policy flagged it
    sent_at BIGINT NOT NULL
);
-- Covering indexes: a report over a period reads only these (decision 0025).
CREATE INDEX document_facts_sent ON document_facts(sent_at, sender, signed, paper);
CREATE INDEX document_facts_sender ON document_facts(sender, sent_at);

-- Documents accepted before this migration: sent, paper unknown (counted as paperless), unsigned.
INSERT INTO document_facts (package_id, sender, doc_type, paper, pdfs, signed_pdfs, signed, flag, sent_at)
SELECT id, sender, NULL, 0, 0, 0, 0, NULL, received_at FROM packages WHERE kind = 'document';

-- When the document reached the hub, beside each receipt, so per-receiver figures over a
-- period need no join (a million documents).
ALTER TABLE receipts ADD COLUMN sent_at BIGINT;
UPDATE receipts SET sent_at = (SELECT received_at FROM packages p WHERE p.id = receipts.package_id);
CREATE INDEX receipts_sent ON receipts(sent_at, receiver, status, first_status_at);
CREATE INDEX receipts_receiver_sent ON receipts(receiver, sent_at);
