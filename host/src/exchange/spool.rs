//! Attachments on their way in: decoded into temporary files while the package is read, so a
//! large attachment never sits in memory, then copied into the store inside the transaction
//! that accepts the package.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

use crate::edxml::{AttachmentMeta, AttachmentSink, AttachmentWriter, Sha256};
use crate::runtime::Blob;

/// One attachment's bytes in a temporary file.
#[derive(Debug)]
pub struct Spooled {
    /// SHA-256 (hex) of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The bytes, positioned at the start.
    pub file: File,
}

impl Spooled {
    /// Spools a blob (an adapter's output), computing nothing it already knows.
    pub fn from_blob(blob: &Blob) -> io::Result<Spooled> {
        let mut file = tempfile::tempfile()?;
        io::copy(&mut blob.reader(), &mut file)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(Spooled {
            sha256: hex::encode(blob.sha256()?),
            size: blob.size(),
            file,
        })
    }

    /// A second handle on the same bytes, positioned at the start.
    pub fn reopen(&self) -> io::Result<File> {
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(0))?;
        Ok(f)
    }
}

/// The sink the edXML reader decodes attachments into: one temporary file each, by content id.
#[derive(Debug, Default)]
pub struct SpoolSink {
    /// Finished attachments by content id.
    pub files: HashMap<String, Spooled>,
}

struct SpoolWriter<'a> {
    content_id: String,
    file: File,
    files: &'a mut HashMap<String, Spooled>,
}

impl AttachmentSink for SpoolSink {
    fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<Box<dyn AttachmentWriter + '_>> {
        Ok(Box::new(SpoolWriter {
            content_id: meta.content_id.clone(),
            file: tempfile::tempfile()?,
            files: &mut self.files,
        }))
    }
}

impl Write for SpoolWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl AttachmentWriter for SpoolWriter<'_> {
    fn finish(self: Box<Self>, sha256: &Sha256, size: u64) -> io::Result<()> {
        let mut this = *self;
        this.file.flush()?;
        this.file.seek(SeekFrom::Start(0))?;
        this.files.insert(
            this.content_id,
            Spooled {
                sha256: sha256.to_string(),
                size,
                file: this.file,
            },
        );
        Ok(())
    }
}
