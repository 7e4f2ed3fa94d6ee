//! `truc:adapter@0.1.0`: the first contract. Bindings, the host side of its imports, the
//! conversion of its records, and typed calls into its exports. Later versions reuse its
//! records (`types`), their conversion and the host side of every import they did not change.

pub(super) mod convert;
pub(super) mod host_impl;

use wasmtime::component::{HasSelf, Instance, InstancePre, Linker};
use wasmtime::{Engine, Store};

use super::{Answer, GuestError};
use crate::runtime::error::{AdapterErrorKind, AdapterFailure};
use crate::runtime::manifest::World;
use crate::runtime::message::{AdapterInfo, CanonicalMessage, Delivery, Payload, Polled};
use crate::runtime::state::CallState;

/// Host bindings generated from `wit/truc-adapter@0.1.0`. The connector world is a superset of
/// the codec world, so one generation covers both; exports are looked up per interface.
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "wit/truc-adapter@0.1.0",
        world: "connector-adapter",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "truc:adapter/blobs.blob": crate::runtime::host::blobs::Blob,
            "truc:adapter/blobs.blob-writer": crate::runtime::host::blobs::BlobWriter,
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
            "wasi:io": wasmtime_wasi::p2::bindings::io,
            "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
        },
    });
}

use bindings::exports::truc::adapter::{codec, connector};
use bindings::truc::adapter::types as wit;

/// A linker offering everything v0.1.0 adapters may import: the truc interfaces, WASI with a
/// capability-free context, and `wasi:http` behind the grant check.
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<CallState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    bindings::truc::adapter::blobs::add_to_linker::<CallState, HasSelf<CallState>>(
        &mut linker,
        |s| s,
    )?;
    bindings::truc::adapter::host::add_to_linker::<CallState, HasSelf<CallState>>(
        &mut linker,
        |s| s,
    )?;
    bindings::truc::adapter::edxml::add_to_linker::<CallState, HasSelf<CallState>>(
        &mut linker,
        |s| s,
    )?;
    host_impl::observe_ambient_authority(&mut linker)?;
    Ok(linker)
}

/// The export lookups of one compiled adapter.
#[derive(Clone)]
pub struct Exports {
    codec: codec::GuestIndices,
    connector: Option<connector::GuestIndices>,
}

impl Exports {
    /// Looks up the exports the manifest's world promises.
    pub fn new(pre: &InstancePre<CallState>, world: World) -> Result<Self, String> {
        let codec = codec::GuestIndices::new(pre).map_err(|e| format!("{e}"))?;
        let connector = match world {
            World::Codec => None,
            World::Connector => {
                Some(connector::GuestIndices::new(pre).map_err(|e| format!("{e}"))?)
            }
        };
        Ok(Self { codec, connector })
    }

    /// Whether the connector interface is there.
    pub fn has_connector(&self) -> bool {
        self.connector.is_some()
    }
}

/// An adapter's error record as the hub's.
pub(super) fn failure(e: wit::AdapterError) -> GuestError {
    let (kind, d) = match e {
        wit::AdapterError::Malformed(d) => (AdapterErrorKind::Malformed, d),
        wit::AdapterError::Unsupported(d) => (AdapterErrorKind::Unsupported, d),
        wit::AdapterError::Rejected(d) => (AdapterErrorKind::Rejected, d),
        wit::AdapterError::Transient(d) => (AdapterErrorKind::Transient, d),
    };
    GuestError::Adapter(AdapterFailure {
        kind,
        message: d.message,
        location: d.location,
    })
}

/// A payload for the adapter, its body moved into the call's table.
pub(super) fn payload_to_wit(
    p: &Payload,
    store: &mut Store<CallState>,
) -> wasmtime::Result<wit::Payload> {
    Ok(wit::Payload {
        content_type: p.content_type.clone(),
        body: store.data_mut().table.push(p.body.clone())?,
    })
}

/// The adapter's messages for the hub, numbered from 1 in errors.
pub(super) fn messages_from_wit(
    list: Vec<wit::Message>,
    store: &mut Store<CallState>,
) -> Result<Vec<CanonicalMessage>, GuestError> {
    let table = &mut store.data_mut().table;
    list.into_iter()
        .enumerate()
        .map(|(i, m)| {
            convert::message_from_wit(m, table)
                .map_err(|e| GuestError::Invalid(format!("message {}: {}", i + 1, e.0)))
        })
        .collect()
}

