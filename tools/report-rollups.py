#!/usr/bin/env python3
"""Writes migrations/{sqlite,postgres}/0004_report_rollups.sql: the report rollups and the
triggers that keep them (decision 0029). Run from anywhere: `python3 tools/report-rollups.py`.

The two files are generated because the triggers repeat one expression per counted column for
every way a row can change; writing them by hand twice (SQLite, PostgreSQL) invites a slip.
The delay buckets' bounds must equal `DELAY_BUCKETS_MS` in host/src/policy/report.rs (a unit
test there reads the SQLite file to check it).
"""

import os
import sys

VIETNAM_MS = 25_200_000
DAY_MS = 86_400_000

# Lower bounds (seconds) of delay buckets h1, h2, …; h0 holds everything below the first.
BOUNDS_S = [
    1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800,
    14400, 21600, 28800, 43200, 57600, 86400, 108000, 129600, 151200, 172800, 216000, 259200,
    345600, 432000, 604800, 864000, 1209600, 1814400, 2592000, 5184000,
]
BUCKETS = len(BOUNDS_S) + 1
# lateK for K = 2..LATE_MAX: a first status K or more local days after the sent day.
LATE_MAX = 15

SENT_COLS = ["sent", "signed", "paperless"]
STATUS_COLS = ["accepted", "completed", "rejected"]
RECV_COLS = (
    ["received", "acknowledged"]
    + STATUS_COLS
    + ["unanswered"]
    + [f"late{k}" for k in range(2, LATE_MAX + 1)]
    + [f"h{i}" for i in range(BUCKETS)]
)


def day(x, col="sent_at"):
    return f"({x}.{col} + {VIETNAM_MS}) / {DAY_MS}"


def flag(cond):
    return f"CASE WHEN {cond} THEN 1 ELSE 0 END"


def sent_exprs(x):
    return {
        "sent": "1",
        "signed": flag(f"{x}.signed <> 0"),
        "paperless": flag(f"{x}.paper = 0"),
    }


def recv_exprs(x):
    live = f"({x}.change IS NULL OR {x}.change NOT IN ('13', '15'))"
    answered = f"{x}.first_status_at IS NOT NULL"
    delay = f"{x}.first_status_at - {x}.sent_at"
    offset = f"{day(x, 'first_status_at')} - {day(x)}"
    e = {
        "received": "1",
        "acknowledged": flag(answered),
        "accepted": flag(f"{x}.status IN ('03', '04', '05', '06')"),
        "completed": flag(f"{x}.status = '06'"),
        "rejected": flag(f"{x}.status = '02'"),
        "unanswered": flag(f"{x}.first_status_at IS NULL AND {live}"),
    }
    for k in range(2, LATE_MAX + 1):
        e[f"late{k}"] = flag(f"{answered} AND {live} AND {offset} >= {k}")
    ms = [b * 1000 for b in BOUNDS_S]
    for i in range(BUCKETS):
        conds = [answered]
        if i > 0:
            conds.append(f"{delay} >= {ms[i - 1]}")
        if i < BUCKETS - 1:
            conds.append(f"{delay} < {ms[i]}")
        e[f"h{i}"] = flag(" AND ".join(conds))
    return e


class Side:
    def __init__(self, table, source, agency, cols, exprs, watched, comment):
        self.table, self.source, self.agency = table, source, agency
        self.cols, self.exprs, self.watched, self.comment = cols, exprs, watched, comment


SIDES = [
    Side(
        "report_sent", "document_facts", "sender", SENT_COLS, sent_exprs,
        ["sender", "signed", "paper", "sent_at"],
        "Documents an agency sent, by the day they reached the hub.",
    ),
    Side(
        "report_received", "receipts", "receiver", RECV_COLS, recv_exprs,
        ["receiver", "status", "first_status_at", "change", "sent_at"],
        "Documents an agency was sent and what it answered, by the day they reached the hub.",
    ),
]


