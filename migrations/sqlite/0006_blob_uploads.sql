-- Shared mode: attachment files to upload to the server, by content hash.
-- Filled in the transaction that removes an acknowledged `attachment_added`
-- event from the outbox (the server knows the event before the bytes), so
-- a PC stopped at any point still uploads the file at its next round.
CREATE TABLE blob_uploads (
    sha256 TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
