//! The paperless catalogue: which document types may travel without a paper copy (QĐ 28/2018,
//! NĐ 30/2020 Art. 7; reference §1, §4.8). Seeded by migration 0003, kept by the operator.

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use super::PolicyError;
use crate::edxml::Document;
use crate::store::{Store, now_ms};

/// One document type of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DocType {
    /// Its code: the NĐ 30 Annex III abbreviation (`QĐ`, `TTr`, …), `CV` for công văn.
    pub code: String,
    /// The `TypeName` it matches, e.g. `Quyết định`.
    pub name: String,
    /// `administrative`, `legal-normative` or `other`.
    pub category: String,
    /// Whether it may travel without paper; when false the package must carry `Paper=1`.
    pub paperless: bool,
}

/// The whole catalogue, by code.
pub async fn list(store: &Store) -> Result<Vec<DocType>, PolicyError> {
    let mut conn = store.pool().acquire().await?;
    all(&mut conn).await
}

/// The whole catalogue, read through `conn`.
pub(crate) async fn all(conn: &mut AnyConnection) -> Result<Vec<DocType>, PolicyError> {
    let rows = sqlx::query("SELECT code, name, category, paperless FROM doc_types ORDER BY code")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DocType {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                category: r.try_get("category")?,
                paperless: r.try_get::<i64, _>("paperless")? != 0,
            })
        })
        .collect()
}

/// What an operator changes about a type.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocTypeChange {
    /// May it travel without paper?
    pub paperless: Option<bool>,
    /// Its `TypeName` (required for a new type).
    pub name: Option<String>,
    /// Its category (a new type defaults to `other`).
    pub category: Option<String>,
}

/// Adds or changes the type `code`; returns it as stored.
pub async fn set(
    store: &Store,
    code: &str,
    change: &DocTypeChange,
) -> Result<DocType, PolicyError> {
    let code = code.trim();
    if code.is_empty() || code.chars().count() > 20 {
        return Err(PolicyError::Invalid(format!(
            "`{code}` is not a document-type code: 1 to 20 characters, e.g. QĐ or CV"
        )));
    }
    if let Some(c) = &change.category
        && !["administrative", "legal-normative", "other"].contains(&c.as_str())
    {
        return Err(PolicyError::Invalid(format!(
            "category `{c}` is not administrative, legal-normative or other"
        )));
    }
    let mut tx = store.begin().await?;
    let existing = all(&mut tx).await?.into_iter().find(|t| t.code == code);
    let merged = match existing {
        Some(t) => DocType {
            code: t.code,
            name: change.name.clone().unwrap_or(t.name),
            category: change.category.clone().unwrap_or(t.category),
            paperless: change.paperless.unwrap_or(t.paperless),
        },
        None => DocType {
            code: code.to_owned(),
            name: change.name.clone().ok_or_else(|| {
                PolicyError::Invalid(format!(
                    "type `{code}` is not in the catalogue; give its name (the TypeName packages carry) to add it"
                ))
            })?,
            category: change.category.clone().unwrap_or_else(|| "other".into()),
            paperless: change.paperless.unwrap_or(true),
        },
    };
    sqlx::query(
        "INSERT INTO doc_types (code, name, category, paperless, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (code) DO UPDATE SET name = $2, category = $3, paperless = $4, updated_at = $5",
    )
    .bind(&merged.code)
    .bind(&merged.name)
    .bind(&merged.category)
    .bind(i64::from(merged.paperless))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(merged)
}

fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The catalogue type of `doc`: by its `TypeName`, else by its notation's prefix.
pub fn classify_in(types: &[DocType], doc: &Document) -> Option<DocType> {
    let name = normalize(&doc.document_type.type_name);
    if !name.is_empty()
        && let Some(t) = types
            .iter()
            .find(|t| normalize(&t.name) == name || normalize(&t.code) == name)
    {
        return Some(t.clone());
    }
    let prefix = doc
        .code
        .notation
        .split('-')
        .next()
        .unwrap_or_default()
        .trim();
    types.iter().find(|t| t.code == prefix).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edxml::{Code, DocumentType};

    fn t(code: &str, name: &str, paperless: bool) -> DocType {
        DocType {
            code: code.into(),
            name: name.into(),
            category: "administrative".into(),
            paperless,
        }
    }

    fn doc(type_name: &str, notation: &str) -> Document {
        Document {
            document_type: DocumentType {
                type_name: type_name.into(),
                ..DocumentType::default()
            },
            code: Code {
                number: "1".into(),
                notation: notation.into(),
            },
            ..Document::default()
        }
    }

    #[test]
    fn the_type_name_wins_then_the_notation() {
        let types = [t("QĐ", "Quyết định", true), t("TT", "Thông tư", false)];
        assert_eq!(
            classify_in(&types, &doc("  THÔNG   TƯ ", "QĐ-BNV"))
                .unwrap()
                .code,
            "TT"
        );
        assert_eq!(classify_in(&types, &doc("", "QĐ-BNV")).unwrap().code, "QĐ");
        assert_eq!(classify_in(&types, &doc("tt", "")).unwrap().code, "TT");
        assert!(classify_in(&types, &doc("Văn bản lạ", "UBND-VX")).is_none());
    }
}