def upsert(side, x, cols, ind):
    ex = side.exprs(x)
    vals = ",\n".join(f"{ind}    {ex[c]}" for c in cols)
    sets = ",\n".join(f"{ind}    {c} = {side.table}.{c} + excluded.{c}" for c in cols)
    return (
        f"{ind}INSERT INTO {side.table} (agency, day, {', '.join(cols)})\n"
        f"{ind}VALUES ({x}.{side.agency}, {day(x)},\n{vals})\n"
        f"{ind}ON CONFLICT (agency, day) DO UPDATE SET\n{sets};\n"
    )


def subtract(side, cols, ind):
    ex = side.exprs("OLD")
    sets = ",\n".join(
        f"{ind}    {c} = {c} - " + (ex[c] if ex[c] == "1" else f"({ex[c]})") for c in cols
    )
    return (
        f"{ind}UPDATE {side.table} SET\n{sets}\n"
        f"{ind}WHERE agency = OLD.{side.agency} AND day = {day('OLD')};\n"
    )


def difference(side, cols, ind):
    new, old = side.exprs("NEW"), side.exprs("OLD")
    sets = ",\n".join(
        f"{ind}    {c} = {c} + ({new[c]}) - ({old[c]})" for c in cols if new[c] != old[c]
    )
    return (
        f"{ind}UPDATE {side.table} SET\n{sets}\n"
        f"{ind}WHERE agency = NEW.{side.agency} AND day = {day('NEW')};\n"
    )


def same_key(side):
    a = side.agency
    return (
        f"OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL AND OLD.{a} = NEW.{a} "
        f"AND {day('OLD')} = {day('NEW')}"
    )


def cases(side, dialect):
    """The trigger bodies: (event, condition, body) in the order PostgreSQL tries them."""
    same_as = "IS" if dialect == "sqlite" else "IS NOT DISTINCT FROM"
    out = []
    if side.source == "receipts":
        # A receipt as ingest writes it: no answer yet. Only two counts move.
        fresh = "NEW.sent_at IS NOT NULL AND NEW.status IS NULL AND NEW.first_status_at IS NULL"
        out.append(("INSERT", "fresh", fresh, upsert(side, "NEW", ["received", "unanswered"], "")))
        out.append(("INSERT", "insert", f"NEW.sent_at IS NOT NULL AND NOT ({fresh})",
                    upsert(side, "NEW", side.cols, "")))
        # A later status (03 after 01, …): the first status and the revoke state stay.
        status_only = (
            f"{same_key(side)} AND NEW.sent_at = OLD.sent_at "
            f"AND NEW.first_status_at {same_as} OLD.first_status_at "
            f"AND NEW.change {same_as} OLD.change"
        )
        out.append(("UPDATE", "status", status_only, difference(side, STATUS_COLS, "")))
        out.append(("UPDATE", "update", f"{same_key(side)} AND NOT ({status_only})",
                    difference(side, side.cols, "")))
    else:
        out.append(("INSERT", "insert", "NEW.sent_at IS NOT NULL",
                    upsert(side, "NEW", side.cols, "")))
        out.append(("UPDATE", "update", same_key(side), difference(side, side.cols, "")))
    # Moved to another agency or day: out of the old row, into the new one.
    out.append(("UPDATE", "move_out", f"OLD.sent_at IS NOT NULL AND NOT ({same_key(side)})",
                subtract(side, side.cols, "")))
    out.append(("UPDATE", "move_in", f"NEW.sent_at IS NOT NULL AND NOT ({same_key(side)})",
                upsert(side, "NEW", side.cols, "")))
    out.append(("DELETE", "delete", "OLD.sent_at IS NOT NULL", subtract(side, side.cols, "")))
    return out


HEAD = """\
-- Report rollups (issue 7, decision 0029), {dialect} dialect. Keep in step with
-- ../{other}/0004_report_rollups.sql. Written by tools/report-rollups.py: change that and rerun
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
--   {bounds}
--   A report finds the bucket that holds the median, then reads that bucket's delays in order
--   from receipts_delay: the median stays exact.
"""

