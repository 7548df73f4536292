-- Guichet local store, schema 1.
-- The event log is the truth; tickets, comments, attachments and the
-- full-text tables are its projection, kept for fast queries.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id     TEXT PRIMARY KEY,
    login  TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    email  TEXT,
    active INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE teams (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
) STRICT;

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    email        TEXT,
    organisation TEXT
) STRICT;

CREATE TABLE categories (
    key          TEXT PRIMARY KEY,
    parent       TEXT REFERENCES categories(key),
    name_en      TEXT NOT NULL,
    name_fr      TEXT NOT NULL,
    name_de      TEXT NOT NULL,
    confidential INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Append-only: the triggers below refuse UPDATE and DELETE. Only the
-- data-protection machinery (erasure, retention) may redact, by dropping and
-- re-creating the triggers inside its own transaction.
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    ticket_id TEXT NOT NULL,
    actor     TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    at        INTEGER NOT NULL, -- microseconds since 1970, UTC
    kind      TEXT NOT NULL,
    payload   TEXT NOT NULL     -- JSON of the event kind
) STRICT;
CREATE INDEX events_by_ticket ON events(ticket_id, hlc);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE tickets (
    n              INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    ref            TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    category       TEXT NOT NULL REFERENCES categories(key),
    priority       INTEGER NOT NULL, -- 0 low, 1 normal, 2 high, 3 urgent
    status         TEXT NOT NULL,
    assignee       TEXT REFERENCES users(id),
    team           TEXT REFERENCES teams(id),
    requester_kind TEXT,
    requester_id   TEXT,
    matter         TEXT,
    due            TEXT,             -- YYYY-MM-DD
    comments       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     INTEGER NOT NULL,
    clocks         TEXT NOT NULL     -- JSON: field -> HLC of its last writer
) STRICT;
CREATE INDEX tickets_by_status ON tickets(status, updated_at);
CREATE INDEX tickets_by_assignee ON tickets(assignee, status, updated_at);
CREATE INDEX tickets_by_team ON tickets(team, status, updated_at);
CREATE INDEX tickets_by_category ON tickets(category, updated_at);
CREATE INDEX tickets_by_due ON tickets(due) WHERE due IS NOT NULL;
CREATE INDEX tickets_by_update ON tickets(updated_at);
CREATE INDEX tickets_by_requester ON tickets(requester_id) WHERE requester_id IS NOT NULL;

CREATE TABLE ticket_tags (
    ticket_n INTEGER NOT NULL REFERENCES tickets(n),
    tag      TEXT NOT NULL,
    PRIMARY KEY (ticket_n, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX ticket_tags_by_tag ON ticket_tags(tag);

CREATE TABLE ticket_watchers (
    ticket_n INTEGER NOT NULL REFERENCES tickets(n),
    user_id  TEXT NOT NULL,
    PRIMARY KEY (ticket_n, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE ticket_links (
    ticket_n  INTEGER NOT NULL REFERENCES tickets(n),
    kind      TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (ticket_n, kind, target_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE comments (
    n          INTEGER PRIMARY KEY,
    event_id   TEXT NOT NULL UNIQUE,
    ticket_n   INTEGER NOT NULL REFERENCES tickets(n),
    visibility TEXT NOT NULL,
    body       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
CREATE INDEX comments_by_ticket ON comments(ticket_n);

CREATE TABLE attachments (
    event_id TEXT PRIMARY KEY,
    ticket_n INTEGER NOT NULL REFERENCES tickets(n),
    sha256   TEXT NOT NULL,
    name     TEXT NOT NULL,
    size     INTEGER NOT NULL,
    mime     TEXT NOT NULL,
    hlc      TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_by_ticket ON attachments(ticket_n, hlc);
CREATE INDEX attachments_by_hash ON attachments(sha256);

-- Full-text search: external-content FTS5 tables over tickets and comments,
-- diacritics folded so that "delai" finds "délai"; queries use prefixes.
CREATE VIRTUAL TABLE tickets_fts USING fts5(
    title, description, content='tickets', content_rowid='n',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts(rowid, title, description) VALUES (new.n, new.title, new.description);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF title, description ON tickets
WHEN old.title IS NOT new.title OR old.description IS NOT new.description BEGIN
    INSERT INTO tickets_fts(tickets_fts, rowid, title, description) VALUES ('delete', old.n, old.title, old.description);
    INSERT INTO tickets_fts(rowid, title, description) VALUES (new.n, new.title, new.description);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts(tickets_fts, rowid, title, description) VALUES ('delete', old.n, old.title, old.description);
END;

CREATE VIRTUAL TABLE comments_fts USING fts5(
    body, content='comments', content_rowid='n',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments BEGIN
    INSERT INTO comments_fts(rowid, body) VALUES (new.n, new.body);
END;
CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments BEGIN
    INSERT INTO comments_fts(comments_fts, rowid, body) VALUES ('delete', old.n, old.body);
END;
