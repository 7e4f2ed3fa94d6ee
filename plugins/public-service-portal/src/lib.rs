//! public-service-portal: the connector for the national public-service portal (Cổng dịch vụ
//! công quốc gia). Dossiers citizens file on the portal (hồ sơ một cửa) come in as edXML
//! documents carrying `ApplicationType` `MCDT_DT` (reference §4.3, the OpenCPS usage) — the
//! contract's `application-type` field — addressed to the agency that handles the procedure;
//! that agency's statuses and its result document go back to the portal. The wire format is
//! ours (the portal publishes none): see `README.md`.

use connector_kit::{Peer, attachment, date, date_time, from_base64, named_organ, to_base64};
use serde::{Deserialize, Serialize};
use truc_guest::dates::{format_iso_date, format_iso_date_time};
use truc_guest::{
    AdapterError, AdapterInfo, Business, BusinessAction, Code, Codec, Connector, Delivery,
    Document, DocumentType, Message, Organ, OtherInfo, Payload, Polled, Promulgation, Receipt,
    Signer, Status, malformed, read_all, status, unsupported, write_blob,
};

/// `ApplicationType` of one-stop dossiers (§4.3).
const ONE_STOP: &str = "MCDT_DT";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Dossier {
    id: String,
    dossier_code: String,
    seq: u32,
    agency: String,
    procedure: Procedure,
    applicant: Applicant,
    submitted_at: String,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    files: Vec<WireFile>,
}

#[derive(Deserialize)]
struct Procedure {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct Applicant {
    name: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireFile {
    file_name: String,
    mime_type: String,
    content: String,
}

#[derive(Deserialize)]
struct DossierList {
    dossiers: Vec<Dossier>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusUpdate {
    agency: String,
    status: String,
    note: String,
    at: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DossierResult {
    document_id: String,
    agency: String,
    number: String,
    issued_on: Option<String>,
    title: String,
    files: Vec<WireFile>,
}

#[derive(Serialize)]
struct Acknowledgement {
    ids: Vec<String>,
}

struct Portal;

fn peer() -> Result<Peer, AdapterError> {
    Peer::configured(
        "the public-service portal",
        concat!("truc-public-service-portal/", env!("CARGO_PKG_VERSION")),
    )
}

fn own() -> Result<Organ, AdapterError> {
    let id = connector_kit::required_config("organ-id")?;
    let name =
        truc_guest::config("organ-name").unwrap_or_else(|| "Cổng dịch vụ công quốc gia".into());
    Ok(named_organ(&id, &name))
}

/// The dossier code from a `number/notation` full code: the notation is the dossier code.
fn dossier_code(code: &str, at: &str) -> Result<String, AdapterError> {
    code.split_once('/')
        .map(|(_, c)| c.to_owned())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            malformed(
                format!("`{code}` names no portal dossier"),
                Some(at.to_owned()),
            )
        })
}

fn dossier_document(d: Dossier, own: &Organ, at: &str) -> Result<Document, AdapterError> {
    let submitted = date_time(&d.submitted_at, &format!("{at}.submittedAt"))?;
    let due = match d.due_date.as_deref() {
        Some(s) if !s.is_empty() => Some(date(s, &format!("{at}.dueDate"))?),
        _ => None,
    };
    let attachments = d
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let body = from_base64(&f.content, &format!("{at}.files[{i}].content"))?;
            Ok(attachment(i, &f.file_name, &f.mime_type, body))
        })
        .collect::<Result<Vec<_>, AdapterError>>()?;
    let number = d.seq.to_string();
    Ok(Document {
        id: connector_kit::document_id(&own.id, &submitted.date, &number, &d.dossier_code),
        sender: own.clone(),
        receivers: vec![truc_guest::organ(d.agency)],
        code: Code {
            number,
            notation: d.dossier_code.clone(),
        },
        promulgation: Promulgation {
            place: String::new(),
            date: Some(submitted.date),
        },
        document_type: DocumentType {
            code: "2".into(),
            detail: "0".into(),
            name: "Hồ sơ thủ tục hành chính".into(),
        },
        subject: format!(
            "Hồ sơ {}: {} ({})",
            d.dossier_code, d.procedure.name, d.procedure.code
        ),
        content: format!("Người nộp: {}", d.applicant.name),
        signer: Signer {
            competence: String::new(),
            position: String::new(),
            full_name: d.applicant.name,
        },
        due_date: due,
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
        response_for: Vec::new(),
        steering_type: None,
        application_type: Some(ONE_STOP.into()),
        business: Business {
            action: BusinessAction::New,
            reason: "Hồ sơ một cửa".into(),
            paper: false,
            staff: None,
        },
        traces: Vec::new(),
        attachments,
    })
}

