//! Base64 text decoded by the hub into blobs: `blob-writer.write-base64` (a text the adapter
//! hands over) and, since contract 0.2.0, `write-base64-range` (a text the hub reads from a
//! blob it already holds). Legacy formats carry files as base64; decoding natively keeps the
//! tightest loop of the job out of the sandbox (decision 0006), and reading the text from a
//! blob keeps it from crossing the sandbox boundary at all (decision 0014).

use std::io;

use ::base64::DecodeError;
use ::base64::Engine as _;
use ::base64::engine::general_purpose::STANDARD as B64;

use super::blobs::{Blob, BlobWriter, OutOfRange};

/// Source bytes `decode_range` looks at a time: a multiple of 4, so a text without whitespace
/// splits at whole groups and each piece decodes where it lies.
const PIECE: usize = 1 << 20;

/// Text that is not base64.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid {
    /// What is wrong and where; offsets count characters, whitespace left out.
    pub error: DecodeError,
    /// The text had whitespace (so offsets are not byte offsets).
    pub whitespace: bool,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.whitespace {
            write!(f, "not valid base64 (whitespace ignored): {}", self.error)
        } else {
            write!(f, "not valid base64: {}", self.error)
        }
    }
}

/// Decodes one base64 text: standard alphabet, padding only at the end, ASCII whitespace
/// ignored.
pub fn decode_text(text: &[u8]) -> Result<Vec<u8>, Invalid> {
    // Most producers write base64 without line breaks: decode directly, and strip whitespace
    // only for the texts that need it.
    let first = match B64.decode(text) {
        Ok(b) => return Ok(b),
        Err(e) => e,
    };
    let compact: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.len() == text.len() {
        return Err(Invalid {
            error: first,
            whitespace: false,
        });
    }
    B64.decode(&compact).map_err(|error| Invalid {
        error,
        whitespace: true,
    })
}

/// Why `decode_range` produced nothing.
#[derive(Debug)]
pub enum RangeError {
    /// The range is not inside the source blob.
    OutOfRange(OutOfRange),
    /// The range is not base64.
    Invalid(Invalid),
    /// Decoded, the range is more bytes than the limit.
    OverLimit,
    /// Reading the source or spooling the output failed.
    Io(io::Error),
}

impl From<io::Error> for RangeError {
    fn from(e: io::Error) -> Self {
        RangeError::Io(e)
    }
}

/// Decodes `len` bytes of `source` from `offset` as one base64 text, by [`decode_text`]'s
/// rules, into a new writer; stops as soon as the output would exceed `limit` bytes. The source
/// is read a piece at a time, so neither a file-backed source nor the output need fit in
/// memory. A range read in one piece (up to 1 MiB) fails with exactly `decode_text`'s error;
/// a longer one may name another invalid position than decoding it whole would.
pub fn decode_range(
    source: &Blob,
    offset: u64,
    len: u64,
    limit: u64,
) -> Result<BlobWriter, RangeError> {
    decode_range_in_pieces(source, offset, len, limit, PIECE)
}

fn decode_range_in_pieces(
    source: &Blob,
    offset: u64,
    len: u64,
    limit: u64,
    piece: usize,
) -> Result<BlobWriter, RangeError> {
    let range = source.range(offset, len).map_err(RangeError::OutOfRange)?;
    let mut text = TextInPieces::default();
    let mut out = BlobWriter::new();
    source.for_each_piece(range, piece, |bytes, last| {
        text.push(bytes, last, &mut out, limit)
    })?;
    Ok(out)
}

/// One base64 text read in pieces. Decoding it piece by piece accepts what decoding it whole
/// accepts, with the same bytes: pieces split at whole groups, and padding must end the text.
#[derive(Default)]
struct TextInPieces {
    /// Characters not decoded yet: less than a group, left over from the previous piece.
    carry: Vec<u8>,
    /// Characters decoded so far, whitespace left out: where error offsets count from.
    done: usize,
    /// Where the padding that ended an earlier group starts: only whitespace may follow it.
    padding_at: Option<usize>,
    /// Whitespace seen so far.
    whitespace: bool,
}

