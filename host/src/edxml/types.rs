//! Domain values of an edXML package: parsed at the edge, lossless, and meaningful by type.
//!
//! Dates are in `date.rs`. Every value keeps what the sender wrote when it is not one of the known forms (an unknown status
//! code, priority or business action; a date that does not parse) so validation can report it and
//! the writer can send it back unchanged.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::date::EdDate;

/// Implements serde for a type as its `Display` string, read back with `FromStr`.
macro_rules! serde_as_string {
    ($ty:ty) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use serde_as_string;

/// Trims the whitespace XML allows around a value (not Unicode spaces such as NBSP).
pub(crate) fn trim_xml(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// An agency's identifier code (mã định danh), e.g. `000.00.00.G22` (§3).
///
/// Any non-empty code is kept; [`OrganId::shape`] says whether it is QCVN 102-shaped.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganId(String);

/// How closely an [`OrganId`] follows QCVN 102 (§3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrganIdShape {
    /// `LLL.KK.JJ.XNN`: three digits, two, two, then a letter and two digits.
    Strict,
    /// Two to four dot-separated groups of 2–3 digits or capitals, as irregular directory codes are.
    Tolerant,
    /// Anything else: not routable as a QCVN 102 code.
    Other,
}

/// Why a string cannot be an [`OrganId`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseOrganIdError {
    /// The code is empty or only whitespace.
    #[error("an agency code (OrganId) cannot be empty")]
    Empty,
}

impl OrganId {
    /// The code as written by the sender (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Classifies the code per §3.3: strict `LLL.KK.JJ.XNN`, tolerant, or other.
    pub fn shape(&self) -> OrganIdShape {
        if is_strict_organ_id(&self.0) {
            OrganIdShape::Strict
        } else if is_tolerant_organ_id(&self.0) {
            OrganIdShape::Tolerant
        } else {
            OrganIdShape::Other
        }
    }
}

fn is_strict_organ_id(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    b.len() == 13
        && digits(0..3)
        && b[3] == b'.'
        && digits(4..6)
        && b[6] == b'.'
        && digits(7..9)
        && b[9] == b'.'
        && b[10].is_ascii_uppercase()
        && digits(11..13)
}

fn is_tolerant_organ_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('.').collect();
    (2..=4).contains(&groups.len())
        && groups.iter().all(|g| {
            (2..=3).contains(&g.len())
                && g.bytes()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        })
}

impl FromStr for OrganId {
    type Err = ParseOrganIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = trim_xml(s);
        if s.is_empty() {
            return Err(ParseOrganIdError::Empty);
        }
        Ok(OrganId(s.to_owned()))
    }
}

impl fmt::Display for OrganId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
serde_as_string!(OrganId);

/// A document identifier (mã văn bản), normally `{OrganId},{yyyy/MM/dd},{số}/{ký hiệu}` (§4.5).
///
/// Kept exactly as written; [`DocumentId::parts`] splits it on the first two commas only, because
/// the notation itself may contain commas, slashes and non-ASCII letters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(String);

/// The three fields of a well-formed [`DocumentId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentIdParts<'a> {
    /// The issuing agency's code, as written.
    pub organ: &'a str,
    /// The promulgation date, as written.
    pub date: &'a str,
    /// The full number and notation (`7816/VPCP-TTĐT`).
    pub notation: &'a str,
}

impl DocumentIdParts<'_> {
    /// The promulgation date, if it parses in one of the accepted formats.
    pub fn parsed_date(&self) -> Option<NaiveDate> {
        EdDate::parse(self.date).date()
    }
}

impl DocumentId {
    /// The identifier as written by the sender (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Splits on the first two commas; `None` when there are fewer than three fields.
    pub fn parts(&self) -> Option<DocumentIdParts<'_>> {
        let mut it = self.0.splitn(3, ',');
        let organ = it.next()?;
        let date = it.next()?;
        let notation = it.next()?;
        Some(DocumentIdParts {
            organ,
            date,
            notation,
        })
    }
}

