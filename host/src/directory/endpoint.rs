//! Endpoints: the connection of one QLVB system. Each hosts one or more agencies
//! ([`super::hosting`]), authenticates with an API key or VXP credentials, and receives through
//! a pull mailbox or through its adapter (push or poll; [`super::binding`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::store::{StoreError, now_ms};

use super::binding::adapter_ref;
use super::credentials::{Credentials, key_hash, same_digest, well_formed};
use super::hosting::{host_in, unique_codes};
use super::{Directory, DirectoryError};

/// How an endpoint receives its documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// It fetches its mailbox and acknowledges (REST or VXP `getReceivedEdocList`).
    Pull,
    /// The hub delivers to it through its connector adapter.
    Push,
    /// The hub polls its system through its adapter.
    Poll,
}

impl Mode {
    /// The stored form: `pull`, `push` or `poll`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Pull => "pull",
            Mode::Push => "push",
            Mode::Poll => "poll",
        }
    }

    /// Whether this mode goes through an adapter.
    pub fn needs_adapter(self) -> bool {
        self != Mode::Pull
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pull" => Ok(Mode::Pull),
            "push" => Ok(Mode::Push),
            "poll" => Ok(Mode::Poll),
            other => Err(format!("delivery mode `{other}` is not pull, push or poll")),
        }
    }
}

/// An endpoint as the directory holds it (its secrets stay in the store).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Endpoint {
    /// Row id, referenced by deliveries.
    pub id: i64,
    /// Unique name, `[a-z0-9-]{1,64}`.
    pub name: String,
    /// How it receives.
    pub mode: Mode,
    /// Its national-axis SDK system id, if it speaks the VXP API.
    pub vxp_system_id: Option<String>,
    /// Active adapter, `name@version`.
    pub adapter: Option<String>,
    /// Origins the operator lets its adapter reach.
    pub granted_origins: Vec<String>,
    /// The adapter's configuration (a JSON object).
    pub adapter_config: serde_json::Value,
    /// When it was added (Unix ms).
    pub created_at: i64,
}

/// An endpoint to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEndpoint {
    /// Unique name, `[a-z0-9-]{1,64}`.
    pub name: String,
    /// How it receives.
    pub mode: Mode,
    /// Codes of the agencies it hosts; they must exist and be hosted nowhere else.
    pub agencies: Vec<String>,
    /// VXP system id and HMAC secret, for a QLVB built on the national-axis SDK.
    pub vxp: Option<(String, String)>,
    /// Adapter `name@version`; required for push and poll.
    pub adapter: Option<String>,
}

/// The columns of [`Endpoint`], then the rest of a query.
macro_rules! select_endpoints {
    ($rest:literal) => {
        concat!(
            "SELECT id, name, mode, vxp_system_id, adapter, adapter_config, granted_origins, created_at \
             FROM endpoints ",
            $rest
        )
    };
}

/// Reads an [`Endpoint`] from a row with the columns of `select_endpoints!`.
pub(super) fn endpoint_from_row(row: &AnyRow) -> Result<Endpoint, StoreError> {
    let name: String = row.try_get("name")?;
    let corrupt = |what: &str, e: &dyn fmt::Display| {
        StoreError::Corrupt(format!("endpoint {name}: {what}: {e}"))
    };
    let mode: String = row.try_get("mode")?;
    let config: String = row.try_get("adapter_config")?;
    let origins: String = row.try_get("granted_origins")?;
    Ok(Endpoint {
        id: row.try_get("id")?,
        mode: mode.parse().map_err(|e: String| corrupt("mode", &e))?,
        vxp_system_id: row.try_get("vxp_system_id")?,
        adapter: row.try_get("adapter")?,
        adapter_config: serde_json::from_str(&config).map_err(|e| corrupt("adapter_config", &e))?,
        granted_origins: serde_json::from_str(&origins)
            .map_err(|e| corrupt("granted_origins", &e))?,
        created_at: row.try_get("created_at")?,
        name,
    })
}

/// Checks an endpoint name: 1–64 characters of `a-z`, `0-9` and `-`.
fn endpoint_name(name: &str) -> Result<&str, DirectoryError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    if ok {
        Ok(name)
    } else {
        Err(DirectoryError::InvalidEndpointName(name.to_owned()))
    }
}

