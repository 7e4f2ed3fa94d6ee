//! json-office records ↔ canonical messages.

use truc_guest::dates::{format_iso_date, format_iso_date_time, parse_date, parse_date_time};
use truc_guest::{
    AdapterError, Attachment, Blob, BlobWriter, Business, BusinessAction, Code, Date, DateTime,
    Document, DocumentType, Message, Organ, OtherInfo, Promulgation, ReceiverChange,
    ReceiverChangeKind, Replace, Replacement, ResponseFor, Signer, Staff, Status, Trace, Update,
    malformed, status,
};

use crate::format::{
    Action, Agency, Base64Text, Clerk, DocType, Document as JDoc, FileWire, Hop, Issued,
    RecipientChange, Record, Regarding, Replaced, SignedBy, Status as JStatus, file_location,
};

/// Bytes per `read-base64` call when encoding: a multiple of 3, so the pieces concatenate.
const BASE64_CHUNK: u32 = 3 * 256 * 1024;

/// The hub blob the records were read from, and its bytes as the adapter read them.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    /// The blob.
    pub blob: &'a Blob,
    /// Its bytes.
    pub bytes: &'a [u8],
}

/// A file's base64 text, decoded by the hub straight into a blob. When the text is a slice of
/// the input, the hub reads it from the input blob where it lies (`write-base64-range`), so the
/// text does not cross the sandbox boundary; otherwise it is handed over (`write-base64`).
fn file_blob(
    data: &Base64Text<'_>,
    input: Option<Input<'_>>,
    at: String,
) -> Result<Blob, AdapterError> {
    let writer = BlobWriter::new();
    let range = input.and_then(|i| Some((i.blob, data.range_in(i.bytes)?)));
    let written = match range {
        Some((blob, r)) => writer.write_base64_range(blob, r.start as u64, r.len() as u64),
        None => match std::str::from_utf8(data.as_bytes()) {
            Ok(text) => writer.write_base64(text),
            Err(e) => Err(format!("not valid base64: {e}")),
        },
    };
    written.map_err(|e| malformed(e, Some(at)))?;
    Ok(BlobWriter::finish(writer))
}

/// A blob as base64 text, encoded by the hub.
fn file_base64(blob: &Blob) -> String {
    let size = blob.size();
    let mut out = String::with_capacity((size as usize).div_ceil(3) * 4);
    let mut offset = 0;
    while offset < size {
        let piece = blob.read_base64(offset, BASE64_CHUNK);
        if piece.is_empty() {
            break;
        }
        out.push_str(&piece);
        offset += u64::from(BASE64_CHUNK);
    }
    out
}

fn date(s: &Option<String>, at: &str) -> Result<Option<Date>, AdapterError> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_date(t)
            .map(Some)
            .ok_or_else(|| malformed(format!("`{t}` is not a date"), Some(at.to_owned()))),
    }
}

fn date_time(s: &Option<String>, at: &str) -> Result<Option<DateTime>, AdapterError> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_date_time(t)
            .map(Some)
            .ok_or_else(|| malformed(format!("`{t}` is not a date and time"), Some(at.to_owned()))),
    }
}

fn organ(a: Agency) -> Organ {
    Organ {
        id: a.code,
        organization_in_charge: a.parent,
        name: a.name,
        address: a.address,
        email: a.email,
        telephone: a.phone,
        fax: a.fax,
        website: a.website,
    }
}

fn agency(o: Organ) -> Agency {
    Agency {
        code: o.id,
        name: o.name,
        parent: o.organization_in_charge,
        address: o.address,
        email: o.email,
        phone: o.telephone,
        fax: o.fax,
        website: o.website,
    }
}

fn staff(c: Clerk) -> Staff {
    Staff {
        department: c.department,
        name: c.name,
        mobile: c.mobile,
        email: c.email,
    }
}

fn clerk(s: Staff) -> Clerk {
    Clerk {
        department: s.department,
        name: s.name,
        mobile: s.mobile,
        email: s.email,
    }
}

fn response_for(r: Regarding, at: &str) -> Result<ResponseFor, AdapterError> {
    Ok(ResponseFor {
        organ_id: r.sender,
        code: r.number,
        promulgation_date: date(&r.date, &format!("{at}.date"))?,
        document_id: r.doc_id,
    })
}

