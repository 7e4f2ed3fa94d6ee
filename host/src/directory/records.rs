//! Directory files: CSV (`code,name,parent_code,qd20_code,old_code,email`) or JSON (an array of
//! such objects, the VXP `getAgenciesList` answer, or the `getAgenciesListQD20` answer, §9.3),
//! read into [`Records`] that keep every row's position, so a bad row is reported where it is and
//! the good ones still go in.

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::agency::NewAgency;
use super::code::agency_code;
use super::error::InputError;

/// The CSV columns, in the order [`write_csv`] writes them.
const COLUMNS: [&str; 6] = [
    "code",
    "name",
    "parent_code",
    "qd20_code",
    "old_code",
    "email",
];

/// A directory file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// JSON: an array of agencies or a VXP answer.
    Json,
}

impl Format {
    /// Guesses the format from the first bytes: JSON starts with `[` or `{`.
    pub fn sniff(bytes: &[u8]) -> Format {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[' | b'{') => Format::Json,
            _ => Format::Csv,
        }
    }
}

/// How a row's position is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Lines of a CSV file; the header is line 1.
    Line,
    /// Items of a JSON array (or of a list given in code), from 1.
    Item,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Line => "line",
            Unit::Item => "item",
        })
    }
}

/// One row of a directory file: an agency to write, or why the row could not be read.
#[derive(Clone, Debug)]
pub(super) struct Record {
    /// Its line or item number.
    pub at: u64,
    pub agency: Result<NewAgency, String>,
}

/// The rows of a directory file, ready for [`super::Directory::import`].
#[derive(Clone, Debug)]
pub struct Records {
    unit: Unit,
    rows: Vec<Record>,
}

impl From<Vec<NewAgency>> for Records {
    fn from(agencies: Vec<NewAgency>) -> Records {
        Records {
            unit: Unit::Item,
            rows: agencies
                .into_iter()
                .zip(1..)
                .map(|(agency, at)| Record {
                    at,
                    agency: Ok(agency),
                })
                .collect(),
        }
    }
}

impl Records {
    /// Reads a directory file, choosing the format by its extension (`.csv`, `.json`) or, failing
    /// that, by its first bytes.
    pub fn from_path(path: &Path) -> Result<Records, InputError> {
        let bytes = std::fs::read(path)?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let format = match ext.as_deref() {
            Some("csv") => Format::Csv,
            Some("json") => Format::Json,
            _ => Format::sniff(&bytes),
        };
        Records::read(&bytes[..], format)
    }

    /// Reads a directory file in `format`.
    pub fn read(reader: impl Read, format: Format) -> Result<Records, InputError> {
        match format {
            Format::Csv => Records::from_csv(reader),
            Format::Json => Records::from_json(reader),
        }
    }

