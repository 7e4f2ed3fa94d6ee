"""The bundle: a MIME multipart/mixed message (RFC 2046), as older QLVB export a document for
sending by e-mail. One part is the CSV table; every other part is an attached file, in base64
(or sent as is when its Content-Transfer-Encoding is `binary` or `8bit`).

Parsed from bytes by hand, not with the `email` package: every error must name its place (part
number, byte offset), and attachment bodies go to the hub as base64 text without being decoded
in the sandbox (`blob-writer.write-base64`).
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional
import re

BOUNDARY = "truc-csv-export"


class BundleError(Exception):
    def __init__(self, message: str, location: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.location = location


@dataclass
class Part:
    headers: Dict[str, str]
    body: bytes
    index: int  # 1-based, for messages
    offset: int  # byte offset of the part's first header line

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def param(self, header: str, name: str) -> str:
        """A parameter of a structured header, e.g. `filename` of Content-Disposition."""
        m = re.search(r';\s*' + name + r'\s*=\s*("([^"]*)"|[^;\s]+)', self.header(header), re.I)
        if not m:
            return ""
        return m.group(2) if m.group(2) is not None else m.group(1)

    @property
    def filename(self) -> str:
        return self.param("content-disposition", "filename") or self.param("content-type", "name")

    @property
    def mime_type(self) -> str:
        return self.header("content-type").split(";")[0].strip().lower()

    @property
    def location(self) -> str:
        return f"part {self.index} (byte {self.offset})"


def _headers(block: bytes, where: str) -> Dict[str, str]:
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BundleError("MIME headers must be UTF-8 (or ASCII)", f"{where}, byte {e.start}")
    headers: Dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and last:  # folded header (RFC 5322 §2.2.3)
            headers[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise BundleError(f"expected `Name: value`, found {line[:40]!r}", where)
        last = name.strip().lower()
        headers[last] = value.strip()
    return headers


def _split_head(data: bytes, start: int) -> (bytes, int):
    """The header block starting at `start` and where the body begins (after a blank line)."""
    m = re.compile(rb"\r?\n\r?\n").search(data, start)
    if not m:
        return data[start:], len(data)
    return data[start:m.start()], m.end()


def parse(data: bytes, content_type: str) -> List[Part]:
    """Splits a bundle into its parts. `content_type` is the payload's: its boundary is used
    when the bundle itself starts without MIME headers."""
    boundary = None
    body_start = 0
    m = re.search(r'boundary\s*=\s*"?([^";]+)"?', content_type, re.I)
    if m:
        boundary = m.group(1).strip()
    if not data.lstrip().startswith(b"--"):
        head, body_start = _split_head(data, 0)
        top = _headers(head, "the bundle's headers")
        m = re.search(r'boundary\s*=\s*"?([^";]+)"?', top.get("content-type", ""), re.I)
        if not m:
            raise BundleError("not a MIME multipart bundle: no `Content-Type: multipart/mixed; boundary=…`", "byte 0")
        boundary = m.group(1).strip()
    if not boundary:
        raise BundleError("no MIME boundary in the payload's content type or the bundle", "byte 0")
    delimiter = re.compile(rb"(?:^|\r?\n)--" + re.escape(boundary.encode()) + rb"(--)?[ \t]*(?:\r?\n|$)", re.M)
    parts: List[Part] = []
    marks = list(delimiter.finditer(data, body_start))
    if not marks:
        raise BundleError(f"the boundary `--{boundary}` never occurs", f"byte {body_start}")
    for i, mark in enumerate(marks):
        if mark.group(1):  # closing delimiter
            break
        if i + 1 >= len(marks):
            raise BundleError(f"the bundle is truncated: no closing `--{boundary}--`", f"byte {len(data)}")
        start, end = mark.end(), marks[i + 1].start()
        head, body_at = _split_head(data, start)
        where = f"part {len(parts) + 1} (byte {start})"
        parts.append(Part(_headers(head, where), data[body_at:max(body_at, end)], len(parts) + 1, start))
    else:
        raise BundleError(f"the bundle is truncated: no closing `--{boundary}--`", f"byte {len(data)}")
    if not parts:
        raise BundleError("the bundle has no parts", f"byte {body_start}")
    return parts


@dataclass
class OutPart:
    headers: List[tuple]
    body: List[bytes] = field(default_factory=list)


def write(parts: List[OutPart]) -> bytes:
    """A bundle with CRLF line ends, as mail software writes them."""
    out = [b"MIME-Version: 1.0\r\n",
           f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"\r\n\r\n'.encode()]
    for p in parts:
        out.append(f"--{BOUNDARY}\r\n".encode())
        for name, value in p.headers:
            out.append(f"{name}: {value}\r\n".encode("utf-8"))
        out.append(b"\r\n")
        out.extend(p.body)
        out.append(b"\r\n")
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out)