impl TextInPieces {
    fn push(
        &mut self,
        piece: &[u8],
        last: bool,
        out: &mut BlobWriter,
        limit: u64,
    ) -> Result<(), RangeError> {
        if self.carry.is_empty() && self.padding_at.is_none() {
            // The usual text has no whitespace: decode the piece where it lies.
            let whole = if last {
                piece.len()
            } else {
                piece.len() / 4 * 4
            };
            match self.decode(&piece[..whole], out, limit) {
                Ok(()) => {
                    self.carry.extend_from_slice(&piece[whole..]);
                    return Ok(());
                }
                Err(RangeError::Invalid(_)) if piece.iter().any(u8::is_ascii_whitespace) => {}
                Err(e) => return Err(e),
            }
        }
        let mut text = std::mem::take(&mut self.carry);
        let before = text.len() + piece.len();
        text.extend(piece.iter().copied().filter(|b| !b.is_ascii_whitespace()));
        self.whitespace |= text.len() < before;
        if let Some(at) = self.padding_at
            && !text.is_empty()
        {
            return Err(RangeError::Invalid(Invalid {
                error: DecodeError::InvalidByte(at, b'='),
                whitespace: self.whitespace,
            }));
        }
        let whole = if last { text.len() } else { text.len() / 4 * 4 };
        self.decode(&text[..whole], out, limit)?;
        text.drain(..whole);
        self.carry = text;
        Ok(())
    }

    /// Decodes whole groups (or, last, the end of the text) into `out`.
    fn decode(&mut self, text: &[u8], out: &mut BlobWriter, limit: u64) -> Result<(), RangeError> {
        let bytes = B64.decode(text).map_err(|e| {
            RangeError::Invalid(Invalid {
                error: shifted(e, self.done),
                whitespace: self.whitespace,
            })
        })?;
        if out.size().saturating_add(bytes.len() as u64) > limit {
            return Err(RangeError::OverLimit);
        }
        out.write_owned(bytes)?;
        if text.ends_with(b"==") {
            self.padding_at = Some(self.done + text.len() - 2);
        } else if text.ends_with(b"=") {
            self.padding_at = Some(self.done + text.len() - 1);
        }
        self.done += text.len();
        Ok(())
    }
}

