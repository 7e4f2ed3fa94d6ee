//! The adapter manifest (`manifest.toml`): who the adapter is, which contract and world it
//! implements, what it asks for (outbound origins) and the budget it needs per call.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::grants::OriginPattern;
use super::units::{ByteSize, Span};

/// A parsed, validated manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    /// Identity and contract.
    pub adapter: AdapterSection,
    /// What the adapter asks the operator for.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// The budget of one call.
    #[serde(default)]
    pub limits: Limits,
}

/// `[adapter]`: identity and contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AdapterSection {
    /// Lower-case name, e.g. `json-office`.
    pub name: AdapterName,
    /// Semantic version of the adapter itself.
    pub version: semver::Version,
    /// Who wrote and supports it.
    pub vendor: String,
    /// One sentence for operators.
    #[serde(default)]
    pub description: String,
    /// The WIT contract it was built against, e.g. `truc:adapter@0.1.0`.
    pub contract: ContractRef,
    /// `codec` or `connector`.
    pub world: World,
}

/// `[capabilities]`: requests, granted only where the operator agrees.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Capabilities {
    /// Origins the adapter wants to reach over HTTP (connector world only).
    #[serde(default)]
    pub outbound: Vec<OriginPattern>,
}

/// `[limits]`: the budget of one call. The operator's ceilings apply on top.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Limits {
    /// Linear-memory cap of one instance.
    #[serde(default = "Limits::default_memory")]
    pub memory: ByteSize,
    /// Wall-clock deadline of one call.
    #[serde(default = "Limits::default_timeout")]
    pub timeout: Span,
    /// Cap on the bytes one call may write into blobs (payloads and attachments).
    #[serde(default = "Limits::default_output")]
    pub output: ByteSize,
}

impl Limits {
    fn default_memory() -> ByteSize {
        ByteSize::mib(64)
    }

    fn default_timeout() -> Span {
        Span::secs(5)
    }

    fn default_output() -> ByteSize {
        ByteSize::mib(64)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory: Self::default_memory(),
            timeout: Self::default_timeout(),
            output: Self::default_output(),
        }
    }
}

/// The two kinds of adapter (the WIT worlds `codec-adapter` and `connector-adapter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum World {
    /// Pure translation.
    Codec,
    /// Translation plus delivery and polling over HTTP.
    Connector,
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            World::Codec => "codec",
            World::Connector => "connector",
        })
    }
}

/// An adapter name: 1–64 characters of `a-z`, `0-9` and `-`, starting with a letter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AdapterName(String);

impl AdapterName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for AdapterName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (1..=64).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.ends_with('-');
        if ok {
            Ok(AdapterName(s.to_owned()))
        } else {
            Err(format!(
                "adapter name `{s}` must be 1-64 characters of a-z, 0-9 and '-', starting with a letter"
            ))
        }
    }
}

impl TryFrom<String> for AdapterName {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<AdapterName> for String {
    fn from(n: AdapterName) -> String {
        n.0
    }
}

impl fmt::Display for AdapterName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A reference to a contract version: `truc:adapter@0.1.0`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContractRef(pub semver::Version);

impl FromStr for ContractRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let v = s.strip_prefix("truc:adapter@").ok_or_else(|| {
            format!(
                "contract `{s}` must be written `truc:adapter@<version>`, e.g. `truc:adapter@0.1.0`"
            )
        })?;
        semver::Version::parse(v)
            .map(ContractRef)
            .map_err(|e| format!("contract `{s}`: `{v}` is not a version ({e})"))
    }
}

impl TryFrom<String> for ContractRef {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ContractRef> for String {
    fn from(c: ContractRef) -> String {
        c.to_string()
    }
}

impl fmt::Display for ContractRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "truc:adapter@{}", self.0)
    }
}

/// Why a manifest was refused.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Not UTF-8.
    #[error("manifest.toml is not UTF-8 text")]
    NotUtf8,
    /// TOML syntax or a field's value is wrong.
    #[error("manifest.toml: {0}")]
    Toml(String),
    /// Fields disagree with each other.
    #[error("manifest.toml: {0}")]
    Inconsistent(String),
}

/// Ceiling on what any manifest may ask for, so a typo cannot reserve the machine.
pub const MAX_MEMORY: ByteSize = ByteSize(4 << 30);
/// Longest deadline a manifest may declare.
pub const MAX_TIMEOUT: Span = Span::secs(300);

impl Manifest {
    /// Parses and checks a manifest.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        let text = std::str::from_utf8(bytes).map_err(|_| ManifestError::NotUtf8)?;
        let m: Manifest = toml::from_str(text)
            .map_err(|e| ManifestError::Toml(e.to_string().trim_end().replace('\n', "\n  ")))?;
        m.check()?;
        Ok(m)
    }

    fn check(&self) -> Result<(), ManifestError> {
        let bad = |m: String| Err(ManifestError::Inconsistent(m));
        if self.adapter.world == World::Codec && !self.capabilities.outbound.is_empty() {
            return bad(format!(
                "a codec adapter cannot request outbound origins ({}); declare `world = \"connector\"`",
                self.capabilities.outbound[0]
            ));
        }
        if self.adapter.vendor.trim().is_empty() {
            return bad("`adapter.vendor` must name who supports the adapter".into());
        }
        let l = &self.limits;
        if l.memory.0 < ByteSize::mib(1).0 || l.memory > MAX_MEMORY {
            return bad(format!(
                "`limits.memory` = {} is outside 1 MiB..{MAX_MEMORY}",
                l.memory
            ));
        }
        if l.timeout.0.is_zero() || l.timeout > MAX_TIMEOUT {
            return bad(format!(
                "`limits.timeout` = {} is outside 1ms..{MAX_TIMEOUT}",
                l.timeout
            ));
        }
        if l.output.0 == 0 {
            return bad("`limits.output` must be more than 0".into());
        }
        Ok(())
    }

    /// `name@version`, how operators refer to a generation.
    pub fn id(&self) -> String {
        format!("{}@{}", self.adapter.name, self.adapter.version)
    }

    /// Renders the manifest as TOML (for `inspect` and packaging).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[adapter]
name = "json-office"
version = "1.2.0"
vendor = "Example Software JSC"
contract = "truc:adapter@0.1.0"
world = "connector"

[capabilities]
outbound = ["http://127.0.0.1:8080"]

[limits]
memory = "32 MiB"
timeout = "2s"
"#;

    #[test]
    fn a_complete_manifest_parses_with_defaults_filled_in() {
        let m = Manifest::parse(GOOD.as_bytes()).unwrap();
        assert_eq!(m.id(), "json-office@1.2.0");
        assert_eq!(m.adapter.world, World::Connector);
        assert_eq!(m.adapter.contract.0, semver::Version::new(0, 1, 0));
        assert_eq!(m.limits.memory, ByteSize::mib(32));
        assert_eq!(m.limits.output, ByteSize::mib(64), "default output cap");
        let again = Manifest::parse(m.to_toml().as_bytes()).unwrap();
        assert_eq!(again, m, "rendering and parsing again changes nothing");
    }
}