fn dossiers(list: DossierList) -> Result<Vec<Polled>, AdapterError> {
    let own = own()?;
    list.dossiers
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let token = d.id.clone();
            Ok(Polled {
                token,
                message: Message::Document(dossier_document(d, &own, &format!("dossiers[{i}]"))?),
            })
        })
        .collect()
}

/// Where a message goes on the portal, and its body.
fn outgoing(message: Message) -> Result<(String, Vec<u8>), AdapterError> {
    let json = |v: Result<Vec<u8>, serde_json::Error>| {
        v.map_err(|e| malformed(format!("cannot write JSON: {e}"), None))
    };
    match message {
        Message::Status(s) => {
            let code = dossier_code(&s.response_for.code, "status/response-for/code")?;
            Ok((
                format!("/api/dossiers/{code}/status"),
                json(serde_json::to_vec(&update(s)))?,
            ))
        }
        Message::Document(d) => {
            if !d
                .application_type
                .as_deref()
                .is_some_and(|a| a.starts_with("MCDT"))
            {
                return Err(unsupported(
                    "the public-service portal takes one-stop dossier documents only (ApplicationType MCDT_…)",
                    Some("document/application-type".into()),
                ));
            }
            let Some(answered) = d.response_for.first() else {
                return Err(unsupported(
                    "a result for the portal must answer the dossier (ResponseFor)",
                    Some("document/response-for".into()),
                ));
            };
            let code = dossier_code(&answered.code, "document/response-for[0]/code")?;
            let result = DossierResult {
                number: connector_kit::full_code(&d),
                document_id: d.id,
                agency: d.sender.id,
                issued_on: d.promulgation.date.as_ref().map(format_iso_date),
                title: d.subject,
                files: d
                    .attachments
                    .iter()
                    .map(|a| WireFile {
                        file_name: a.name.clone(),
                        mime_type: a.content_type.clone(),
                        content: to_base64(&a.body),
                    })
                    .collect(),
            };
            Ok((
                format!("/api/dossiers/{code}/result"),
                json(serde_json::to_vec(&result))?,
            ))
        }
    }
}

fn update(s: Status) -> StatusUpdate {
    StatusUpdate {
        agency: s.sender.id,
        status: status::to_code(&s.code),
        note: s.description,
        at: s.timestamp.as_ref().map(format_iso_date_time),
    }
}

impl Codec for Portal {
    fn describe() -> AdapterInfo {
        truc_guest::adapter_info(
            "public-service-portal",
            env!("CARGO_PKG_VERSION"),
            "truc project (example adapter)",
            &["application/json"],
            "National public-service portal: one-stop dossiers in (MCDT_DT), statuses and results out.",
        )
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        let bytes = read_all(&input.body, 256 * 1024 * 1024)?;
        let list: DossierList = connector_kit::parse_json(&bytes, "the dossier list")?;
        Ok(dossiers(list)?.into_iter().map(|p| p.message).collect())
    }

    fn encode(message: Message) -> Result<Payload, AdapterError> {
        let (_, body) = outgoing(message)?;
        Ok(Payload {
            content_type: "application/json".into(),
            body: write_blob(&body)?,
        })
    }
}

impl Connector for Portal {
    fn deliver(delivery: Delivery) -> Result<Receipt, AdapterError> {
        let (path, body) = outgoing(delivery.message)?;
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| malformed(format!("cannot write JSON: {e}"), None))?;
        peer()?.post_json(&path, Some(&delivery.id), &value, "updating the dossier")?;
        Ok(Receipt { remote_id: None })
    }

    fn poll(max: u32) -> Result<Vec<Polled>, AdapterError> {
        let list: DossierList = peer()?.get_json(
            &format!("/api/dossiers?limit={}", max.clamp(1, 1000)),
            "fetching new dossiers",
        )?;
        dossiers(list)
    }

    fn acknowledge(tokens: Vec<String>) -> Result<(), AdapterError> {
        if tokens.is_empty() {
            return Ok(());
        }
        peer()?.post_json(
            "/api/dossiers/ack",
            None,
            &Acknowledgement { ids: tokens },
            "acknowledging dossiers",
        )?;
        Ok(())
    }
}

truc_guest::export_adapter!(Portal);
