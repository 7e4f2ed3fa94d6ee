"""csv-export-py: a truc codec adapter, in Python, for the CSV-plus-attachments bundles that older
QLVB export (see README.md for the format). A bundle is a MIME multipart/mixed message: one part
is a CSV table with Vietnamese column names, one row per document or status; the other parts are
the files attached to the documents, in base64.
"""
from typing import List

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import types as t
from wit_world.imports.blobs import Blob, BlobWriter

import bundle
import table
from table import DOC, STATUS

NAME, VERSION = "csv-export-py", "1.0.0"
CONTENT_TYPE = f'multipart/mixed; boundary="{bundle.BOUNDARY}"'
# The whole bundle is read into the sandbox: its CSV and base64 text are parsed here.
MAX_INPUT = 64 << 20
# Bytes of a file per base64 line group: 57 bytes are one 76-character line (RFC 2045 §6.8).
B64_CHUNK = 57 * 1024


def error(kind, message: str, location=None) -> Err:
    return Err(kind(t.ErrorDetail(message, location)))


def malformed(e) -> Err:
    return error(t.AdapterError_Malformed, e.message, e.location)


class Codec(exports.Codec):
    def describe(self) -> t.AdapterInfo:
        return t.AdapterInfo(NAME, VERSION, "truc project (example adapter)", ["multipart/mixed", "text/csv"],
                             "CSV exports with attached files (MIME bundles) of older QLVB, Vietnamese column names.")

    def decode(self, input: t.Payload) -> List[t.Message]:
        size = input.body.size()
        if size == 0:
            raise error(t.AdapterError_Malformed, "the payload is empty: a MIME bundle with a CSV part is expected", "byte 0")
        if size > MAX_INPUT:
            raise error(t.AdapterError_Malformed, f"the bundle is {size} bytes, more than this adapter reads ({MAX_INPUT})")
        data = read_all(input.body, size)
        try:
            return decode(data, input.content_type)
        except (bundle.BundleError, table.TableError) as e:
            raise malformed(e)

    def encode(self, message: t.Message) -> t.Payload:
        try:
            data = encode(message)
        except table.TableError as e:
            raise error(t.AdapterError_Unsupported, e.message, e.location)
        writer = BlobWriter()
        writer.write(data)
        return t.Payload(CONTENT_TYPE, BlobWriter.finish(writer))


def read_all(blob: Blob, size: int) -> bytes:
    chunks, offset = [], 0
    while offset < size:
        chunk = blob.read(offset, min(1 << 20, size - offset))
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


# --- decode ----------------------------------------------------------------------------------

def decode(data: bytes, content_type: str) -> List[t.Message]:
    if content_type.split(";")[0].strip().lower() == "text/csv":  # a bare table, no files
        parts = [bundle.Part({"content-type": "text/csv"}, data, 1, 0)]
    else:
        parts = bundle.parse(data, content_type)
    tables = [p for p in parts if p.mime_type == "text/csv" or p.filename.lower().endswith(".csv")]
    if not tables:
        raise bundle.BundleError("the bundle has no CSV part (Content-Type: text/csv)", "byte 0")
    files = {}
    for p in parts:
        if p not in tables:
            if p.filename in files:
                raise bundle.BundleError(f"two parts are named `{p.filename}`", p.location)
            files[p.filename] = p
    used = set()
    out = []
    for part in tables:
        try:
            text = part.body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise bundle.BundleError("the CSV table is not UTF-8", f"{part.location}, byte {e.start} of its body")
        kind, rows = table.read(text, part.filename or part.location)
        for row in rows:
            if kind == "status":
                out.append(t.Message_Status(status_from_row(row)))
            else:
                out.append(t.Message_Document(document_from_row(row, files, used)))
    unused = sorted(set(files) - used)
    if unused:
        raise bundle.BundleError(f"the file `{unused[0]}` is attached but no row names it in `{DOC['files']}`",
                                 files[unused[0]].location)
    return out


