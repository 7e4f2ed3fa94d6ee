//! Canonical messages between the hub's edXML model and the v0.1.0 WIT records.
//!
//! Towards the adapter nothing is invented: absent model fields become empty strings or
//! `none`. From the adapter every value is checked (dates must be real days, codes non-empty
//! where the standard requires them) and attachment handles are taken out of the call's table.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use wasmtime::component::{Resource, ResourceTable};

use super::bindings::truc::adapter::types as wit;
use crate::edxml::{self as ed, EdDate, EdDateTime, Package};
use crate::runtime::host::blobs::Blob;
use crate::runtime::message::CanonicalMessage;

/// An adapter's record that cannot be a canonical message; the text says which field.
#[derive(Debug)]
pub struct Invalid(pub String);

type Result<T> = std::result::Result<T, Invalid>;

fn invalid(path: &str, what: impl std::fmt::Display) -> Invalid {
    Invalid(format!("{path}: {what}"))
}

// ---- hub → adapter ------------------------------------------------------------------------

/// Converts a hub message for the adapter, moving its attachment bodies into `table`.
pub fn message_to_wit(
    msg: &CanonicalMessage,
    table: &mut ResourceTable,
) -> wasmtime::Result<wit::Message> {
    Ok(match &msg.package {
        Package::Status(s) => wit::Message::Status(status_to_wit(s)),
        Package::Document(d) => {
            let mut attachments = Vec::with_capacity(d.attachments.len());
            for (i, a) in d.attachments.iter().enumerate() {
                let body = msg
                    .bodies
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| Blob::from_bytes(Vec::new()));
                attachments.push(wit::Attachment {
                    content_id: a.content_id.clone(),
                    name: a.name.clone(),
                    description: a.description.clone(),
                    content_type: a.content_type.clone(),
                    body: table.push(body)?,
                });
            }
            wit::Message::Document(document_to_wit(d, attachments))
        }
    })
}

fn id(o: &Option<ed::OrganId>) -> String {
    o.as_ref()
        .map(|o| o.as_str().to_owned())
        .unwrap_or_default()
}

fn doc_id(d: &Option<ed::DocumentId>) -> String {
    d.as_ref()
        .map(|d| d.as_str().to_owned())
        .unwrap_or_default()
}

fn organ_to_wit(o: &ed::Organ) -> wit::Organ {
    wit::Organ {
        id: id(&o.organ_id),
        organization_in_charge: o.organization_in_charge.clone(),
        name: o.organ_name.clone(),
        address: o.organ_add.clone(),
        email: o.email.clone(),
        telephone: o.telephone.clone(),
        fax: o.fax.clone(),
        website: o.website.clone(),
    }
}

fn date_to_wit(d: &Option<EdDate>) -> Option<wit::Date> {
    d.as_ref().and_then(EdDate::date).map(|d| wit::Date {
        year: d.year().clamp(0, i32::from(u16::MAX)) as u16,
        month: d.month() as u8,
        day: d.day() as u8,
    })
}

fn date_time_to_wit(d: &Option<EdDateTime>) -> Option<wit::DateTime> {
    d.as_ref()
        .and_then(EdDateTime::datetime)
        .map(|dt| wit::DateTime {
            date: wit::Date {
                year: dt.year().clamp(0, i32::from(u16::MAX)) as u16,
                month: dt.month() as u8,
                day: dt.day() as u8,
            },
            hour: dt.hour() as u8,
            minute: dt.minute() as u8,
            second: dt.second() as u8,
        })
}

fn staff_to_wit(s: &ed::StaffInfo) -> wit::Staff {
    wit::Staff {
        department: s.department.clone(),
        name: s.staff.clone(),
        mobile: s.mobile.clone(),
        email: s.email.clone(),
    }
}

fn response_for_to_wit(r: &ed::ResponseFor) -> wit::ResponseFor {
    wit::ResponseFor {
        organ_id: id(&r.organ_id),
        code: r.code.clone(),
        promulgation_date: date_to_wit(&r.promulgation_date),
        document_id: doc_id(&r.document_id),
    }
}

fn traces_to_wit(t: &[ed::TraceHeader]) -> Vec<wit::Trace> {
    t.iter()
        .map(|t| wit::Trace {
            organ_id: id(&t.organ_id),
            timestamp: date_time_to_wit(&t.timestamp),
        })
        .collect()
}

