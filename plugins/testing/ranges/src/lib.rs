//! Calls the byte-range writes of contract 0.2.0 on its own input, as the input's first line
//! says: `OP OFFSET LEN`, offsets counted from the start of the input. `OP` is `base64`
//! (`write-base64-range`), `copy` (`copy-range`), or `keep` (writes `kept:`, then
//! `write-base64-range`, ignoring its error). The result is one document whose attachment is
//! the blob written; a refused range is a `malformed` error carrying the hub's message.

use truc_guest::{
    AdapterError, AdapterInfo, Attachment, Blob, BlobWriter, Business, BusinessAction, Code, Codec,
    Document, DocumentType, Message, OtherInfo, Payload, Promulgation, Signer, malformed, organ,
    unsupported,
};

struct Ranges;

fn parse(line: &str) -> Option<(&str, u64, u64)> {
    let mut words = line.split_whitespace();
    let op = words.next()?;
    let offset = words.next()?.parse().ok()?;
    let len = words.next()?.parse().ok()?;
    Some((op, offset, len))
}

fn written(source: &Blob, op: &str, offset: u64, len: u64) -> Result<Blob, AdapterError> {
    let writer = BlobWriter::new();
    let result = match op {
        "base64" => writer.write_base64_range(source, offset, len),
        "copy" => writer.copy_range(source, offset, len),
        "keep" => {
            writer.write(b"kept:").map_err(|e| malformed(e, None))?;
            let _ignored = writer.write_base64_range(source, offset, len);
            Ok(())
        }
        other => return Err(malformed(format!("unknown operation `{other}`"), None)),
    };
    result.map_err(|e| malformed(e, None))?;
    Ok(BlobWriter::finish(writer))
}

fn document(body: Blob) -> Document {
    Document {
        id: "000.00.00.G22,2026/01/02,1/TEST".into(),
        sender: organ("000.00.00.G22"),
        receivers: vec![organ("000.00.00.H41")],
        code: Code {
            number: "1".into(),
            notation: "TEST".into(),
        },
        promulgation: Promulgation {
            place: String::new(),
            date: None,
        },
        document_type: DocumentType {
            code: "1".into(),
            detail: String::new(),
            name: String::new(),
        },
        subject: "ranges".into(),
        content: String::new(),
        signer: Signer {
            competence: String::new(),
            position: String::new(),
            full_name: String::new(),
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
        response_for: Vec::new(),
        steering_type: None,
        application_type: None,
        business: Business {
            action: BusinessAction::New,
            reason: String::new(),
            paper: false,
            staff: None,
        },
        traces: Vec::new(),
        attachments: vec![Attachment {
            content_id: "result".into(),
            name: "result.bin".into(),
            description: String::new(),
            content_type: "application/octet-stream".into(),
            body,
        }],
    }
}

impl Codec for Ranges {
    fn describe() -> AdapterInfo {
        truc_guest::adapter_info(
            "ranges",
            env!("CARGO_PKG_VERSION"),
            "truc project (test adapter)",
            &["text/plain"],
            "Calls the byte-range writes on its own input.",
        )
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        // Only the first line is read; the rest is the hub's to read.
        let head = input.body.read(0, 64);
        let head = String::from_utf8_lossy(&head);
        let line = head.split('\n').next().unwrap_or_default();
        let (op, offset, len) = parse(line)
            .ok_or_else(|| malformed(format!("`{line}` is not `OP OFFSET LEN`"), None))?;
        let body = written(&input.body, op, offset, len)?;
        Ok(vec![Message::Document(document(body))])
    }

    fn encode(_message: Message) -> Result<Payload, AdapterError> {
        Err(unsupported("ranges only decodes", None))
    }
}

truc_guest::export_adapter!(Ranges);
