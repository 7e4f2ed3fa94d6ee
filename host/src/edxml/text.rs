//! Character data: reference decoding, line-end normalization, UTF-8 and XML 1.0 character checks,
//! applied chunk by chunk so text of any length streams (see `xml.rs`), and the sinks that receive it.

use super::error::ReadErrorKind;

/// Receives an element's text, chunk by chunk, references decoded and line ends normalized.
pub(crate) trait TextSink {
    /// Takes one chunk of text.
    fn text(&mut self, chunk: &[u8]) -> Result<(), ReadErrorKind>;
}

/// Decoding state carried across text chunks.
#[derive(Default)]
pub(crate) struct TextState {
    /// The previous chunk ended with CR: a following LF belongs to the same line end.
    pub skip_lf: bool,
    /// An entity or character reference split across chunks.
    pub pending_ref: Vec<u8>,
    /// Inside a reference: bytes up to `;` go to `pending_ref`.
    pub in_ref: bool,
}

/// Whether XML 1.0 allows `c` in a document (production [2] Char).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Splits raw text at references and carriage returns; plain runs go to the sink unchanged.
pub(crate) fn deliver_text(
    st: &mut TextState,
    mut chunk: &[u8],
    sink: &mut dyn TextSink,
) -> Result<(), ReadErrorKind> {
    while !chunk.is_empty() {
        if st.in_ref {
            match memchr::memchr(b';', chunk) {
                Some(i) if st.pending_ref.len() + i > 12 => return Err(bad_reference()),
                Some(i) => {
                    st.pending_ref.extend_from_slice(&chunk[..i]);
                    chunk = &chunk[i + 1..];
                    st.in_ref = false;
                    let r = std::mem::take(&mut st.pending_ref);
                    let mut utf8 = [0u8; 4];
                    let decoded = decode_reference(&r, &mut utf8)?;
                    st.skip_lf = false;
                    sink.text(decoded)?;
                }
                None => {
                    st.pending_ref.extend_from_slice(chunk);
                    if st.pending_ref.len() > 12 {
                        return Err(bad_reference());
                    }
                    return Ok(());
                }
            }
            continue;
        }
        match memchr::memchr2(b'&', b'\r', chunk) {
            None => {
                deliver_normalized(st, chunk, sink)?;
                return Ok(());
            }
            Some(i) => {
                deliver_normalized(st, &chunk[..i], sink)?;
                if chunk[i] == b'&' {
                    st.in_ref = true;
                    st.pending_ref.clear();
                    chunk = &chunk[i + 1..];
                } else {
                    deliver_normalized(st, &chunk[i..i + 1], sink)?;
                    chunk = &chunk[i + 1..];
                }
            }
        }
    }
    Ok(())
}

/// Delivers text with XML line-end normalization: CR LF and lone CR become LF (XML 1.0 §2.11).
pub(crate) fn deliver_normalized(
    st: &mut TextState,
    mut chunk: &[u8],
    sink: &mut dyn TextSink,
) -> Result<(), ReadErrorKind> {
    while !chunk.is_empty() {
        if st.skip_lf {
            st.skip_lf = false;
            if chunk[0] == b'\n' {
                chunk = &chunk[1..];
                continue;
            }
        }
        match memchr::memchr(b'\r', chunk) {
            None => return sink.text(chunk),
            Some(i) => {
                if i > 0 {
                    sink.text(&chunk[..i])?;
                }
                sink.text(b"\n")?;
                st.skip_lf = true;
                chunk = &chunk[i + 1..];
            }
        }
    }
    Ok(())
}

pub(crate) fn bad_reference() -> ReadErrorKind {
    ReadErrorKind::Syntax(
        "an '&' does not start a reference such as &amp; or &#39;: write a literal & as &amp;"
            .into(),
    )
}

