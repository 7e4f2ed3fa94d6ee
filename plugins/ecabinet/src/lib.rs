//! ecabinet: the connector for E-Cabinet (Hệ thống thông tin phục vụ họp và xử lý công việc của
//! Chính phủ), the Government's meeting system. Meeting documents an agency sends to the
//! E-Cabinet agency code leave as *agenda items* with their files; what the meeting makes of
//! them comes back as statuses on the submitted document and, when the meeting issues one, the
//! decision itself as an edXML document answering it. The wire format is ours (E-Cabinet
//! publishes none): see `README.md` and [`wire`].

mod convert;
mod wire;

use connector_kit::Peer;
use truc_guest::{
    AdapterError, AdapterInfo, Codec, Connector, Delivery, Message, Payload, Polled, Receipt,
    read_all, write_blob,
};

use wire::{Acknowledgement, OutcomeList};

/// Largest legacy payload `decode` reads.
const MAX_INPUT: u64 = 256 * 1024 * 1024;

struct Ecabinet;

fn peer() -> Result<Peer, AdapterError> {
    Peer::configured(
        "E-Cabinet",
        concat!("truc-ecabinet/", env!("CARGO_PKG_VERSION")),
    )
}

impl Codec for Ecabinet {
    fn describe() -> AdapterInfo {
        truc_guest::adapter_info(
            "ecabinet",
            env!("CARGO_PKG_VERSION"),
            "truc project (example adapter)",
            &["application/json"],
            "E-Cabinet: meeting documents out as agenda items, outcomes and decisions back.",
        )
    }

    /// Reads an outcome list (`{"outcomes": […]}`) or one outcome.
    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        let bytes = read_all(&input.body, MAX_INPUT)?;
        let value: serde_json::Value = connector_kit::parse_json(&bytes, "the input")?;
        let list: OutcomeList = if value.get("outcomes").is_some() {
            connector_kit::parse_json(&bytes, "the outcome list")?
        } else {
            OutcomeList {
                outcomes: vec![connector_kit::parse_json(&bytes, "the outcome")?],
            }
        };
        let organ = convert::own_organ()?;
        let mut out = Vec::new();
        for (i, o) in list.outcomes.into_iter().enumerate() {
            out.extend(convert::outcome_messages(
                o,
                &organ,
                &format!("outcomes[{i}]"),
            )?);
        }
        Ok(out)
    }

    /// Writes a document as an agenda item, or a status as a decision receipt.
    fn encode(message: Message) -> Result<Payload, AdapterError> {
        let body = match message {
            Message::Document(d) => serde_json::to_vec(&convert::agenda_item(d, None)?),
            Message::Status(s) => serde_json::to_vec(&convert::decision_receipt(s)),
        }
        .map_err(|e| truc_guest::malformed(format!("cannot write JSON: {e}"), None))?;
        Ok(Payload {
            content_type: "application/json".into(),
            body: write_blob(&body)?,
        })
    }
}

impl Connector for Ecabinet {
    fn deliver(delivery: Delivery) -> Result<Receipt, AdapterError> {
        let peer = peer()?;
        let resp = match delivery.message {
            Message::Document(d) => peer.post_json(
                "/api/v1/agenda-items",
                Some(&delivery.id),
                &convert::agenda_item(d, Some(delivery.id.clone()))?,
                "submitting the agenda item",
            )?,
            Message::Status(s) => peer.post_json(
                "/api/v1/decision-receipts",
                Some(&delivery.id),
                &convert::decision_receipt(s),
                "reporting the receipt of a decision",
            )?,
        };
        Ok(Receipt {
            remote_id: connector_kit::remote_id(&resp),
        })
    }

    fn poll(max: u32) -> Result<Vec<Polled>, AdapterError> {
        let peer = peer()?;
        let organ = convert::own_organ()?;
        let list: OutcomeList = peer.get_json(
            &format!("/api/v1/outcomes?limit={}", max.clamp(1, 1000)),
            "fetching meeting outcomes",
        )?;
        let mut polled = Vec::new();
        for (i, o) in list.outcomes.into_iter().enumerate() {
            let id = o.id.clone();
            let messages = convert::outcome_messages(o, &organ, &format!("outcomes[{i}]"))?;
            let parts = messages.len();
            for (p, message) in messages.into_iter().enumerate() {
                polled.push(Polled {
                    token: connector_kit::part_token(&id, p + 1, parts),
                    message,
                });
            }
        }
        Ok(polled)
    }

    fn acknowledge(tokens: Vec<String>) -> Result<(), AdapterError> {
        let ids = connector_kit::complete_items(&tokens);
        if ids.is_empty() {
            return Ok(());
        }
        peer()?.post_json(
            "/api/v1/outcomes/ack",
            None,
            &Acknowledgement { ids },
            "acknowledging meeting outcomes",
        )?;
        Ok(())
    }
}

truc_guest::export_adapter!(Ecabinet);