def document_from_row(row, files, used) -> t.Document:
    receiver_ids = table.items(row["receiver_ids"])
    names = table.items(row.get("receiver_names", ""))
    if names and len(names) != len(receiver_ids):
        raise table.TableError(f"{len(receiver_ids)} receiver codes but {len(names)} receiver names",
                               table.where(row, DOC, "receiver_names"))
    names = names or [""] * len(receiver_ids)
    action_text = row.get("action", "") or "0"
    action = table.ACTIONS.get(action_text)
    if action is None:
        raise table.TableError(f"`{action_text}` is not a business action of this system (0 new, 1 revoke)",
                               table.where(row, DOC, "action"))
    if action == "revoke":
        if not row.get("target"):
            raise table.TableError("a revocation names the revoked document", table.where(row, DOC, "target"))
        business_action = t.BusinessAction_Revoke(row["target"])
    else:
        business_action = t.BusinessAction_New()
    attachments = []
    for i, name in enumerate(table.items(row.get("files", ""))):
        part = files.get(name)
        if part is None:
            raise table.TableError(f"the file `{name}` is not in the bundle", table.where(row, DOC, "files"))
        used.add(name)
        attachments.append(attachment(part, i))
    return t.Document(
        id=row["id"],
        sender=table.organ(row["sender_id"], row.get("sender_name", ""), row.get("sender_parent", "")),
        receivers=[table.organ(c, n) for c, n in zip(receiver_ids, names)],
        code=t.Code(row["number"], row["notation"]),
        promulgation=t.Promulgation(row.get("place", ""), table.date(row, DOC, "date")),
        document_type=t.DocumentType(row.get("type_code", ""), "", row.get("type_name", "")),
        subject=row["subject"],
        content=row.get("content", ""),
        signer=t.Signer(row.get("competence", ""), row.get("position", ""), row.get("signer", "")),
        due_date=table.date(row, DOC, "due"),
        to_places=table.items(row.get("to_places", "")),
        other=t.OtherInfo(table.number(row, DOC, "priority", 4) or 0, "", "",
                          table.number(row, DOC, "copies", 1 << 31), table.number(row, DOC, "pages", 1 << 31), [], None),
        response_for=[],
        steering_type=None,
        application_type=None,
        business=t.Business(business_action, row.get("reason", ""), False, None),
        traces=[],
        attachments=attachments,
    )


def attachment(part: bundle.Part, index: int) -> t.Attachment:
    encoding = part.header("content-transfer-encoding").lower() or "base64"
    writer = BlobWriter()
    if encoding == "base64":
        try:
            writer.write_base64(part.body.decode("ascii"))
        except UnicodeDecodeError as e:
            raise bundle.BundleError("base64 text must be ASCII", f"{part.location}, byte {e.start} of its body")
        except Err as e:
            raise bundle.BundleError(f"the file `{part.filename}` is not valid base64: {e.value}", part.location)
    elif encoding in ("binary", "8bit", "7bit"):
        writer.write(part.body)
    else:
        raise bundle.BundleError(f"Content-Transfer-Encoding `{encoding}` is not supported (base64 or binary)",
                                 part.location)
    content_id = part.header("content-id").strip().strip("<>") or f"tep-{index + 1}"
    return t.Attachment(content_id, part.filename, part.header("content-description"),
                        part.mime_type or "application/octet-stream", BlobWriter.finish(writer))


def status_from_row(row) -> t.Status:
    return t.Status(
        sender=table.organ(row["sender_id"], row.get("sender_name", "")),
        response_for=t.ResponseFor(row.get("organ_id", ""), row.get("code", ""),
                                   table.date(row, STATUS, "date"), row["document_id"]),
        staff=t.Staff(row.get("department", ""), row.get("staff", ""), row.get("mobile", ""), row.get("email", "")),
        code=table.status_code(row),
        description=row.get("description", ""),
        timestamp=table.date_time(row, STATUS, "time"),
    )


