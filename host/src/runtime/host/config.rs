//! Endpoint configuration and secrets: what the operator set for one adapter on one endpoint
//! (WIT `host.config`, `host.secret`). Adapters see values only through these imports, never
//! through environment variables or files.

use std::collections::BTreeMap;
use std::fmt;

/// Values and secrets for one adapter binding.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AdapterConfig {
    values: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
}

impl AdapterConfig {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a value (e.g. `base-url`).
    pub fn with_value(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.values.insert(key.into(), value.into());
        self
    }

    /// Sets a secret (e.g. `api-token`).
    pub fn with_secret(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.secrets.insert(key.into(), value.into());
        self
    }

    /// A value.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A secret.
    pub fn secret(&self, key: &str) -> Option<&str> {
        self.secrets.get(key).map(String::as_str)
    }

    /// The values (not the secrets), for display.
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }

    /// The names of the secrets (never their values), for display.
    pub fn secret_names(&self) -> impl Iterator<Item = &str> {
        self.secrets.keys().map(String::as_str)
    }
}

impl fmt::Debug for AdapterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdapterConfig")
            .field("values", &self.values)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secret_values() {
        let c = AdapterConfig::new()
            .with_value("base-url", "http://x")
            .with_secret("token", "s3cr3t");
        let shown = format!("{c:?}");
        assert!(shown.contains("token") && shown.contains("http://x"));
        assert!(!shown.contains("s3cr3t"));
        assert_eq!(c.secret("token"), Some("s3cr3t"));
    }
}
