-- Shared mode: the events this replica wrote that the server has not yet
-- acknowledged (the outbox), and those it refused.
CREATE TABLE outbox (
    event_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- Filled only in shared mode (meta.shared = '1'); pulled events are taken
-- out again in the transaction that applies them.
CREATE TRIGGER outbox_fill AFTER INSERT ON events
WHEN (SELECT value FROM meta WHERE key = 'shared') = '1'
BEGIN INSERT OR IGNORE INTO outbox(event_id) VALUES (new.id); END;

CREATE TABLE push_refused (
    event_id TEXT PRIMARY KEY,
    reason   TEXT NOT NULL,
    at       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
