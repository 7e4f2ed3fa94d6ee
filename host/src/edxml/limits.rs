//! Bounds on what the reader accepts, so hostile input costs bounded memory and time.

/// Limits applied while reading a package; exceeding one is a [`ReadError`](super::ReadError).
///
/// Defaults fit every real package seen (a few dozen elements, attachments of hundreds of MiB)
/// with wide margins, while keeping one hostile package from exhausting the hub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Total bytes of input, attachments included.
    pub max_input_bytes: u64,
    /// Nesting depth of elements (real packages nest about ten deep).
    pub max_depth: usize,
    /// Number of elements in the whole package.
    pub max_elements: u64,
    /// Bytes of text kept for one field (attachments are streamed and not counted here).
    pub max_text_bytes: usize,
    /// Bytes of one piece of markup: a tag with its attributes, a comment, a CDATA section.
    pub max_markup_bytes: usize,
    /// Attributes on one element.
    pub max_attributes: usize,
    /// Number of attachments in one package.
    pub max_attachments: usize,
    /// Decoded (and, for the zip quirk of §5, unzipped) bytes of one attachment.
    pub max_attachment_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 4 << 30,
            max_depth: 32,
            max_elements: 100_000,
            max_text_bytes: 256 << 10,
            max_markup_bytes: 256 << 10,
            max_attributes: 64,
            max_attachments: 1_000,
            max_attachment_bytes: 4 << 30,
        }
    }
}
