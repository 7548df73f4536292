//! Attachment files, stored once per content under their SHA-256 in the data
//! directory; their metadata travels as events.

use crate::error::{Error, Result};
use crate::Store;
use guichet_domain::{Attachment, EventKind, UserId};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

impl Store {
    /// Where the bytes of an attachment live: `attachments/ab/abcdef…`.
    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        self.dir
            .join("attachments")
            .join(&sha256[..2.min(sha256.len())])
            .join(sha256)
    }

    /// Copies `file` into the store (once per content) and records it on the ticket.
    pub async fn attach(&self, actor: UserId, key: &str, file: &Path) -> Result<Attachment> {
        let max = self.attachment_max_bytes().await?;
        // Check the ticket first, so a wrong reference costs no copy.
        self.ticket(key).await?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (sha256, size) = {
            let dir = self.dir.clone();
            let file = file.to_path_buf();
            tokio::task::spawn_blocking(move || store_blob(&dir, &file, max))
                .await
                .map_err(|e| Error::Attachment(format!("copy interrupted: {e}")))??
        };
        let attachment = Attachment {
            mime: mime_for(&name).to_string(),
            sha256,
            name,
            size,
        };
        let kind = EventKind::attachment(attachment.clone())?;
        self.write(actor, key, move |_| Ok(vec![kind])).await?;
        tracing::debug!(size, "attachment stored");
        Ok(attachment)
    }
}

/// Shared mode: which files go up to the server and which come down.
impl Store {
    /// Attachment files whose events the server acknowledged and whose bytes
    /// are not known to be on the server yet, oldest first.
    pub async fn blob_uploads(&self) -> Result<Vec<String>> {
        let mut conn = self.pool.acquire().await?;
        self.guard(async {
            Ok(
                sqlx::query_scalar("SELECT sha256 FROM blob_uploads ORDER BY sha256")
                    .fetch_all(&mut *conn)
                    .await?,
            )
        })
        .await
    }

    /// Every attachment file this replica holds (an import uploads them all).
    pub async fn local_blobs(&self) -> Result<Vec<String>> {
        let hashes = self.attachment_hashes().await?;
        Ok(hashes
            .into_iter()
            .filter(|(h, _)| self.blob_path(h).is_file())
            .map(|(h, _)| h)
            .collect())
    }

    /// The file is on the server (or can never go there): off the list.
    pub async fn blob_uploaded(&self, sha256: &str) -> Result<()> {
        self.guard(async {
            sqlx::query("DELETE FROM blob_uploads WHERE sha256 = ?")
                .bind(sha256)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
        .await
    }

    /// Attachments whose file is not in this data directory yet (pulled
    /// from another PC), with the size their event gives.
    pub async fn missing_blobs(&self) -> Result<Vec<(String, u64)>> {
        let hashes = self.attachment_hashes().await?;
        Ok(hashes
            .into_iter()
            .filter(|(h, _)| !self.blob_path(h).is_file())
            .collect())
    }

    async fn attachment_hashes(&self) -> Result<Vec<(String, u64)>> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<(String, i64)> = self
            .guard(async {
                Ok(sqlx::query_as(
                    "SELECT sha256, MAX(size) FROM attachments GROUP BY sha256 ORDER BY sha256",
                )
                .fetch_all(&mut *conn)
                .await?)
            })
            .await?;
        Ok(rows
            .into_iter()
            .filter(|(h, _)| is_sha256(h))
            .map(|(h, n)| (h, n.max(0) as u64))
            .collect())
    }

    /// Where a download in progress is kept: resumed from its length.
    pub fn blob_partial_path(&self, sha256: &str) -> PathBuf {
        self.dir
            .join("attachments")
            .join("tmp")
            .join(format!("{sha256}.part"))
    }

    /// Moves a finished download to its content address, once its bytes
    /// hash to the name. Bytes that do not are deleted (downloaded again).
    pub async fn install_blob(&self, sha256: &str) -> Result<()> {
        let partial = self.blob_partial_path(sha256);
        let target = self.blob_path(sha256);
        let sha = sha256.to_string();
        tokio::task::spawn_blocking(move || -> Result<()> {
            let mut f = File::open(&partial).map_err(|e| Error::io(&partial, e))?;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = f.read(&mut buf).map_err(|e| Error::io(&partial, e))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
            }
            if hex(&hasher.finalize()) != sha {
                let _ = std::fs::remove_file(&partial);
                return Err(Error::Attachment(format!(
                    "the file downloaded for {sha} has other content; accepted: bytes that hash to the name (it is downloaded again)"
                )));
            }
            let dir = target.parent().expect("a blob path has a folder");
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            std::fs::rename(&partial, &target).map_err(|e| Error::io(&target, e))
        })
        .await
        .map_err(|e| Error::Attachment(format!("check interrupted: {e}")))?
    }
}

/// 64 lowercase hexadecimal characters: the only names blob paths are built from.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Copies while hashing into a temporary file, then renames it to its
/// content address. A crash leaves at most a temporary file, never a
/// half-written blob under a real address.
fn store_blob(dir: &Path, file: &Path, max: u64) -> Result<(String, u64)> {
    let unreadable = |e: std::io::Error| {
        Error::Attachment(format!(
            "'{}' cannot be read ({e}); accepted: a readable file",
            file.display()
        ))
    };
    let meta = std::fs::metadata(file).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Error::Attachment(format!(
            "'{}' is not a file; accepted: a readable file",
            file.display()
        )));
    }
    if meta.len() > max {
        return Err(too_big(file, meta.len(), max));
    }
    let root = dir.join("attachments");
    let tmp_dir = root.join("tmp");
    std::fs::create_dir_all(&tmp_dir).map_err(|e| Error::io(&tmp_dir, e))?;
    let tmp = tmp_dir.join(uuid::Uuid::new_v4().to_string());
    let result = (|| {
        let mut src = File::open(file).map_err(unreadable)?.take(max + 1);
        let mut dst = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = src.read(&mut buf).map_err(unreadable)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
            dst.write_all(&buf[..n]).map_err(|e| Error::io(&tmp, e))?;
        }
        if size > max {
            return Err(too_big(file, size, max));
        }
        dst.sync_all().map_err(|e| Error::io(&tmp, e))?;
        let sha = hex(&hasher.finalize());
        let final_dir = root.join(&sha[..2]);
        std::fs::create_dir_all(&final_dir).map_err(|e| Error::io(&final_dir, e))?;
        let target = final_dir.join(&sha);
        if target.exists() {
            std::fs::remove_file(&tmp).map_err(|e| Error::io(&tmp, e))?;
        } else {
            std::fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e))?;
        }
        Ok((sha, size))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn too_big(file: &Path, size: u64, max: u64) -> Error {
    Error::Attachment(format!(
        "'{}' is {size} bytes; accepted: at most {max} bytes (an administrator can change this with `guichet config set attachment-max-bytes N`)",
        file.display()
    ))
}

fn mime_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "eml" => "message/rfc822",
        "msg" => "application/vnd.ms-outlook",
        "zip" => "application/zip",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}
