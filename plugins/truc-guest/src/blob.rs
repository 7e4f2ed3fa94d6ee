//! Reading and writing hub blobs in chunks, as `std::io` streams.

use std::io;

use crate::{AdapterError, Blob, BlobWriter, errors};

/// Chunk size for crossing the sandbox boundary: large enough to amortise the call, small
/// enough to keep guest memory flat.
pub const CHUNK: u32 = 64 * 1024;

/// Reads a blob as a `std::io::Read` stream.
pub struct BlobReader<'a> {
    blob: &'a Blob,
    offset: u64,
    size: u64,
}

impl<'a> BlobReader<'a> {
    /// A reader positioned at the start of `blob`.
    pub fn new(blob: &'a Blob) -> Self {
        Self {
            blob,
            offset: 0,
            size: blob.size(),
        }
    }
}

impl io::Read for BlobReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.offset >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(CHUNK as usize) as u32;
        let chunk = self.blob.read(self.offset, want);
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        self.offset += n as u64;
        Ok(n)
    }
}

/// Largest chunk the hub returns from one `read`.
const MAX_READ: u32 = 1 << 20;

/// Reads a whole blob into memory, refusing blobs larger than `limit` bytes with a
/// `malformed` error that says so.
pub fn read_all(blob: &Blob, limit: u64) -> Result<Vec<u8>, AdapterError> {
    let size = blob.size();
    if size > limit {
        return Err(errors::malformed(
            format!("input is {size} bytes; this adapter reads at most {limit}"),
            None,
        ));
    }
    // One crossing per MiB: the whole blob is wanted, so read as much as the hub gives. A
    // blob that comes back whole in one piece is kept as it came, not copied again.
    let first = blob.read(0, MAX_READ);
    if first.len() as u64 >= size {
        return Ok(first);
    }
    let mut out = Vec::with_capacity(size as usize);
    out.extend_from_slice(&first);
    let mut offset = first.len() as u64;
    while offset < size {
        let chunk = blob.read(offset, MAX_READ);
        if chunk.is_empty() {
            break;
        }
        offset += chunk.len() as u64;
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Writes a blob as a `std::io::Write` stream; call [`BlobSink::finish`] to get the blob.
pub struct BlobSink {
    writer: BlobWriter,
    pending: Vec<u8>,
}

impl BlobSink {
    /// An empty blob being written.
    pub fn new() -> Self {
        Self {
            writer: BlobWriter::new(),
            pending: Vec::new(),
        }
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.writer
                .write(&self.pending)
                .map_err(|e| io::Error::new(io::ErrorKind::StorageFull, e))?;
            self.pending.clear();
        }
        Ok(())
    }

    /// Ends writing; fails if the hub refused a chunk (the call's output budget is spent).
    pub fn finish(mut self) -> Result<Blob, AdapterError> {
        self.flush_pending()
            .map_err(|e| errors::unsupported(format!("output too large: {e}"), None))?;
        Ok(BlobWriter::finish(self.writer))
    }
}

impl Default for BlobSink {
    fn default() -> Self {
        Self::new()
    }
}

impl io::Write for BlobSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Buffer small writes so each boundary crossing carries a full chunk.
        if self.pending.len() + buf.len() > CHUNK as usize {
            self.flush_pending()?;
        }
        if buf.len() >= CHUNK as usize {
            self.writer
                .write(buf)
                .map_err(|e| io::Error::new(io::ErrorKind::StorageFull, e))?;
        } else {
            self.pending.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_pending()
    }
}

/// Stores `bytes` in a new blob.
pub fn write_blob(bytes: &[u8]) -> Result<Blob, AdapterError> {
    let writer = BlobWriter::new();
    for chunk in bytes.chunks(CHUNK as usize) {
        writer
            .write(chunk)
            .map_err(|e| errors::unsupported(format!("output too large: {e}"), None))?;
    }
    Ok(BlobWriter::finish(writer))
}
