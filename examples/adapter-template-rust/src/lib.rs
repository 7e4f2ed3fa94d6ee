//! A complete truc codec adapter: its legacy system reports statuses as text lines,
//! `SENDER;DOCUMENT-ID;CODE;NOTE`, e.g. `000.00.00.H41;000.00.00.G22,2026/11/20,7816/VPCP-TTĐT;03;Đã vào sổ`.
use truc_guest::{AdapterError, AdapterInfo, Codec, Message, Payload, malformed, read_all, status, write_blob};

struct StatusLine;

impl Codec for StatusLine {
    fn describe() -> AdapterInfo {
        truc_guest::adapter_info("status-line", "1.0.0", "Example Software JSC", &["text/plain"], "Statuses as text lines.")
    }

    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        let text = String::from_utf8(read_all(&input.body, 1 << 20)?).map_err(|_| malformed("not UTF-8 text", None))?;
        let line = |(i, l): (usize, &str)| match l.splitn(4, ';').collect::<Vec<_>>()[..] {
            [sender, doc, code, note] => Ok(Message::Status(status::report(sender, doc, status::from_code(code), note))),
            _ => Err(malformed("expected SENDER;DOCUMENT-ID;CODE;NOTE", Some(format!("line {}", i + 1)))),
        };
        let messages: Vec<Message> = text.lines().filter(|l| !l.trim().is_empty()).enumerate().map(line).collect::<Result<_, _>>()?;
        if messages.is_empty() {
            return Err(malformed("no status line: the input is empty", None));
        }
        Ok(messages)
    }

    fn encode(message: Message) -> Result<Payload, AdapterError> {
        let Message::Status(s) = message else { return Err(truc_guest::unsupported("this system takes statuses only", None)) };
        let line = format!("{};{};{};{}\n", s.sender.id, s.response_for.document_id, status::to_code(&s.code), s.description);
        Ok(Payload { content_type: "text/plain".into(), body: write_blob(line.as_bytes())? })
    }
}

truc_guest::export_adapter!(StatusLine);
