//! Attachment files between a replica and the server, by content hash.
//!
//! The `attachment_added` event travels with the other events; the file's
//! bytes follow it:
//! - **up**: once the server acknowledged the event, the hash is queued in
//!   the replica (`blob_uploads`, same transaction). Each round uploads the
//!   queued files in chunks of [`CHUNK`] bytes, each chunk its own server
//!   transaction; a cut upload resumes from the chunks the server already
//!   has (`guichet.blob_offsets`). The server completes the blob only if
//!   the chunks hash to its name (`guichet.complete_blob`).
//! - **down**: attachments whose file is not in the data directory are
//!   fetched once the server has them complete, chunk by chunk, appended
//!   to `attachments/tmp/<hash>.part`; a cut download resumes from the
//!   partial file's length. The file is moved to its content address only
//!   after its bytes hash to the name.
//!
//! Who may read or add chunks is decided by the server (row-level
//! security): whoever sees a ticket that attaches the hash.

use crate::{Error, Result};
use guichet_store::Store;
use sqlx::{PgPool, Row};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// Bytes per chunk: small enough that a cut costs little, large enough
/// that a 25 MB file is a hundred round trips.
pub const CHUNK: usize = 256 * 1024;

/// What one pass moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Moved {
    pub uploaded: usize,
    pub downloaded: usize,
    /// Files still waiting (not complete on the server yet, or failed).
    pub waiting: usize,
}

/// Uploads the queued files, then downloads the missing ones (any
/// attachment of the replica whose file is not in the data directory: one
/// query and a file check per attachment file, each round). A connection
/// lost stops the pass with `Error::Offline`; a file refused is logged and
/// tried again next round.
pub async fn transfer(store: &Store, pool: &PgPool) -> Result<Moved> {
    let mut moved = Moved::default();
    for sha in store.blob_uploads().await? {
        match upload(store, pool, &sha).await {
            Ok(Up::Done) => {
                store.blob_uploaded(&sha).await?;
                moved.uploaded += 1;
            }
            Ok(Up::Gone) => store.blob_uploaded(&sha).await?,
            Ok(Up::Again) => moved.waiting += 1,
            // No longer allowed (the ticket is out of sight): nothing to do.
            Err(Error::Forbidden(_)) => store.blob_uploaded(&sha).await?,
            Err(e) if e.is_offline() => return Err(e),
            Err(e) => {
                tracing::warn!(
                    code = e.code(),
                    "an attachment upload failed; retried next round"
                );
                moved.waiting += 1;
            }
        }
    }
    for (sha, _) in store.missing_blobs().await? {
        match download(store, pool, &sha).await {
            Ok(true) => moved.downloaded += 1,
            Ok(false) => moved.waiting += 1,
            Err(e) if e.is_offline() => return Err(e),
            Err(e) => {
                tracing::warn!(
                    code = e.code(),
                    "an attachment download failed; retried next round"
                );
                moved.waiting += 1;
            }
        }
    }
    Ok(moved)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Up {
    /// The server has the file complete.
    Done,
    /// Not in this data directory: nothing to send.
    Gone,
    /// Not complete yet (the server dropped inconsistent chunks): again later.
    Again,
}

/// Sends one file, skipping the chunks the server already holds.
pub async fn upload(store: &Store, pool: &PgPool, sha: &str) -> Result<Up> {
    Ok(upload_at_most(store, pool, sha, usize::MAX).await?.0)
}

/// [`upload`], stopping after `limit` chunks sent (what a cut leaves);
/// also says how many chunks it sent.
pub async fn upload_at_most(
    store: &Store,
    pool: &PgPool,
    sha: &str,
    limit: usize,
) -> Result<(Up, usize)> {
    let path = store.blob_path(sha);
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Up::Gone, 0)),
        Err(e) => return Err(guichet_store::Error::io(&path, e).into()),
    };
    let size = file
        .metadata()
        .await
        .map_err(|e| guichet_store::Error::io(&path, e))?
        .len();
    let complete: Option<bool> =
        sqlx::query_scalar("SELECT complete FROM guichet.blobs WHERE sha256 = $1")
            .bind(sha)
            .fetch_optional(pool)
            .await?;
    match complete {
        Some(true) => return Ok((Up::Done, 0)),
        Some(false) => {}
        None => {
            sqlx::query(
                "INSERT INTO guichet.blobs(sha256, size) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(sha)
            .bind(size as i64)
            .execute(pool)
            .await?;
        }
    }
    let have: Vec<(i64, i32)> = sqlx::query("SELECT offs, len FROM guichet.blob_offsets($1)")
        .bind(sha)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut sent = 0;
    let mut buf = vec![0u8; CHUNK];
    let mut offs: u64 = 0;
    while offs < size {
        let len = (size - offs).min(CHUNK as u64) as usize;
        if !have.contains(&(offs as i64, len as i32)) {
            if sent == limit {
                return Ok((Up::Again, sent));
            }
            file.seek(std::io::SeekFrom::Start(offs))
                .await
                .map_err(|e| guichet_store::Error::io(&path, e))?;
            file.read_exact(&mut buf[..len])
                .await
                .map_err(|e| guichet_store::Error::io(&path, e))?;
            sqlx::query(
                "INSERT INTO guichet.blob_chunks(sha256, offs, bytes) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256, offs) DO NOTHING",
            )
            .bind(sha)
            .bind(offs as i64)
            .bind(&buf[..len])
            .execute(pool)
            .await?;
            sent += 1;
        }
        offs += len as u64;
    }
    let done: bool = sqlx::query_scalar("SELECT guichet.complete_blob($1, $2)")
        .bind(sha)
        .bind(size as i64)
        .fetch_one(pool)
        .await?;
    Ok((if done { Up::Done } else { Up::Again }, sent))
}

