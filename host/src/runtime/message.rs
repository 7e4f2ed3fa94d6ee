//! The hub-side form of what crosses the adapter boundary: an edXML package model plus the
//! bytes of its attachments, and the legacy payloads adapters read and write. These types do
//! not depend on any contract version; `contract::since_v*` converts to and from each one.

use crate::edxml::{Attachment, Package};

use super::host::blobs::Blob;

/// A canonical message: the package and the body of each attachment, in the same order.
#[derive(Clone, Debug)]
pub struct CanonicalMessage {
    /// The package (documents carry attachment metadata with size and SHA-256).
    pub package: Package,
    /// `bodies[i]` holds the bytes of the package's `attachments[i]`; empty for statuses.
    pub bodies: Vec<Blob>,
}

impl CanonicalMessage {
    /// A message without attachments.
    pub fn new(package: Package) -> Self {
        Self {
            package,
            bodies: Vec::new(),
        }
    }

    /// The attachments' metadata paired with their bodies.
    pub fn attachments(&self) -> impl Iterator<Item = (&Attachment, &Blob)> {
        let atts: &[Attachment] = match &self.package {
            Package::Document(d) => &d.attachments,
            Package::Status(_) => &[],
        };
        atts.iter().zip(&self.bodies)
    }
}

/// Bytes in a legacy system's format.
#[derive(Clone, Debug)]
pub struct Payload {
    /// MIME type, e.g. `application/json`.
    pub content_type: String,
    /// The bytes.
    pub body: Blob,
}

impl Payload {
    /// A payload over bytes in memory.
    pub fn from_bytes(content_type: impl Into<String>, bytes: impl Into<bytes::Bytes>) -> Self {
        Self {
            content_type: content_type.into(),
            body: Blob::from_bytes(bytes),
        }
    }
}

/// What an adapter says about itself.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AdapterInfo {
    /// Name (equal to the manifest's).
    pub name: String,
    /// Version (equal to the manifest's).
    pub version: String,
    /// Vendor.
    pub vendor: String,
    /// Formats it decodes.
    pub formats: Vec<String>,
    /// One sentence.
    pub description: String,
}

/// A message for a legacy system, delivered by a connector.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// The hub's delivery id, repeated on redelivery.
    pub id: String,
    /// Receivers hosted by that system.
    pub receivers: Vec<String>,
    /// The message.
    pub message: CanonicalMessage,
}

/// A message a connector fetched from its legacy system.
#[derive(Clone, Debug)]
pub struct Polled {
    /// Token to acknowledge it with.
    pub token: String,
    /// The message.
    pub message: CanonicalMessage,
}