# --- encode ----------------------------------------------------------------------------------

def encode(message: t.Message) -> bytes:
    if isinstance(message, t.Message_Status):
        s = message.value
        r = s.response_for
        row = {"sender_id": s.sender.id, "sender_name": s.sender.name, "document_id": r.document_id,
               "organ_id": r.organ_id, "code": r.code, "date": table.fmt_date(r.promulgation_date),
               "status": table.status_code_text(s.code), "description": s.description,
               "time": table.fmt_date_time(s.timestamp), "staff": s.staff.name,
               "department": s.staff.department, "mobile": s.staff.mobile, "email": s.staff.email}
        return bundle.write([csv_part("trangthai.csv", table.write(STATUS, [row]))])
    d = message.value
    a = d.business.action
    if isinstance(a, t.BusinessAction_New):
        action, target = "0", ""
    elif isinstance(a, t.BusinessAction_Revoke):
        action, target = "1", a.value
    else:
        raise table.TableError("this system records new documents and revocations only, not updates or replacements",
                               "document/business/action")
    names = [x.name for x in d.attachments]
    for i, n in enumerate(names):
        if not n or n in names[:i] or n.lower().endswith(".csv") or any(c in n for c in "\"\r\n"):
            raise table.TableError(f"attachment name `{n}` cannot name a part of the bundle (empty, repeated or .csv)",
                                   f"document/attachments[{i}]/name")
    row = {
        "id": d.id, "sender_id": d.sender.id, "sender_name": d.sender.name,
        "sender_parent": d.sender.organization_in_charge,
        "receiver_ids": table.join([o.id for o in d.receivers], "receiver code", "document/receivers"),
        "receiver_names": table.join([o.name for o in d.receivers], "receiver name", "document/receivers")
        if any(o.name for o in d.receivers) else "",
        "number": d.code.number, "notation": d.code.notation, "place": d.promulgation.place,
        "date": table.fmt_date(d.promulgation.date), "type_code": d.document_type.code,
        "type_name": d.document_type.name, "subject": d.subject, "content": d.content,
        "competence": d.signer.competence, "position": d.signer.position, "signer": d.signer.full_name,
        "due": table.fmt_date(d.due_date), "priority": str(d.other.priority),
        "pages": table.fmt_opt(d.other.page_amount), "copies": table.fmt_opt(d.other.promulgation_amount),
        "to_places": table.join(d.to_places, "place", "document/to-places"),
        "action": action, "target": target, "reason": d.business.reason,
        "files": table.join(names, "file name", "document/attachments"),
    }
    parts = [csv_part("vanban.csv", table.write(DOC, [row]))]
    for x in d.attachments:
        headers = [("Content-Type", x.content_type or "application/octet-stream"),
                   ("Content-Disposition", f'attachment; filename="{x.name}"'),
                   ("Content-Transfer-Encoding", "base64"),
                   ("Content-ID", f"<{x.content_id}>")]
        if x.description:
            headers.append(("Content-Description", x.description))
        parts.append(bundle.OutPart(headers, base64_lines(x.body)))
    return bundle.write(parts)


def csv_part(filename: str, body: bytes) -> bundle.OutPart:
    return bundle.OutPart([("Content-Type", "text/csv; charset=utf-8"),
                           ("Content-Disposition", f'attachment; filename="{filename}"')], [body])


def base64_lines(blob: Blob) -> List[bytes]:
    """The blob in base64, 76 characters a line; the hub does the encoding."""
    size, offset, out = blob.size(), 0, []
    while offset < size:
        text = blob.read_base64(offset, B64_CHUNK)
        out.append("\r\n".join(text[i:i + 76] for i in range(0, len(text), 76)).encode("ascii"))
        offset += B64_CHUNK
    return [b"\r\n".join(out)]
