//! Allocates without end in `decode`: the hub must stop it at its memory cap.

use truc_guest::{AdapterError, AdapterInfo, Codec, Message, Payload};

struct MemoryBomb;

impl Codec for MemoryBomb {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "memory-bomb".into(),
            version: "0.1.0".into(),
            vendor: "truc project (test adapter)".into(),
            formats: vec!["text/plain".into()],
            description: "Allocates without end.".into(),
        }
    }

    fn encode(_message: Message) -> Result<Payload, AdapterError> {
        Err(truc_guest::unsupported(
            "this test adapter only decodes",
            None,
        ))
    }

    fn decode(_input: Payload) -> Result<Vec<Message>, AdapterError> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(vec![1u8; 1 << 20]);
            std::hint::black_box(&hoard);
        }
    }
}

truc_guest::export_adapter!(MemoryBomb);
