//! Where attachment bytes go while reading, and come from while writing.
//!
//! The reader streams each attachment into an [`AttachmentSink`] as it is decoded (the store
//! writes a temporary file and renames it to its SHA-256 path in [`AttachmentWriter::finish`]);
//! the writer pulls bytes from an [`AttachmentSource`]. Neither ever holds a whole attachment.

use std::collections::HashMap;
use std::io::{self, Read, Write};

use sha2::Digest;

use super::base64_stream::ByteSink;
use super::error::ReadErrorKind;
use super::model::Attachment;
use super::types::Sha256;
use super::unzip::Unzip;

/// What is known about an attachment when its content starts.
///
/// Fields that the package places after the content (the .NET order puts `AttachmentName`
/// last) are filled from the manifest when it names them; the final values are in the
/// [`Attachment`] of the returned package.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttachmentMeta {
    /// Content id without `cid:`.
    pub content_id: String,
    /// File name, if known yet.
    pub name: String,
    /// MIME type, if known yet.
    pub content_type: String,
    /// Whether the content will be unzipped on the way (§5); the digest is of the unzipped bytes.
    pub unzipping: bool,
}

/// Receives the decoded bytes of one attachment; see [`AttachmentSink`].
pub trait AttachmentWriter: Write {
    /// Called once after the last byte, with the digest and size of everything written.
    ///
    /// A writer dropped without `finish` belongs to a package that failed to read: discard it.
    fn finish(self: Box<Self>, sha256: &Sha256, size: u64) -> io::Result<()>;
}

/// Stores attachments as the reader decodes them.
pub trait AttachmentSink {
    /// Opens a writer for the next attachment.
    fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<Box<dyn AttachmentWriter + '_>>;
}

/// Supplies attachment bytes to the writer.
pub trait AttachmentSource {
    /// Opens the stored bytes of `att` (unzipped, as the reader stored them).
    fn open(&self, att: &Attachment) -> io::Result<Box<dyn Read + '_>>;
}

/// Keeps nothing; the reader still computes every attachment's size and SHA-256.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullSink;

struct NullWriter;

impl Write for NullWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AttachmentWriter for NullWriter {
    fn finish(self: Box<Self>, _: &Sha256, _: u64) -> io::Result<()> {
        Ok(())
    }
}

impl AttachmentSink for NullSink {
    fn begin(&mut self, _: &AttachmentMeta) -> io::Result<Box<dyn AttachmentWriter + '_>> {
        Ok(Box::new(NullWriter))
    }
}

/// Holds attachments in memory, keyed by content id: for tests and small packages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemorySink {
    files: HashMap<String, Vec<u8>>,
}

impl MemorySink {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes stored under `content_id`.
    pub fn get(&self, content_id: &str) -> Option<&[u8]> {
        self.files.get(content_id).map(Vec::as_slice)
    }

    /// Stores `bytes` under `content_id`, as if read from a package.
    pub fn insert(&mut self, content_id: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(content_id.into(), bytes);
    }

    /// Number of stored attachments.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

struct MemoryWriter<'a> {
    sink: &'a mut MemorySink,
    content_id: String,
    buf: Vec<u8>,
}

impl Write for MemoryWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AttachmentWriter for MemoryWriter<'_> {
    fn finish(self: Box<Self>, _: &Sha256, _: u64) -> io::Result<()> {
        let this = *self;
        this.sink.files.insert(this.content_id, this.buf);
        Ok(())
    }
}

impl AttachmentSink for MemorySink {
    fn begin(&mut self, meta: &AttachmentMeta) -> io::Result<Box<dyn AttachmentWriter + '_>> {
        let content_id = meta.content_id.clone();
        Ok(Box::new(MemoryWriter {
            sink: self,
            content_id,
            buf: Vec::new(),
        }))
    }
}

