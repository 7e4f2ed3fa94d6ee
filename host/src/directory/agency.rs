//! Agencies: one row per QCVN 102 code, with its parent, QĐ 20 code, former code and e-mail;
//! look-ups by current or former code, the tree, and keyset-paginated listing.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::store::now_ms;

use super::code::{agency_code, qd20_code};
use super::upsert::{Scope, write_batch};
use super::{Directory, DirectoryError};

/// An agency as the directory holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// Current QCVN 102 code (mã định danh), e.g. `000.00.11.H53`.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Code of the unit above it; it may not (yet) be in the directory.
    pub parent_code: Option<String>,
    /// QĐ 20/2020 code (§3.5).
    pub qd20_code: Option<String>,
    /// The code it had before it was renumbered; documents addressed to it still arrive.
    pub old_code: Option<String>,
    /// E-mail of its clerical office (văn thư); may be empty.
    pub email: String,
    /// Name of the endpoint that hosts it, if any.
    pub endpoint: Option<String>,
}

/// An agency to add or update. Empty optional fields keep what is stored, so a QĐ 20 list can
/// complete a VXP list and the reverse.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAgency {
    /// QCVN 102 code.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Code of the unit above it.
    pub parent_code: Option<String>,
    /// QĐ 20/2020 code.
    pub qd20_code: Option<String>,
    /// Former code: an existing agency with that code is renumbered into this one.
    pub old_code: Option<String>,
    /// E-mail of its clerical office.
    #[serde(default)]
    pub email: String,
}

/// What [`Directory::upsert_agency`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Upserted {
    /// A new agency.
    Inserted,
    /// An existing agency, refreshed.
    Updated,
    /// A new code for an existing agency, whose hosting, QĐ 20 code and children moved to it.
    Renumbered {
        /// The code it had.
        from: String,
    },
}

/// Which agencies [`Directory::list`] returns: all filters combine, ordered by code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgencyFilter {
    /// Only direct children of this code.
    pub parent: Option<String>,
    /// Only codes starting with this text.
    pub prefix: Option<String>,
    /// Only agencies hosted by this endpoint (by name).
    pub endpoint: Option<String>,
    /// At most this many (all when `None`).
    pub limit: Option<u32>,
    /// Only codes after this one: pass the last code of the previous page.
    pub after: Option<String>,
}

/// An agency whose fields have been checked and trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ValidAgency {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    pub qd20_code: Option<String>,
    pub old_code: Option<String>,
    pub email: String,
}

impl NewAgency {
    /// Checks the codes and the name; blank optional fields become `None`.
    pub(super) fn validate(&self) -> Result<ValidAgency, DirectoryError> {
        let code = agency_code("code", &self.code)?;
        let name = self.name.trim();
        if name.is_empty() {
            return Err(DirectoryError::MissingName { code });
        }
        let optional = |field, value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| agency_code(field, v))
                .transpose()
        };
        let parent_code = optional("parent_code", &self.parent_code)?;
        if parent_code.as_deref() == Some(&code) {
            return Err(DirectoryError::OwnParent { code });
        }
        let old_code = optional("old_code", &self.old_code)?.filter(|old| *old != code);
        let qd20_code = self
            .qd20_code
            .as_deref()
            .filter(|v| !v.trim().is_empty())
            .map(qd20_code)
            .transpose()?;
        Ok(ValidAgency {
            name: name.to_owned(),
            parent_code,
            qd20_code,
            old_code,
            email: self.email.trim().to_owned(),
            code,
        })
    }
}

/// The columns of [`Agency`], then the rest of a query.
macro_rules! select_agencies {
    ($rest:literal) => {
        concat!(
            "SELECT a.code, a.name, a.parent_code, a.qd20_code, a.old_code, a.email, e.name AS endpoint \
             FROM agencies a LEFT JOIN endpoints e ON e.id = a.endpoint_id ",
            $rest
        )
    };
}

fn agency_from_row(row: &AnyRow) -> Result<Agency, sqlx::Error> {
    Ok(Agency {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        parent_code: row.try_get("parent_code")?,
        qd20_code: row.try_get("qd20_code")?,
        old_code: row.try_get("old_code")?,
        email: row.try_get("email")?,
        endpoint: row.try_get("endpoint")?,
    })
}

impl Directory {
    /// Adds an agency or updates the one with the same code. If its `old_code` is an existing
    /// agency's code, that agency is renumbered: its row is replaced by this one, which takes
    /// over its hosting endpoint, QĐ 20 code (unless given) and children.
    pub async fn upsert_agency(&self, agency: &NewAgency) -> Result<Upserted, DirectoryError> {
        let valid = agency.validate()?;
        let scope = Scope::of(std::iter::once(&valid));
        let mut tx = self.store.begin().await?;
        let outcome = write_batch(&mut tx, std::slice::from_ref(&valid), &scope, now_ms()).await?;
        if let Some((_, refusal)) = outcome.refused.into_iter().next() {
            return Err(refusal);
        }
        tx.commit().await?;
        Ok(match outcome.renumbered.into_iter().next() {
            Some((from, _)) => Upserted::Renumbered { from },
            None if outcome.inserted == 1 => Upserted::Inserted,
            None => Upserted::Updated,
        })
    }

