//! Attachments on their way in: decoded while the package is read — into memory while a
//! package's attachments are small, into temporary files beyond that, so a large attachment
//! never sits in memory — then copied into the store inside the transaction that accepts the
//! package. Most official documents are a few hundred kilobytes at most: keeping those in
//! memory spares the filesystem an inode per attachment, which dominated ingest profiles.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::sync::Arc;

use crate::edxml::{AttachmentMeta, AttachmentSink, AttachmentWriter, Sha256};
use crate::runtime::Blob;

/// Bytes of one package's attachments kept in memory; the rest goes to temporary files.
pub const MEMORY_BUDGET: usize = 1 << 20;

/// Where one spooled attachment's bytes are.
#[derive(Debug)]
enum Body {
    Memory(Arc<[u8]>),
    File(File),
}

/// One attachment's bytes, in memory or in a temporary file.
#[derive(Debug)]
pub struct Spooled {
    /// SHA-256 (hex) of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    body: Body,
}

/// A reader over a spooled attachment, from its start.
#[derive(Debug)]
pub enum SpoolReader {
    /// Bytes held in memory.
    Memory(Cursor<Arc<[u8]>>),
    /// Bytes in a temporary file.
    File(File),
}

impl Read for SpoolReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            SpoolReader::Memory(c) => c.read(buf),
            SpoolReader::File(f) => f.read(buf),
        }
    }
}

impl Seek for SpoolReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            SpoolReader::Memory(c) => c.seek(pos),
            SpoolReader::File(f) => f.seek(pos),
        }
    }
}

impl Spooled {
    /// A reader over the bytes, positioned at the start; any number may be open at once.
    pub fn reopen(&self) -> io::Result<SpoolReader> {
        Ok(match &self.body {
            Body::Memory(bytes) => SpoolReader::Memory(Cursor::new(bytes.clone())),
            Body::File(file) => {
                let mut f = file.try_clone()?;
                f.seek(SeekFrom::Start(0))?;
                SpoolReader::File(f)
            }
        })
    }
}

/// The sink the edXML reader decodes attachments into, by content id: in memory within
/// [`MEMORY_BUDGET`] for the whole package, in temporary files beyond it.
#[derive(Debug, Default)]
pub struct SpoolSink {
    /// Finished attachments by content id.
    pub files: HashMap<String, Spooled>,
    /// Bytes of this package already held in memory.
    in_memory: usize,
}

struct SpoolWriter<'a> {
    content_id: String,
    memory: Vec<u8>,
    file: Option<File>,
    sink: &'a mut SpoolSink,
}

impl SpoolSink {
    /// Spools a blob (an adapter's output) under `content_id`, within the same per-package
    /// memory budget as decoded attachments, computing nothing the blob already knows.
    pub fn add_blob(&mut self, content_id: &str, blob: &Blob) -> io::Result<()> {
        let size = blob.size();
        let body = if self.in_memory as u64 + size <= MEMORY_BUDGET as u64 {
            let mut bytes = Vec::with_capacity(size as usize);
            blob.reader().read_to_end(&mut bytes)?;
            self.in_memory += bytes.len();
            Body::Memory(bytes.into())
        } else {
            let mut file = tempfile::tempfile()?;
            io::copy(&mut blob.reader(), &mut file)?;
            file.seek(SeekFrom::Start(0))?;
            Body::File(file)
        };
        let spooled = Spooled {
            sha256: hex::encode(blob.sha256()?),
            size,
            body,
        };
        self.files.insert(content_id.to_owned(), spooled);
        Ok(())
    }
}

impl AttachmentSink for SpoolSink {
    fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<Box<dyn AttachmentWriter + '_>> {
        Ok(Box::new(SpoolWriter {
            content_id: meta.content_id.clone(),
            memory: Vec::new(),
            file: None,
            sink: self,
        }))
    }
}

impl Write for SpoolWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(file) = &mut self.file {
            return file.write(buf);
        }
        if self.sink.in_memory + self.memory.len() + buf.len() <= MEMORY_BUDGET {
            self.memory.extend_from_slice(buf);
            return Ok(buf.len());
        }
        // Over the package's memory budget: this attachment moves to a file.
        let mut file = tempfile::tempfile()?;
        file.write_all(&self.memory)?;
        self.memory = Vec::new();
        let n = file.write(buf)?;
        self.file = Some(file);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl AttachmentWriter for SpoolWriter<'_> {
    fn finish(self: Box<Self>, sha256: &Sha256, size: u64) -> io::Result<()> {
        let this = *self;
        let body = match this.file {
            Some(mut file) => {
                file.flush()?;
                file.seek(SeekFrom::Start(0))?;
                Body::File(file)
            }
            None => {
                this.sink.in_memory += this.memory.len();
                Body::Memory(this.memory.into())
            }
        };
        this.sink.files.insert(
            this.content_id,
            Spooled {
                sha256: sha256.to_string(),
                size,
                body,
            },
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spool(sink: &mut SpoolSink, id: &str, bytes: &[u8]) {
        let meta = AttachmentMeta {
            content_id: id.into(),
            ..AttachmentMeta::default()
        };
        let mut w = sink.begin(&meta).unwrap();
        for chunk in bytes.chunks(4096) {
            w.write_all(chunk).unwrap();
        }
        w.finish(&Sha256::of(bytes), bytes.len() as u64).unwrap();
    }

    fn read_back(s: &Spooled) -> Vec<u8> {
        let mut out = Vec::new();
        s.reopen().unwrap().read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn small_attachments_stay_in_memory_and_large_ones_spill_to_files() {
        let mut sink = SpoolSink::default();
        let small = vec![7u8; 10_000];
        let large = vec![9u8; MEMORY_BUDGET + 1];
        spool(&mut sink, "a", &small);
        spool(&mut sink, "b", &large);
        assert!(matches!(sink.files["a"].body, Body::Memory(_)));
        assert!(matches!(sink.files["b"].body, Body::File(_)));
        assert_eq!(read_back(&sink.files["a"]), small);
        assert_eq!(read_back(&sink.files["b"]), large);
        // Two readers at once see the same bytes from the start.
        let (mut r1, mut r2) = (
            sink.files["b"].reopen().unwrap(),
            sink.files["b"].reopen().unwrap(),
        );
        let mut head = [0u8; 3];
        r1.read_exact(&mut head).unwrap();
        assert_eq!(head, [9, 9, 9]);
        assert_eq!(r2.seek(SeekFrom::End(0)).unwrap(), large.len() as u64);
    }

    #[test]
    fn the_memory_budget_is_per_package_not_per_attachment() {
        let mut sink = SpoolSink::default();
        let part = vec![1u8; MEMORY_BUDGET / 2 + 1];
        spool(&mut sink, "a", &part);
        spool(&mut sink, "b", &part);
        assert!(matches!(sink.files["a"].body, Body::Memory(_)));
        assert!(matches!(sink.files["b"].body, Body::File(_)));
        assert_eq!(read_back(&sink.files["b"]), part);
    }
}