/// Calls `describe`.
pub async fn describe(
    store: &mut Store<CallState>,
    instance: &Instance,
    exports: &Exports,
) -> Answer<AdapterInfo> {
    let guest = exports.codec.load(&mut *store, instance)?;
    let i = guest.call_describe(&mut *store).await?;
    Ok(Ok(AdapterInfo {
        name: i.name,
        version: i.version,
        vendor: i.vendor,
        formats: i.formats,
        description: i.description,
    }))
}

/// Calls `decode`.
pub async fn decode(
    store: &mut Store<CallState>,
    instance: &Instance,
    exports: &Exports,
    input: &Payload,
) -> Answer<Vec<CanonicalMessage>> {
    let guest = exports.codec.load(&mut *store, instance)?;
    let input = payload_to_wit(input, store)?;
    match guest.call_decode(&mut *store, &input).await? {
        Ok(list) => Ok(messages_from_wit(list, store)),
        Err(e) => Ok(Err(failure(e))),
    }
}

/// Calls `encode`.
pub async fn encode(
    store: &mut Store<CallState>,
    instance: &Instance,
    exports: &Exports,
    message: &CanonicalMessage,
) -> Answer<Payload> {
    let guest = exports.codec.load(&mut *store, instance)?;
    let msg = convert::message_to_wit(message, &mut store.data_mut().table)?;
    match guest.call_encode(&mut *store, &msg).await? {
        Ok(p) => Ok(payload_from_wit(p, store)),
        Err(e) => Ok(Err(failure(e))),
    }
}

/// The adapter's payload for the hub, its body taken out of the call's table.
pub(super) fn payload_from_wit(
    p: wit::Payload,
    store: &mut Store<CallState>,
) -> Result<Payload, GuestError> {
    let body = convert::take_blob(&mut store.data_mut().table, p.body, "payload/body")
        .map_err(|e| GuestError::Invalid(e.0))?;
    Ok(Payload {
        content_type: p.content_type,
        body,
    })
}

fn connector_of(exports: &Exports) -> Result<&connector::GuestIndices, GuestError> {
    exports
        .connector
        .as_ref()
        .ok_or(GuestError::Missing(World::Connector))
}

/// Calls `deliver`; the result is the legacy system's id for the message, if it gave one.
pub async fn deliver(
    store: &mut Store<CallState>,
    instance: &Instance,
    exports: &Exports,
    delivery: &Delivery,
) -> Answer<Option<String>> {
    let indices = match connector_of(exports) {
        Ok(i) => i,
        Err(e) => return Ok(Err(e)),
    };
    let guest = indices.load(&mut *store, instance)?;
    let message = convert::message_to_wit(&delivery.message, &mut store.data_mut().table)?;
    let d = connector::Delivery {
        id: delivery.id.clone(),
        receivers: delivery.receivers.clone(),
        message,
    };
    match guest.call_deliver(&mut *store, &d).await? {
        Ok(r) => Ok(Ok(r.remote_id)),
        Err(e) => Ok(Err(failure(e))),
    }
}

/// Calls `poll`.
pub async fn poll(
    store: &mut Store<CallState>,
    instance: &Instance,
    exports: &Exports,
    max: u32,
) -> Answer<Vec<Polled>> {
    let indices = match connector_of(exports) {
        Ok(i) => i,
        Err(e) => return Ok(Err(e)),
    };
    let guest = indices.load(&mut *store, instance)?;
    match guest.call_poll(&mut *store, max).await? {
        Ok(list) => Ok(polled_from_wit(
            list.into_iter().map(|p| (p.token, p.message)),
            store,
        )),
        Err(e) => Ok(Err(failure(e))),
    }
}

/// Polled messages (token, message) for the hub, numbered from 1 in errors.
pub(super) fn polled_from_wit(
    list: impl ExactSizeIterator<Item = (String, wit::Message)>,
    store: &mut Store<CallState>,
) -> Result<Vec<Polled>, GuestError> {
    let table = &mut store.data_mut().table;
    let mut out = Vec::with_capacity(list.len());
    for (i, (token, message)) in list.enumerate() {
        let message = convert::message_from_wit(message, table)
            .map_err(|e| GuestError::Invalid(format!("polled message {}: {}", i + 1, e.0)))?;
        out.push(Polled { token, message });
    }
    Ok(out)
}

/// Calls `acknowledge`.
pub async fn acknowledge(
    store: &mut Store<CallState>,
    instance: &Instance,
    exports: &Exports,
    tokens: &[String],
) -> Answer<()> {
    let indices = match connector_of(exports) {
        Ok(i) => i,
        Err(e) => return Ok(Err(e)),
    };
    let guest = indices.load(&mut *store, instance)?;
    match guest.call_acknowledge(&mut *store, tokens).await? {
        Ok(()) => Ok(Ok(())),
        Err(e) => Ok(Err(failure(e))),
    }
}
