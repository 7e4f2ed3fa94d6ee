//! The samples directory a vendor gives the harness: every regular file directly in it is one
//! legacy input (what the agency's system produces), except `connector.toml`, which tells how
//! to configure a connector and how the mock of its legacy system answers. Subdirectories and
//! hidden files are not samples (a `mock/` directory holds the mock's answers).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Largest sample read (the harness keeps samples in memory).
const MAX_SAMPLE: u64 = 256 * 1024 * 1024;
/// Name of the connector settings file inside a samples directory.
pub const CONNECTOR_FILE: &str = "connector.toml";

/// One legacy input.
#[derive(Clone, Debug)]
pub struct Sample {
    /// File name, as reported.
    pub name: String,
    /// MIME type guessed from the extension.
    pub content_type: String,
    /// The bytes.
    pub bytes: bytes::Bytes,
}

/// `connector.toml`: how the harness sets up a connector against its mock legacy system.
/// `{mock}` in any value or secret is replaced by the mock's origin (`http://127.0.0.1:PORT`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConnectorSettings {
    /// Endpoint configuration values, e.g. `base-url = "{mock}"`.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Endpoint secrets, e.g. `api-token = "test"`.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// The mock's answers; a request no route matches gets `200 {}`.
    #[serde(default)]
    pub mock: Vec<MockRoute>,
}

/// One answer of the mock legacy system.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MockRoute {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// Path, without the query, e.g. `/api/outbox`.
    pub path: String,
    /// Status code (default 200).
    #[serde(default = "MockRoute::ok")]
    pub status: u16,
    /// Response body.
    #[serde(default)]
    pub body: String,
    /// Response body from this file, relative to the samples directory (wins over `body`).
    #[serde(default)]
    pub body_file: Option<PathBuf>,
    /// Response content type (default `application/json`).
    #[serde(default = "MockRoute::json")]
    pub content_type: String,
}

impl MockRoute {
    fn ok() -> u16 {
        200
    }

    fn json() -> String {
        "application/json".into()
    }
}

/// The samples and connector settings read from one directory.
#[derive(Clone, Debug, Default)]
pub struct SampleSet {
    /// The inputs, sorted by name.
    pub samples: Vec<Sample>,
    /// `connector.toml`, if present.
    pub connector: Option<ConnectorSettings>,
}

/// A samples directory could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {detail}")]
pub struct SamplesError {
    /// The file or directory.
    pub path: String,
    /// What is wrong.
    pub detail: String,
}

impl SampleSet {
    /// Reads `dir`.
    pub fn read(dir: &Path) -> Result<Self, SamplesError> {
        let err = |p: &Path, detail: String| SamplesError {
            path: p.display().to_string(),
            detail,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| err(dir, e.to_string()))?;
        let mut set = SampleSet::default();
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') || !path.is_file() {
                continue;
            }
            if name == CONNECTOR_FILE {
                let mut settings: ConnectorSettings = toml::from_str(
                    &std::fs::read_to_string(&path).map_err(|e| err(&path, e.to_string()))?,
                )
                .map_err(|e| err(&path, e.to_string()))?;
                for route in &mut settings.mock {
                    if let Some(file) = &route.body_file {
                        let p = dir.join(file);
                        route.body =
                            std::fs::read_to_string(&p).map_err(|e| err(&p, e.to_string()))?;
                    }
                }
                set.connector = Some(settings);
                continue;
            }
            let len = path.metadata().map(|m| m.len()).unwrap_or(0);
            if len > MAX_SAMPLE {
                return Err(err(
                    &path,
                    format!("{len} bytes; samples may be at most {MAX_SAMPLE}"),
                ));
            }
            let bytes = std::fs::read(&path).map_err(|e| err(&path, e.to_string()))?;
            set.samples.push(Sample {
                content_type: content_type(&name).into(),
                name,
                bytes: bytes.into(),
            });
        }
        Ok(set)
    }
}

/// The MIME type a sample is handed to `decode` with, from its extension.
pub fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("json") => "application/json",
        Some("xml" | "edxml") => "application/xml",
        Some("txt" | "csv") => "text/plain",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_the_files_of_the_directory_but_not_the_connector_settings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.json"), "{}").unwrap();
        std::fs::write(dir.path().join("a.xml"), "<x/>").unwrap();
        std::fs::write(dir.path().join(".hidden"), "x").unwrap();
        std::fs::create_dir(dir.path().join("mock")).unwrap();
        std::fs::write(dir.path().join("mock/outbox.json"), "{\"items\":[]}").unwrap();
        std::fs::write(
            dir.path().join(CONNECTOR_FILE),
            "[values]\nbase-url = \"{mock}\"\n[[mock]]\nmethod = \"GET\"\npath = \"/outbox\"\nbody-file = \"mock/outbox.json\"\n",
        )
        .unwrap();
        let set = SampleSet::read(dir.path()).unwrap();
        let names: Vec<_> = set.samples.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a.xml", "b.json"]);
        assert_eq!(set.samples[0].content_type, "application/xml");
        let c = set.connector.unwrap();
        assert_eq!(c.values["base-url"], "{mock}");
        assert_eq!(c.mock[0].body, "{\"items\":[]}");
        assert_eq!(c.mock[0].status, 200);
    }

    #[test]
    fn an_unknown_key_in_the_connector_settings_is_refused_with_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONNECTOR_FILE), "base-url = 1\n").unwrap();
        let e = SampleSet::read(dir.path()).unwrap_err();
        assert!(e.to_string().contains(CONNECTOR_FILE), "{e}");
    }
}
