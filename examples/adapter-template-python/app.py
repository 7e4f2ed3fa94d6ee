"""A complete truc codec adapter in Python: its legacy system reports statuses as text lines,
`SENDER;DOCUMENT-ID;CODE;NOTE`, e.g. `000.00.00.H41;000.00.00.G22,2026/11/20,7816/VPCP-TTĐT;03;Đã vào sổ`.

Build: componentize-py -d ../../wit/truc-adapter@0.1.0 -w codec-adapter componentize app -o status_line_py.wasm
"""
from typing import List, Optional

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import types as t
from wit_world.imports.blobs import BlobWriter

NAME, VERSION = "status-line-py", "1.0.0"
CODES = {"01": t.StatusCode_Received(), "02": t.StatusCode_Rejected(), "03": t.StatusCode_Accepted(),
         "04": t.StatusCode_Assigned(), "05": t.StatusCode_Processing(), "06": t.StatusCode_Completed(),
         "13": t.StatusCode_RevokeRequest(), "15": t.StatusCode_Agreed(), "16": t.StatusCode_Refused()}
MAX_INPUT = 1 << 20


def malformed(message: str, location: Optional[str] = None) -> Err:
    return Err(t.AdapterError_Malformed(t.ErrorDetail(message, location)))


def organ(code: str) -> t.Organ:
    return t.Organ(code, "", "", "", "", "", "", "")


def date(text: str) -> Optional[t.Date]:
    """`yyyy/MM/dd` as in a DocumentId (QCVN 102 §4.5); None when it is not one."""
    parts = text.strip().split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return t.Date(int(parts[0]), int(parts[1]), int(parts[2]))


def status(sender: str, document_id: str, code: str, note: str) -> t.Message:
    organ_id, day, notation = (document_id.split(",", 2) + ["", ""])[:3]
    code = code.strip().zfill(2)
    return t.Message_Status(t.Status(
        sender=organ(sender),
        response_for=t.ResponseFor(organ_id.strip(), notation.strip(), date(day), document_id),
        staff=t.Staff("", "", "", ""),
        code=CODES.get(code, t.StatusCode_Other(code)),
        description=note,
        timestamp=None))


def code_of(c: t.StatusCode) -> str:
    if isinstance(c, t.StatusCode_Other):
        return c.value
    return next(k for k, v in CODES.items() if type(v) is type(c))


class Codec(exports.Codec):
    def describe(self) -> t.AdapterInfo:
        return t.AdapterInfo(NAME, VERSION, "Example Software JSC", ["text/plain"], "Statuses as text lines.")

    def decode(self, input: t.Payload) -> List[t.Message]:
        if input.body.size() > MAX_INPUT:
            raise malformed(f"the input is larger than {MAX_INPUT} bytes")
        try:
            text = input.body.read(0, MAX_INPUT).decode("utf-8")
        except UnicodeDecodeError as e:
            raise malformed("not UTF-8 text", f"byte {e.start}")
        out = []
        for i, line in enumerate(l for l in text.splitlines() if l.strip()):
            fields = line.split(";", 3)
            if len(fields) != 4:
                raise malformed("expected SENDER;DOCUMENT-ID;CODE;NOTE", f"line {i + 1}")
            out.append(status(*fields))
        return out

    def encode(self, message: t.Message) -> t.Payload:
        if not isinstance(message, t.Message_Status):
            raise Err(t.AdapterError_Unsupported(t.ErrorDetail("this system takes statuses only", None)))
        s = message.value
        line = f"{s.sender.id};{s.response_for.document_id};{code_of(s.code)};{s.description}\n"
        writer = BlobWriter()
        writer.write(line.encode("utf-8"))
        return t.Payload("text/plain", BlobWriter.finish(writer))