fn business_to_wit(b: &Option<ed::Business>) -> wit::Business {
    let Some(b) = b else {
        return wit::Business {
            action: wit::BusinessAction::New,
            reason: String::new(),
            paper: false,
            staff: None,
        };
    };
    let target = doc_id(&b.document_id);
    let action = match &b.action {
        None | Some(ed::BusinessAction::New) => wit::BusinessAction::New,
        Some(ed::BusinessAction::Revoke) => wit::BusinessAction::Revoke(target),
        Some(ed::BusinessAction::Update) => {
            let info = b.document_info.clone().unwrap_or_default();
            wit::BusinessAction::Update(wit::Update {
                target,
                metadata_changed: info.document_info.trim() == "1",
                receivers_changed: info.document_receiver.trim() == "1",
                receiver_changes: info
                    .receivers
                    .iter()
                    .filter_map(|r| {
                        let kind = match r.change.as_ref()? {
                            ed::ReceiverChange::Removed => wit::ReceiverChangeKind::Removed,
                            ed::ReceiverChange::Added => wit::ReceiverChangeKind::Added,
                            ed::ReceiverChange::Other(_) => return None,
                        };
                        Some(wit::ReceiverChange {
                            organ_id: id(&r.organ_id),
                            kind,
                        })
                    })
                    .collect(),
            })
        }
        Some(ed::BusinessAction::Replace) => wit::BusinessAction::Replace(wit::Replace {
            target,
            replacements: b
                .replacements
                .iter()
                .map(|r| wit::Replacement {
                    document_id: doc_id(&r.document_id),
                    organ_ids: r.organ_ids.iter().map(|o| o.as_str().to_owned()).collect(),
                })
                .collect(),
        }),
        Some(ed::BusinessAction::Other(v)) => {
            wit::BusinessAction::Other(v.trim().parse().unwrap_or(u32::MAX))
        }
    };
    wit::Business {
        action,
        reason: b.reason.clone(),
        paper: b.paper.trim() == "1",
        staff: b.staff.as_ref().map(staff_to_wit),
    }
}

fn document_to_wit(d: &ed::Document, attachments: Vec<wit::Attachment>) -> wit::Document {
    let o = &d.other_info;
    wit::Document {
        id: doc_id(&d.document_id),
        sender: organ_to_wit(&d.from),
        receivers: d.to.iter().map(organ_to_wit).collect(),
        code: wit::Code {
            number: d.code.number.clone(),
            notation: d.code.notation.clone(),
        },
        promulgation: wit::Promulgation {
            place: d.promulgation.place.clone(),
            date: date_to_wit(&d.promulgation.date),
        },
        document_type: wit::DocumentType {
            code: d.document_type.type_code.clone(),
            detail: d.document_type.type_detail.clone(),
            name: d.document_type.type_name.clone(),
        },
        subject: d.subject.clone(),
        content: d.content.clone(),
        signer: wit::Signer {
            competence: d.signer.competence.clone(),
            position: d.signer.position.clone(),
            full_name: d.signer.full_name.clone(),
        },
        due_date: date_to_wit(&d.due_date),
        to_places: d.to_places.clone(),
        other: wit::OtherInfo {
            priority: o
                .priority
                .as_ref()
                .and_then(|p| p.code().parse().ok())
                .unwrap_or(0),
            sphere_of_promulgation: o.sphere_of_promulgation.clone(),
            typer_notation: o.typer_notation.clone(),
            promulgation_amount: o.promulgation_amount.trim().parse().ok(),
            page_amount: o.page_amount.trim().parse().ok(),
            appendixes: o.appendixes.clone(),
            direction: match o.direction.trim() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        },
        response_for: d.response_for.iter().map(response_for_to_wit).collect(),
        steering_type: d
            .steering_type
            .as_ref()
            .and_then(|s| s.as_str().parse().ok()),
        application_type: d.application_type.clone(),
        business: business_to_wit(&d.business),
        traces: traces_to_wit(&d.traces),
        attachments,
    }
}