    /// Reads CSV with a header row naming its columns (any order; `code` and `name` required).
    pub fn from_csv(reader: impl Read) -> Result<Records, InputError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = csv.headers().map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(e) => InputError::Io(e),
            csv::ErrorKind::Utf8 { .. } => InputError::CsvHeader("it is not UTF-8".into()),
            other => InputError::CsvHeader(format!("{other:?}")),
        })?;
        let mut columns: [Option<usize>; 6] = [None; 6];
        for (i, name) in header.iter().enumerate() {
            let slot = COLUMNS
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
                .ok_or_else(|| InputError::UnknownColumn(name.to_owned()))?;
            if columns[slot].replace(i).is_some() {
                return Err(InputError::DuplicateColumn(name.to_owned()));
            }
        }
        for required in [0, 1] {
            if columns[required].is_none() {
                return Err(InputError::MissingColumn(COLUMNS[required]));
            }
        }
        let width = header.len();
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let at = csv.position().line();
            match csv.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let field = |slot: usize| {
                        columns[slot]
                            .and_then(|i| record.get(i))
                            .unwrap_or_default()
                            .to_owned()
                    };
                    let optional = |slot| Some(field(slot)).filter(|v| !v.is_empty());
                    rows.push(Record {
                        at: record.position().map_or(at, |p| p.line()),
                        agency: Ok(NewAgency {
                            code: field(0),
                            name: field(1),
                            parent_code: optional(2),
                            qd20_code: optional(3),
                            old_code: optional(4),
                            email: field(5),
                        }),
                    });
                }
                Err(e) => {
                    let at = e.position().map_or(at, |p| p.line());
                    let message = match e.into_kind() {
                        csv::ErrorKind::Io(e) => return Err(InputError::Io(e)),
                        csv::ErrorKind::UnequalLengths { len, .. } => format!(
                            "the row has {len} fields but the header has {width}; quote a field that contains a comma"
                        ),
                        csv::ErrorKind::Utf8 { err, .. } => format!(
                            "field {} is not UTF-8; save the file as UTF-8",
                            err.field() + 1
                        ),
                        other => format!("unreadable row: {other:?}"),
                    };
                    rows.push(Record {
                        at,
                        agency: Err(message),
                    });
                }
            }
        }
        Ok(Records {
            unit: Unit::Line,
            rows,
        })
    }

    /// Reads JSON: an array of objects with the CSV column names, or a VXP answer `{"data": […]}`
    /// of `getAgenciesList` (`id, pid, code, name, mail, oldCode`; `pid` is the parent's `id`)
    /// or of `getAgenciesListQD20` (`code` is the QĐ 20 code, `code102` the QCVN 102 code).
    pub fn from_json(mut reader: impl Read) -> Result<Records, InputError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        let text = String::from_utf8(bytes)
            .map_err(|e| InputError::NotUtf8(e.utf8_error().valid_up_to()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let top: Value = serde_json::from_str(text).map_err(|e| InputError::Json {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        let items = match top {
            Value::Array(items) => items,
            Value::Object(mut answer) => match answer.remove("data") {
                Some(Value::Array(items)) => items,
                Some(other) => {
                    return Err(InputError::JsonShape(format!(
                        "`data` holding {}",
                        kind(&other)
                    )));
                }
                None if answer.contains_key("ErrorCode") => {
                    let field = |k: &str| answer.get(k).map(scalar).unwrap_or_default();
                    return Err(InputError::VxpFailure {
                        code: field("ErrorCode").unwrap_or_default(),
                        description: field("ErrorDesc").unwrap_or_default(),
                    });
                }
                None => return Err(InputError::JsonShape("an object without `data`".into())),
            },
            other => return Err(InputError::JsonShape(kind(&other).into())),
        };
        let qd20_shape = items
            .iter()
            .any(|item| item.as_object().is_some_and(|o| o.contains_key("code102")));
        let parsed: Vec<Result<Item, String>> = items
            .into_iter()
            .map(|item| match item {
                Value::Object(_) => serde_json::from_value(item).map_err(|e| e.to_string()),
                other => Err(format!(
                    "is {}, not an object with code and name",
                    kind(&other)
                )),
            })
            .collect();
        let rows = if qd20_shape {
            from_qd20_items(parsed)
        } else {
            from_vxp_items(parsed)
        };
        Ok(Records {
            unit: Unit::Item,
            rows,
        })
    }

    /// How many rows were read, good and bad.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row was read.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How positions are counted.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// The rows, for the import.
    pub(super) fn into_rows(self) -> Vec<Record> {
        self.rows
    }
}

/// One JSON item, in any of the accepted shapes; unknown keys are ignored (the VXP answers carry
/// more than we keep).
#[derive(Debug, Default, Deserialize)]
struct Item {
    id: Option<Value>,
    pid: Option<Value>,
    code: Option<String>,
    name: Option<String>,
    parent_code: Option<String>,
    qd20_code: Option<String>,
    #[serde(alias = "oldCode")]
    old_code: Option<String>,
    #[serde(alias = "mail")]
    email: Option<String>,
    code102: Option<String>,
}

/// Blank strings are absent values.
fn present(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Items of an array of agencies or of `getAgenciesList`: the parent is `parent_code` or, in
/// the VXP shape, the code of the item whose `id` is this item's `pid` (§3.4: ids are opaque).
fn from_vxp_items(items: Vec<Result<Item, String>>) -> Vec<Record> {
    let mut code_of_id: HashMap<String, String> = HashMap::new();
    for item in items.iter().flatten() {
        let (Some(id), Some(code)) = (item.id.as_ref().and_then(scalar), &item.code) else {
            continue;
        };
        if let Ok(code) = agency_code("code", code) {
            code_of_id.entry(id).or_insert(code);
        }
    }
    let parent_of_pid = |pid: &Value| {
        let pid = scalar(pid)?;
        code_of_id
            .get(&pid)
            .cloned()
            // Some registrations pass the parent's code as `pid` (§3.4).
            .or_else(|| agency_code("parent_code", &pid).ok())
    };
    items
        .into_iter()
        .zip(1..)
        .map(|(item, at)| Record {
            at,
            agency: item.map(|item| NewAgency {
                parent_code: present(item.parent_code)
                    .or_else(|| item.pid.as_ref().and_then(parent_of_pid)),
                code: item.code.unwrap_or_default(),
                name: item.name.unwrap_or_default(),
                qd20_code: present(item.qd20_code),
                old_code: present(item.old_code),
                email: item.email.unwrap_or_default(),
            }),
        })
        .collect()
}

/// Items of `getAgenciesListQD20`: keyed by `code102`; the parent is the agency whose QĐ 20 code
/// is the longest dotted prefix of this one's (`H37.02.02` → `H37.02` → `H37`).
fn from_qd20_items(items: Vec<Result<Item, String>>) -> Vec<Record> {
    let mut code_of_qd20: HashMap<String, String> = HashMap::new();
    for item in items.iter().flatten() {
        if let (Some(qd20), Some(code102)) = (&item.code, &item.code102)
            && let Ok(code102) = agency_code("code", code102)
        {
            code_of_qd20
                .entry(qd20.trim().to_owned())
                .or_insert(code102);
        }
    }
    let parent_of = |qd20: &str| {
        let mut prefix = qd20.trim();
        while let Some((up, _)) = prefix.rsplit_once('.') {
            if let Some(code) = code_of_qd20.get(up) {
                return Some(code.clone());
            }
            prefix = up;
        }
        None
    };
    items
        .into_iter()
        .zip(1..)
        .map(|(item, at)| {
            let agency = item.and_then(|item| {
                let Some(code102) = present(item.code102) else {
                    return Err(format!(
                        "QĐ 20 code {} has no code102 (QCVN 102 code); the hub routes by QCVN 102 codes, so it is skipped",
                        item.code.as_deref().unwrap_or("(none)")
                    ));
                };
                Ok(NewAgency {
                    parent_code: item.code.as_deref().and_then(parent_of),
                    code: code102,
                    name: item.name.unwrap_or_default(),
                    qd20_code: present(item.code),
                    old_code: present(item.old_code),
                    email: item.email.unwrap_or_default(),
                })
            });
            Record { at, agency }
        })
        .collect()
}

/// A JSON id as text: a string or a number; absent, blank or anything else is `None`.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What kind of JSON value this is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json's message without its trailing " at line L column C" (reported separately).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Writes `agencies` as a directory CSV file (header row first), which [`Records::from_csv`]
/// reads back.
pub fn write_csv(agencies: &[NewAgency], out: impl Write) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(COLUMNS)?;
    for a in agencies {
        csv.write_record([
            a.code.as_str(),
            a.name.as_str(),
            a.parent_code.as_deref().unwrap_or_default(),
            a.qd20_code.as_deref().unwrap_or_default(),
            a.old_code.as_deref().unwrap_or_default(),
            a.email.as_str(),
        ])?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agencies(records: &Records) -> Vec<(u64, Result<NewAgency, String>)> {
        records
            .rows
            .iter()
            .map(|r| (r.at, r.agency.clone()))
            .collect()
    }

    #[test]
    fn csv_columns_may_come_in_any_order_with_quotes_and_a_bom() {
        let text = "\u{feff}name,code,email\n\"Sở Tài chính, Tây Ninh\",000.00.11.H53,stc@tayninh.gov.vn\n";
        let records = Records::from_csv(text.as_bytes()).expect("reads");
        let rows = agencies(&records);
        assert_eq!(rows.len(), 1);
        let (at, agency) = &rows[0];
        assert_eq!(*at, 2);
        let agency = agency.as_ref().expect("good row");
        assert_eq!(agency.code, "000.00.11.H53");
        assert_eq!(agency.name, "Sở Tài chính, Tây Ninh");
        assert_eq!(agency.parent_code, None);
    }

    #[test]
    fn csv_headers_are_checked() {
        assert!(matches!(
            Records::from_csv("code,title\n".as_bytes()),
            Err(InputError::UnknownColumn(c)) if c == "title"
        ));
        assert!(matches!(
            Records::from_csv("code,email\n".as_bytes()),
            Err(InputError::MissingColumn("name"))
        ));
        assert!(matches!(
            Records::from_csv("code,name,code\n".as_bytes()),
            Err(InputError::DuplicateColumn(_))
        ));
        assert!(matches!(
            Records::from_csv("".as_bytes()),
            Err(InputError::MissingColumn("code"))
        ));
    }

    #[test]
    fn json_shape_errors_say_what_was_found() {
        let err = Records::from_json(
            r#"{"status":"FAIL","ErrorCode":"100","ErrorDesc":"sai chữ ký"}"#.as_bytes(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("ErrorCode 100: sai chữ ký"), "{err}");
        let err = Records::from_json("\"x\"".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("found a string"), "{err}");
        let err = Records::from_json("[{\"code\": 1,}]".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1, column"), "{err}");
    }

    #[test]
    fn vxp_parents_come_from_pid_and_qd20_parents_from_the_code_prefix() {
        let vxp = r#"{"data":[{"id":7,"pid":3,"code":"000.46.24.H44","name":"UBND xã Tiên Lương"},
                              {"id":3,"pid":null,"code":"000.00.24.H44","name":"UBND huyện Cẩm Khê"}]}"#;
        let rows = agencies(&Records::from_json(vxp.as_bytes()).expect("reads"));
        let first = rows[0].1.as_ref().expect("good");
        assert_eq!(first.parent_code.as_deref(), Some("000.00.24.H44"));
        let qd20 = r#"{"data":[{"id":"a","code":"H37.02.02","name":"Phòng","code102":"000.02.02.H37"},
                               {"id":"b","code":"H37.02","name":"Sở","code102":"000.00.02.H37"},
                               {"id":"c","code":"H37.09","name":"Không mã","code102":""}]}"#;
        let rows = agencies(&Records::from_json(qd20.as_bytes()).expect("reads"));
        let first = rows[0].1.as_ref().expect("good");
        assert_eq!(first.code, "000.02.02.H37");
        assert_eq!(first.qd20_code.as_deref(), Some("H37.02.02"));
        assert_eq!(first.parent_code.as_deref(), Some("000.00.02.H37"));
        assert!(rows[2].1.as_ref().unwrap_err().contains("no code102"));
    }

    #[test]
    fn written_csv_reads_back_identically() {
        let agencies_in = vec![NewAgency {
            code: "000.46.24.H44".into(),
            name: "UBND xã \"Tiên\" Lương, Cẩm Khê".into(),
            parent_code: Some("000.00.24.H44".into()),
            qd20_code: Some("H44.24.46".into()),
            old_code: None,
            email: "x@phutho.gov.vn".into(),
        }];
        let mut out = Vec::new();
        write_csv(&agencies_in, &mut out).expect("writes");
        let back = Records::from_csv(&out[..]).expect("reads");
        let rows = agencies(&back);
        assert_eq!(rows[0].1.as_ref().ok(), Some(&agencies_in[0]));
    }

    #[test]
    fn the_format_is_sniffed_from_the_first_byte() {
        assert_eq!(Format::sniff(b"\xEF\xBB\xBF  [{}]"), Format::Json);
        assert_eq!(Format::sniff(b"{\"data\":[]}"), Format::Json);
        assert_eq!(Format::sniff(b"code,name\n"), Format::Csv);
    }
}