/// `e` with its offset counted from `base` characters earlier.
fn shifted(e: DecodeError, base: usize) -> DecodeError {
    match e {
        DecodeError::InvalidByte(at, b) => DecodeError::InvalidByte(base + at, b),
        DecodeError::InvalidLength(at) => DecodeError::InvalidLength(base + at),
        DecodeError::InvalidLastSymbol {
            offset,
            symbol,
            symbol_value,
        } => DecodeError::InvalidLastSymbol {
            offset: base + offset,
            symbol,
            symbol_value,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn decoded(w: BlobWriter) -> Vec<u8> {
        w.finish().unwrap().to_bytes().unwrap().to_vec()
    }

    /// What `decode_range` gives for the whole of `text`, read `piece` bytes at a time, inside
    /// a blob with bytes around it.
    fn in_pieces(text: &[u8], piece: usize) -> Result<Vec<u8>, RangeError> {
        let mut blob = b"{\"data\":\"".to_vec();
        let offset = blob.len() as u64;
        blob.extend_from_slice(text);
        blob.extend_from_slice(b"\"}");
        let blob = Blob::from_bytes(blob);
        decode_range_in_pieces(&blob, offset, text.len() as u64, u64::MAX, piece).map(decoded)
    }

    #[test]
    fn a_range_decodes_like_the_same_text() {
        let text = B64.encode(b"hello, world");
        assert_eq!(in_pieces(text.as_bytes(), PIECE).unwrap(), b"hello, world");
        assert_eq!(in_pieces(text.as_bytes(), 4).unwrap(), b"hello, world");
        assert_eq!(in_pieces(b"", 4).unwrap(), b"");
        let wrapped = "aGVs\nbG8s\r\nIHdv cmxk";
        assert_eq!(in_pieces(wrapped.as_bytes(), 8).unwrap(), b"hello, world");
    }

    #[test]
    fn errors_name_the_position_within_the_range() {
        let Err(RangeError::Invalid(e)) = in_pieces(b"aGVsbG8s!HdvcmxkIQ==", 8) else {
            panic!("invalid")
        };
        assert_eq!(e.error, DecodeError::InvalidByte(8, b'!'));
        assert_eq!(
            e.to_string(),
            "not valid base64: Invalid symbol 33, offset 8."
        );
    }

    #[test]
    fn padding_must_end_the_text() {
        let Err(RangeError::Invalid(e)) = in_pieces(b"aGk=aGk=", 4) else {
            panic!("invalid")
        };
        assert_eq!(e.error, DecodeError::InvalidByte(3, b'='));
        assert_eq!(in_pieces(b"aGk=\n  \n", 4).unwrap(), b"hi");
    }

    #[test]
    fn a_range_outside_the_blob_is_refused() {
        let blob = Blob::from_bytes(&b"aGVsbG8="[..]);
        for (offset, len) in [(0, 9), (9, 0), (4, 5), (u64::MAX, 2), (2, u64::MAX)] {
            let e = decode_range(&blob, offset, len, u64::MAX).unwrap_err();
            assert!(
                matches!(e, RangeError::OutOfRange(_)),
                "{offset} {len}: {e:?}"
            );
        }
        assert_eq!(
            decoded(decode_range(&blob, 0, 8, u64::MAX).unwrap()),
            b"hello"
        );
        assert_eq!(decoded(decode_range(&blob, 8, 0, u64::MAX).unwrap()), b"");
    }

    #[test]
    fn output_beyond_the_limit_stops_the_decoding() {
        let text = B64.encode(vec![7u8; 3000]);
        let blob = Blob::from_bytes(text.into_bytes());
        let e = decode_range_in_pieces(&blob, 0, blob.size(), 2999, 400).unwrap_err();
        assert!(matches!(e, RangeError::OverLimit), "{e:?}");
        let w = decode_range_in_pieces(&blob, 0, blob.size(), 3000, 400).unwrap();
        assert_eq!(w.size(), 3000);
    }

    #[test]
    fn a_file_backed_source_is_read_in_pieces() {
        let mut w = BlobWriter::new();
        let text = B64.encode(vec![42u8; 1 << 21]);
        w.write(text.as_bytes()).unwrap();
        let blob = w.finish().unwrap();
        let out = decode_range(&blob, 0, blob.size(), u64::MAX).unwrap();
        assert_eq!(out.size(), 1 << 21);
        let sha = out.finish().unwrap().sha256().unwrap();
        assert_eq!(sha, Blob::from_bytes(vec![42u8; 1 << 21]).sha256().unwrap());
    }

    /// Base64-ish text: the alphabet, padding, whitespace and a stray symbol.
    fn texty() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                8 => proptest::sample::select(b"AQgw+/9z".to_vec()),
                2 => Just(b'='),
                2 => proptest::sample::select(b" \n\r\t".to_vec()),
                1 => Just(b'!'),
            ],
            0..40,
        )
    }

    /// Valid base64 with whitespace inserted.
    fn wrapped() -> impl Strategy<Value = Vec<u8>> {
        (
            proptest::collection::vec(any::<u8>(), 0..60),
            proptest::collection::vec((any::<prop::sample::Index>(), Just(b'\n')), 0..6),
        )
            .prop_map(|(bytes, breaks)| {
                let mut text = B64.encode(bytes).into_bytes();
                for (at, ws) in breaks {
                    let i = at.index(text.len() + 1);
                    text.insert(i, ws);
                }
                text
            })
    }

    fn same_as_whole(text: &[u8], piece: usize) -> Result<(), TestCaseError> {
        match (decode_text(text), in_pieces(text, piece)) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(a), Err(RangeError::Invalid(b))) => {
                // Decoded whole, a text names its first invalid position, unless its last
                // character is one; in pieces, the first piece with an error names it.
                if text.len() <= piece {
                    prop_assert_eq!(a, b);
                }
            }
            (a, b) => prop_assert!(false, "whole: {a:?}, in pieces: {b:?}"),
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn any_text_in_pieces_decodes_as_it_does_whole(text in texty(), groups in 1usize..5) {
            same_as_whole(&text, groups * 4)?;
        }

        #[test]
        fn wrapped_base64_in_pieces_decodes_as_it_does_whole(text in wrapped(), groups in 1usize..5) {
            same_as_whole(&text, groups * 4)?;
        }
    }
}