/// Why a string cannot be a [`DocumentId`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a DocumentId cannot be empty")]
pub struct ParseDocumentIdError;

impl FromStr for DocumentId {
    type Err = ParseDocumentIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = trim_xml(s);
        if s.is_empty() {
            return Err(ParseDocumentIdError);
        }
        Ok(DocumentId(s.to_owned()))
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
serde_as_string!(DocumentId);

/// Defines a small enumeration whose wire form is a code string, keeping unknown codes in `Other`.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value outside the known set, kept exactly as the sender wrote it.
            Other(String),
        }

        impl $name {
            /// The code as it appears on the wire.
            pub fn code(&self) -> &str {
                match self {
                    $( $name::$variant => $code, )+
                    $name::Other(s) => s,
                }
            }

            /// Whether the value is one the standard defines.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl FromStr for $name {
            type Err = Infallible;
            fn from_str(s: &str) -> Result<Self, Infallible> {
                let s = trim_xml(s);
                Ok(match s {
                    $( $code => $name::$variant, )+
                    other => $name::Other(other.to_owned()),
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
        serde_as_string!($name);
    };
}

coded_enum! {
    /// Urgency (độ khẩn) of a document, `OtherInfo/Priority` (§4.6).
    Priority {
        /// 0 — thường.
        Normal = "0",
        /// 1 — khẩn.
        Urgent = "1",
        /// 2 — thượng khẩn.
        VeryUrgent = "2",
        /// 3 — hỏa tốc.
        Express = "3",
        /// 4 — hỏa tốc hẹn giờ.
        ExpressTimed = "4",
    }
}

coded_enum! {
    /// What a document package does to the business record, `BussinessDocType` (§4.4, §8).
    BusinessAction {
        /// 0 — a new document.
        New = "0",
        /// 1 — revokes (thu hồi) the target document.
        Revoke = "1",
        /// 2 — updates (cập nhật) the target document.
        Update = "2",
        /// 3 — replaces (thay thế) the target document.
        Replace = "3",
    }
}

coded_enum! {
    /// How an update changes one receiver, `Receiver/ReceiverType` (§4.4).
    ReceiverChange {
        /// 0 — removed from the recipients.
        Removed = "0",
        /// 1 — added to the recipients.
        Added = "1",
    }
}

/// Processing status carried by a status package (§7.2); unknown codes are kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StatusCode {
    /// 01 — đã đến: the receiving system has the package.
    Arrived,
    /// 02 — từ chối tiếp nhận: the clerk refuses it; `Description` gives the reason.
    Rejected,
    /// 03 — đã tiếp nhận: registered by the clerk.
    Accepted,
    /// 04 — phân công: assigned for processing.
    Assigned,
    /// 05 — đang xử lý: being processed.
    Processing,
    /// 06 — hoàn thành: processing completed.
    Completed,
    /// 13 — the sender asks to take back (revoke) the document.
    RevokeRequested,
    /// 15 — the receiver agrees to a revoke or update.
    ChangeAccepted,
    /// 16 — the receiver refuses a revoke or update.
    ChangeRefused,
    /// A code outside the known set, kept as written.
    Other(String),
}

impl StatusCode {
    /// The two-digit wire code.
    pub fn code(&self) -> &str {
        match self {
            StatusCode::Arrived => "01",
            StatusCode::Rejected => "02",
            StatusCode::Accepted => "03",
            StatusCode::Assigned => "04",
            StatusCode::Processing => "05",
            StatusCode::Completed => "06",
            StatusCode::RevokeRequested => "13",
            StatusCode::ChangeAccepted => "15",
            StatusCode::ChangeRefused => "16",
            StatusCode::Other(s) => s,
        }
    }

    /// Whether the code is one of the nine the sources agree on.
    pub fn is_known(&self) -> bool {
        !matches!(self, StatusCode::Other(_))
    }
}

impl FromStr for StatusCode {
    type Err = Infallible;
    /// Known codes are also accepted without the leading zero (`5`), as some systems store them.
    fn from_str(s: &str) -> Result<Self, Infallible> {
        let s = trim_xml(s);
        Ok(match s {
            "01" | "1" => StatusCode::Arrived,
            "02" | "2" => StatusCode::Rejected,
            "03" | "3" => StatusCode::Accepted,
            "04" | "4" => StatusCode::Assigned,
            "05" | "5" => StatusCode::Processing,
            "06" | "6" => StatusCode::Completed,
            "13" => StatusCode::RevokeRequested,
            "15" => StatusCode::ChangeAccepted,
            "16" => StatusCode::ChangeRefused,
            other => StatusCode::Other(other.to_owned()),
        })
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
serde_as_string!(StatusCode);

/// Directive type (loại chỉ đạo), kept raw because sources disagree on its values (§4.6).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SteeringType(String);

impl SteeringType {
    /// The value as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SteeringType {
    type Err = Infallible;
    fn from_str(s: &str) -> Result<Self, Infallible> {
        Ok(SteeringType(trim_xml(s).to_owned()))
    }
}

impl fmt::Display for SteeringType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
serde_as_string!(SteeringType);

/// A SHA-256 digest, shown and serialized as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256(pub [u8; 32]);

/// Why a string is not a SHA-256 digest in hex.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a SHA-256 digest must be 64 hexadecimal digits")]
pub struct ParseSha256Error;

impl Sha256 {
    /// Computes the digest of `bytes` (for small inputs; attachments are hashed while streaming).
    pub fn of(bytes: &[u8]) -> Sha256 {
        use sha2::Digest;
        Sha256(sha2::Sha256::digest(bytes).into())
    }
}

impl FromStr for Sha256 {
    type Err = ParseSha256Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| ParseSha256Error)?;
        Ok(Sha256(out))
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}
serde_as_string!(Sha256);

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn organ_id_shapes_follow_section_3_3() {
        let shape = |s: &str| s.parse::<OrganId>().unwrap().shape();
        assert_eq!(shape("000.00.00.G22"), OrganIdShape::Strict);
        assert_eq!(shape("000.46.24.H44"), OrganIdShape::Strict);
        assert_eq!(shape("02.44.W00"), OrganIdShape::Tolerant);
        assert_eq!(shape("H37.02.02"), OrganIdShape::Tolerant);
        assert_eq!(shape("000.00.00.g22"), OrganIdShape::Other);
        assert_eq!(shape("5b864a15e4b03a0fe7d685b0"), OrganIdShape::Other);
        assert_eq!("  ".parse::<OrganId>(), Err(ParseOrganIdError::Empty));
    }

    #[test]
    fn document_id_splits_on_first_two_commas_only() {
        let id: DocumentId = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT, phụ lục"
            .parse()
            .unwrap();
        let p = id.parts().unwrap();
        assert_eq!(p.organ, "000.00.00.G22");
        assert_eq!(p.parsed_date(), Some(ymd(2015, 9, 30)));
        assert_eq!(p.notation, "7816/VPCP-TTĐT, phụ lục");
        assert!("no-commas".parse::<DocumentId>().unwrap().parts().is_none());
    }

    #[test]
    fn unknown_codes_are_kept_verbatim() {
        assert_eq!(
            "14".parse::<StatusCode>().unwrap(),
            StatusCode::Other("14".into())
        );
        assert_eq!("5".parse::<StatusCode>().unwrap(), StatusCode::Processing);
        assert_eq!("9".parse::<Priority>().unwrap().to_string(), "9");
        assert_eq!(
            "2".parse::<BusinessAction>().unwrap(),
            BusinessAction::Update
        );
        let json = serde_json::to_string(&StatusCode::Rejected).unwrap();
        assert_eq!(json, "\"02\"");
    }

    #[test]
    fn sha256_round_trips_through_hex() {
        let d = Sha256::of(b"abc");
        let s = d.to_string();
        assert!(s.starts_with("ba7816bf"));
        assert_eq!(s.parse::<Sha256>().unwrap(), d);
        assert!("xyz".parse::<Sha256>().is_err());
    }
}
