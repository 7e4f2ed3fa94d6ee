//! The host side of the v0.1.0 imports: blobs, log/config/secret, the edXML service, and the
//! observation of attempts at ambient authority.

use std::collections::HashMap;
use std::io::{self, BufReader, Read, Write};

use ::base64::Engine as _;
use ::base64::engine::general_purpose::STANDARD as B64;
use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource};

use super::bindings::truc::adapter::{blobs, edxml, host, types as wit};
use super::convert;
use crate::edxml::{
    self as ed, AttachmentMeta, AttachmentSink, AttachmentSource, AttachmentWriter,
};
use crate::runtime::host::base64;
use crate::runtime::host::blobs::{Blob, BlobWriter};
use crate::runtime::host::denials::Denied;
use crate::runtime::host::log::Level;
use crate::runtime::limits::OutputMeter;
use crate::runtime::message::CanonicalMessage;
use crate::runtime::state::CallState;

/// Largest chunk one `blob.read` returns, whatever the adapter asks for.
const MAX_READ: u32 = 1 << 20;

impl wit::Host for CallState {}

/// Why `blob-writer` refused bytes: the call's output budget is spent.
pub(in crate::runtime::contract) fn budget_spent(meter: &OutputMeter) -> String {
    format!(
        "the output budget of this call ({}) is spent",
        meter.limit()
    )
}

impl blobs::Host for CallState {}

impl blobs::HostBlob for CallState {
    async fn size(&mut self, this: Resource<Blob>) -> wasmtime::Result<u64> {
        Ok(self.table.get(&this)?.size())
    }

    async fn read(
        &mut self,
        this: Resource<Blob>,
        offset: u64,
        len: u32,
    ) -> wasmtime::Result<Vec<u8>> {
        Ok(self
            .table
            .get(&this)?
            .read_at(offset, len.min(MAX_READ) as usize)?)
    }

    async fn read_base64(
        &mut self,
        this: Resource<Blob>,
        offset: u64,
        len: u32,
    ) -> wasmtime::Result<String> {
        let bytes = self
            .table
            .get(&this)?
            .read_at(offset, len.min(MAX_READ) as usize)?;
        Ok(B64.encode(bytes))
    }

    async fn drop(&mut self, rep: Resource<Blob>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}

impl blobs::HostBlobWriter for CallState {
    async fn new(&mut self) -> wasmtime::Result<Resource<BlobWriter>> {
        Ok(self.table.push(BlobWriter::new())?)
    }

    async fn write(
        &mut self,
        this: Resource<BlobWriter>,
        chunk: Vec<u8>,
    ) -> wasmtime::Result<Result<(), String>> {
        if !self.output.take(chunk.len() as u64) {
            return Ok(Err(budget_spent(&self.output)));
        }
        self.table.get_mut(&this)?.write(&chunk)?;
        Ok(Ok(()))
    }

    async fn write_base64(
        &mut self,
        this: Resource<BlobWriter>,
        text: String,
    ) -> wasmtime::Result<Result<(), String>> {
        let bytes = match base64::decode_text(text.as_bytes()) {
            Ok(b) => b,
            Err(e) => return Ok(Err(e.to_string())),
        };
        if !self.output.take(bytes.len() as u64) {
            return Ok(Err(budget_spent(&self.output)));
        }
        self.table.get_mut(&this)?.write_owned(bytes)?;
        Ok(Ok(()))
    }

    async fn finish(&mut self, writer: Resource<BlobWriter>) -> wasmtime::Result<Resource<Blob>> {
        let blob = self.table.delete(writer)?.finish()?;
        Ok(self.table.push(blob)?)
    }

    async fn drop(&mut self, rep: Resource<BlobWriter>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}

impl host::Host for CallState {
    async fn log(&mut self, level: host::Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            host::Level::Trace => Level::Trace,
            host::Level::Debug => Level::Debug,
            host::Level::Info => Level::Info,
            host::Level::Warn => Level::Warn,
            host::Level::Error => Level::Error,
        };
        self.log.line(level, "log", &message);
        Ok(())
    }

    async fn config(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        Ok(self.config.value(&key).map(str::to_owned))
    }

    async fn secret(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        Ok(self.config.secret(&key).map(str::to_owned))
    }
}

fn malformed(message: String) -> wit::AdapterError {
    wit::AdapterError::Malformed(wit::ErrorDetail {
        message,
        location: None,
    })
}

impl edxml::Host for CallState {
    async fn parse(
        &mut self,
        source: Resource<Blob>,
    ) -> wasmtime::Result<Result<wit::Message, wit::AdapterError>> {
        let blob = self.table.get(&source)?.clone();
        let mut sink = BodySink {
            meter: &mut self.output,
            bodies: HashMap::new(),
        };
        let read = ed::read(
            BufReader::new(blob.reader()),
            &mut sink,
            &ed::Limits::default(),
        );
        let bodies = sink.bodies;
        let package = match read {
            Ok(p) => p,
            Err(e) if self.output.exceeded => {
                return Ok(Err(malformed(format!(
                    "the package's attachments exceed this call's output budget ({}): {e}",
                    self.output.limit()
                ))));
            }
            Err(e) => return Ok(Err(malformed(format!("not a valid edXML package: {e}")))),
        };
        let bodies = match &package {
            ed::Package::Document(d) => d
                .attachments
                .iter()
                .map(|a| {
                    bodies
                        .get(&a.content_id)
                        .cloned()
                        .unwrap_or_else(|| Blob::from_bytes(Vec::new()))
                })
                .collect(),
            ed::Package::Status(_) => Vec::new(),
        };
        let msg = CanonicalMessage { package, bodies };
        Ok(Ok(convert::message_to_wit(&msg, &mut self.table)?))
    }

