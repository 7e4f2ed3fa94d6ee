//! Blobs: bytes kept by the hub that adapters read and write in chunks (WIT `blobs`).
//!
//! A [`Blob`] is cheap to clone (shared memory or a shared file) and immutable. A
//! [`BlobWriter`] keeps small outputs in memory and spills larger ones to a temporary file, so
//! a call's output budget, not the host's memory, bounds what an adapter may produce.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use sha2::{Digest, Sha256};

/// Immutable bytes held by the hub.
#[derive(Clone, Debug)]
pub struct Blob {
    data: BlobData,
    /// SHA-256, when it was computed on the way in (blobs written by adapters).
    sha256: Option<[u8; 32]>,
}

#[derive(Clone, Debug)]
enum BlobData {
    Memory(Bytes),
    File { file: Arc<File>, size: u64 },
}

impl Blob {
    /// A blob over bytes in memory.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Blob {
        Blob {
            data: BlobData::Memory(bytes.into()),
            sha256: None,
        }
    }

    /// A blob over a file (e.g. a stored attachment); the file is opened now and must not
    /// change afterwards.
    pub fn open(path: &Path) -> io::Result<Blob> {
        let file = File::open(path)?;
        let size = file.metadata()?.len();
        Ok(Blob {
            data: BlobData::File {
                file: Arc::new(file),
                size,
            },
            sha256: None,
        })
    }

    /// A blob over an open file (e.g. a spooled attachment); the file must not change afterwards.
    pub fn from_file(file: File) -> io::Result<Blob> {
        let size = file.metadata()?.len();
        Ok(Blob {
            data: BlobData::File {
                file: Arc::new(file),
                size,
            },
            sha256: None,
        })
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        match &self.data {
            BlobData::Memory(b) => b.len() as u64,
            BlobData::File { size, .. } => *size,
        }
    }

    /// Reads up to `len` bytes at `offset`; fewer only at the end.
    pub fn read_at(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let size = self.size();
        if offset >= size {
            return Ok(Vec::new());
        }
        let len = len.min((size - offset) as usize);
        match &self.data {
            BlobData::Memory(b) => Ok(b[offset as usize..offset as usize + len].to_vec()),
            BlobData::File { file, .. } => {
                let mut buf = vec![0; len];
                file.read_exact_at(&mut buf, offset)?;
                Ok(buf)
            }
        }
    }

    /// `len` bytes at `offset`, if they are all inside the blob.
    pub fn range(&self, offset: u64, len: u64) -> Result<std::ops::Range<u64>, OutOfRange> {
        offset
            .checked_add(len)
            .filter(|end| *end <= self.size())
            .map(|end| offset..end)
            .ok_or(OutOfRange {
                offset,
                len,
                size: self.size(),
            })
    }

    /// Calls `f` on `range` in pieces of at most `piece` bytes, in order, the last with
    /// `true`. Memory is lent without copying; a file is read one piece at a time.
    pub fn for_each_piece<E: From<io::Error>>(
        &self,
        range: std::ops::Range<u64>,
        piece: usize,
        mut f: impl FnMut(&[u8], bool) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut at = range.start;
        while at < range.end {
            let n = (range.end - at).min(piece as u64);
            let last = at + n == range.end;
            let bytes: Cow<'_, [u8]> = match &self.data {
                BlobData::Memory(b) => Cow::Borrowed(&b[at as usize..(at + n) as usize]),
                BlobData::File { file, .. } => {
                    let mut buf = vec![0; n as usize];
                    file.read_exact_at(&mut buf, at)?;
                    Cow::Owned(buf)
                }
            };
            f(&bytes, last)?;
            at += n;
        }
        Ok(())
    }

    /// A sequential reader over the whole blob.
    pub fn reader(&self) -> BlobReader {
        BlobReader {
            blob: self.clone(),
            offset: 0,
        }
    }

    /// The whole blob in memory. Meant for payloads already bounded by a budget.
    pub fn to_bytes(&self) -> io::Result<Bytes> {
        match &self.data {
            BlobData::Memory(b) => Ok(b.clone()),
            BlobData::File { size, .. } => {
                let mut out = Vec::with_capacity(*size as usize);
                self.reader().read_to_end(&mut out)?;
                Ok(out.into())
            }
        }
    }

    /// SHA-256 of the contents (computed while writing for adapter output, else now).
    pub fn sha256(&self) -> io::Result<[u8; 32]> {
        if let Some(d) = self.sha256 {
            return Ok(d);
        }
        let mut h = Sha256::new();
        let mut r = self.reader();
        let mut buf = vec![0; 64 * 1024];
        loop {
            let n = r.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        Ok(h.finalize().into())
    }
}

/// A range that is not inside its blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfRange {
    /// Where the range starts.
    pub offset: u64,
    /// Its length.
    pub len: u64,
    /// The blob's size.
    pub size: u64,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "bytes {}..{} are not inside the source blob, which has {} bytes",
            self.offset,
            u128::from(self.offset) + u128::from(self.len),
            self.size
        )
    }
}

impl std::error::Error for OutOfRange {}

/// Sequential reader over a [`Blob`].
pub struct BlobReader {
    blob: Blob,
    offset: u64,
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let chunk = self.blob.read_at(self.offset, buf.len())?;
        buf[..chunk.len()].copy_from_slice(&chunk);
        self.offset += chunk.len() as u64;
        Ok(chunk.len())
    }
}

/// Outputs up to this size stay in memory; larger ones go to a temporary file.
const SPILL_AT: usize = 1 << 20;