TAIL = """
-- Exact medians: one receiver's delays in order (see hN above).
CREATE INDEX receipts_delay ON receipts(receiver, (first_status_at - sent_at), sent_at);
-- Rejection reasons: a period's few 02 receipts without reading the others.
CREATE INDEX receipts_rejected ON receipts(sent_at, receiver, reason) WHERE status = '02';
"""


def table_and_backfill(side, int_type, without_rowid):
    coldefs = ",\n".join(f"    {c} {int_type} NOT NULL DEFAULT 0" for c in side.cols)
    r = side.exprs("r")
    sums = ",\n".join(f"    SUM({r[c]})" for c in side.cols)
    return (
        f"\n-- {side.comment}\n"
        f"CREATE TABLE {side.table} (\n    agency TEXT NOT NULL,\n    day {int_type} NOT NULL,\n"
        f"{coldefs},\n    PRIMARY KEY (agency, day)\n){' WITHOUT ROWID' if without_rowid else ''};\n"
        f"-- What was there before this migration.\n"
        f"INSERT INTO {side.table} (agency, day, {', '.join(side.cols)})\n"
        f"SELECT r.{side.agency}, {day('r')},\n{sums}\n"
        f"FROM {side.source} r WHERE r.sent_at IS NOT NULL GROUP BY 1, 2;\n"
    )


def wrap(text, width=96, prefix="--   "):
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(prefix) + len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return ("\n" + prefix).join(lines)


def head(dialect, other):
    bounds = wrap(", ".join(str(b) for b in BOUNDS_S) + ".")
    return HEAD.format(dialect=dialect, other=other, bounds=bounds)


def sqlite_sql():
    out = [head("SQLite", "postgres")]
    for side in SIDES:
        out.append(table_and_backfill(side, "INTEGER", True))
        for event, name, cond, body in cases(side, "sqlite"):
            of = f" OF {', '.join(side.watched)}" if event == "UPDATE" else ""
            out.append(
                f"\nCREATE TRIGGER {side.source}_report_{name} AFTER {event}{of} ON {side.source}\n"
                f"WHEN {cond}\nBEGIN\n" + indent(body) + "END;\n"
            )
    out.append(TAIL)
    return "".join(out)


def indent(text, by="    "):
    return "".join(by + l if l.strip() else l for l in text.splitlines(True))


def postgres_sql():
    out = [head("PostgreSQL", "sqlite")]
    for side in SIDES:
        out.append(table_and_backfill(side, "BIGINT", False))
        body = [f"\nCREATE FUNCTION {side.source}_report() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"]
        for event in ["INSERT", "UPDATE", "DELETE"]:
            branches = [c for c in cases(side, "postgres") if c[0] == event]
            body.append(f"    IF TG_OP = '{event}' THEN\n")
            for i, (_, name, cond, sql) in enumerate(branches):
                # Moving a row runs both of its branches.
                keyword = "IF" if i == 0 or name == "move_in" else "ELSIF"
                if name == "move_in":
                    body.append("        END IF;\n")
                body.append(f"        {keyword} {cond} THEN\n" + indent(sql, " " * 12))
            body.append("        END IF;\n    END IF;\n")
        body.append("    RETURN NULL;\nEND\n$$;\n")
        out.append("".join(body))
        # Deferred to the commit: the rollup rows are locked only while the transaction
        # commits, not from the first write on (concurrent ingests of one sender would queue
        # for its row otherwise).
        out.append(
            f"CREATE CONSTRAINT TRIGGER {side.source}_report\n"
            f"AFTER INSERT OR DELETE OR UPDATE OF {', '.join(side.watched)} ON {side.source}\n"
            f"DEFERRABLE INITIALLY DEFERRED\n"
            f"FOR EACH ROW EXECUTE FUNCTION {side.source}_report();\n"
        )
    out.append(TAIL)
    return "".join(out)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    for dialect, text in [("sqlite", sqlite_sql()), ("postgres", postgres_sql())]:
        path = os.path.join(root, "migrations", dialect, "0004_report_rollups.sql")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
