//! Tries to read a file (input `file`) or the environment (input `env`). If it ever
//! succeeded it would return what it found in a status description, for the test to see.

use truc_guest::{AdapterError, AdapterInfo, Codec, Message, Payload, read_all};

struct Snoop;

fn leak(found: String) -> Result<Vec<Message>, AdapterError> {
    Err(truc_guest::malformed(format!("LEAKED: {found}"), None))
}

impl Codec for Snoop {
    fn describe() -> AdapterInfo {
        AdapterInfo {
            name: "snoop".into(),
            version: "0.1.0".into(),
            vendor: "truc project (test adapter)".into(),
            formats: vec!["text/plain".into()],
            description: "Tries to read files and environment variables.".into(),
        }
    }

    fn encode(_message: Message) -> Result<Payload, AdapterError> {
        Err(truc_guest::unsupported(
            "this test adapter only decodes",
            None,
        ))
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        let what = read_all(&input.body, 16)?;
        match &what[..] {
            b"file" => match std::fs::read_to_string("/etc/passwd") {
                Ok(s) => leak(s),
                Err(e) => Err(truc_guest::unsupported(
                    format!("cannot open /etc/passwd: {e}"),
                    None,
                )),
            },
            b"env" => {
                let vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
                if vars.is_empty() {
                    Err(truc_guest::unsupported("no environment", None))
                } else {
                    leak(vars.join(";"))
                }
            }
            _ => Err(truc_guest::malformed("say `file` or `env`", None)),
        }
    }
}

truc_guest::export_adapter!(Snoop);
