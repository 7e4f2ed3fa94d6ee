//! The host side of the v0.2.0 imports. Everything 0.1.0 already had hands over to 0.1.0's
//! implementation (same records, same behaviour); the two range calls of `blob-writer` are new.

use wasmtime::component::Resource;

use super::bindings::truc::adapter::{blobs, edxml, host};
use crate::runtime::contract::since_v0_1_0::bindings::truc::adapter::{
    self as v0_1_0, types as wit,
};
use crate::runtime::contract::since_v0_1_0::host_impl::budget_spent;
use crate::runtime::host::base64::{self, RangeError};
use crate::runtime::host::blobs::{Blob, BlobWriter};
use crate::runtime::state::CallState;

/// Source bytes copied at a time by `copy-range`.
const COPY_PIECE: usize = 1 << 20;

impl blobs::Host for CallState {}

impl blobs::HostBlob for CallState {
    async fn size(&mut self, this: Resource<Blob>) -> wasmtime::Result<u64> {
        v0_1_0::blobs::HostBlob::size(self, this).await
    }

    async fn read(
        &mut self,
        this: Resource<Blob>,
        offset: u64,
        len: u32,
    ) -> wasmtime::Result<Vec<u8>> {
        v0_1_0::blobs::HostBlob::read(self, this, offset, len).await
    }

    async fn read_base64(
        &mut self,
        this: Resource<Blob>,
        offset: u64,
        len: u32,
    ) -> wasmtime::Result<String> {
        v0_1_0::blobs::HostBlob::read_base64(self, this, offset, len).await
    }

    async fn drop(&mut self, rep: Resource<Blob>) -> wasmtime::Result<()> {
        v0_1_0::blobs::HostBlob::drop(self, rep).await
    }
}

impl blobs::HostBlobWriter for CallState {
    async fn new(&mut self) -> wasmtime::Result<Resource<BlobWriter>> {
        v0_1_0::blobs::HostBlobWriter::new(self).await
    }

    async fn write(
        &mut self,
        this: Resource<BlobWriter>,
        chunk: Vec<u8>,
    ) -> wasmtime::Result<Result<(), String>> {
        v0_1_0::blobs::HostBlobWriter::write(self, this, chunk).await
    }

    async fn write_base64(
        &mut self,
        this: Resource<BlobWriter>,
        text: String,
    ) -> wasmtime::Result<Result<(), String>> {
        v0_1_0::blobs::HostBlobWriter::write_base64(self, this, text).await
    }

    async fn write_base64_range(
        &mut self,
        this: Resource<BlobWriter>,
        source: Resource<Blob>,
        offset: u64,
        len: u64,
    ) -> wasmtime::Result<Result<(), String>> {
        let source = self.table.get(&source)?.clone();
        // Decoded into a writer of its own, so a failure appends nothing.
        let decoded = match base64::decode_range(&source, offset, len, self.output.remaining()) {
            Ok(w) => w,
            Err(RangeError::OutOfRange(e)) => return Ok(Err(e.to_string())),
            Err(RangeError::Invalid(e)) => return Ok(Err(e.to_string())),
            Err(RangeError::OverLimit) => {
                self.output.exceeded = true;
                return Ok(Err(budget_spent(&self.output)));
            }
            Err(RangeError::Io(e)) => return Err(e.into()),
        };
        if !self.output.take(decoded.size()) {
            return Ok(Err(budget_spent(&self.output)));
        }
        self.table.get_mut(&this)?.append(decoded)?;
        Ok(Ok(()))
    }

    async fn copy_range(
        &mut self,
        this: Resource<BlobWriter>,
        source: Resource<Blob>,
        offset: u64,
        len: u64,
    ) -> wasmtime::Result<Result<(), String>> {
        let source = self.table.get(&source)?.clone();
        let range = match source.range(offset, len) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e.to_string())),
        };
        if !self.output.take(len) {
            return Ok(Err(budget_spent(&self.output)));
        }
        let writer = self.table.get_mut(&this)?;
        source.for_each_piece(range, COPY_PIECE, |bytes, _| writer.write(bytes))?;
        Ok(Ok(()))
    }

    async fn finish(&mut self, writer: Resource<BlobWriter>) -> wasmtime::Result<Resource<Blob>> {
        v0_1_0::blobs::HostBlobWriter::finish(self, writer).await
    }

    async fn drop(&mut self, rep: Resource<BlobWriter>) -> wasmtime::Result<()> {
        v0_1_0::blobs::HostBlobWriter::drop(self, rep).await
    }
}

impl host::Host for CallState {
    async fn log(&mut self, level: host::Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            host::Level::Trace => v0_1_0::host::Level::Trace,
            host::Level::Debug => v0_1_0::host::Level::Debug,
            host::Level::Info => v0_1_0::host::Level::Info,
            host::Level::Warn => v0_1_0::host::Level::Warn,
            host::Level::Error => v0_1_0::host::Level::Error,
        };
        v0_1_0::host::Host::log(self, level, message).await
    }

    async fn config(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        v0_1_0::host::Host::config(self, key).await
    }

    async fn secret(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        v0_1_0::host::Host::secret(self, key).await
    }
}

impl edxml::Host for CallState {
    async fn parse(
        &mut self,
        source: Resource<Blob>,
    ) -> wasmtime::Result<Result<wit::Message, wit::AdapterError>> {
        v0_1_0::edxml::Host::parse(self, source).await
    }

    async fn render(
        &mut self,
        message: wit::Message,
    ) -> wasmtime::Result<Result<Resource<Blob>, wit::AdapterError>> {
        v0_1_0::edxml::Host::render(self, message).await
    }
}
