//! Streaming unzip of the first entry of a zip, for the attachment quirk of §5.
//!
//! The Java SDK zips most attachments into a one-entry zip labelled `application/zip` while the
//! name keeps the original extension; the entry often has a data descriptor (sizes unknown in the
//! local header). Bytes arrive pushed from the base64 decoder, so this is a push parser: the
//! local header is parsed as it arrives and the deflate stream is inflated incrementally into a
//! fixed buffer. Memory stays bounded whatever the entry's size. The CRC-32 is checked.

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::error::ReadErrorKind;

const LOCAL_HEADER_SIG: [u8; 4] = *b"PK\x03\x04";
const DATA_DESCRIPTOR_SIG: [u8; 4] = *b"PK\x07\x08";
const OUT_CHUNK: usize = 64 * 1024;

/// Where the parser is in the first entry.
enum State {
    Header,
    SkipNameAndExtra(u64),
    Inflate,
    Stored(u64),
    Trailer,
    Done,
}

/// The push parser; feed it zip bytes, it emits the first entry's content.
pub(crate) struct Unzip {
    state: State,
    header: Vec<u8>,
    flags: u16,
    method: u16,
    header_crc: u32,
    inflate: Decompress,
    out: Vec<u8>,
    crc: Crc,
    trailer: Vec<u8>,
}

impl Unzip {
    /// A parser waiting for the local file header.
    pub fn new() -> Self {
        Unzip {
            state: State::Header,
            header: Vec::with_capacity(30),
            flags: 0,
            method: 0,
            header_crc: 0,
            inflate: Decompress::new(false),
            out: vec![0; OUT_CHUNK],
            crc: Crc::new(),
            trailer: Vec::with_capacity(8),
        }
    }

    /// Consumes zip bytes, passing unzipped content to `emit`.
    pub fn feed(
        &mut self,
        mut input: &[u8],
        emit: &mut dyn FnMut(&[u8]) -> Result<(), ReadErrorKind>,
    ) -> Result<(), ReadErrorKind> {
        while !input.is_empty() {
            match self.state {
                State::Header => {
                    let take = (30 - self.header.len()).min(input.len());
                    self.header.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if self.header.len() == 30 {
                        self.parse_header()?;
                    }
                }
                State::SkipNameAndExtra(left) => {
                    let take = left.min(input.len() as u64);
                    input = &input[take as usize..];
                    self.state = if left == take {
                        if self.method == 8 {
                            State::Inflate
                        } else {
                            State::Stored(u64::from(le32(&self.header[18..22])))
                        }
                    } else {
                        State::SkipNameAndExtra(left - take)
                    };
                    if let State::Stored(0) = self.state {
                        self.state = State::Trailer;
                    }
                }
                State::Inflate => {
                    let before_in = self.inflate.total_in();
                    let before_out = self.inflate.total_out();
                    let status = self
                        .inflate
                        .decompress(input, &mut self.out, FlushDecompress::None)
                        .map_err(|_| zip_err("corrupt deflate data".into()))?;
                    let used = (self.inflate.total_in() - before_in) as usize;
                    let made = (self.inflate.total_out() - before_out) as usize;
                    input = &input[used..];
                    if made > 0 {
                        self.crc.update(&self.out[..made]);
                        emit(&self.out[..made])?;
                    }
                    if status == Status::StreamEnd {
                        self.state = State::Trailer;
                    } else if used == 0 && made == 0 {
                        return Err(zip_err("the deflate stream makes no progress".into()));
                    }
                }
                State::Stored(left) => {
                    let take = left.min(input.len() as u64) as usize;
                    self.crc.update(&input[..take]);
                    emit(&input[..take])?;
                    input = &input[take..];
                    self.state = if left == take as u64 {
                        State::Trailer
                    } else {
                        State::Stored(left - take as u64)
                    };
                }
                State::Trailer => {
                    if self.flags & 0x0008 == 0 {
                        self.check_crc(self.header_crc)?;
                        continue;
                    }
                    let take = (8 - self.trailer.len()).min(input.len());
                    self.trailer.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if self.trailer.len() == 8 {
                        // The data descriptor's signature is optional (APPNOTE 4.3.9.3).
                        let crc = if self.trailer[..4] == DATA_DESCRIPTOR_SIG {
                            le32(&self.trailer[4..8])
                        } else {
                            le32(&self.trailer[..4])
                        };
                        self.check_crc(crc)?;
                    }
                }
                // Further entries and the central directory are not needed: §5 takes the first.
                State::Done => return Ok(()),
            }
        }
        // A stored entry without a descriptor may end exactly at the input's end.
        if matches!(self.state, State::Trailer) && self.flags & 0x0008 == 0 {
            self.check_crc(self.header_crc)?;
        }
        Ok(())
    }

