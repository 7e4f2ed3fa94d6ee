//! Panics in `decode`.

use truc_guest::{AdapterError, AdapterInfo, Codec, Message, Payload};

struct Panics;

impl Codec for Panics {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "panics".into(),
            version: "0.1.0".into(),
            vendor: "truc project (test adapter)".into(),
            formats: vec!["text/plain".into()],
            description: "Panics.".into(),
        }
    }

    fn encode(_message: Message) -> Result<Payload, AdapterError> {
        Err(truc_guest::unsupported(
            "this test adapter only decodes",
            None,
        ))
    }

    fn decode(_input: Payload) -> Result<Vec<Message>, AdapterError> {
        panic!("this adapter always panics");
    }
}

truc_guest::export_adapter!(Panics);
