//! edxml-native: for document-management systems that already speak QCVN 102:2016.
//!
//! Decoding and encoding go through the hub's own edXML reader and writer (the `edxml`
//! import), so attachments stream straight from the package into hub blobs and never enter
//! this sandbox: a 1 GiB package needs no more adapter memory than a 1 KiB one. What the
//! adapter adds is the policy of a native system: it accepts every dialect the reader does
//! (Java SDK and .NET element orders, `Business`/`Bussiness`, `Status`/`MessageHeader`) and
//! always answers in the canonical form.

use truc_guest::{AdapterError, AdapterInfo, Codec, Message, Payload, edxml};

struct EdxmlNative;

impl Codec for EdxmlNative {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "edxml-native".into(),
            version: "1.0.0".into(),
            vendor: "truc project (example adapter)".into(),
            formats: vec!["application/xml".into(), "application/edxml+xml".into()],
            description: "QCVN 102:2016 edXML, any dialect in, canonical out.".into(),
        }
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        Ok(vec![edxml::parse(&input.body)?])
    }

    fn encode(message: Message) -> Result<Payload, AdapterError> {
        Ok(Payload {
            content_type: "application/xml".into(),
            body: edxml::render(message)?,
        })
    }
}

truc_guest::export_adapter!(EdxmlNative);
