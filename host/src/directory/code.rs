//! Agency codes: which strings the directory accepts (§3.3), the level of a QCVN 102 code (§3.1),
//! the parent a code implies (§3.4), and the shape of QĐ 20/2020 codes (§3.5).

use crate::edxml::{OrganId, OrganIdShape};

/// Longest QĐ 20/2020 code (§3.5).
const QD20_MAX: usize = 35;

/// Why a code is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// A required code is empty.
    #[error("the agency code is empty; give the QCVN 102 code, such as 000.00.00.G22")]
    Empty,
    /// Not an agency code in QCVN 102 (or the tolerated irregular) form.
    #[error(
        "{field} `{value}` is not an agency code: write the QCVN 102 form LLL.KK.JJ.XNN, such as 000.00.00.G22 \
         (capital letters; irregular directory codes of 2–4 dot-separated groups of 2–3 digits or capitals are accepted too)"
    )]
    NotAgencyCode {
        /// Which field: `code`, `parent_code` or `old_code`.
        field: &'static str,
        /// What was given.
        value: String,
    },
    /// Not a QĐ 20/2020 code.
    #[error(
        "qd20_code `{0}` is not a QĐ 20/2020 code: write up to 35 characters of dot-separated groups of \
         capitals and digits, highest level first, such as H37.02.02"
    )]
    NotQd20Code(String),
}

/// Checks that `value` is an agency code the directory can hold: QCVN 102-shaped, strictly or
/// tolerantly (§3.3); returns it trimmed. `field` names it in the error.
pub fn agency_code(field: &'static str, value: &str) -> Result<String, CodeError> {
    let id: OrganId = value.parse().map_err(|_| match field {
        "code" => CodeError::Empty,
        _ => CodeError::NotAgencyCode {
            field,
            value: value.to_owned(),
        },
    })?;
    match id.shape() {
        OrganIdShape::Strict | OrganIdShape::Tolerant => Ok(id.as_str().to_owned()),
        OrganIdShape::Other => Err(CodeError::NotAgencyCode {
            field,
            value: id.as_str().to_owned(),
        }),
    }
}

/// Checks that `value` is a QĐ 20/2020 code (`G09.01`, `H37.02.02`, `H37.DN.001`); returns it
/// trimmed.
pub fn qd20_code(value: &str) -> Result<String, CodeError> {
    let v = value.trim();
    let ok = !v.is_empty()
        && v.len() <= QD20_MAX
        && v.split('.').all(|group| {
            !group.is_empty()
                && group
                    .bytes()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        });
    if ok {
        Ok(v.to_owned())
    } else {
        Err(CodeError::NotQd20Code(v.to_owned()))
    }
}

/// The level (1–4) of a strict QCVN 102 code `LLL.KK.JJ.XNN` (§3.1): the lowest level whose
/// component is filled in (`000`/`00` mean "not applicable"); `None` for other codes.
pub fn level(code: &str) -> Option<u8> {
    let (l4, l3, l2) = strict_parts(code)?;
    Some(if l4 != "000" {
        4
    } else if l3 != "00" {
        3
    } else if l2 != "00" {
        2
    } else {
        1
    })
}

/// The code of the unit directly above a strict QCVN 102 code, as §3.4 builds codes: the lowest
/// filled component reset to zeros (`000.46.24.H44` → `000.00.24.H44`); `None` at level 1 or
/// for other codes. The directory's own `parent_code` wins where both exist.
pub fn derived_parent(code: &str) -> Option<String> {
    let (_, l3, l2) = strict_parts(code)?;
    let l1 = &code[10..13];
    match level(code)? {
        4 => Some(format!("000.{l3}.{l2}.{l1}")),
        3 => Some(format!("000.00.{l2}.{l1}")),
        2 => Some(format!("000.00.00.{l1}")),
        _ => None,
    }
}

/// The level-4, level-3 and level-2 components of a strict code.
fn strict_parts(code: &str) -> Option<(&str, &str, &str)> {
    let id: OrganId = code.parse().ok()?;
    if id.shape() != OrganIdShape::Strict || id.as_str() != code {
        return None;
    }
    Some((&code[0..3], &code[4..6], &code[7..9]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_lowest_filled_component() {
        assert_eq!(level("000.00.00.G22"), Some(1));
        assert_eq!(level("000.00.11.H53"), Some(2));
        assert_eq!(level("000.46.24.H44"), Some(3));
        assert_eq!(level("001.46.24.H44"), Some(4));
        assert_eq!(level("02.44.W00"), None);
        assert_eq!(level(" 000.00.00.G22"), None);
    }

    #[test]
    fn derived_parents_reset_the_lowest_filled_component() {
        assert_eq!(
            derived_parent("000.46.24.H44").as_deref(),
            Some("000.00.24.H44")
        );
        assert_eq!(
            derived_parent("001.46.24.H44").as_deref(),
            Some("000.46.24.H44")
        );
        assert_eq!(
            derived_parent("000.00.11.H53").as_deref(),
            Some("000.00.00.H53")
        );
        assert_eq!(derived_parent("000.00.00.G22"), None);
    }

    #[test]
    fn agency_codes_must_be_qcvn_102_shaped() {
        assert_eq!(
            agency_code("code", " 000.00.00.G22 ").as_deref(),
            Ok("000.00.00.G22")
        );
        assert_eq!(agency_code("code", "02.44.W00").as_deref(), Ok("02.44.W00"));
        assert_eq!(agency_code("code", ""), Err(CodeError::Empty));
        let err = agency_code("parent_code", "000.00.00.g22").unwrap_err();
        assert!(
            err.to_string().contains("parent_code `000.00.00.g22`"),
            "{err}"
        );
        assert!(agency_code("code", "5b864a15e4b03a0fe7d685b0").is_err());
    }

    #[test]
    fn qd20_codes_are_dotted_capitals_and_digits() {
        assert_eq!(qd20_code("H37.02.02").as_deref(), Ok("H37.02.02"));
        assert_eq!(qd20_code("H37.DN.001").as_deref(), Ok("H37.DN.001"));
        assert!(qd20_code("h37.02").is_err());
        assert!(qd20_code("H37..02").is_err());
        assert!(qd20_code(&"A".repeat(36)).is_err());
    }
}