impl AttachmentSource for MemorySink {
    fn open(&self, att: &Attachment) -> io::Result<Box<dyn Read + '_>> {
        match self.files.get(&att.content_id) {
            Some(bytes) => Ok(Box::new(bytes.as_slice())),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no attachment stored under content id {:?}", att.content_id),
            )),
        }
    }
}

/// Whether the §5 quirk applies: labelled `application/zip` while the name is not a `.zip`.
pub(crate) fn is_zip_quirk(content_type: &str, name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    content_type.trim().eq_ignore_ascii_case("application/zip") && !ext.eq_ignore_ascii_case("zip")
}

/// Whether the content really is unzipped: decided on the first four bytes.
enum Unzipping {
    /// Not labelled as a zip: bytes pass through.
    No,
    /// Labelled as a zip: waiting for enough bytes to see the `PK\3\4` signature.
    Sniffing(Vec<u8>),
    /// A zip: unzipping the first entry.
    Yes(Box<Unzip>),
    /// Labelled as a zip but is not one: stored as sent, as one gateway does (§5).
    NotAZip,
}

/// The decode pipeline of one attachment: optional unzip, then hashing, then the sink.
pub(crate) struct Pipeline<'s> {
    unzip: Unzipping,
    store: Store<'s>,
}

/// Hashes, counts and stores the final bytes.
struct Store<'s> {
    hasher: sha2::Sha256,
    size: u64,
    max: u64,
    writer: Box<dyn AttachmentWriter + 's>,
}

impl Store<'_> {
    fn put(&mut self, b: &[u8]) -> Result<(), ReadErrorKind> {
        self.size += b.len() as u64;
        if self.size > self.max {
            let limit = self.max;
            return Err(ReadErrorKind::Limit {
                what: "the decoded size of one attachment",
                limit,
            });
        }
        self.hasher.update(b);
        self.writer.write_all(b).map_err(ReadErrorKind::Sink)
    }
}

impl<'s> Pipeline<'s> {
    /// Starts a pipeline into `writer`; `unzip` per [`is_zip_quirk`].
    pub fn new(writer: Box<dyn AttachmentWriter + 's>, unzip: bool, max: u64) -> Self {
        Pipeline {
            unzip: if unzip {
                Unzipping::Sniffing(Vec::with_capacity(4))
            } else {
                Unzipping::No
            },
            store: Store {
                hasher: sha2::Sha256::new(),
                size: 0,
                max,
                writer,
            },
        }
    }

    /// Completes the attachment: digest, size, and whether it was unzipped.
    pub fn finish(mut self) -> Result<(Sha256, u64, bool), ReadErrorKind> {
        let zipped = match &mut self.unzip {
            Unzipping::Yes(u) => {
                u.finish()?;
                true
            }
            Unzipping::Sniffing(head) => {
                let head = std::mem::take(head);
                self.store.put(&head)?;
                false
            }
            Unzipping::No | Unzipping::NotAZip => false,
        };
        let Store {
            hasher,
            size,
            writer,
            ..
        } = self.store;
        let sha = Sha256(hasher.finalize().into());
        writer.finish(&sha, size).map_err(ReadErrorKind::Sink)?;
        Ok((sha, size, zipped))
    }
}

impl ByteSink for Pipeline<'_> {
    fn bytes(&mut self, b: &[u8]) -> Result<(), ReadErrorKind> {
        match &mut self.unzip {
            Unzipping::No | Unzipping::NotAZip => self.store.put(b),
            Unzipping::Yes(u) => u.feed(b, &mut |out| self.store.put(out)),
            Unzipping::Sniffing(head) => {
                let take = (4 - head.len()).min(b.len());
                head.extend_from_slice(&b[..take]);
                if head.len() < 4 {
                    return Ok(());
                }
                let head = std::mem::take(head);
                self.unzip = if head == *b"PK\x03\x04" {
                    Unzipping::Yes(Box::new(Unzip::new()))
                } else {
                    Unzipping::NotAZip
                };
                self.bytes(&head)?;
                self.bytes(&b[take..])
            }
        }
    }
}
