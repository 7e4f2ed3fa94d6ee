//! Streaming base64 decoding of `ContentTransferEncoded` text, in bounded batches.
//!
//! Text arrives in chunks that can split a quad anywhere and may carry line breaks (MIME-style
//! encoders wrap at 76 columns). Whitespace is dropped, full quads are decoded in batches, and at
//! most three symbols wait for the next chunk. Padding is accepted with or without `=` but only at
//! the very end.

use base64::Engine;
use base64::alphabet::STANDARD;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

use super::error::ReadErrorKind;
use super::text::TextSink;

/// Symbols decoded per batch; bounds the decoder's memory.
const BATCH: usize = 64 * 1024;

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Receives decoded bytes.
pub(crate) trait ByteSink {
    /// Takes the next decoded bytes.
    fn bytes(&mut self, b: &[u8]) -> Result<(), ReadErrorKind>;
}

/// Decodes base64 text chunks into a [`ByteSink`].
pub(crate) struct Base64Decoder<'a> {
    out: &'a mut dyn ByteSink,
    pending: Vec<u8>,
    decoded: Vec<u8>,
    /// Symbols before `pending[0]`, for error positions.
    consumed: u64,
    padded: bool,
}

impl<'a> Base64Decoder<'a> {
    /// A decoder writing into `out`.
    pub fn new(out: &'a mut dyn ByteSink) -> Self {
        Base64Decoder {
            out,
            pending: Vec::with_capacity(BATCH + 4),
            decoded: vec![0; BATCH / 4 * 3 + 3],
            consumed: 0,
            padded: false,
        }
    }

    /// Decodes what is left; fails on a dangling single symbol.
    pub fn finish(mut self) -> Result<(), ReadErrorKind> {
        self.decode(self.pending.len())
    }

    fn decode(&mut self, n: usize) -> Result<(), ReadErrorKind> {
        if n == 0 {
            return Ok(());
        }
        if self.padded {
            return Err(invalid(
                self.consumed,
                "content continues after the '=' padding",
            ));
        }
        let written = ENGINE
            .decode_slice(&self.pending[..n], &mut self.decoded)
            .map_err(|e| describe(e, self.consumed))?;
        self.padded = self.pending[n - 1] == b'=';
        self.out.bytes(&self.decoded[..written])?;
        self.pending.drain(..n);
        self.consumed += n as u64;
        Ok(())
    }
}

impl TextSink for Base64Decoder<'_> {
    fn text(&mut self, mut chunk: &[u8]) -> Result<(), ReadErrorKind> {
        while !chunk.is_empty() {
            let room = BATCH - self.pending.len();
            let (now, rest) = chunk.split_at(room.min(chunk.len()));
            chunk = rest;
            let clean = memchr::memchr3(b' ', b'\n', b'\r', now).is_none()
                && memchr::memchr(b'\t', now).is_none();
            if clean {
                self.pending.extend_from_slice(now);
            } else {
                let symbols = now
                    .iter()
                    .copied()
                    .filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
                self.pending.extend(symbols);
            }
            if self.pending.len() >= BATCH {
                self.decode(self.pending.len() / 4 * 4)?;
            }
        }
        Ok(())
    }
}

fn invalid(at: u64, what: &str) -> ReadErrorKind {
    ReadErrorKind::Base64(format!("{what} (at base64 symbol {at})"))
}

fn describe(e: base64::DecodeSliceError, base: u64) -> ReadErrorKind {
    use base64::{DecodeError, DecodeSliceError};
    match e {
        DecodeSliceError::DecodeError(DecodeError::InvalidByte(i, b)) => {
            let what = if b == b'=' {
                "'=' padding in the middle of the content".to_owned()
            } else if b.is_ascii_graphic() {
                format!("invalid character {:?}", b as char)
            } else {
                format!("invalid byte 0x{b:02x}")
            };
            invalid(base + i as u64, &what)
        }
        DecodeSliceError::DecodeError(DecodeError::InvalidLength(n)) => invalid(
            base + n as u64,
            "the content is truncated (a lone final symbol)",
        ),
        DecodeSliceError::DecodeError(DecodeError::InvalidLastSymbol { offset, .. }) => invalid(
            base + offset as u64,
            "the final symbol has stray bits (truncated or corrupt)",
        ),
        DecodeSliceError::DecodeError(DecodeError::InvalidPadding) => {
            invalid(base, "invalid '=' padding")
        }
        DecodeSliceError::OutputSliceTooSmall => invalid(base, "internal buffer too small"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vec8(Vec<u8>);
    impl ByteSink for Vec8 {
        fn bytes(&mut self, b: &[u8]) -> Result<(), ReadErrorKind> {
            self.0.extend_from_slice(b);
            Ok(())
        }
    }

    fn decode_chunks(text: &[u8], piece: usize) -> Result<Vec<u8>, ReadErrorKind> {
        let mut out = Vec8(Vec::new());
        let mut d = Base64Decoder::new(&mut out);
        for c in text.chunks(piece) {
            d.text(c)?;
        }
        d.finish()?;
        Ok(out.0)
    }

    #[test]
    fn decodes_across_any_chunking_and_line_breaks() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
        let enc = base64::engine::general_purpose::STANDARD.encode(&data);
        let wrapped: Vec<u8> = enc
            .as_bytes()
            .chunks(76)
            .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
            .collect();
        for piece in [1, 3, 1000, 70_000] {
            assert_eq!(decode_chunks(enc.as_bytes(), piece).unwrap(), data);
            assert_eq!(decode_chunks(&wrapped, piece).unwrap(), data);
        }
        assert_eq!(decode_chunks(b"QQ", 1).unwrap(), b"A");
    }

    #[test]
    fn malformed_input_is_refused_with_a_position() {
        let e = decode_chunks(b"QUJD*EVG", 2).unwrap_err().to_string();
        assert!(
            e.contains("invalid character '*'") && e.contains("symbol 4"),
            "{e}"
        );
        let e = decode_chunks(b"QQ==QUJD", 8).unwrap_err().to_string();
        assert!(e.contains("padding"), "{e}");
        let e = decode_chunks(b"QUJDR", 8).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
    }
}
