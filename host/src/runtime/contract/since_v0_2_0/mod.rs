//! `truc:adapter@0.2.0`: 0.1.0 plus byte ranges of blobs (`blob-writer.write-base64-range`,
//! `blob-writer.copy-range`; decision 0014). Its records are 0.1.0's, so the bindings reuse
//! 0.1.0's Rust types (`with`) and with them its conversions; the host side of the imports
//! that did not change hands over to 0.1.0's. What is new here: the bindings, the two range
//! calls, and the typed calls into this version's exports.

mod host_impl;

use wasmtime::component::{HasSelf, Instance, InstancePre, Linker};
use wasmtime::{Engine, Store};

use super::since_v0_1_0::{self as v0_1_0, convert, failure};
use super::{Answer, GuestError};
use crate::runtime::manifest::World;
use crate::runtime::message::{AdapterInfo, CanonicalMessage, Delivery, Payload, Polled};
use crate::runtime::state::CallState;

/// Host bindings generated from `wit/truc-adapter@0.2.0`. The `types` interface is unchanged
/// since 0.1.0: it maps to 0.1.0's generated module, so both versions share one set of record
/// types (the component model checks records by shape, not by version).
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "wit/truc-adapter@0.2.0",
        world: "connector-adapter",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "truc:adapter/types": crate::runtime::contract::since_v0_1_0::bindings::truc::adapter::types,
            "truc:adapter/blobs.blob": crate::runtime::host::blobs::Blob,
            "truc:adapter/blobs.blob-writer": crate::runtime::host::blobs::BlobWriter,
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
            "wasi:io": wasmtime_wasi::p2::bindings::io,
            "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
        },
    });
}

use bindings::exports::truc::adapter::{codec, connector};

/// A linker offering everything v0.2.0 adapters may import: the truc interfaces, WASI with a
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
    v0_1_0::host_impl::observe_ambient_authority(&mut linker)?;
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
    let input = v0_1_0::payload_to_wit(input, store)?;
    match guest.call_decode(&mut *store, &input).await? {
        Ok(list) => Ok(v0_1_0::messages_from_wit(list, store)),
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
        Ok(p) => Ok(v0_1_0::payload_from_wit(p, store)),
        Err(e) => Ok(Err(failure(e))),
    }
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
        Ok(list) => Ok(v0_1_0::polled_from_wit(
            list.into_iter().map(|p| (p.token, p.message)),
            store,
        )),
        Err(e) => Ok(Err(failure(e))),
    }
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