fn status_to_wit(s: &ed::Status) -> wit::Status {
    wit::Status {
        sender: organ_to_wit(&s.from),
        response_for: s.response_for.as_ref().map(response_for_to_wit).unwrap_or(
            wit::ResponseFor {
                organ_id: String::new(),
                code: String::new(),
                promulgation_date: None,
                document_id: String::new(),
            },
        ),
        staff: staff_to_wit(&s.staff.clone().unwrap_or_default()),
        code: match &s.status_code {
            None => wit::StatusCode::Other(String::new()),
            Some(c) => status_code_to_wit(c),
        },
        description: s.description.clone(),
        timestamp: date_time_to_wit(&s.timestamp),
    }
}

fn status_code_to_wit(c: &ed::StatusCode) -> wit::StatusCode {
    use ed::StatusCode as S;
    match c {
        S::Arrived => wit::StatusCode::Received,
        S::Rejected => wit::StatusCode::Rejected,
        S::Accepted => wit::StatusCode::Accepted,
        S::Assigned => wit::StatusCode::Assigned,
        S::Processing => wit::StatusCode::Processing,
        S::Completed => wit::StatusCode::Completed,
        S::RevokeRequested => wit::StatusCode::RevokeRequest,
        S::ChangeAccepted => wit::StatusCode::Agreed,
        S::ChangeRefused => wit::StatusCode::Refused,
        S::Other(s) => wit::StatusCode::Other(s.clone()),
    }
}

// ---- adapter → hub ------------------------------------------------------------------------

/// Converts an adapter's message for the hub, taking its attachment handles out of `table`.
pub fn message_from_wit(m: wit::Message, table: &mut ResourceTable) -> Result<CanonicalMessage> {
    match m {
        wit::Message::Status(s) => Ok(CanonicalMessage::new(Package::Status(Box::new(
            status_from_wit(s, "status")?,
        )))),
        wit::Message::Document(d) => {
            let (doc, bodies) = document_from_wit(d, table)?;
            Ok(CanonicalMessage {
                package: Package::Document(Box::new(doc)),
                bodies,
            })
        }
    }
}

fn organ_id(s: &str, path: &str) -> Result<Option<ed::OrganId>> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|e: ed::ParseOrganIdError| invalid(path, e))
}

fn required_organ_id(s: &str, path: &str) -> Result<Option<ed::OrganId>> {
    match organ_id(s, path)? {
        None => Err(invalid(path, "an agency code is required")),
        some => Ok(some),
    }
}

fn document_id(s: &str) -> Option<ed::DocumentId> {
    let s = s.trim();
    if s.is_empty() { None } else { s.parse().ok() }
}

fn date_from_wit(d: &Option<wit::Date>, path: &str) -> Result<Option<EdDate>> {
    let Some(d) = d else { return Ok(None) };
    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        .map(|d| Some(EdDate::Valid(d)))
        .ok_or_else(|| {
            invalid(
                path,
                format!("{}-{}-{} is not a calendar date", d.year, d.month, d.day),
            )
        })
}

fn date_time_from_wit(d: &Option<wit::DateTime>, path: &str) -> Result<Option<EdDateTime>> {
    let Some(dt) = d else { return Ok(None) };
    let Some(EdDate::Valid(date)) = date_from_wit(&Some(dt.date), path)? else {
        return Ok(None);
    };
    let time = NaiveTime::from_hms_opt(
        u32::from(dt.hour),
        u32::from(dt.minute),
        u32::from(dt.second),
    )
    .ok_or_else(|| {
        invalid(
            path,
            format!(
                "{}:{}:{} is not a time of day",
                dt.hour, dt.minute, dt.second
            ),
        )
    })?;
    Ok(Some(EdDateTime::Valid(NaiveDateTime::new(date, time))))
}

fn organ_from_wit(o: wit::Organ, path: &str) -> Result<ed::Organ> {
    Ok(ed::Organ {
        organ_id: required_organ_id(&o.id, &format!("{path}/id"))?,
        organization_in_charge: o.organization_in_charge,
        organ_name: o.name,
        organ_add: o.address,
        email: o.email,
        telephone: o.telephone,
        fax: o.fax,
        website: o.website,
    })
}

fn staff_from_wit(s: wit::Staff) -> ed::StaffInfo {
    ed::StaffInfo {
        department: s.department,
        staff: s.name,
        mobile: s.mobile,
        email: s.email,
    }
}

