"""The CSV table of a bundle: UTF-8 (a byte-order mark, as Excel writes, is accepted), RFC 4180
quoting, a header row of Vietnamese column names, one row per document or status. Columns are
found by name — case, spacing and Unicode normalisation do not matter — so their order is free.
Dates are written the Vietnamese way, `dd/mm/yyyy` (and `dd/mm/yyyy HH:MM:SS`); lists inside a
cell are separated by `;`.
"""
import csv
import io
import unicodedata
from typing import Dict, List, Optional

from wit_world.imports import types as t

# Column names of a document table (vanban.csv), by canonical field.
DOC = {
    "id": "Mã định danh văn bản",
    "sender_id": "Mã đơn vị gửi",
    "sender_name": "Tên đơn vị gửi",
    "sender_parent": "Cơ quan chủ quản",
    "receiver_ids": "Mã đơn vị nhận",
    "receiver_names": "Tên đơn vị nhận",
    "number": "Số văn bản",
    "notation": "Ký hiệu",
    "place": "Nơi ban hành",
    "date": "Ngày ban hành",
    "type_code": "Mã loại văn bản",
    "type_name": "Loại văn bản",
    "subject": "Trích yếu",
    "content": "Nội dung",
    "competence": "Thẩm quyền ký",
    "position": "Chức vụ người ký",
    "signer": "Người ký",
    "due": "Hạn xử lý",
    "priority": "Độ khẩn",
    "pages": "Số trang",
    "copies": "Số bản",
    "to_places": "Nơi nhận",
    "action": "Nghiệp vụ",
    "target": "Văn bản liên quan",
    "reason": "Lý do",
    "files": "Tệp đính kèm",
}
DOC_REQUIRED = ["id", "sender_id", "receiver_ids", "number", "notation", "subject"]

# Column names of a status table (trangthai.csv).
STATUS = {
    "sender_id": "Mã đơn vị báo cáo",
    "sender_name": "Tên đơn vị báo cáo",
    "document_id": "Mã định danh văn bản",
    "organ_id": "Mã đơn vị gửi văn bản",
    "code": "Số ký hiệu",
    "date": "Ngày ban hành",
    "status": "Mã trạng thái",
    "description": "Mô tả",
    "time": "Thời điểm",
    "staff": "Cán bộ xử lý",
    "department": "Phòng ban",
    "mobile": "Điện thoại",
    "email": "Thư điện tử",
}
STATUS_REQUIRED = ["sender_id", "document_id", "status"]

# Business actions this system knows (BussinessDocType, QCVN 102 §4.4): 0 new, 1 revoke.
ACTIONS = {"0": "new", "1": "revoke"}

CODES = {"01": t.StatusCode_Received, "02": t.StatusCode_Rejected, "03": t.StatusCode_Accepted,
         "04": t.StatusCode_Assigned, "05": t.StatusCode_Processing, "06": t.StatusCode_Completed,
         "13": t.StatusCode_RevokeRequest, "15": t.StatusCode_Agreed, "16": t.StatusCode_Refused}