fn regarding(r: ResponseFor) -> Regarding {
    Regarding {
        sender: r.organ_id,
        number: r.code,
        date: r.promulgation_date.as_ref().map(format_iso_date),
        doc_id: r.document_id,
    }
}

fn business(a: Action, clerk: Option<Clerk>, at: &str) -> Result<Business, AdapterError> {
    let action = match a.kind.as_str() {
        "" | "new" => BusinessAction::New,
        "revoke" => BusinessAction::Revoke(a.target),
        "update" => BusinessAction::Update(Update {
            target: a.target,
            metadata_changed: a.metadata_changed,
            receivers_changed: a.recipients_changed,
            receiver_changes: a
                .recipient_changes
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let kind = match c.change.as_str() {
                        "added" => ReceiverChangeKind::Added,
                        "removed" => ReceiverChangeKind::Removed,
                        other => {
                            return Err(malformed(
                                format!(
                                    "recipient change `{other}` is neither `added` nor `removed`"
                                ),
                                Some(format!("{at}.action.recipientChanges[{i}].change")),
                            ));
                        }
                    };
                    Ok(ReceiverChange {
                        organ_id: c.code,
                        kind,
                    })
                })
                .collect::<Result<_, _>>()?,
        }),
        "replace" => BusinessAction::Replace(Replace {
            target: a.target,
            replacements: a
                .replaces
                .into_iter()
                .map(|r| Replacement {
                    document_id: r.doc_id,
                    organ_ids: r.recipients,
                })
                .collect(),
        }),
        other => BusinessAction::Other(other.parse().map_err(|_| {
            malformed(
                format!("action `{other}` is not new, revoke, update, replace or a number"),
                Some(format!("{at}.action.type")),
            )
        })?),
    };
    Ok(Business {
        action,
        reason: a.reason,
        paper: a.paper_copy,
        staff: clerk.map(staff),
    })
}

fn action(b: Business) -> (Action, Option<Clerk>) {
    let mut a = Action {
        reason: b.reason,
        paper_copy: b.paper,
        ..Action::default()
    };
    match b.action {
        BusinessAction::New => a.kind = "new".into(),
        BusinessAction::Revoke(t) => {
            a.kind = "revoke".into();
            a.target = t;
        }
        BusinessAction::Update(u) => {
            a.kind = "update".into();
            a.target = u.target;
            a.metadata_changed = u.metadata_changed;
            a.recipients_changed = u.receivers_changed;
            a.recipient_changes = u
                .receiver_changes
                .into_iter()
                .map(|c| RecipientChange {
                    code: c.organ_id,
                    change: match c.kind {
                        ReceiverChangeKind::Added => "added".into(),
                        ReceiverChangeKind::Removed => "removed".into(),
                    },
                })
                .collect();
        }
        BusinessAction::Replace(r) => {
            a.kind = "replace".into();
            a.target = r.target;
            a.replaces = r
                .replacements
                .into_iter()
                .map(|r| Replaced {
                    doc_id: r.document_id,
                    recipients: r.organ_ids,
                })
                .collect();
        }
        BusinessAction::Other(n) => a.kind = n.to_string(),
    }
    (a, b.staff.map(clerk))
}

