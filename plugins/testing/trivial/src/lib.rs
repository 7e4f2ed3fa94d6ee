//! The smallest useful codec: its input is a status code (`05`), its output a status message.
//! Used to measure what a call costs when the adapter does almost nothing.

use truc_guest::{
    AdapterError, AdapterInfo, Codec, DateTime, Message, Payload, ResponseFor, Status, organ,
    read_all, status, write_blob,
};

struct Trivial;

impl Codec for Trivial {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "trivial".into(),
            // The same source builds 0.1.0 against contract 0.1.0 and 0.2.0 (package
            // `trivial-v2`) against contract 0.2.0, for hot-swap tests across versions.
            version: env!("CARGO_PKG_VERSION").into(),
            vendor: "truc project (test adapter)".into(),
            formats: vec!["text/plain".into()],
            description: "Reads a status code, nothing else.".into(),
        }
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        let bytes = read_all(&input.body, 16)?;
        let code = String::from_utf8_lossy(&bytes);
        Ok(vec![Message::Status(Status {
            sender: organ("000.00.00.H41"),
            response_for: ResponseFor {
                organ_id: "000.00.00.G22".into(),
                code: "1/TEST".into(),
                promulgation_date: None,
                document_id: "000.00.00.G22,2026/01/02,1/TEST".into(),
            },
            staff: truc_guest::no_staff(),
            code: status::from_code(&code),
            description: String::new(),
            timestamp: Some(DateTime {
                date: truc_guest::Date {
                    year: 2026,
                    month: 1,
                    day: 2,
                },
                hour: 8,
                minute: 0,
                second: 0,
            }),
        })])
    }

    fn encode(message: Message) -> Result<Payload, AdapterError> {
        let Message::Status(s) = message else {
            return Err(truc_guest::unsupported("only status messages", None));
        };
        Ok(Payload {
            content_type: "text/plain".into(),
            body: write_blob(status::to_code(&s.code).as_bytes())?,
        })
    }
}

truc_guest::export_adapter!(Trivial);
