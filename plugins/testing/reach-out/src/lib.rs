//! A connector that GETs the URL in its `target` setting during `decode` and returns the
//! response body's length as a status description.

use truc_guest::{
    AdapterError, AdapterInfo, Codec, Connector, Delivery, Message, Payload, Polled, Receipt,
};

struct ReachOut;

impl Codec for ReachOut {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "reach-out".into(),
            version: "0.1.0".into(),
            vendor: "truc project (test adapter)".into(),
            formats: vec!["text/plain".into()],
            description: "Fetches its target URL.".into(),
        }
    }

    fn encode(_message: Message) -> Result<Payload, AdapterError> {
        Err(truc_guest::unsupported(
            "this test adapter only decodes",
            None,
        ))
    }

    fn decode(_input: Payload) -> Result<Vec<Message>, AdapterError> {
        let url = truc_guest::config("target")
            .ok_or_else(|| truc_guest::malformed("no target set", None))?;
        let resp = truc_guest::http::get(&url, &[])?;
        Err(truc_guest::rejected(
            format!(
                "fetched {} bytes with status {}",
                resp.body.len(),
                resp.status
            ),
            None,
        ))
    }
}

impl Connector for ReachOut {
    fn deliver(_delivery: Delivery) -> Result<Receipt, AdapterError> {
        Err(truc_guest::unsupported("not used", None))
    }

    fn poll(_max: u32) -> Result<Vec<Polled>, AdapterError> {
        Ok(Vec::new())
    }

    fn acknowledge(_tokens: Vec<String>) -> Result<(), AdapterError> {
        Ok(())
    }
}

truc_guest::export_adapter!(ReachOut);
