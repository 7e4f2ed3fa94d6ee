//! Errors of the reader and the writer, worded for the clerk or vendor who has to act on them.

use std::io;

/// A package could not be read: what went wrong, and where (byte offset and element path).
#[derive(Debug, thiserror::Error)]
#[error("byte {offset}, {}: {kind}", display_path(.path))]
pub struct ReadError {
    /// Byte offset in the input where the problem was detected.
    pub offset: u64,
    /// Element path from the root, e.g. `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]`.
    pub path: String,
    /// What went wrong.
    pub kind: ReadErrorKind,
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "outside the root element"
    } else {
        path
    }
}

/// What went wrong while reading a package.
#[derive(Debug, thiserror::Error)]
pub enum ReadErrorKind {
    /// The input could not be read.
    #[error("cannot read the input: {0}")]
    Io(#[source] io::Error),
    /// The attachment sink (the store) failed.
    #[error("cannot store the attachment: {0}")]
    Sink(#[source] io::Error),
    /// The XML is not well-formed.
    #[error("not well-formed XML: {0}; the sending system must produce well-formed XML")]
    Syntax(String),
    /// The input ended inside an element.
    #[error(
        "the input ends before </{0}>: the package was cut off in transfer; ask the sender to resend it"
    )]
    Truncated(String),
    /// The input contains no root element.
    #[error("the input contains no XML element; an edXML package starts with <edXML>")]
    Empty,
    /// A DOCTYPE (and with it any entity declaration) was present.
    #[error(
        "DOCTYPE and entity declarations are refused (they enable entity-expansion attacks); \
         edXML packages never need them: remove the <!DOCTYPE …> declaration"
    )]
    DocType,
    /// An entity reference other than the five predefined ones.
    #[error(
        "undefined entity reference &{0};: only &lt; &gt; &amp; &apos; &quot; and numeric \
         character references are allowed"
    )]
    UnknownEntity(String),
    /// A character reference or raw character that XML 1.0 forbids.
    #[error("character U+{0:04X} is not allowed in XML 1.0 text; remove it or fix the encoding")]
    ForbiddenChar(u32),
    /// The bytes are not UTF-8.
    #[error("the input is not valid UTF-8; edXML packages must be UTF-8 encoded")]
    NotUtf8,
    /// The XML declaration names another encoding, or the input starts with a UTF-16 mark.
    #[error("encoding {0} is not supported; convert the package to UTF-8")]
    UnsupportedEncoding(String),
    /// The root element is not `edXML`.
    #[error("the root element is <{0}>, expected <edXML> (QCVN 102:2016 §4.1)")]
    WrongRoot(String),
    /// The root element is in the early `go.vn/eDoc` namespace.
    #[error(
        "the root uses the namespace http://www.go.vn/eDoc, an early vendor variant that is not \
         QCVN 102:2016; the sender must use http://www.mic.gov.vn/TBT/QCVN_102_2016"
    )]
    LegacyNamespace,
    /// The root element is in another namespace (or none).
    #[error(
        "the root element's namespace is {0:?}; it must be http://www.mic.gov.vn/TBT/QCVN_102_2016"
    )]
    WrongNamespace(String),
    /// There is text or a second element after the root element.
    #[error("content after the end of the root element; a package holds exactly one <edXML>")]
    TrailingContent,
    /// Non-whitespace text before the root element.
    #[error("text before the root element; a package starts with <?xml …?> or <edXML>")]
    LeadingText,
    /// The envelope carries no header.
    #[error(
        "the package has no edXMLEnvelope/edXMLHeader, so it is neither a document nor a status"
    )]
    NoHeader,
    /// A limit from [`Limits`](super::Limits) was exceeded.
    #[error("{what} exceeds the limit of {limit}; the package is refused as too large or hostile")]
    Limit {
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: u64,
    },
    /// `ContentTransferEncoded` is not base64.
    #[error("the attachment content is not valid base64: {0}")]
    Base64(String),
    /// An attachment labelled as a zip (§5) could not be unzipped.
    #[error("the attachment is labelled application/zip but cannot be unzipped: {0}")]
    Zip(String),
    /// A manifest entry names a content id that no attachment carries.
    #[error(
        "the manifest lists cid:{0} but AttachmentEncoded carries no Attachment with that ContentId"
    )]
    MissingAttachment(String),
    /// Two attachments share one content id.
    #[error("two attachments share ContentId {0:?}; each attachment needs its own")]
    DuplicateContentId(String),
    /// One attachment carries its content twice.
    #[error("the attachment carries ContentTransferEncoded more than once")]
    DuplicateContent,
    /// A status package carries attachments, which §7.1 does not allow.
    #[error("a status package carries attachments; only document packages may (§7.1)")]
    StatusWithAttachments,
}

impl From<io::Error> for ReadErrorKind {
    fn from(e: io::Error) -> Self {
        ReadErrorKind::Io(e)
    }
}

/// A package could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output could not be written.
    #[error("cannot write the package: {0}")]
    Io(#[from] io::Error),
    /// An attachment's bytes could not be read from the source.
    #[error("cannot read attachment {content_id:?} from the store: {source}")]
    Source {
        /// The attachment's content id.
        content_id: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The stored bytes do not match the digest or size recorded in the package.
    #[error(
        "attachment {content_id:?} in the store does not match the package (expected {expected}); \
         the store is corrupt or holds another file"
    )]
    AttachmentMismatch {
        /// The attachment's content id.
        content_id: String,
        /// The SHA-256 and size the package records.
        expected: String,
    },
    /// A value holds a character XML 1.0 cannot carry.
    #[error("{field} holds character U+{code:04X}, which XML 1.0 cannot carry; remove it")]
    ForbiddenChar {
        /// Which field.
        field: &'static str,
        /// The character.
        code: u32,
    },
    /// Re-zipping an attachment that arrived zipped (§5) failed.
    #[error("cannot zip attachment {content_id:?}: {detail}")]
    Zip {
        /// The attachment's content id.
        content_id: String,
        /// What failed.
        detail: String,
    },
}