fn response_for_from_wit(r: wit::ResponseFor, path: &str) -> Result<ed::ResponseFor> {
    Ok(ed::ResponseFor {
        organ_id: organ_id(&r.organ_id, &format!("{path}/organ-id"))?,
        code: r.code,
        promulgation_date: date_from_wit(
            &r.promulgation_date,
            &format!("{path}/promulgation-date"),
        )?,
        document_id: document_id(&r.document_id),
    })
}

fn traces_from_wit(t: Vec<wit::Trace>, path: &str) -> Result<Vec<ed::TraceHeader>> {
    t.into_iter()
        .enumerate()
        .map(|(i, t)| {
            Ok(ed::TraceHeader {
                organ_id: organ_id(&t.organ_id, &format!("{path}/traces[{i}]/organ-id"))?,
                timestamp: date_time_from_wit(
                    &t.timestamp,
                    &format!("{path}/traces[{i}]/timestamp"),
                )?,
            })
        })
        .collect()
}

fn business_from_wit(b: wit::Business, path: &str) -> Result<ed::Business> {
    let mut out = ed::Business {
        document_id: None,
        action: Some(ed::BusinessAction::New),
        reason: b.reason,
        paper: if b.paper { "1" } else { "0" }.into(),
        document_info: None,
        replacements: Vec::new(),
        staff: b.staff.map(staff_from_wit),
    };
    match b.action {
        wit::BusinessAction::New => {}
        wit::BusinessAction::Revoke(target) => {
            out.action = Some(ed::BusinessAction::Revoke);
            out.document_id = document_id(&target);
        }
        wit::BusinessAction::Update(u) => {
            out.action = Some(ed::BusinessAction::Update);
            out.document_id = document_id(&u.target);
            let mut receivers = Vec::with_capacity(u.receiver_changes.len());
            for (i, r) in u.receiver_changes.into_iter().enumerate() {
                receivers.push(ed::Receiver {
                    organ_id: required_organ_id(
                        &r.organ_id,
                        &format!("{path}/update/receiver-changes[{i}]/organ-id"),
                    )?,
                    change: Some(match r.kind {
                        wit::ReceiverChangeKind::Removed => ed::ReceiverChange::Removed,
                        wit::ReceiverChangeKind::Added => ed::ReceiverChange::Added,
                    }),
                });
            }
            out.document_info = Some(ed::BusinessDocumentInfo {
                document_info: if u.metadata_changed { "1" } else { "0" }.into(),
                document_receiver: if u.receivers_changed { "1" } else { "0" }.into(),
                receivers,
            });
        }
        wit::BusinessAction::Replace(r) => {
            out.action = Some(ed::BusinessAction::Replace);
            out.document_id = document_id(&r.target);
            for (i, rep) in r.replacements.into_iter().enumerate() {
                let mut organ_ids = Vec::with_capacity(rep.organ_ids.len());
                for (j, o) in rep.organ_ids.iter().enumerate() {
                    if let Some(o) = required_organ_id(
                        o,
                        &format!("{path}/replace/replacements[{i}]/organ-ids[{j}]"),
                    )? {
                        organ_ids.push(o);
                    }
                }
                out.replacements.push(ed::ReplacementInfo {
                    document_id: document_id(&rep.document_id),
                    organ_ids,
                });
            }
        }
        wit::BusinessAction::Other(v) => {
            out.action = Some(ed::BusinessAction::Other(v.to_string()))
        }
    }
    Ok(out)
}

