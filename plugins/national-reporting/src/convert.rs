//! Report documents → submissions; receipts → statuses.

use connector_kit::{date_time, full_code, to_base64};
use truc_guest::dates::format_iso_date;
use truc_guest::{
    AdapterError, Attachment, BusinessAction, Document, Message, Organ, StatusCode, malformed,
    read_all, status, unsupported,
};

use crate::wire::{IndicatorFile, Original, ReceiptItem, ReportDocument, Signer, Submission, Unit};

/// Largest indicator file read into the sandbox.
const MAX_INDICATORS: u64 = 16 * 1024 * 1024;

fn is_indicator_file(a: &Attachment) -> bool {
    a.content_type
        .trim()
        .to_ascii_lowercase()
        .starts_with("application/json")
        || a.name.to_ascii_lowercase().ends_with(".json")
}

/// `2026`, `2026-H1`/`H2`, `2026-Q1`..`Q4` or `2026-01`..`12`: the periods of the national
/// reporting regime (annual, half-yearly, quarterly, monthly).
fn valid_period(p: &str) -> bool {
    let (year, rest) = p.split_at(p.len().min(4));
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match rest.strip_prefix('-') {
        None => rest.is_empty(),
        Some("H1" | "H2" | "Q1" | "Q2" | "Q3" | "Q4") => true,
        Some(m) => m.len() == 2 && matches!(m.parse::<u8>(), Ok(1..=12)),
    }
}

/// Reads and checks the indicator file at `attachments[index]`.
fn indicators(a: &Attachment, index: usize) -> Result<IndicatorFile, AdapterError> {
    let at = format!("document/attachments[{index}] ({})", a.name);
    let bytes = read_all(&a.body, MAX_INDICATORS)?;
    let file: IndicatorFile = serde_json::from_slice(&bytes).map_err(|e| {
        malformed(
            format!("the indicator file is not the expected JSON: {e}"),
            Some(format!("{at} line {} column {}", e.line(), e.column())),
        )
    })?;
    if file.report_code.trim().is_empty() {
        return Err(malformed(
            "`reportCode` is empty",
            Some(format!("{at} reportCode")),
        ));
    }
    if !valid_period(&file.period) {
        return Err(malformed(
            format!(
                "period `{}` is none of YYYY, YYYY-H1/H2, YYYY-Q1..Q4, YYYY-MM",
                file.period
            ),
            Some(format!("{at} period")),
        ));
    }
    if file.indicators.is_empty() {
        return Err(malformed(
            "the report has no indicator",
            Some(format!("{at} indicators")),
        ));
    }
    for (i, ind) in file.indicators.iter().enumerate() {
        if ind.code.trim().is_empty() {
            return Err(malformed(
                "an indicator has no code",
                Some(format!("{at} indicators[{i}].code")),
            ));
        }
        if file.indicators[..i].iter().any(|o| o.code == ind.code) {
            return Err(malformed(
                format!("indicator `{}` is given twice", ind.code),
                Some(format!("{at} indicators[{i}].code")),
            ));
        }
    }
    Ok(file)
}

/// A report document as a submission: its indicator file becomes data, its other files travel
/// as the originals. Anything else is not a report the system can take: `unsupported`.
pub fn submission(d: Document, id: Option<String>) -> Result<Submission, AdapterError> {
    if !matches!(d.business.action, BusinessAction::New) {
        return Err(unsupported(
            "the national reporting system takes new reports only; send a corrected report as a new document",
            Some("document/business/action".into()),
        ));
    }
    if d.document_type.name.trim().to_lowercase() != "báo cáo" {
        return Err(unsupported(
            format!(
                "the national reporting system takes documents of type Báo cáo, not `{}`",
                d.document_type.name
            ),
            Some("document/document-type/name".into()),
        ));
    }
    let found: Vec<usize> = (0..d.attachments.len())
        .filter(|&i| is_indicator_file(&d.attachments[i]))
        .collect();
    let index = match found[..] {
        [i] => i,
        [] => {
            return Err(unsupported(
                "a report for the national reporting system carries its indicators as a JSON attachment (see the connector's README); this one has none",
                Some("document/attachments".into()),
            ));
        }
        _ => {
            return Err(unsupported(
                format!(
                    "the report carries {} JSON attachments; expected one indicator file",
                    found.len()
                ),
                Some("document/attachments".into()),
            ));
        }
    };
    let file = indicators(&d.attachments[index], index)?;
    let originals = d
        .attachments
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, a)| Original {
            file_name: a.name.clone(),
            mime_type: a.content_type.clone(),
            content: to_base64(&a.body),
        })
        .collect();
    Ok(Submission {
        submission_id: id,
        report_code: file.report_code,
        period: file.period,
        reporting_unit: Unit {
            code: d.sender.id.clone(),
            name: d.sender.name.clone(),
        },
        document: ReportDocument {
            number: full_code(&d),
            issued_on: d.promulgation.date.as_ref().map(format_iso_date),
            subject: d.subject,
            signer: Signer {
                position: d.signer.position,
                name: d.signer.full_name,
            },
            id: d.id,
        },
        indicators: file.indicators,
        originals,
    })
}

/// A receipt as a status from the reporting system (`own`) about the report document: 03 when
/// accepted, 02 with the reasons when rejected (§7.2).
pub fn receipt_status(r: ReceiptItem, own: &Organ, at: &str) -> Result<Message, AdapterError> {
    let (code, description) = match r.result.as_str() {
        "accepted" => (
            StatusCode::Accepted,
            if r.reasons.is_empty() {
                "Hệ thống báo cáo quốc gia đã tiếp nhận số liệu".to_owned()
            } else {
                r.reasons.join("; ")
            },
        ),
        "rejected" if !r.reasons.is_empty() => (StatusCode::Rejected, r.reasons.join("; ")),
        "rejected" => {
            return Err(malformed(
                "a rejected report must give its reasons",
                Some(format!("{at}.reasons")),
            ));
        }
        other => {
            return Err(malformed(
                format!("result `{other}` is neither accepted nor rejected"),
                Some(format!("{at}.result")),
            ));
        }
    };
    let mut st = status::report(&own.id, &r.document_id, code, &description);
    st.sender = own.clone();
    st.timestamp = Some(date_time(&r.at, &format!("{at}.at"))?);
    Ok(Message::Status(st))
}