    /// Fails unless the first entry was complete.
    pub fn finish(&mut self) -> Result<(), ReadErrorKind> {
        match self.state {
            State::Done => Ok(()),
            State::Trailer if self.flags & 0x0008 == 0 => self.check_crc(self.header_crc),
            _ => Err(zip_err(
                "the zip ends before its first entry is complete".into(),
            )),
        }
    }

    fn parse_header(&mut self) -> Result<(), ReadErrorKind> {
        let h = &self.header;
        if h[..4] != LOCAL_HEADER_SIG {
            return Err(zip_err("no zip local file header".into()));
        }
        self.flags = le16(&h[6..8]);
        self.method = le16(&h[8..10]);
        self.header_crc = le32(&h[14..18]);
        if self.flags & 0x0001 != 0 {
            return Err(zip_err(
                "the entry is encrypted; ask the sender for an unencrypted file".into(),
            ));
        }
        match self.method {
            8 => {}
            0 if self.flags & 0x0008 == 0 && le32(&h[18..22]) != u32::MAX => {}
            0 => {
                return Err(zip_err(
                    "a stored entry of unknown size cannot be streamed".into(),
                ));
            }
            m => {
                return Err(zip_err(format!(
                    "compression method {m} is not supported (only deflate and stored)"
                )));
            }
        }
        let skip = u64::from(le16(&h[26..28])) + u64::from(le16(&h[28..30]));
        self.state = State::SkipNameAndExtra(skip);
        if skip == 0 {
            self.state = if self.method == 8 {
                State::Inflate
            } else {
                match u64::from(le32(&h[18..22])) {
                    0 => State::Trailer,
                    n => State::Stored(n),
                }
            };
        }
        Ok(())
    }

    fn check_crc(&mut self, expected: u32) -> Result<(), ReadErrorKind> {
        if self.crc.sum() != expected {
            return Err(zip_err(format!(
                "CRC-32 mismatch (zip says {expected:08x}, content is {:08x}): the file is corrupt",
                self.crc.sum()
            )));
        }
        self.state = State::Done;
        Ok(())
    }
}

fn le16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn zip_err(detail: String) -> ReadErrorKind {
    ReadErrorKind::Zip(detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn zip_one(name: &str, data: &[u8], method: zip::CompressionMethod) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(name, opts).unwrap();
        w.write_all(data).unwrap();
        w.finish().unwrap().into_inner()
    }

    fn unzip_in_pieces(zip: &[u8], piece: usize) -> Result<Vec<u8>, ReadErrorKind> {
        let mut u = Unzip::new();
        let mut out = Vec::new();
        for chunk in zip.chunks(piece) {
            u.feed(chunk, &mut |b| {
                out.extend_from_slice(b);
                Ok(())
            })?;
        }
        u.finish()?;
        Ok(out)
    }

    #[test]
    fn first_entry_is_unzipped_whatever_the_chunking() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for method in [
            zip::CompressionMethod::Deflated,
            zip::CompressionMethod::Stored,
        ] {
            let z = zip_one("a.doc", &data, method);
            for piece in [1, 7, 4096, z.len()] {
                assert_eq!(
                    unzip_in_pieces(&z, piece).unwrap(),
                    data,
                    "{method:?} {piece}"
                );
            }
        }
    }

    #[test]
    fn corrupt_content_fails_the_crc_check() {
        let mut z = zip_one(
            "a.doc",
            b"hello hello hello",
            zip::CompressionMethod::Stored,
        );
        let pos = z.windows(5).position(|w| w == b"hello").unwrap();
        z[pos] = b'j';
        let err = unzip_in_pieces(&z, 3).unwrap_err();
        assert!(err.to_string().contains("CRC-32 mismatch"), "{err}");
    }

    #[test]
    fn truncated_zip_is_reported() {
        let data = vec![42u8; 10_000];
        let z = zip_one("a.doc", &data, zip::CompressionMethod::Deflated);
        let err = unzip_in_pieces(&z[..40], 16).unwrap_err();
        assert!(err.to_string().contains("ends before"), "{err}");
    }
}