fn document_from_wit(
    d: wit::Document,
    table: &mut ResourceTable,
) -> Result<(ed::Document, Vec<Blob>)> {
    let path = "document";
    let mut attachments = Vec::with_capacity(d.attachments.len());
    let mut bodies = Vec::with_capacity(d.attachments.len());
    for (i, a) in d.attachments.into_iter().enumerate() {
        let p = format!("{path}/attachments[{i}]");
        let body = take_blob(table, a.body, &p)?;
        let sha = body
            .sha256()
            .map_err(|e| invalid(&p, format!("its body cannot be read: {e}")))?;
        attachments.push(ed::Attachment {
            content_id: a.content_id.trim().trim_start_matches("cid:").to_owned(),
            name: a.name,
            description: a.description,
            content_type: a.content_type,
            format: None,
            size: body.size(),
            sha256: ed::Sha256(sha),
            zipped: false,
        });
        bodies.push(body);
    }
    let mut to = Vec::with_capacity(d.receivers.len());
    for (i, o) in d.receivers.into_iter().enumerate() {
        to.push(organ_from_wit(o, &format!("{path}/receivers[{i}]"))?);
    }
    let mut response_for = Vec::with_capacity(d.response_for.len());
    for (i, r) in d.response_for.into_iter().enumerate() {
        response_for.push(response_for_from_wit(
            r,
            &format!("{path}/response-for[{i}]"),
        )?);
    }
    let o = d.other;
    let doc = ed::Document {
        from: organ_from_wit(d.sender, &format!("{path}/sender"))?,
        to,
        code: ed::Code {
            number: d.code.number,
            notation: d.code.notation,
        },
        promulgation: ed::PromulgationInfo {
            place: d.promulgation.place,
            date: date_from_wit(&d.promulgation.date, &format!("{path}/promulgation/date"))?,
        },
        document_type: ed::DocumentType {
            type_code: d.document_type.code,
            type_name: d.document_type.name,
            type_detail: d.document_type.detail,
        },
        subject: d.subject,
        content: d.content,
        signer: ed::SignerInfo {
            competence: d.signer.competence,
            position: d.signer.position,
            full_name: d.signer.full_name,
        },
        due_date: date_from_wit(&d.due_date, &format!("{path}/due-date"))?,
        to_places: d.to_places,
        other_info: ed::OtherInfo {
            priority: Some(
                o.priority
                    .to_string()
                    .parse()
                    .unwrap_or(ed::Priority::Normal),
            ),
            sphere_of_promulgation: o.sphere_of_promulgation,
            typer_notation: o.typer_notation,
            promulgation_amount: o
                .promulgation_amount
                .map(|n| n.to_string())
                .unwrap_or_default(),
            page_amount: o.page_amount.map(|n| n.to_string()).unwrap_or_default(),
            direction: o.direction.map(|b| b.to_string()).unwrap_or_default(),
            appendixes: o.appendixes,
        },
        response_for,
        steering_type: d.steering_type.map(|s| {
            s.to_string()
                .parse()
                .unwrap_or_else(|e: std::convert::Infallible| match e {})
        }),
        document_id: document_id(&d.id),
        application_type: d.application_type.filter(|s| !s.trim().is_empty()),
        traces: traces_from_wit(d.traces, path)?,
        business: Some(business_from_wit(d.business, &format!("{path}/business"))?),
        attachments,
    };
    Ok((doc, bodies))
}

fn status_from_wit(s: wit::Status, path: &str) -> Result<ed::Status> {
    Ok(ed::Status {
        from: organ_from_wit(s.sender, &format!("{path}/sender"))?,
        response_for: Some(response_for_from_wit(
            s.response_for,
            &format!("{path}/response-for"),
        )?),
        staff: Some(staff_from_wit(s.staff)),
        status_code: Some(status_code_from_wit(s.code)),
        description: s.description,
        timestamp: date_time_from_wit(&s.timestamp, &format!("{path}/timestamp"))?,
        traces: Vec::new(),
    })
}

fn status_code_from_wit(c: wit::StatusCode) -> ed::StatusCode {
    use ed::StatusCode as S;
    match c {
        wit::StatusCode::Received => S::Arrived,
        wit::StatusCode::Rejected => S::Rejected,
        wit::StatusCode::Accepted => S::Accepted,
        wit::StatusCode::Assigned => S::Assigned,
        wit::StatusCode::Processing => S::Processing,
        wit::StatusCode::Completed => S::Completed,
        wit::StatusCode::RevokeRequest => S::RevokeRequested,
        wit::StatusCode::Agreed => S::ChangeAccepted,
        wit::StatusCode::Refused => S::ChangeRefused,
        wit::StatusCode::Other(s) => s
            .parse()
            .unwrap_or_else(|e: std::convert::Infallible| match e {}),
    }
}

/// Takes an owned blob handle the adapter returned out of the table.
pub fn take_blob(table: &mut ResourceTable, handle: Resource<Blob>, path: &str) -> Result<Blob> {
    table
        .delete(handle)
        .map_err(|e| invalid(path, format!("not a valid blob handle ({e})")))
}