/// Fetches one file if the server has it complete; `Ok(false)` if not yet.
/// Resumes from a partial file left by a cut download.
pub async fn download(store: &Store, pool: &PgPool, sha: &str) -> Result<bool> {
    download_at_most(store, pool, sha, usize::MAX).await
}

/// [`download`], stopping after `limit` chunks fetched (what a cut leaves).
pub async fn download_at_most(
    store: &Store,
    pool: &PgPool,
    sha: &str,
    limit: usize,
) -> Result<bool> {
    // The size the server verified (an event's size is only what its
    // writer said; the hash decides in the end).
    let size: Option<i64> =
        sqlx::query_scalar("SELECT size FROM guichet.blobs WHERE sha256 = $1 AND complete")
            .bind(sha)
            .fetch_optional(pool)
            .await?;
    let Some(size) = size else { return Ok(false) };
    let size = size.max(0) as u64;
    let part = store.blob_partial_path(sha);
    let dir = part.parent().expect("a partial path has a folder");
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| guichet_store::Error::io(dir, e))?;
    let io = |e| guichet_store::Error::io(&part, e);
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&part)
        .await
        .map_err(io)?;
    let mut have = file.metadata().await.map_err(io)?.len();
    if have > size {
        // Longer than the file can be: start again.
        file.set_len(0).await.map_err(io)?;
        have = 0;
    }
    // A chunk per query: what was written before a cut stays written.
    for _ in 0..limit {
        if have >= size {
            break;
        }
        let row = sqlx::query(
            "SELECT offs, bytes FROM guichet.blob_chunks \
             WHERE sha256 = $1 AND offs + length(bytes) > $2 ORDER BY offs LIMIT 1",
        )
        .bind(sha)
        .bind(have as i64)
        .fetch_optional(pool)
        .await?;
        let Some(row) = row else { break };
        let offs = row.get::<i64, _>(0) as u64;
        let bytes: Vec<u8> = row.get(1);
        if offs > have {
            return Err(Error::Refused(format!(
                "server: the chunks of {sha} have a gap at byte {have}"
            )));
        }
        let skip = (have - offs) as usize;
        file.write_all(&bytes[skip..]).await.map_err(io)?;
        file.flush().await.map_err(io)?;
        have = offs + bytes.len() as u64;
    }
    if have < size {
        return Ok(false);
    }
    file.sync_all().await.map_err(io)?;
    drop(file);
    store.install_blob(sha).await?;
    Ok(true)
}