impl Directory {
    /// Adds an endpoint hosting `new.agencies`, and returns it with its API key — the only time
    /// the key is shown.
    pub async fn add_endpoint(
        &self,
        new: &NewEndpoint,
    ) -> Result<(Endpoint, Credentials), DirectoryError> {
        let name = endpoint_name(&new.name)?;
        let adapter = new.adapter.as_deref().map(adapter_ref).transpose()?;
        if new.mode.needs_adapter() && adapter.is_none() {
            return Err(DirectoryError::AdapterRequired {
                endpoint: name.to_owned(),
                mode: new.mode,
            });
        }
        let vxp = match &new.vxp {
            Some((system_id, secret)) => Some(vxp_credentials(system_id, secret)?),
            None => None,
        };
        let codes = unique_codes(&new.agencies);
        let credentials = Credentials::generate();
        let now = now_ms();

        let mut tx = self.store.begin().await?;
        let taken = sqlx::query("SELECT 1 FROM endpoints WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(DirectoryError::EndpointExists(name.to_owned()));
        }
        if let Some((system_id, _)) = &vxp {
            let holder: Option<String> =
                sqlx::query_scalar("SELECT name FROM endpoints WHERE vxp_system_id = $1")
                    .bind(system_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(endpoint) = holder {
                return Err(DirectoryError::VxpSystemTaken {
                    system_id: system_id.clone(),
                    endpoint,
                });
            }
        }
        let row = sqlx::query(
            "INSERT INTO endpoints (name, mode, api_key_hash, vxp_system_id, vxp_secret, adapter, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             RETURNING id, name, mode, vxp_system_id, adapter, adapter_config, granted_origins, created_at",
        )
        .bind(name)
        .bind(new.mode.as_str())
        .bind(credentials.hash())
        .bind(vxp.as_ref().map(|(id, _)| id.as_str()))
        .bind(vxp.as_ref().map(|(_, secret)| secret.as_str()))
        .bind(adapter.as_deref())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let endpoint = endpoint_from_row(&row)?;
        host_in(&mut tx, &endpoint, &codes, now).await?;
        tx.commit().await?;
        Ok((endpoint, credentials))
    }

    /// The endpoint named `name`.
    pub async fn endpoint(&self, name: &str) -> Result<Option<Endpoint>, DirectoryError> {
        let row = sqlx::query(select_endpoints!("WHERE name = $1"))
            .bind(name.trim())
            .fetch_optional(self.store.pool())
            .await?;
        Ok(row.as_ref().map(endpoint_from_row).transpose()?)
    }

    /// Every endpoint, by name.
    pub async fn endpoints(&self) -> Result<Vec<Endpoint>, DirectoryError> {
        let rows = sqlx::query(select_endpoints!("ORDER BY name"))
            .fetch_all(self.store.pool())
            .await?;
        Ok(rows
            .iter()
            .map(endpoint_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// The endpoint whose API key is `key`, if any.
    pub async fn endpoint_by_api_key(&self, key: &str) -> Result<Option<Endpoint>, DirectoryError> {
        if !well_formed(key) {
            return Ok(None);
        }
        let presented = key_hash(key);
        let row = sqlx::query(
            "SELECT id, name, mode, vxp_system_id, adapter, adapter_config, granted_origins, created_at, \
             api_key_hash FROM endpoints WHERE api_key_hash = $1",
        )
        .bind(&presented)
        .fetch_optional(self.store.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        // The index found the row; comparing again in constant time keeps the decision itself
        // free of early exits.
        let stored: String = row.try_get("api_key_hash")?;
        if !same_digest(&stored, &presented) {
            return Ok(None);
        }
        Ok(Some(endpoint_from_row(&row)?))
    }

    /// The endpoint with VXP system id `system_id`, and its HMAC secret.
    pub async fn endpoint_by_vxp_system(
        &self,
        system_id: &str,
    ) -> Result<Option<(Endpoint, String)>, DirectoryError> {
        let row = sqlx::query(
            "SELECT id, name, mode, vxp_system_id, adapter, adapter_config, granted_origins, created_at, \
             vxp_secret FROM endpoints WHERE vxp_system_id = $1",
        )
        .bind(system_id.trim())
        .fetch_optional(self.store.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let secret: Option<String> = row.try_get("vxp_secret")?;
        let endpoint = endpoint_from_row(&row)?;
        let secret = secret.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "endpoint {} has a VXP system id but no secret",
                endpoint.name
            ))
        })?;
        Ok(Some((endpoint, secret)))
    }

    /// Issues a new API key for endpoint `name`; the old key stops working at once.
    pub async fn rotate_key(&self, name: &str) -> Result<Credentials, DirectoryError> {
        let credentials = Credentials::generate();
        let done = sqlx::query("UPDATE endpoints SET api_key_hash = $1 WHERE name = $2")
            .bind(credentials.hash())
            .bind(name.trim())
            .execute(self.store.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(DirectoryError::UnknownEndpoint(name.trim().to_owned()));
        }
        Ok(credentials)
    }
}

/// Checks VXP credentials: a system id without spaces, and a non-empty secret.
fn vxp_credentials(system_id: &str, secret: &str) -> Result<(String, String), DirectoryError> {
    let system_id = system_id.trim();
    if system_id.is_empty()
        || system_id.len() > 128
        || system_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(DirectoryError::InvalidVxp(format!(
            "system id `{system_id}` must be 1–128 characters without spaces, as issued with the secret"
        )));
    }
    if secret.trim().is_empty() {
        return Err(DirectoryError::InvalidVxp(format!(
            "the secret of system id {system_id} is empty; give the secret issued with it"
        )));
    }
    Ok((system_id.to_owned(), secret.trim().to_owned()))
}

/// The endpoint named `name`, inside a transaction.
pub(super) async fn endpoint_in(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Endpoint, DirectoryError> {
    let row = sqlx::query(select_endpoints!("WHERE name = $1"))
        .bind(name.trim())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(endpoint_from_row(&row)?),
        None => Err(DirectoryError::UnknownEndpoint(name.trim().to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_names_are_short_lowercase_slugs() {
        assert!(endpoint_name("so-tai-chinh-h53").is_ok());
        assert!(endpoint_name("").is_err());
        assert!(endpoint_name("Sở").is_err());
        assert!(endpoint_name("a_b").is_err());
        assert!(endpoint_name(&"a".repeat(65)).is_err());
    }

    #[test]
    fn modes_round_trip_through_their_stored_form() {
        for mode in [Mode::Pull, Mode::Push, Mode::Poll] {
            assert_eq!(mode.as_str().parse::<Mode>(), Ok(mode));
        }
        assert!("fetch".parse::<Mode>().is_err());
    }
}
