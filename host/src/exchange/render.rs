//! Stored packages back out: as canonical edXML bytes for pull receivers and the VXP surface,
//! or as a canonical message (package + attachment blobs) for an adapter.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom, Write};

use sqlx::Row;

use crate::edxml::{self, Attachment, AttachmentSource, Package};
use crate::runtime::{Blob, CanonicalMessage};
use crate::store::{Store, StoreError, attachments};

/// A stored package with its attachments spooled to temporary files.
pub struct Loaded {
    /// The package.
    pub package: Package,
    files: HashMap<String, std::fs::File>,
}

/// Loads package `id` and its attachments.
pub async fn load(store: &Store, id: i64) -> Result<Option<Loaded>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let Some(row) = sqlx::query("SELECT model FROM packages WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let model: String = row.try_get("model")?;
    let package: Package = serde_json::from_str(&model)
        .map_err(|e| StoreError::Corrupt(format!("package {id}: {e}")))?;
    let mut files = HashMap::new();
    if let Package::Document(d) = &package {
        let shas = sqlx::query("SELECT position, sha256 FROM package_attachments WHERE package_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
        for r in shas {
            let position: i64 = r.try_get("position")?;
            let sha: String = r.try_get("sha256")?;
            let Some(att) = d.attachments.get(position as usize) else {
                continue;
            };
            let mut file = tempfile::tempfile()
                .map_err(|e| StoreError::Corrupt(format!("temporary file: {e}")))?;
            if !attachments::copy_to(&mut conn, &sha, &mut file).await? {
                return Err(StoreError::Corrupt(format!(
                    "attachment {sha} of package {id} is missing"
                )));
            }
            file.seek(SeekFrom::Start(0))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            files.insert(att.content_id.clone(), file);
        }
    }
    Ok(Some(Loaded { package, files }))
}

impl AttachmentSource for Loaded {
    fn open(&self, att: &Attachment) -> io::Result<Box<dyn Read + '_>> {
        let mut f = self
            .files
            .get(&att.content_id)
            .ok_or_else(|| {
                io::Error::other(format!("no stored bytes for attachment {}", att.content_id))
            })?
            .try_clone()?;
        f.seek(SeekFrom::Start(0))?;
        Ok(Box::new(f))
    }
}

impl Loaded {
    /// Writes the canonical edXML form.
    pub fn write_edxml(&self, out: impl Write) -> Result<(), edxml::WriteError> {
        edxml::write(&self.package, self, out)
    }

    /// The canonical edXML form in memory.
    pub fn to_edxml(&self) -> Result<Vec<u8>, edxml::WriteError> {
        let mut out = Vec::new();
        self.write_edxml(&mut out)?;
        Ok(out)
    }

    /// The package as a canonical message for an adapter (attachments as file-backed blobs).
    pub fn to_message(&self) -> io::Result<CanonicalMessage> {
        let mut bodies = Vec::new();
        if let Package::Document(d) = &self.package {
            for att in &d.attachments {
                let body = match self.files.get(&att.content_id) {
                    Some(f) => {
                        let mut f = f.try_clone()?;
                        f.seek(SeekFrom::Start(0))?;
                        let mut tmp = tempfile::tempfile()?;
                        io::copy(&mut f, &mut tmp)?;
                        Blob::from_file(tmp)?
                    }
                    None => Blob::from_bytes(Vec::new()),
                };
                bodies.push(body);
            }
        }
        Ok(CanonicalMessage {
            package: self.package.clone(),
            bodies,
        })
    }
}