    /// The agency with this code or, failing that, the one that had it before renumbering.
    pub async fn agency(&self, code: &str) -> Result<Option<Agency>, DirectoryError> {
        let code = code.trim();
        let rows = sqlx::query(select_agencies!("WHERE a.code = $1 OR a.old_code = $1"))
            .bind(code)
            .fetch_all(self.store.pool())
            .await?;
        let agencies = rows
            .iter()
            .map(agency_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(current) = agencies.iter().find(|a| a.code == code) {
            return Ok(Some(current.clone()));
        }
        match agencies.len() {
            0 => Ok(None),
            1 => Ok(agencies.into_iter().next()),
            _ => Err(DirectoryError::AmbiguousFormerCode {
                code: code.to_owned(),
                candidates: agencies.into_iter().map(|a| a.code).collect(),
            }),
        }
    }

    /// Removes the agency with exactly this code (its children stay, parentless).
    pub async fn delete_agency(&self, code: &str) -> Result<(), DirectoryError> {
        let done = sqlx::query("DELETE FROM agencies WHERE code = $1")
            .bind(code.trim())
            .execute(self.store.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(DirectoryError::UnknownAgency(code.trim().to_owned()));
        }
        Ok(())
    }

    /// The agencies whose parent is `code`, ordered by code.
    pub async fn children(&self, code: &str) -> Result<Vec<Agency>, DirectoryError> {
        let rows = sqlx::query(select_agencies!("WHERE a.parent_code = $1 ORDER BY a.code"))
            .bind(code.trim())
            .fetch_all(self.store.pool())
            .await?;
        Ok(rows.iter().map(agency_from_row).collect::<Result<_, _>>()?)
    }

    /// The chain of existing agencies above `code` (current or former), nearest first; it stops
    /// at the first parent that is not in the directory.
    pub async fn ancestors(&self, code: &str) -> Result<Vec<Agency>, DirectoryError> {
        let Some(start) = self.agency(code).await? else {
            return Err(DirectoryError::UnknownAgency(code.trim().to_owned()));
        };
        // Four levels exist (§3.1); the depth bound also stops a cycle in bad data.
        let rows = sqlx::query(
            "WITH RECURSIVE up(code, depth) AS ( \
                 SELECT parent_code, 1 FROM agencies WHERE code = $1 \
                 UNION ALL \
                 SELECT a.parent_code, up.depth + 1 FROM agencies a JOIN up ON a.code = up.code \
                 WHERE up.depth < 16 \
             ) \
             SELECT a.code, a.name, a.parent_code, a.qd20_code, a.old_code, a.email, e.name AS endpoint \
             FROM up JOIN agencies a ON a.code = up.code \
             LEFT JOIN endpoints e ON e.id = a.endpoint_id ORDER BY up.depth",
        )
        .bind(&start.code)
        .fetch_all(self.store.pool())
        .await?;
        let mut chain: Vec<Agency> = Vec::with_capacity(rows.len());
        for row in &rows {
            let agency = agency_from_row(row)?;
            if agency.code == start.code || chain.iter().any(|a| a.code == agency.code) {
                break;
            }
            chain.push(agency);
        }
        Ok(chain)
    }

    /// One page of agencies matching `filter`, ordered by code.
    pub async fn list(&self, filter: &AgencyFilter) -> Result<Vec<Agency>, DirectoryError> {
        let mut values: Vec<&str> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        // Binds a value and returns its placeholder number.
        let mut bind = |value| {
            values.push(value);
            values.len()
        };
        if let Some(parent) = &filter.parent {
            let n = bind(parent.trim());
            conditions.push(format!("a.parent_code = ${n}"));
        }
        if let Some(prefix) = &filter.prefix {
            // substr, not LIKE: exact and case-sensitive on both backends.
            let n = bind(prefix.trim());
            conditions.push(format!("substr(a.code, 1, length(${n})) = ${n}"));
        }
        if let Some(endpoint) = &filter.endpoint {
            let n = bind(endpoint.trim());
            conditions.push(format!("e.name = ${n}"));
        }
        if let Some(after) = &filter.after {
            let n = bind(after.trim());
            conditions.push(format!("a.code > ${n}"));
        }
        let mut sql = String::from(select_agencies!(""));
        if !conditions.is_empty() {
            sql.push_str("WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        sql.push_str(" ORDER BY a.code");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for value in values {
            query = query.bind(value);
        }
        let rows = query.fetch_all(self.store.pool()).await?;
        Ok(rows.iter().map(agency_from_row).collect::<Result<_, _>>()?)
    }

    /// How many agencies the directory holds.
    pub async fn count(&self) -> Result<u64, DirectoryError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agencies")
            .fetch_one(self.store.pool())
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(code: &str, name: &str) -> NewAgency {
        NewAgency {
            code: code.into(),
            name: name.into(),
            ..NewAgency::default()
        }
    }

    #[test]
    fn validation_trims_and_drops_blank_optional_fields() {
        let mut a = new(" 000.00.11.H53 ", " Sở Tài chính ");
        a.parent_code = Some("  ".into());
        a.qd20_code = Some(" H53.11 ".into());
        a.old_code = Some("000.00.11.H53".into());
        let v = a.validate().expect("valid");
        assert_eq!(v.code, "000.00.11.H53");
        assert_eq!(v.name, "Sở Tài chính");
        assert_eq!(v.parent_code, None);
        assert_eq!(v.qd20_code.as_deref(), Some("H53.11"));
        assert_eq!(
            v.old_code, None,
            "a former code equal to the code is no renumbering"
        );
    }

    #[test]
    fn validation_names_the_bad_field() {
        let mut a = new("000.00.11.H53", "Sở Tài chính");
        a.parent_code = Some("tinh-tay-ninh".into());
        let err = a.validate().unwrap_err().to_string();
        assert!(err.contains("parent_code `tinh-tay-ninh`"), "{err}");
        assert!(matches!(
            new("000.00.11.H53", " ").validate(),
            Err(DirectoryError::MissingName { .. })
        ));
        let mut own = new("000.00.11.H53", "Sở");
        own.parent_code = Some("000.00.11.H53".into());
        assert!(matches!(
            own.validate(),
            Err(DirectoryError::OwnParent { .. })
        ));
    }
}
