//! Adapter binding: the adapter generation (`name@version`) an endpoint goes through, its
//! configuration, and the origins the operator lets it reach.

use super::endpoint::endpoint_in;
use super::{Directory, DirectoryError};

/// Checks an adapter reference `name@version`: the name as adapter manifests spell it
/// (lower-case, digits, `-`, starting with a letter), the version in SemVer.
pub(super) fn adapter_ref(adapter: &str) -> Result<String, DirectoryError> {
    let adapter = adapter.trim();
    let bad = || DirectoryError::InvalidAdapter(adapter.to_owned());
    let (name, version) = adapter.split_once('@').ok_or_else(bad)?;
    let name_ok = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    if !name_ok || semver::Version::parse(version).is_err() {
        return Err(bad());
    }
    Ok(adapter.to_owned())
}

/// Checks a granted origin (`scheme://host[:port]`, `*.` and `:*` allowed, as the runtime's
/// grants read them) and returns it in lower case without a trailing slash.
fn granted_origin(origin: &str) -> Result<String, DirectoryError> {
    let origin = origin.trim();
    let bad = || DirectoryError::InvalidOrigin(origin.to_owned());
    let lower = origin.to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(bad)?;
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        // An IPv6 literal: `[::1]:8080`.
        let (addr, after) = v6.split_once(']').ok_or_else(bad)?;
        if addr.is_empty() || !addr.bytes().all(|c| c.is_ascii_hexdigit() || c == b':') {
            return Err(bad());
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(bad)?),
        };
        (None, port)
    } else {
        match rest.rsplit_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(rest), None),
        }
    };
    if let Some(host) = host {
        let domain = host.strip_prefix("*.").unwrap_or(host);
        let ok = !domain.is_empty()
            && domain
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');
        if !ok {
            return Err(bad());
        }
    }
    if let Some(port) = port
        && port != "*"
        && !port.parse::<u16>().is_ok_and(|p| p > 0)
    {
        return Err(bad());
    }
    Ok(format!("{scheme}://{rest}"))
}

impl Directory {
    /// Binds endpoint `name` to `adapter` (`name@version`, or none for a pull endpoint), with
    /// its configuration (a JSON object) and the origins its adapter may reach.
    pub async fn set_adapter(
        &self,
        name: &str,
        adapter: Option<String>,
        config: serde_json::Value,
        granted_origins: Vec<String>,
    ) -> Result<(), DirectoryError> {
        let adapter = adapter.as_deref().map(adapter_ref).transpose()?;
        if !config.is_object() {
            return Err(DirectoryError::InvalidAdapterConfig(config.to_string()));
        }
        let mut origins = granted_origins
            .iter()
            .map(|o| granted_origin(o))
            .collect::<Result<Vec<_>, _>>()?;
        origins.sort();
        origins.dedup();
        let mut tx = self.store.begin().await?;
        let endpoint = endpoint_in(&mut tx, name).await?;
        if endpoint.mode.needs_adapter() && adapter.is_none() {
            return Err(DirectoryError::AdapterRequired {
                endpoint: endpoint.name,
                mode: endpoint.mode,
            });
        }
        sqlx::query(
            "UPDATE endpoints SET adapter = $1, adapter_config = $2, granted_origins = $3 WHERE id = $4",
        )
        .bind(adapter.as_deref())
        .bind(config.to_string())
        .bind(serde_json::Value::from(origins).to_string())
        .bind(endpoint.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adapters_are_name_at_semver() {
        assert_eq!(
            adapter_ref(" json-office@1.2.0 ").ok().as_deref(),
            Some("json-office@1.2.0")
        );
        assert!(adapter_ref("json-office").is_err());
        assert!(adapter_ref("json-office@1.2").is_err());
        assert!(adapter_ref("Json@1.0.0").is_err());
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            granted_origin("HTTPS://QLVB.Example.gov.vn/")
                .ok()
                .as_deref(),
            Some("https://qlvb.example.gov.vn")
        );
        for good in [
            "http://10.0.0.5:8080",
            "https://*.example.gov.vn",
            "http://127.0.0.1:*",
            "http://[::1]:8080",
        ] {
            assert!(granted_origin(good).is_ok(), "{good}");
        }
        for bad in [
            "qlvb.example.gov.vn",
            "ftp://x",
            "https://x/api",
            "https://u@x",
            "http://x:0",
            "http://x:99999",
            "https://",
        ] {
            assert!(granted_origin(bad).is_err(), "{bad}");
        }
    }
}