/// A blob being written; its SHA-256 is computed on the way, so the hub never reads an
/// adapter's output twice.
#[derive(Debug, Default)]
pub struct BlobWriter {
    memory: Vec<u8>,
    spill: Option<File>,
    size: u64,
    hasher: Sha256,
}

impl BlobWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends `chunk`.
    pub fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        if self.spill.is_none() && self.memory.len() + chunk.len() > SPILL_AT {
            let mut file = tempfile::tempfile()?;
            file.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.spill = Some(file);
        }
        match &mut self.spill {
            Some(file) => file.write_all(chunk)?,
            None => self.memory.extend_from_slice(chunk),
        }
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        Ok(())
    }

    /// Appends `bytes`, taking the buffer over instead of copying it when nothing was
    /// written yet.
    pub fn write_owned(&mut self, bytes: Vec<u8>) -> io::Result<()> {
        if self.size == 0 && self.spill.is_none() && bytes.len() <= SPILL_AT {
            self.hasher.update(&bytes);
            self.size = bytes.len() as u64;
            self.memory = bytes;
            return Ok(());
        }
        self.write(&bytes)
    }

    /// Appends everything `other` holds: taken over whole when nothing was written here yet
    /// (the usual case, one writer per attachment), copied otherwise.
    pub fn append(&mut self, other: BlobWriter) -> io::Result<()> {
        if self.size == 0 && self.spill.is_none() {
            *self = other;
            return Ok(());
        }
        match other.spill {
            None => self.write(&other.memory),
            Some(mut file) => {
                file.flush()?;
                file.seek(SeekFrom::Start(0))?;
                let mut buf = vec![0; 64 * 1024];
                loop {
                    let n = file.read(&mut buf)?;
                    if n == 0 {
                        return Ok(());
                    }
                    self.write(&buf[..n])?;
                }
            }
        }
    }

    /// Ends writing.
    pub fn finish(self) -> io::Result<Blob> {
        let sha256 = Some(self.hasher.finalize().into());
        let data = match self.spill {
            None => BlobData::Memory(self.memory.into()),
            Some(mut file) => {
                file.flush()?;
                file.seek(SeekFrom::Start(0))?;
                BlobData::File {
                    file: Arc::new(file),
                    size: self.size,
                }
            }
        };
        Ok(Blob { data, sha256 })
    }
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        BlobWriter::write(self, buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_clamped_to_the_end_of_the_blob() {
        let b = Blob::from_bytes(&b"hello"[..]);
        assert_eq!(b.read_at(0, 3).unwrap(), b"hel");
        assert_eq!(b.read_at(3, 10).unwrap(), b"lo");
        assert!(b.read_at(5, 10).unwrap().is_empty());
        assert!(b.read_at(u64::MAX, 10).unwrap().is_empty());
    }

    #[test]
    fn appended_writers_keep_their_order_and_the_hash_covers_everything() {
        let mut whole = BlobWriter::new();
        whole.write(b"head:").unwrap();
        let mut small = BlobWriter::new();
        small.write_owned(vec![1; 10]).unwrap();
        whole.append(small).unwrap();
        let mut big = BlobWriter::new();
        big.write(&vec![2; SPILL_AT + 1]).unwrap();
        let mut empty = BlobWriter::new();
        empty.append(big).unwrap();
        assert!(empty.spill.is_some(), "taken over whole, file and all");
        whole.append(empty).unwrap();
        let b = whole.finish().unwrap();
        let all = b.to_bytes().unwrap();
        assert_eq!(all.len(), 5 + 10 + SPILL_AT + 1);
        assert_eq!(&all[..6], b"head:\x01");
        assert_eq!(all[all.len() - 1], 2);
        assert_eq!(b.sha256().unwrap(), <[u8; 32]>::from(Sha256::digest(&all)));
    }

    #[test]
    fn a_range_is_lent_in_pieces_from_memory_and_from_a_file() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(SPILL_AT + 100).collect();
        let mut w = BlobWriter::new();
        w.write(&bytes).unwrap();
        for blob in [Blob::from_bytes(bytes.clone()), w.finish().unwrap()] {
            let range = blob.range(7, SPILL_AT as u64).unwrap();
            let mut seen = Vec::new();
            let mut lasts = Vec::new();
            blob.for_each_piece(range, 300_000, |piece, last| {
                seen.extend_from_slice(piece);
                lasts.push(last);
                Ok::<_, io::Error>(())
            })
            .unwrap();
            assert_eq!(seen, &bytes[7..7 + SPILL_AT]);
            assert_eq!(lasts, [false, false, false, true]);
            assert!(blob.range(blob.size(), 1).is_err());
            assert!(blob.range(u64::MAX, 1).is_err());
        }
    }

    #[test]
    fn large_outputs_spill_to_a_file_and_read_back_identically() {
        let mut w = BlobWriter::new();
        let chunk: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
        for _ in 0..5 {
            w.write(&chunk).unwrap();
        }
        assert!(w.spill.is_some(), "1.5 MB must not stay in memory");
        let b = w.finish().unwrap();
        assert_eq!(b.size(), 1_500_000);
        let all = b.to_bytes().unwrap();
        assert_eq!(&all[300_000..300_010], &chunk[..10]);
        assert_eq!(b.read_at(1_499_999, 5).unwrap(), vec![chunk[299_999]]);
        assert_eq!(b.sha256().unwrap(), <[u8; 32]>::from(Sha256::digest(&all)));
    }
}
