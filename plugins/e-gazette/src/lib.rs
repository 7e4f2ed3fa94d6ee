//! e-gazette: the connector for the e-Gazette (Công báo điện tử). Only legal-normative
//! documents (văn bản quy phạm pháp luật) are published, and only once signed: anything else is
//! refused before a request is made. Publication notices come back as status 06 on the
//! document. The wire format is ours (the e-Gazette publishes none): see `README.md`.

use connector_kit::{Peer, date_time, full_code, to_base64};
use serde::{Deserialize, Serialize};
use truc_guest::dates::format_iso_date;
use truc_guest::{
    AdapterError, AdapterInfo, Attachment, Codec, Connector, Delivery, Document, Message, Payload,
    Polled, Receipt, StatusCode, malformed, read_all, rejected, status, unsupported, write_blob,
};

/// Types of legal-normative documents (Law 80/2015/QH13 on the promulgation of legal
/// documents, Art. 4): the only ones the Gazette publishes.
const LEGAL_NORMATIVE: &[&str] = &[
    "hiến pháp",
    "bộ luật",
    "luật",
    "pháp lệnh",
    "lệnh",
    "nghị quyết",
    "nghị quyết liên tịch",
    "nghị định",
    "quyết định",
    "thông tư",
    "thông tư liên tịch",
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Publication {
    #[serde(skip_serializing_if = "Option::is_none")]
    submission_id: Option<String>,
    document_id: String,
    issuer: Issuer,
    document_type: String,
    number: String,
    issued_on: Option<String>,
    title: String,
    signer: Signer,
    files: Vec<File>,
}

#[derive(Serialize)]
struct Issuer {
    code: String,
    name: String,
}

#[derive(Serialize)]
struct Signer {
    competence: String,
    position: String,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct File {
    file_name: String,
    mime_type: String,
    content: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notice {
    id: String,
    document_id: String,
    gazette_issue: String,
    published_on: String,
    at: String,
}

#[derive(Deserialize)]
struct NoticeList {
    notices: Vec<Notice>,
}

#[derive(Serialize)]
struct Acknowledgement {
    ids: Vec<String>,
}

struct EGazette;

fn peer() -> Result<Peer, AdapterError> {
    Peer::configured(
        "the e-Gazette",
        concat!("truc-e-gazette/", env!("CARGO_PKG_VERSION")),
    )
}

/// Whether a PDF carries a signature dictionary (`/Type /Sig` with its `/ByteRange`): the mark of
/// a PAdES/CMS signature, not a scan. Presence only; verifying it is the hub's policy check.
fn signed_pdf(a: &Attachment) -> Result<bool, AdapterError> {
    let is_pdf = a.content_type.eq_ignore_ascii_case("application/pdf")
        || a.name.to_ascii_lowercase().ends_with(".pdf");
    if !is_pdf {
        return Ok(false);
    }
    let bytes = read_all(&a.body, 512 * 1024 * 1024)?;
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    Ok(has(b"/ByteRange") && (has(b"/Type /Sig") || has(b"/Type/Sig")))
}

/// The full code carries the year of issue (`28/2018/QĐ-TTg`), as legal-normative numbering does.
fn has_year(code: &str) -> bool {
    let parts: Vec<&str> = code.split('/').collect();
    parts.len() >= 3 && parts[1].len() == 4 && parts[1].bytes().all(|b| b.is_ascii_digit())
}

fn publication(d: Document, id: Option<String>) -> Result<Publication, AdapterError> {
    let code = full_code(&d);
    let kind = d.document_type.name.trim().to_lowercase();
    if !LEGAL_NORMATIVE.contains(&kind.as_str()) || !has_year(&code) {
        return Err(unsupported(
            format!(
                "the e-Gazette publishes legal-normative documents only (numbered N/YYYY/…); `{}` {code} is not one",
                d.document_type.name
            ),
            Some("document/document-type".into()),
        ));
    }
    let mut signed = false;
    for a in &d.attachments {
        signed |= signed_pdf(a)?;
    }
    if !signed || d.signer.full_name.trim().is_empty() {
        return Err(rejected(
            "the e-Gazette publishes a document only after signature: attach the digitally signed PDF (a signature dictionary, not a scan) and name the signer",
            Some("document/attachments".into()),
        ));
    }
    Ok(Publication {
        submission_id: id,
        document_id: d.id,
        issuer: Issuer {
            code: d.sender.id,
            name: d.sender.name,
        },
        document_type: d.document_type.name,
        number: code,
        issued_on: d.promulgation.date.as_ref().map(format_iso_date),
        title: d.subject,
        signer: Signer {
            competence: d.signer.competence,
            position: d.signer.position,
            name: d.signer.full_name,
        },
        files: d
            .attachments
            .iter()
            .map(|a| File {
                file_name: a.name.clone(),
                mime_type: a.content_type.clone(),
                content: to_base64(&a.body),
            })
            .collect(),
    })
}

fn document(message: Message) -> Result<Document, AdapterError> {
    match message {
        Message::Document(d) => Ok(d),
        Message::Status(_) => Err(unsupported(
            "the e-Gazette takes documents, not statuses",
            None,
        )),
    }
}

fn notices(list: NoticeList) -> Result<Vec<Polled>, AdapterError> {
    let id = connector_kit::required_config("organ-id")?;
    let name = truc_guest::config("organ-name").unwrap_or_else(|| "Công báo điện tử".into());
    let own = connector_kit::named_organ(&id, &name);
    list.notices
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let at = format!("notices[{i}]");
            let description = format!(
                "Đã đăng Công báo số {} ngày {}",
                n.gazette_issue, n.published_on
            );
            let mut st =
                status::report(&own.id, &n.document_id, StatusCode::Completed, &description);
            st.sender = own.clone();
            st.timestamp = Some(date_time(&n.at, &format!("{at}.at"))?);
            Ok(Polled {
                token: n.id,
                message: Message::Status(st),
            })
        })
        .collect()
}

impl Codec for EGazette {
    fn describe() -> AdapterInfo {
        truc_guest::adapter_info(
            "e-gazette",
            env!("CARGO_PKG_VERSION"),
            "truc project (example adapter)",
            &["application/json"],
            "e-Gazette: signed legal-normative documents published, notices back as statuses.",
        )
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        let bytes = read_all(&input.body, 64 * 1024 * 1024)?;
        let list: NoticeList = connector_kit::parse_json(&bytes, "the notice list")?;
        Ok(notices(list)?.into_iter().map(|p| p.message).collect())
    }

    fn encode(message: Message) -> Result<Payload, AdapterError> {
        let p = publication(document(message)?, None)?;
        let body = serde_json::to_vec(&p)
            .map_err(|e| malformed(format!("cannot write JSON: {e}"), None))?;
        Ok(Payload {
            content_type: "application/json".into(),
            body: write_blob(&body)?,
        })
    }
}

impl Connector for EGazette {
    fn deliver(delivery: Delivery) -> Result<Receipt, AdapterError> {
        let p = publication(document(delivery.message)?, Some(delivery.id.clone()))?;
        let resp = peer()?.post_json(
            "/api/publications",
            Some(&delivery.id),
            &p,
            "sending for publication",
        )?;
        Ok(Receipt {
            remote_id: connector_kit::remote_id(&resp),
        })
    }

    fn poll(max: u32) -> Result<Vec<Polled>, AdapterError> {
        let list: NoticeList = peer()?.get_json(
            &format!("/api/notices?limit={}", max.clamp(1, 1000)),
            "fetching publication notices",
        )?;
        notices(list)
    }

    fn acknowledge(tokens: Vec<String>) -> Result<(), AdapterError> {
        if tokens.is_empty() {
            return Ok(());
        }
        peer()?.post_json(
            "/api/notices/ack",
            None,
            &Acknowledgement { ids: tokens },
            "acknowledging notices",
        )?;
        Ok(())
    }
}

truc_guest::export_adapter!(EGazette);
