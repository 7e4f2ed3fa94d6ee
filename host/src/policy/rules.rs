//! Signed-not-scanned rules: what to do with a document whose PDF attachments are not all
//! digitally signed — per sending agency, else per document type, else the default.

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use super::PolicyError;
use crate::store::{Store, now_ms};

/// What a rule does with an unsigned PDF.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Refuse the package.
    Refuse,
    /// Accept it with a warning in the receipt and a flag in the reports.
    Flag,
    /// Accept it and only count it (the default).
    Count,
}

impl Mode {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Refuse => "refuse",
            Mode::Flag => "flag",
            Mode::Count => "count",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "refuse" => Ok(Mode::Refuse),
            "flag" => Ok(Mode::Flag),
            "count" => Ok(Mode::Count),
            _ => Err(PolicyError::Invalid(format!(
                "`{s}` is not a signature mode: refuse, flag or count"
            ))),
        }
    }
}

/// What a rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Documents sent by one agency (the most specific).
    Agency,
    /// Documents of one catalogue type.
    Type,
    /// Everything else (`key` is `*`).
    Default,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Agency => "agency",
            Scope::Type => "type",
            Scope::Default => "default",
        }
    }
}

/// One rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rule {
    /// What it applies to.
    pub scope: Scope,
    /// The agency code, the type code, or `*`.
    pub key: String,
    /// What it does.
    pub mode: Mode,
}

/// Every rule.
pub async fn list(store: &Store) -> Result<Vec<Rule>, PolicyError> {
    let mut conn = store.pool().acquire().await?;
    all(&mut conn).await
}

/// Every rule, read through `conn`.
pub(crate) async fn all(conn: &mut AnyConnection) -> Result<Vec<Rule>, PolicyError> {
    let rows = sqlx::query("SELECT scope, key, mode FROM signature_rules ORDER BY scope, key")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let scope: String = r.try_get("scope")?;
            let mode: String = r.try_get("mode")?;
            Ok(Rule {
                scope: match scope.as_str() {
                    "agency" => Scope::Agency,
                    "type" => Scope::Type,
                    _ => Scope::Default,
                },
                key: r.try_get("key")?,
                mode: mode.parse()?,
            })
        })
        .collect()
}

/// Sets a rule (replacing the one with the same scope and key).
pub async fn set(store: &Store, rule: &Rule) -> Result<(), PolicyError> {
    let key = match rule.scope {
        Scope::Default => "*",
        _ => rule.key.trim(),
    };
    if key.is_empty() {
        return Err(PolicyError::Invalid(
            "a rule for an agency or a type needs its code".into(),
        ));
    }
    sqlx::query(
        "INSERT INTO signature_rules (scope, key, mode, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (scope, key) DO UPDATE SET mode = $3, updated_at = $4",
    )
    .bind(rule.scope.as_str())
    .bind(key)
    .bind(rule.mode.as_str())
    .bind(now_ms())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The mode for a document from `sender` of catalogue type `doc_type` among `rules`, and
/// which rule gave it: the agency's rule, else the type's, else the default (count).
pub fn mode_in(rules: &[Rule], sender: &str, doc_type: Option<&str>) -> (Mode, String) {
    let agency = rules
        .iter()
        .find(|r| r.scope == Scope::Agency && r.key == sender);
    let of_type =
        || doc_type.and_then(|t| rules.iter().find(|r| r.scope == Scope::Type && r.key == t));
    match agency.or_else(of_type) {
        Some(r) => (r.mode, format!("{} {}", r.scope.as_str(), r.key)),
        None => match rules.iter().find(|r| r.scope == Scope::Default) {
            Some(r) => (r.mode, "default".into()),
            None => (Mode::Count, "default".into()),
        },
    }
}
