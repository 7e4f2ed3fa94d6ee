//! Status codes as the two-character strings of the standard (reference §7.2).

use crate::StatusCode;

/// The code as written in edXML (`"05"`).
pub fn to_code(code: &StatusCode) -> String {
    match code {
        StatusCode::Received => "01".into(),
        StatusCode::Rejected => "02".into(),
        StatusCode::Accepted => "03".into(),
        StatusCode::Assigned => "04".into(),
        StatusCode::Processing => "05".into(),
        StatusCode::Completed => "06".into(),
        StatusCode::RevokeRequest => "13".into(),
        StatusCode::Agreed => "15".into(),
        StatusCode::Refused => "16".into(),
        StatusCode::Other(s) => s.clone(),
    }
}

/// The status for a code as written in edXML; unknown codes are kept. A single digit is
/// read as its two-digit form (`"5"` is `"05"`), as some systems drop the zero.
pub fn from_code(code: &str) -> StatusCode {
    let code = code.trim();
    let padded;
    let code = if code.len() == 1 {
        padded = format!("0{code}");
        padded.as_str()
    } else {
        code
    };
    match code {
        "01" => StatusCode::Received,
        "02" => StatusCode::Rejected,
        "03" => StatusCode::Accepted,
        "04" => StatusCode::Assigned,
        "05" => StatusCode::Processing,
        "06" => StatusCode::Completed,
        "13" => StatusCode::RevokeRequest,
        "15" => StatusCode::Agreed,
        "16" => StatusCode::Refused,
        other => StatusCode::Other(other.to_owned()),
    }
}

/// A status report from `sender` about the document `document_id`, with the `response-for`
/// fields taken from the id itself (`{organ},{yyyy/MM/dd},{number}/{notation}`, §4.5) and no
/// timestamp (the hub stamps it on receipt).
pub fn report(
    sender: &str,
    document_id: &str,
    code: StatusCode,
    description: &str,
) -> crate::Status {
    let mut parts = document_id.splitn(3, ',');
    let organ_id = parts.next().unwrap_or_default().trim().to_owned();
    let date = parts.next().and_then(crate::dates::parse_date);
    let notation = parts.next().unwrap_or_default().trim().to_owned();
    crate::Status {
        sender: crate::organ(sender),
        response_for: crate::ResponseFor {
            organ_id,
            code: notation,
            promulgation_date: date,
            document_id: document_id.to_owned(),
        },
        staff: crate::no_staff(),
        code,
        description: description.to_owned(),
        timestamp: None,
    }
}
