//! Recurses without end in `decode`: the stack overflow must be contained.

use truc_guest::{AdapterError, AdapterInfo, Codec, Message, Payload};

struct DeepRecursion;

// Recursing forever is the point of this adapter.
#[allow(unconditional_recursion)]
#[inline(never)]
fn descend(depth: u64, pad: [u64; 8]) -> u64 {
    let next = std::hint::black_box(pad);
    descend(depth + 1, next).wrapping_add(next[(depth % 8) as usize])
}

impl Codec for DeepRecursion {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "deep-recursion".into(),
            version: "0.1.0".into(),
            vendor: "truc project (test adapter)".into(),
            formats: vec!["text/plain".into()],
            description: "Recurses without end.".into(),
        }
    }

    fn encode(_message: Message) -> Result<Payload, AdapterError> {
        Err(truc_guest::unsupported(
            "this test adapter only decodes",
            None,
        ))
    }

    fn decode(_input: Payload) -> Result<Vec<Message>, AdapterError> {
        std::hint::black_box(descend(0, [1; 8]));
        Ok(Vec::new())
    }
}

truc_guest::export_adapter!(DeepRecursion);
