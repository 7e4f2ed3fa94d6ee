//! edXML packages per QCVN 102:2016/BTTTT: the hub's canonical message form.
//!
//! The path of a package through this module reads as a sentence:
//! bytes → [`read`] (tolerant, streaming, hardened) → [`Package`] → [`validate`] (every problem at
//! once) → [`write()`] (one canonical byte form). [`sign`]/[`verify`] add and check an enveloped
//! XMLDSig signature (exclusive C14N, RSA-SHA256) over the whole package.
//!
//! Attachments never sit in memory as a whole: the reader decodes base64 straight into an
//! [`AttachmentSink`] the caller provides, and the writer encodes from an [`AttachmentSource`].
//! The model carries only each attachment's metadata, size and SHA-256.
//!
//! Section numbers in comments (§4.3, §5, …) refer to the engineering reference
//! `shared/domain/reference.md`, which cites the standard and the real implementations.

mod attachment;
mod base64_stream;
mod c14n;
mod date;
mod error;
mod limits;
mod model;
mod problem;
mod read;
mod signature;
mod signature_scan;
mod text;
mod types;
mod unzip;
mod validate;
mod write;
mod xml;

pub use attachment::{
    AttachmentMeta, AttachmentSink, AttachmentSource, AttachmentWriter, MemorySink, NullSink,
};
pub use c14n::canonicalize;
pub use date::{EdDate, EdDateTime, VIETNAM, VIETNAM_OFFSET_MS, VIETNAM_OFFSET_SECS};
pub use error::{ReadError, ReadErrorKind, WriteError};
pub use limits::Limits;
pub use model::{
    Attachment, Business, BusinessDocumentInfo, Code, Document, DocumentType, Organ, OtherInfo,
    Package, PromulgationInfo, Receiver, ReplacementInfo, ResponseFor, SignerInfo, StaffInfo,
    Status, TraceHeader,
};
pub use problem::{Problem, Rule, Severity, ValidationContext};
pub use read::{read, read_bytes};
pub use signature::{
    Certificate, SignError, SigningKey, Verified, VerifyError, sign, sign_bytes, verify,
    verify_bytes,
};
pub use types::{
    BusinessAction, DocumentId, DocumentIdParts, OrganId, OrganIdShape, ParseOrganIdError,
    ParseSha256Error, Priority, ReceiverChange, Sha256, StatusCode, SteeringType,
};
pub use validate::validate;
pub use write::{write, write_to_vec};

/// The QCVN 102:2016 namespace; the root and every envelope element live in it (§4.1).
pub const NAMESPACE: &str = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

/// The early vendor namespace that the reference calls wrong; refused with a clear message (§4.1).
pub const LEGACY_NAMESPACE: &str = "http://www.go.vn/eDoc";
