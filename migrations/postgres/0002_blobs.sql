-- Attachment files between PCs: content-addressed, chunked, resumable.
--
-- A PC pushes the `attachment_added` event first, then uploads the file in
-- chunks, each chunk its own transaction (a cut upload resumes from the
-- chunks already stored), and asks the server to complete it. Completion
-- is verified here: the chunks must be contiguous and hash to the blob's
-- name, so nobody can put other bytes under a hash. Other PCs download a
-- complete blob chunk by chunk, resuming from what they already have.
--
-- Who may do what:
--   * start or add to an upload: whoever sees a ticket that attaches the
--     hash (the uploader pushed that event first);
--   * read chunks: whoever sees a ticket that attaches the hash;
--   * nobody updates or deletes blobs or chunks directly; completion and
--     the clean-up of a failed upload go through guichet.complete_blob.

SET LOCAL ROLE {owner};

-- can_read_blob looks events up by the hash they attach.
CREATE INDEX events_by_blob ON guichet.events ((payload -> 'attachment' ->> 'sha256'))
    WHERE kind = 'attachment_added';

DROP POLICY blobs_update ON guichet.blobs;
REVOKE UPDATE ON guichet.blobs FROM {users};

DROP POLICY blobs_insert ON guichet.blobs;
CREATE POLICY blobs_insert ON guichet.blobs FOR INSERT
    WITH CHECK (NOT complete AND guichet.can_read_blob(sha256));

DROP POLICY chunks_insert ON guichet.blob_chunks;
CREATE POLICY chunks_insert ON guichet.blob_chunks FOR INSERT WITH CHECK (
    guichet.can_read_blob(sha256)
    AND EXISTS (SELECT 1 FROM guichet.blobs b WHERE b.sha256 = blob_chunks.sha256 AND NOT b.complete));

ALTER TABLE guichet.blob_chunks ADD CONSTRAINT blob_chunks_offs CHECK (offs >= 0);

-- The chunks of an upload in progress, for the uploader to resume: offsets
-- and lengths only, never bytes.
CREATE FUNCTION guichet.blob_offsets(hash text)
RETURNS TABLE (offs bigint, len integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
SELECT c.offs, length(c.bytes) FROM guichet.blob_chunks c
JOIN guichet.blobs b ON b.sha256 = c.sha256
WHERE c.sha256 = hash AND NOT b.complete
  AND (guichet.can_read_blob(hash)
       OR (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = session_user))
ORDER BY c.offs
$$;

-- Completes an upload of `size` bytes if its chunks are all there and
-- hash to its name; returns whether the blob is complete. Chunks that do
-- not add up to the named content (a wrong or forged chunk, a gap, too
-- many bytes) are removed, so the upload starts again. The size recorded
-- is the size verified. Completion wakes the other PCs (they download it).
CREATE FUNCTION guichet.complete_blob(hash text, want_size bigint)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    b guichet.blobs;
    contiguous boolean;
    total bigint;
    content bytea;
BEGIN
    SELECT * INTO b FROM guichet.blobs WHERE sha256 = hash FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF b.complete THEN
        RETURN true;
    END IF;
    SELECT COALESCE(bool_and(offs = start), true), COALESCE(sum(length(bytes)), 0)
      INTO contiguous, total
      FROM (SELECT offs, bytes,
                   COALESCE(sum(length(bytes)) OVER (ORDER BY offs ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS start
            FROM guichet.blob_chunks WHERE sha256 = hash) c;
    IF total < want_size AND contiguous THEN
        RETURN false; -- still uploading
    END IF;
    IF contiguous AND total = want_size THEN
        SELECT string_agg(bytes, ''::bytea ORDER BY offs) INTO content
          FROM guichet.blob_chunks WHERE sha256 = hash;
        IF encode(sha256(COALESCE(content, ''::bytea)), 'hex') = hash THEN
            UPDATE guichet.blobs SET complete = true, size = total WHERE sha256 = hash;
            PERFORM pg_notify('guichet', '');
            RETURN true;
        END IF;
    END IF;
    -- Gaps, overlaps, too many bytes or other content: start again.
    DELETE FROM guichet.blob_chunks WHERE sha256 = hash;
    RETURN false;
END
$$;

REVOKE ALL ON FUNCTION guichet.blob_offsets(text), guichet.complete_blob(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION guichet.blob_offsets(text), guichet.complete_blob(text, bigint) TO {users};

RESET ROLE;
