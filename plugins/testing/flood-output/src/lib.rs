//! Writes more than its output budget in `encode`, ignoring the hub's refusals, and claims
//! success: the hub must discard the result.

use truc_guest::{AdapterError, AdapterInfo, BlobWriter, Codec, Message, Payload};

struct FloodOutput;

impl Codec for FloodOutput {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "flood-output".into(),
            version: "0.1.0".into(),
            vendor: "truc project (test adapter)".into(),
            formats: vec!["text/plain".into()],
            description: "Writes too much.".into(),
        }
    }

    fn decode(_input: Payload) -> Result<Vec<Message>, AdapterError> {
        Ok(Vec::new())
    }

    fn encode(_message: Message) -> Result<Payload, AdapterError> {
        let writer = BlobWriter::new();
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..64 {
            let _ignored = writer.write(&chunk);
        }
        Ok(Payload {
            content_type: "text/plain".into(),
            body: BlobWriter::finish(writer),
        })
    }
}

truc_guest::export_adapter!(FloodOutput);