/// A json-office record as a canonical message; file bytes go into hub blobs. `index` is
/// the record's position in the input, for error locations; `input` is where the record was
/// read from, when that is a hub blob.
pub fn to_message(
    record: Record<'_>,
    index: usize,
    input: Option<Input<'_>>,
) -> Result<Message, AdapterError> {
    let at = &format!("[{index}]");
    match record {
        Record::Status(s) => Ok(Message::Status(Status {
            sender: organ(s.from),
            response_for: response_for(s.regarding, &format!("{at}.regarding"))?,
            staff: staff(s.clerk),
            code: status::from_code(&s.status),
            description: s.note,
            timestamp: date_time(&s.at, &format!("{at}.at"))?,
        })),
        Record::Document(j) => {
            let j = *j;
            let mut attachments = Vec::with_capacity(j.files.len());
            for (n, f) in j.files.into_iter().enumerate() {
                attachments.push(Attachment {
                    body: file_blob(&f.data, input, file_location(index, n))?,
                    content_id: f.id,
                    name: f.name,
                    description: f.description,
                    content_type: f.mime,
                });
            }
            let answers = j
                .answers
                .into_iter()
                .enumerate()
                .map(|(i, r)| response_for(r, &format!("{at}.answers[{i}]")))
                .collect::<Result<_, _>>()?;
            let traces = j
                .trail
                .into_iter()
                .enumerate()
                .map(|(i, h)| {
                    Ok(Trace {
                        organ_id: h.code,
                        timestamp: date_time(&h.at, &format!("{at}.trail[{i}].at"))?,
                    })
                })
                .collect::<Result<_, AdapterError>>()?;
            Ok(Message::Document(Document {
                id: j.doc_id,
                sender: organ(j.sender),
                receivers: j.recipients.into_iter().map(organ).collect(),
                code: Code {
                    number: j.number,
                    notation: j.notation,
                },
                promulgation: Promulgation {
                    place: j.issued.place,
                    date: date(&j.issued.date, &format!("{at}.issued.date"))?,
                },
                document_type: DocumentType {
                    code: j.doc_type.code,
                    detail: j.doc_type.detail,
                    name: j.doc_type.name,
                },
                subject: j.subject,
                content: j.summary,
                signer: Signer {
                    competence: j.signed_by.authority,
                    position: j.signed_by.position,
                    full_name: j.signed_by.name,
                },
                due_date: date(&j.deadline, &format!("{at}.deadline"))?,
                to_places: j.distribution,
                other: OtherInfo {
                    priority: j.urgency,
                    sphere_of_promulgation: j.scope,
                    typer_notation: j.drafter,
                    promulgation_amount: j.copies,
                    page_amount: j.pages,
                    appendixes: j.appendices,
                    direction: j.direction,
                },
                response_for: answers,
                steering_type: j.steering,
                application_type: j.application,
                business: business(j.action, j.clerk, at)?,
                traces,
                attachments,
            }))
        }
    }
}

/// A canonical message as a json-office record, with file bytes base64-encoded by the hub.
pub fn from_message(m: Message) -> Result<Record<'static>, AdapterError> {
    match m {
        Message::Status(s) => Ok(Record::Status(Box::new(JStatus {
            from: agency(s.sender),
            regarding: regarding(s.response_for),
            clerk: clerk(s.staff),
            status: status::to_code(&s.code),
            note: s.description,
            at: s.timestamp.as_ref().map(format_iso_date_time),
        }))),
        Message::Document(d) => {
            let wires = d
                .attachments
                .into_iter()
                .map(|a| FileWire {
                    data: Base64Text::from(file_base64(&a.body)),
                    id: a.content_id,
                    name: a.name,
                    description: a.description,
                    mime: a.content_type,
                })
                .collect();
            let (action, clerk) = action(d.business);
            let doc = JDoc {
                doc_id: d.id,
                sender: agency(d.sender),
                recipients: d.receivers.into_iter().map(agency).collect(),
                number: d.code.number,
                notation: d.code.notation,
                issued: Issued {
                    place: d.promulgation.place,
                    date: d.promulgation.date.as_ref().map(format_iso_date),
                },
                doc_type: DocType {
                    code: d.document_type.code,
                    name: d.document_type.name,
                    detail: d.document_type.detail,
                },
                subject: d.subject,
                summary: d.content,
                signed_by: SignedBy {
                    authority: d.signer.competence,
                    position: d.signer.position,
                    name: d.signer.full_name,
                },
                deadline: d.due_date.as_ref().map(format_iso_date),
                distribution: d.to_places,
                urgency: d.other.priority,
                scope: d.other.sphere_of_promulgation,
                drafter: d.other.typer_notation,
                copies: d.other.promulgation_amount,
                pages: d.other.page_amount,
                appendices: d.other.appendixes,
                direction: d.other.direction,
                answers: d.response_for.into_iter().map(regarding).collect(),
                steering: d.steering_type,
                application: d.application_type,
                action,
                clerk,
                trail: d
                    .traces
                    .into_iter()
                    .map(|t| Hop {
                        code: t.organ_id,
                        at: t.timestamp.as_ref().map(format_iso_date_time),
                    })
                    .collect(),
                files: wires,
            };
            Ok(Record::Document(Box::new(doc)))
        }
    }
}
