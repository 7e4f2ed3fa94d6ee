//! Loops forever in `decode`: the hub must stop it at its deadline.

use truc_guest::{AdapterError, AdapterInfo, Codec, Message, Payload};

struct SpinForever;

impl Codec for SpinForever {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "spin-forever".into(),
            version: "0.1.0".into(),
            vendor: "truc project (test adapter)".into(),
            formats: vec!["text/plain".into()],
            description: "Loops forever.".into(),
        }
    }

    fn encode(_message: Message) -> Result<Payload, AdapterError> {
        Err(truc_guest::unsupported(
            "this test adapter only decodes",
            None,
        ))
    }

    fn decode(_input: Payload) -> Result<Vec<Message>, AdapterError> {
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

truc_guest::export_adapter!(SpinForever);