class TableError(Exception):
    def __init__(self, message: str, location: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.location = location


def key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def read(text: str, where: str) -> (str, List[Dict[str, str]], Dict[str, str]):
    """Reads a table into rows keyed by canonical field; says whether it holds documents or
    statuses. Each row keeps its place (`@row`) for error messages."""
    text = text.lstrip("\ufeff")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise TableError(f"not valid CSV: {e}", where)
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise TableError("the CSV table is empty: a header row is expected", where)
    header = [key(c) for c in rows[0]]
    is_status = key(STATUS["status"]) in header
    columns, required = (STATUS, STATUS_REQUIRED) if is_status else (DOC, DOC_REQUIRED)
    index = {}
    for field_name, title in columns.items():
        if key(title) in header:
            index[field_name] = header.index(key(title))
    missing = [columns[f] for f in required if f not in index]
    if missing:
        raise TableError("the header row lacks the column(s) " + ", ".join(f"`{m}`" for m in missing),
                         f"{where}, row 1")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            raise TableError(f"row has {len(row)} cells but the header names {len(header)} columns",
                             f"{where}, row {n}")
        cells = {f: (row[i].strip() if i < len(row) else "") for f, i in index.items()}
        cells["@row"] = f"{where}, row {n}"
        out.append(cells)
    if not out:
        raise TableError("the CSV table has a header row but no data row", where)
    return ("status" if is_status else "document"), out


def write(columns: Dict[str, str], rows: List[Dict[str, str]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns.values())
    for r in rows:
        w.writerow([r.get(f, "") for f in columns])
    return buf.getvalue().encode("utf-8")


# --- cells ---------------------------------------------------------------------------------

def where(row: Dict[str, str], columns: Dict[str, str], field_name: str) -> str:
    return f"{row['@row']}, column `{columns[field_name]}`"


def date(row, columns, field_name) -> Optional[t.Date]:
    """`dd/mm/yyyy`; empty is absent."""
    text = row.get(field_name, "")
    if not text:
        return None
    parts = text.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        raise TableError(f"`{text}` is not a date in the form dd/mm/yyyy", where(row, columns, field_name))
    day, month, year = (int(p) for p in parts)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise TableError(f"`{text}` is not a calendar date", where(row, columns, field_name))
    return t.Date(year, month, day)


def date_time(row, columns, field_name) -> Optional[t.DateTime]:
    """`dd/mm/yyyy HH:MM:SS` (seconds optional); empty is absent."""
    text = row.get(field_name, "")
    if not text:
        return None
    day, _, clock = text.partition(" ")
    d = date({**row, field_name: day}, columns, field_name)
    hms = clock.strip().split(":") if clock.strip() else ["0", "0"]
    if len(hms) == 2:
        hms.append("0")
    if len(hms) != 3 or not all(p.isdigit() for p in hms):
        raise TableError(f"`{text}` is not a time in the form dd/mm/yyyy HH:MM:SS", where(row, columns, field_name))
    h, m, s = (int(p) for p in hms)
    if h > 23 or m > 59 or s > 59:
        raise TableError(f"`{text}` is not a time of day", where(row, columns, field_name))
    return t.DateTime(d, h, m, s)


def number(row, columns, field_name, limit: int) -> Optional[int]:
    text = row.get(field_name, "")
    if not text:
        return None
    if not text.isdigit() or int(text) > limit:
        raise TableError(f"`{text}` is not a whole number up to {limit}", where(row, columns, field_name))
    return int(text)


def items(text: str) -> List[str]:
    return [i.strip() for i in text.split(";")] if text.strip() else []


def fmt_date(d: Optional[t.Date]) -> str:
    return f"{d.day:02}/{d.month:02}/{d.year:04}" if d else ""


def fmt_date_time(d: Optional[t.DateTime]) -> str:
    return f"{fmt_date(d.date)} {d.hour:02}:{d.minute:02}:{d.second:02}" if d else ""


def fmt_opt(n: Optional[int]) -> str:
    return "" if n is None else str(n)


def join(values: List[str], what: str, path: str) -> str:
    for i, v in enumerate(values):
        if ";" in v:
            raise TableError(f"{what} `{v}` contains `;`, which this format uses between items",
                             f"{path}[{i}]")
    return ";".join(values)


def organ(code: str, name: str = "", parent: str = "") -> t.Organ:
    return t.Organ(code, parent, name, "", "", "", "", "")


def status_code(row) -> t.StatusCode:
    text = row["status"]
    code = text.zfill(2) if text.isdigit() else text
    if len(code) != 2:
        raise TableError(f"`{text}` is not a two-digit status code (01-06, 13, 15, 16)",
                         where(row, STATUS, "status"))
    cls = CODES.get(code)
    return cls() if cls else t.StatusCode_Other(code)


def status_code_text(c: t.StatusCode) -> str:
    if isinstance(c, t.StatusCode_Other):
        return c.value
    return next(k for k, cls in CODES.items() if isinstance(c, cls))
