-- truc store, PostgreSQL dialect. Times are Unix milliseconds (UTC). Keep in step with
-- ../sqlite/0001_init.sql: same tables, same columns, same meaning.

-- A connection of one QLVB system, which hosts one or more agencies.
CREATE TABLE endpoints (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    mode TEXT NOT NULL CHECK (mode IN ('pull', 'push', 'poll')),
    api_key_hash TEXT UNIQUE,            -- SHA-256 of the API key (keys are 256-bit random)
    vxp_system_id TEXT UNIQUE,           -- national-axis SDK credentials
    vxp_secret TEXT,                     -- kept: HMAC verification needs the secret itself
    adapter TEXT,                        -- name@version of the active adapter generation
    adapter_config TEXT NOT NULL DEFAULT '{}',
    granted_origins TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);

-- Agencies with QCVN 102 codes, their parent, the QĐ 20/2020 code and former codes (§3, §9.7).
CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_code TEXT,
    qd20_code TEXT UNIQUE,
    old_code TEXT,
    email TEXT NOT NULL DEFAULT '',
    endpoint_id BIGINT REFERENCES endpoints(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX agencies_parent ON agencies(parent_code);
CREATE INDEX agencies_old_code ON agencies(old_code);
CREATE INDEX agencies_endpoint ON agencies(endpoint_id);

-- Uploaded adapter packages and the activation history every node follows.
CREATE TABLE adapter_packages (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    package BYTEA NOT NULL,
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE adapter_activations (
    id BIGSERIAL PRIMARY KEY,
    endpoint_id BIGINT NOT NULL REFERENCES endpoints(id),
    adapter TEXT NOT NULL,
    canary_percent BIGINT,
    action TEXT NOT NULL CHECK (action IN ('activate', 'canary', 'rollback')),
    at BIGINT NOT NULL
);

-- Attachment bytes, stored once per SHA-256, in chunks so large files stream.
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE attachment_chunks (
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    seq BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);

-- Accepted packages: documents and statuses. `model` is the package without attachment bytes.
CREATE TABLE packages (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('document', 'status')),
    sender TEXT NOT NULL,
    document_id TEXT NOT NULL,
    doc_key TEXT NOT NULL,               -- timeline key of the document concerned: sender|DocumentId
    dedupe_key TEXT NOT NULL UNIQUE,
    transport_id TEXT NOT NULL UNIQUE,
    action TEXT,
    target_id TEXT,
    status_code TEXT,
    origin_package_id BIGINT REFERENCES packages(id),
    endpoint_id BIGINT REFERENCES endpoints(id),
    subject TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX packages_document ON packages(sender, document_id);
CREATE INDEX packages_origin ON packages(origin_package_id);
CREATE INDEX packages_doc_key ON packages(doc_key);
CREATE INDEX packages_received ON packages(received_at);

CREATE TABLE package_attachments (
    package_id BIGINT NOT NULL REFERENCES packages(id),
    position BIGINT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES attachments(sha256),
    PRIMARY KEY (package_id, position)
);

-- One delivery per (package, receiving agency); its id is stable across redeliveries.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    package_id BIGINT NOT NULL REFERENCES packages(id),
    receiver TEXT NOT NULL,
    endpoint_id BIGINT NOT NULL REFERENCES endpoints(id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'cancelled')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    UNIQUE (package_id, receiver)
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX deliveries_mailbox ON deliveries(endpoint_id, state, created_at);

-- Processing state of each document at each receiver (§7.3), and its revoke/update sub-state.
CREATE TABLE receipts (
    package_id BIGINT NOT NULL REFERENCES packages(id),
    receiver TEXT NOT NULL,
    status TEXT,
    status_at BIGINT,
    first_status_at BIGINT,
    reason TEXT,
    change TEXT,
    PRIMARY KEY (package_id, receiver)
);

-- The audit log: an append-only SHA-256 hash chain; audit_head serialises appends.
CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    package_id BIGINT,
    document TEXT,
    receiver TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_document ON audit(document);
CREATE INDEX audit_package ON audit(package_id);
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
