//! Canonical messages ↔ E-Cabinet's JSON.

use connector_kit::{
    attachment, date, date_time, document_id, from_base64, named_organ, to_base64,
};
use truc_guest::dates::{format_iso_date, format_iso_date_time};
use truc_guest::{
    AdapterError, Business, BusinessAction, Code, Document, DocumentType, Message, Organ,
    OtherInfo, Promulgation, ResponseFor, Signer, Status, StatusCode, malformed, status,
    unsupported,
};

use crate::wire::{self, AgendaItem, DecisionReceipt, File, Outcome};

/// The agency code under which the hub knows E-Cabinet (setting `organ-id`), with its name
/// (`organ-name`, default `Chính phủ`): the sender of every outcome and decision.
pub fn own_organ() -> Result<Organ, AdapterError> {
    let id = connector_kit::required_config("organ-id")?;
    let name = truc_guest::config("organ-name").unwrap_or_else(|| "Chính phủ".into());
    Ok(named_organ(&id, &name))
}

fn urgency(priority: u8) -> &'static str {
    // §4.6: 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ.
    match priority {
        0 => "normal",
        1 => "urgent",
        2 => "very-urgent",
        3 => "express",
        _ => "express-timed",
    }
}

/// A meeting document as an agenda item. E-Cabinet takes new documents with their files: a
/// revocation, update or replacement is done on E-Cabinet itself, so it is `unsupported`.
pub fn agenda_item(d: Document, delivery_id: Option<String>) -> Result<AgendaItem, AdapterError> {
    if !matches!(d.business.action, BusinessAction::New) {
        return Err(unsupported(
            "E-Cabinet takes new meeting documents only; withdraw or amend an agenda item on E-Cabinet itself",
            Some("document/business/action".into()),
        ));
    }
    if d.attachments.is_empty() {
        return Err(unsupported(
            "an agenda item needs the meeting document's file; this document has no attachment",
            Some("document/attachments".into()),
        ));
    }
    let number = connector_kit::full_code(&d);
    let attachments = d
        .attachments
        .iter()
        .enumerate()
        .map(|(i, a)| File {
            file_name: a.name.clone(),
            mime_type: a.content_type.clone(),
            role: if i == 0 { "main" } else { "annex" }.into(),
            content: to_base64(&a.body),
        })
        .collect();
    Ok(AgendaItem {
        delivery_id,
        reference: d.id,
        submitter: wire::Agency {
            code: d.sender.id,
            name: d.sender.name,
        },
        document_type: d.document_type.name,
        number,
        issued_on: d.promulgation.date.as_ref().map(format_iso_date),
        title: d.subject,
        summary: d.content,
        signer: wire::Signer {
            competence: d.signer.competence,
            position: d.signer.position,
            name: d.signer.full_name,
        },
        urgency: urgency(d.other.priority),
        due_date: d.due_date.as_ref().map(format_iso_date),
        attachments,
    })
}

/// An agency's status on a decision, for E-Cabinet's record of who received it.
pub fn decision_receipt(s: Status) -> DecisionReceipt {
    DecisionReceipt {
        decision: s.response_for.document_id,
        agency: s.sender.id,
        status: status::to_code(&s.code),
        note: s.description,
        at: s.timestamp.as_ref().map(format_iso_date_time),
    }
}

/// One outcome as canonical messages: a status on the submitted document from E-Cabinet's
/// agency, then, when the meeting issued a decision, the decision as a document answering it.
pub fn outcome_messages(
    mut o: Outcome,
    own: &Organ,
    at: &str,
) -> Result<Vec<Message>, AdapterError> {
    let (code, description) = match o.stage.as_str() {
        "scheduled" => (
            StatusCode::Accepted,
            format!(
                "Đã đưa vào chương trình {} ngày {}",
                o.meeting.title, o.meeting.date
            ),
        ),
        "discussed" => (
            StatusCode::Processing,
            format!("Đã thảo luận tại {}", o.meeting.title),
        ),
        "concluded" => (
            StatusCode::Completed,
            format!("Đã có kết luận tại {}", o.meeting.title),
        ),
        "returned" => {
            if o.note.trim().is_empty() {
                return Err(malformed(
                    "a returned item must say why in `note`",
                    Some(format!("{at}.note")),
                ));
            }
            (StatusCode::Rejected, o.note.clone())
        }
        other => {
            return Err(malformed(
                format!("stage `{other}` is not scheduled, discussed, concluded or returned"),
                Some(format!("{at}.stage")),
            ));
        }
    };
    let description = match (&code, o.note.trim()) {
        (StatusCode::Rejected, _) | (_, "") => description,
        (_, note) => format!("{description}. {note}"),
    };
    let when = date_time(&o.at, &format!("{at}.at"))?;
    let mut st = status::report(&own.id, &o.reference, code, &description);
    st.sender = own.clone();
    st.timestamp = Some(when);
    let mut out = vec![Message::Status(st)];
    if let Some(decision) = o.decision.take() {
        if o.stage != "concluded" {
            return Err(malformed(
                "only a concluded outcome carries a decision",
                Some(format!("{at}.decision")),
            ));
        }
        out.push(Message::Document(decision_document(
            decision,
            &o,
            own,
            &format!("{at}.decision"),
        )?));
    }
    Ok(out)
}

fn decision_document(
    d: wire::Decision,
    o: &Outcome,
    own: &Organ,
    at: &str,
) -> Result<Document, AdapterError> {
    let issued = date(&d.issued_on, &format!("{at}.issuedOn"))?;
    let answered = status::report(&o.submitter, &o.reference, StatusCode::Completed, "");
    let attachments = d
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let body = from_base64(&f.content, &format!("{at}.files[{i}].content"))?;
            Ok(attachment(i, &f.file_name, &f.mime_type, body))
        })
        .collect::<Result<Vec<_>, AdapterError>>()?;
    let place = truc_guest::config("place").unwrap_or_else(|| "Hà Nội".into());
    Ok(Document {
        id: document_id(&own.id, &issued, &d.number, &d.notation),
        sender: own.clone(),
        receivers: vec![truc_guest::organ(o.submitter.clone())],
        code: Code {
            number: d.number,
            notation: d.notation,
        },
        promulgation: Promulgation {
            place,
            date: Some(issued),
        },
        document_type: DocumentType {
            code: d.type_code.unwrap_or_else(|| "1".into()),
            detail: "0".into(),
            name: d.document_type,
        },
        subject: d.title,
        content: format!("Kết luận tại {} ngày {}", o.meeting.title, o.meeting.date),
        signer: Signer {
            competence: d.signer.competence,
            position: d.signer.position,
            full_name: d.signer.name,
        },
        due_date: None,
        to_places: Vec::new(),
        other: OtherInfo {
            priority: 0,
            sphere_of_promulgation: String::new(),
            typer_notation: String::new(),
            promulgation_amount: None,
            page_amount: None,
            appendixes: Vec::new(),
            direction: None,
        },
        response_for: vec![ResponseFor {
            organ_id: o.submitter.clone(),
            ..answered.response_for
        }],
        steering_type: None,
        application_type: None,
        business: Business {
            action: BusinessAction::New,
            reason: "Văn bản điện tử mới".into(),
            paper: false,
            staff: None,
        },
        traces: Vec::new(),
        attachments,
    })
}