/// Decodes the body of `&…;` into UTF-8 bytes.
fn decode_reference<'a>(name: &[u8], out: &'a mut [u8; 4]) -> Result<&'a [u8], ReadErrorKind> {
    let text = std::str::from_utf8(name).map_err(|_| ReadErrorKind::NotUtf8)?;
    let c = match text {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let code = if let Some(hex) = text.strip_prefix("#x") {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = text.strip_prefix('#') {
                dec.parse::<u32>().ok()
            } else {
                return Err(ReadErrorKind::UnknownEntity(text.to_owned()));
            };
            let code = code.ok_or_else(|| {
                ReadErrorKind::Syntax(format!("malformed character reference &{text};"))
            })?;
            match char::from_u32(code) {
                Some(c) if is_xml_char(c) => c,
                _ => return Err(ReadErrorKind::ForbiddenChar(code)),
            }
        }
    };
    Ok(c.encode_utf8(out).as_bytes())
}

/// Validates UTF-8 across chunk boundaries and XML 1.0 characters.
#[derive(Default)]
pub(crate) struct Utf8Check {
    carry: Vec<u8>,
}

impl Utf8Check {
    /// Validates `chunk` (continuing any split sequence) and passes the complete text to `f`.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        mut f: impl FnMut(&str) -> Result<(), ReadErrorKind>,
    ) -> Result<(), ReadErrorKind> {
        let mut chunk = chunk;
        if !self.carry.is_empty() {
            // Complete the split sequence with at most 3 more bytes.
            while !chunk.is_empty() && self.carry.len() < 4 {
                self.carry.push(chunk[0]);
                chunk = &chunk[1..];
                match std::str::from_utf8(&self.carry) {
                    Ok(s) => {
                        check_chars(s)?;
                        f(s)?;
                        self.carry.clear();
                        break;
                    }
                    Err(e) if e.error_len().is_some() => return Err(ReadErrorKind::NotUtf8),
                    Err(_) => {}
                }
            }
            if !self.carry.is_empty() {
                return if self.carry.len() >= 4 {
                    Err(ReadErrorKind::NotUtf8)
                } else {
                    Ok(())
                };
            }
        }
        match std::str::from_utf8(chunk) {
            Ok(s) => {
                check_chars(s)?;
                f(s)
            }
            Err(e) if e.error_len().is_none() => {
                let (good, rest) = chunk.split_at(e.valid_up_to());
                // SAFETY-free: `good` is valid by construction of `valid_up_to`.
                let s = std::str::from_utf8(good).map_err(|_| ReadErrorKind::NotUtf8)?;
                check_chars(s)?;
                f(s)?;
                self.carry.extend_from_slice(rest);
                Ok(())
            }
            Err(_) => Err(ReadErrorKind::NotUtf8),
        }
    }

    /// Fails if the text ended inside a multi-byte sequence.
    pub fn finish(&self) -> Result<(), ReadErrorKind> {
        if self.carry.is_empty() {
            Ok(())
        } else {
            Err(ReadErrorKind::NotUtf8)
        }
    }
}

fn check_chars(s: &str) -> Result<(), ReadErrorKind> {
    match s.chars().find(|c| !is_xml_char(*c)) {
        Some(c) => Err(ReadErrorKind::ForbiddenChar(c as u32)),
        None => Ok(()),
    }
}

/// Collects an element's text into a string, up to a byte limit.
pub(crate) struct Collect {
    pub text: String,
    limit: usize,
    utf8: Utf8Check,
}

impl Collect {
    /// An empty collector that refuses more than `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Collect {
            text: String::new(),
            limit,
            utf8: Utf8Check::default(),
        }
    }

    /// The collected text; fails if it ended inside a UTF-8 sequence.
    pub fn finish(self) -> Result<String, ReadErrorKind> {
        self.utf8.finish()?;
        Ok(self.text)
    }
}

impl TextSink for Collect {
    fn text(&mut self, chunk: &[u8]) -> Result<(), ReadErrorKind> {
        if self.text.len() + chunk.len() > self.limit {
            let limit = self.limit as u64;
            return Err(ReadErrorKind::Limit {
                what: "the text of one element",
                limit,
            });
        }
        let text = &mut self.text;
        self.utf8.feed(chunk, |s| {
            text.push_str(s);
            Ok(())
        })
    }
}

/// Checks and drops text (whitespace between elements, unknown elements' content).
#[derive(Default)]
pub(crate) struct Ignore {
    utf8: Utf8Check,
}

impl TextSink for Ignore {
    fn text(&mut self, chunk: &[u8]) -> Result<(), ReadErrorKind> {
        self.utf8.feed(chunk, |_| Ok(()))
    }
}