    async fn render(
        &mut self,
        message: wit::Message,
    ) -> wasmtime::Result<Result<Resource<Blob>, wit::AdapterError>> {
        let msg = match convert::message_from_wit(message, &mut self.table) {
            Ok(m) => m,
            Err(e) => {
                return Ok(Err(wit::AdapterError::Unsupported(wit::ErrorDetail {
                    message: e.0,
                    location: None,
                })));
            }
        };
        let mut out = MeteredWriter {
            writer: BlobWriter::new(),
            meter: &mut self.output,
        };
        if let Err(e) = ed::write(&msg.package, &Bodies(&msg), &mut out) {
            return Ok(Err(wit::AdapterError::Unsupported(wit::ErrorDetail {
                message: format!("cannot write the message as edXML: {e}"),
                location: None,
            })));
        }
        let blob = out.writer.finish()?;
        Ok(Ok(self.table.push(blob)?))
    }
}

/// Stores the attachments of a parsed package in blobs, counted against the output budget
/// (an attachment that unzips to more than the budget stops the parse).
struct BodySink<'a> {
    meter: &'a mut OutputMeter,
    bodies: HashMap<String, Blob>,
}

impl AttachmentSink for BodySink<'_> {
    fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<Box<dyn AttachmentWriter + '_>> {
        Ok(Box::new(BodyWriter {
            content_id: meta.content_id.clone(),
            out: MeteredWriter {
                writer: BlobWriter::new(),
                meter: &mut *self.meter,
            },
            bodies: &mut self.bodies,
        }))
    }
}

struct BodyWriter<'a> {
    content_id: String,
    out: MeteredWriter<'a>,
    bodies: &'a mut HashMap<String, Blob>,
}

impl Write for BodyWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AttachmentWriter for BodyWriter<'_> {
    fn finish(self: Box<Self>, _sha256: &ed::Sha256, _size: u64) -> io::Result<()> {
        let this = *self;
        let blob = this.out.writer.finish()?;
        this.bodies.insert(this.content_id, blob);
        Ok(())
    }
}

/// A blob writer that stops at the call's output budget.
struct MeteredWriter<'a> {
    writer: BlobWriter,
    meter: &'a mut OutputMeter,
}

impl Write for MeteredWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.meter.take(buf.len() as u64) {
            return Err(io::Error::other(format!(
                "output budget of {} spent",
                self.meter.limit()
            )));
        }
        self.writer.write(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The attachment bodies of a message, as the edXML writer's source.
struct Bodies<'a>(&'a CanonicalMessage);

impl AttachmentSource for Bodies<'_> {
    fn open(&self, att: &ed::Attachment) -> io::Result<Box<dyn Read + '_>> {
        self.0
            .attachments()
            .find(|(a, _)| a.content_id == att.content_id)
            .map(|(_, b)| Box::new(b.reader()) as Box<dyn Read>)
            .ok_or_else(|| io::Error::other(format!("no body for attachment {}", att.content_id)))
    }
}

/// Adapters get no directories and no environment (the WASI context is empty). These
/// overrides keep that answer and record the attempt, so a call that tried and then failed
/// is reported as a capability denial rather than as the adapter's own error.
pub fn observe_ambient_authority(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    linker
        .instance("wasi:filesystem/preopens@0.2.12")?
        .func_wrap("get-directories", |cx: StoreContextMut<'_, CallState>, (): ()| {
            let s = cx.data();
            tracing::warn!(target: "truc::adapter", adapter = %s.adapter, "adapter asked for the filesystem; it has none");
            s.denials.record(Denied::Filesystem);
            Ok((Vec::<(Resource<wasmtime_wasi::filesystem::Descriptor>, String)>::new(),))
        })?;
    linker
        .instance("wasi:cli/environment@0.2.12")?
        .func_wrap("get-environment", |cx: StoreContextMut<'_, CallState>, (): ()| {
            let s = cx.data();
            tracing::warn!(target: "truc::adapter", adapter = %s.adapter, "adapter asked for environment variables; it has none");
            s.denials.record(Denied::Environment);
            Ok((Vec::<(String, String)>::new(),))
        })?;
    linker.allow_shadowing(false);
    Ok(())
}
