//! national-reporting: the connector for the national reporting system (Hệ thống thông tin báo
//! cáo quốc gia). A report document an agency sends to the system's agency code is delivered as
//! **data**: the indicator values of its JSON attachment, with the signed report file as the
//! original; the system's acceptance or rejection comes back as a status. The wire format is
//! ours (the system publishes none): see `README.md` and [`wire`].

mod convert;
mod wire;

use connector_kit::Peer;
use truc_guest::{
    AdapterError, AdapterInfo, Codec, Connector, Delivery, Message, Payload, Polled, Receipt,
    malformed, read_all, unsupported, write_blob,
};

use wire::{Acknowledgement, ReceiptList};

/// Largest legacy payload `decode` reads.
const MAX_INPUT: u64 = 64 * 1024 * 1024;

struct NationalReporting;

fn peer() -> Result<Peer, AdapterError> {
    Peer::configured(
        "the national reporting system",
        concat!("truc-national-reporting/", env!("CARGO_PKG_VERSION")),
    )
}

fn own() -> Result<truc_guest::Organ, AdapterError> {
    let id = connector_kit::required_config("organ-id")?;
    let name = truc_guest::config("organ-name")
        .unwrap_or_else(|| "Hệ thống thông tin báo cáo quốc gia".into());
    Ok(connector_kit::named_organ(&id, &name))
}

fn only_documents(message: Message) -> Result<truc_guest::Document, AdapterError> {
    match message {
        Message::Document(d) => Ok(d),
        Message::Status(_) => Err(unsupported(
            "the national reporting system takes report documents, not statuses",
            None,
        )),
    }
}

fn statuses(list: ReceiptList) -> Result<Vec<(String, Message)>, AdapterError> {
    let own = own()?;
    list.receipts
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let id = r.id.clone();
            Ok((
                id,
                convert::receipt_status(r, &own, &format!("receipts[{i}]"))?,
            ))
        })
        .collect()
}

impl Codec for NationalReporting {
    fn describe() -> AdapterInfo {
        truc_guest::adapter_info(
            "national-reporting",
            env!("CARGO_PKG_VERSION"),
            "truc project (example adapter)",
            &["application/json"],
            "National reporting system: report documents as indicator data, receipts back as statuses.",
        )
    }

    /// Reads a receipt list (`{"receipts": […]}`).
    fn decode(input: Payload) -> Result<Vec<Message>, AdapterError> {
        let bytes = read_all(&input.body, MAX_INPUT)?;
        let list: ReceiptList = connector_kit::parse_json(&bytes, "the receipt list")?;
        Ok(statuses(list)?.into_iter().map(|(_, m)| m).collect())
    }

    /// Writes a report document as a submission.
    fn encode(message: Message) -> Result<Payload, AdapterError> {
        let s = convert::submission(only_documents(message)?, None)?;
        let body = serde_json::to_vec(&s)
            .map_err(|e| malformed(format!("cannot write JSON: {e}"), None))?;
        Ok(Payload {
            content_type: "application/json".into(),
            body: write_blob(&body)?,
        })
    }
}

impl Connector for NationalReporting {
    fn deliver(delivery: Delivery) -> Result<Receipt, AdapterError> {
        let s = convert::submission(only_documents(delivery.message)?, Some(delivery.id.clone()))?;
        let resp = peer()?.post_json(
            "/api/reports",
            Some(&delivery.id),
            &s,
            "submitting the report",
        )?;
        Ok(Receipt {
            remote_id: connector_kit::remote_id(&resp),
        })
    }

    fn poll(max: u32) -> Result<Vec<Polled>, AdapterError> {
        let list: ReceiptList = peer()?.get_json(
            &format!("/api/receipts?limit={}", max.clamp(1, 1000)),
            "fetching report receipts",
        )?;
        Ok(statuses(list)?
            .into_iter()
            .map(|(token, message)| Polled { token, message })
            .collect())
    }

    fn acknowledge(tokens: Vec<String>) -> Result<(), AdapterError> {
        if tokens.is_empty() {
            return Ok(());
        }
        peer()?.post_json(
            "/api/receipts/ack",
            None,
            &Acknowledgement { ids: tokens },
            "acknowledging report receipts",
        )?;
        Ok(())
    }
}

truc_guest::export_adapter!(NationalReporting);
