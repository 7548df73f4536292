-- Guichet shared database, schema 1: the event log, the directory, the
-- visibility projection, row-level security and the write rules.
--
-- Run by `guichet admin init` as a role that may create roles (the server's
-- superuser or a CREATEROLE administrator), inside one transaction. The
-- placeholders {owner}, {users}, {admins}, {provisioner} are replaced by
-- the group role names of this database (`<db>_owner`, `<db>_users`,
-- `<db>_admins`, `<db>_provisioner`; {…_name} as string literals), so
-- several Guichet databases can live on one server.
--
-- Every person has a login role of their own, member of {users} (and of
-- {admins} for administrators). The database reads who is acting from
-- `session_user`: a client cannot act as somebody else.

CREATE SCHEMA guichet AUTHORIZATION {owner};
SET LOCAL ROLE {owner};

CREATE TABLE guichet.users (
    id     uuid PRIMARY KEY,
    login  text NOT NULL UNIQUE,
    name   text NOT NULL,
    email  text,
    active boolean NOT NULL DEFAULT true,
    role   text NOT NULL DEFAULT 'staff' CHECK (role IN ('admin', 'lead', 'staff', 'requester'))
);

CREATE TABLE guichet.teams (
    id   uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    lead uuid REFERENCES guichet.users(id)
);

CREATE TABLE guichet.team_members (
    team_id uuid NOT NULL REFERENCES guichet.teams(id),
    user_id uuid NOT NULL REFERENCES guichet.users(id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON guichet.team_members(user_id);

CREATE TABLE guichet.contacts (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    email        text,
    organisation text
);

-- A confidential category is seen only by its team (plus the ticket's
-- requester and assignee), not by leads or administrators of other teams.
CREATE TABLE guichet.categories (
    key          text PRIMARY KEY,
    parent       text REFERENCES guichet.categories(key),
    name_en      text NOT NULL,
    name_fr      text NOT NULL,
    name_de      text NOT NULL,
    confidential boolean NOT NULL DEFAULT false,
    team         uuid REFERENCES guichet.teams(id)
);

-- Replica codes: the first part of human ticket references, unique here.
CREATE TABLE guichet.replicas (
    code       integer PRIMARY KEY CHECK (code >= 0 AND code < 1048576),
    user_id    uuid NOT NULL REFERENCES guichet.users(id),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- What visibility needs of a ticket, kept by the event trigger with
-- last-writer-wins per field (clocks: field -> hlc of its last writer).
CREATE TABLE guichet.tickets (
    id             uuid PRIMARY KEY,
    reference      text NOT NULL UNIQUE,
    category       text NOT NULL,
    team           uuid,
    assignee       uuid,
    requester_kind text,
    requester_id   uuid,
    status         text NOT NULL,
    priority       text NOT NULL,
    created_by     uuid NOT NULL,
    clocks         jsonb NOT NULL
);
CREATE INDEX tickets_by_team ON guichet.tickets(team);
CREATE INDEX tickets_by_assignee ON guichet.tickets(assignee);

-- Watchers, last-writer-wins per (ticket, user) by clock, as the replicas
-- replay them: an add and a remove made apart end the same everywhere.
CREATE TABLE guichet.ticket_watchers (
    ticket_id uuid NOT NULL REFERENCES guichet.tickets(id),
    user_id   uuid NOT NULL,
    watching  boolean NOT NULL,
    hlc       text NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_watchers_by_user ON guichet.ticket_watchers(user_id);

-- The event log. `tx` is the writing transaction's id; guichet.commits
-- numbers each writing transaction in the order it commits (see below), and
-- the pull cursor is (commit number, seq): an event that commits late gets
-- a later number, so it is never skipped.
CREATE TABLE guichet.events (
    seq         bigserial PRIMARY KEY,
    tx          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    id          uuid NOT NULL UNIQUE,
    ticket_id   uuid NOT NULL REFERENCES guichet.tickets(id),
    actor       uuid NOT NULL REFERENCES guichet.users(id),
    hlc         text NOT NULL,
    at          timestamptz NOT NULL,
    kind        text NOT NULL,
    payload     jsonb NOT NULL,
    internal    boolean NOT NULL DEFAULT false,
    recorded_by name NOT NULL DEFAULT session_user,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_by_tx ON guichet.events(tx, seq);
CREATE INDEX events_by_ticket ON guichet.events(ticket_id);

-- Tickets whose visibility may have changed (ticket_id), or everybody's
-- (ticket_id NULL: a membership, role or category changed). Ids only.
CREATE TABLE guichet.access_log (
    seq       bigserial PRIMARY KEY,
    tx        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ticket_id uuid
);
CREATE INDEX access_log_by_tx ON guichet.access_log(tx, seq);

-- Commit order. A sequence number taken during a transaction is not a safe
-- cursor: transactions commit in another order than they draw numbers. So
-- each transaction that writes events or access entries draws its commit
-- number in a deferred trigger, that is at COMMIT, under an exclusive lock
-- held until the commit is visible: numbers become visible in order, and a
-- reader that sees number N has seen every number below it.
CREATE TABLE guichet.commits (
    no bigserial PRIMARY KEY,
    tx xid8 NOT NULL UNIQUE
);

-- Attachment contents by SHA-256, uploaded in chunks (resumable).
CREATE TABLE guichet.blobs (
    sha256   text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size     bigint NOT NULL CHECK (size >= 0),
    complete boolean NOT NULL DEFAULT false
);
CREATE TABLE guichet.blob_chunks (
    sha256 text NOT NULL REFERENCES guichet.blobs(sha256),
    offs   bigint NOT NULL,
    bytes  bytea NOT NULL,
    PRIMARY KEY (sha256, offs)
);

-- ---------------------------------------------------------------------
-- Who is acting, and what they may see.

CREATE FUNCTION guichet.me() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT id FROM guichet.users WHERE login = session_user AND active $$;

CREATE FUNCTION guichet.my_role() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT role FROM guichet.users WHERE login = session_user AND active $$;

-- The visibility rule, for one ticket and one user (see ARCHITECTURE.md,
-- permission matrix). Used by the policies, the pull functions and the
-- write trigger, so the three cannot disagree.
CREATE FUNCTION guichet.sees(t guichet.tickets, uid uuid, urole text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$
SELECT COALESCE(uid IS NOT NULL AND CASE
    WHEN c.confidential THEN
        t.assignee = uid
        OR (t.requester_kind = 'user' AND t.requester_id = uid)
        OR EXISTS (SELECT 1 FROM guichet.team_members m WHERE m.team_id = c.team AND m.user_id = uid)
    WHEN urole IN ('admin', 'lead') THEN true
    WHEN urole = 'requester' THEN
        t.requester_kind = 'user' AND t.requester_id = uid
    ELSE
        t.assignee = uid
        OR (t.requester_kind = 'user' AND t.requester_id = uid)
        OR EXISTS (SELECT 1 FROM guichet.team_members m WHERE m.team_id = t.team AND m.user_id = uid)
        OR EXISTS (SELECT 1 FROM guichet.ticket_watchers w WHERE w.ticket_id = t.id AND w.user_id = uid AND w.watching)
    END, false)
FROM (SELECT true) AS one LEFT JOIN guichet.categories c ON c.key = t.category
$$;

CREATE FUNCTION guichet.in_team(team uuid, uid uuid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$ SELECT team IS NOT NULL AND EXISTS (SELECT 1 FROM guichet.team_members m WHERE m.team_id = team AND m.user_id = uid) $$;

-- An internal note is for staff: not shown to requesters, nor to the
-- ticket's own requester (an HR request's author does not read HR's notes)
-- unless they are in the team handling it; one's own notes are always shown.
CREATE FUNCTION guichet.sees_note(internal boolean, actor uuid, t guichet.tickets, uid uuid, urole text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$
SELECT NOT internal OR actor = uid
    OR (urole IS DISTINCT FROM 'requester'
        AND (NOT COALESCE(t.requester_kind = 'user' AND t.requester_id = uid, false)
             OR guichet.in_team(t.team, uid)
             OR EXISTS (SELECT 1 FROM guichet.categories c JOIN guichet.team_members m ON m.team_id = c.team
                        WHERE c.key = t.category AND m.user_id = uid)))
$$;

CREATE FUNCTION guichet.can_see(ticket uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT COALESCE((SELECT guichet.sees(t, guichet.me(), guichet.my_role())
                    FROM guichet.tickets t WHERE t.id = ticket), false) $$;

-- ---------------------------------------------------------------------
-- Row-level security: what a user reads with their own credentials,
-- through Guichet or through psql alike.

ALTER TABLE guichet.tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tickets_read ON guichet.tickets FOR SELECT
    USING (guichet.can_see(id));

ALTER TABLE guichet.ticket_watchers ENABLE ROW LEVEL SECURITY;
CREATE POLICY watchers_read ON guichet.ticket_watchers FOR SELECT
    USING (guichet.can_see(ticket_id));

ALTER TABLE guichet.events ENABLE ROW LEVEL SECURITY;
CREATE FUNCTION guichet.can_see_event(ticket uuid, internal boolean, actor uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT COALESCE((SELECT guichet.sees(t, guichet.me(), guichet.my_role())
                           AND guichet.sees_note(internal, actor, t, guichet.me(), guichet.my_role())
                    FROM guichet.tickets t WHERE t.id = ticket), false) $$;
CREATE POLICY events_read ON guichet.events FOR SELECT
    USING (guichet.can_see_event(ticket_id, internal, actor));
-- Inserting is checked by the trigger below; this keeps the author honest
-- even if the trigger were changed.
CREATE POLICY events_insert ON guichet.events FOR INSERT
    WITH CHECK (actor = guichet.me());

ALTER TABLE guichet.contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY contacts_read ON guichet.contacts FOR SELECT
    USING (guichet.my_role() IN ('admin', 'lead', 'staff'));
CREATE POLICY contacts_write ON guichet.contacts FOR INSERT
    WITH CHECK (guichet.my_role() IN ('admin', 'lead', 'staff'));

ALTER TABLE guichet.replicas ENABLE ROW LEVEL SECURITY;
CREATE POLICY replicas_read ON guichet.replicas FOR SELECT USING (true);
CREATE POLICY replicas_write ON guichet.replicas FOR INSERT
    WITH CHECK (user_id = guichet.me());

ALTER TABLE guichet.blobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE guichet.blob_chunks ENABLE ROW LEVEL SECURITY;
-- A blob is readable by whoever sees an event that attaches it.
CREATE FUNCTION guichet.can_read_blob(hash text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT EXISTS (SELECT 1 FROM guichet.events e
                  WHERE e.kind = 'attachment_added'
                    AND e.payload -> 'attachment' ->> 'sha256' = hash
                    AND guichet.can_see(e.ticket_id)) $$;
CREATE POLICY blobs_read ON guichet.blobs FOR SELECT
    USING (guichet.me() IS NOT NULL AND (NOT complete OR guichet.can_read_blob(sha256)));
CREATE POLICY blobs_insert ON guichet.blobs FOR INSERT WITH CHECK (guichet.me() IS NOT NULL AND NOT complete);
CREATE POLICY blobs_update ON guichet.blobs FOR UPDATE USING (guichet.me() IS NOT NULL AND NOT complete);
CREATE POLICY chunks_read ON guichet.blob_chunks FOR SELECT USING (guichet.can_read_blob(sha256));
CREATE POLICY chunks_insert ON guichet.blob_chunks FOR INSERT WITH CHECK (
    guichet.me() IS NOT NULL
    AND EXISTS (SELECT 1 FROM guichet.blobs b WHERE b.sha256 = blob_chunks.sha256 AND NOT b.complete));

-- ---------------------------------------------------------------------
-- Writing events: who may do what (the permission matrix), the author
-- taken from the session, the visibility projection kept up to date.

CREATE FUNCTION guichet.deny(what text) RETURNS void
LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'permission: %', what USING ERRCODE = '42501'; END $$;


CREATE FUNCTION guichet.on_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    uid   uuid := guichet.me();
    urole text := guichet.my_role();
    t     guichet.tickets;
    d     jsonb;
    f     text;
    newv  jsonb;
    cat   guichet.categories;
    staff boolean;
    -- Set by guichet.import_event (administrators only): history imported
    -- from a local store keeps its authors and skips the matrix.
    importing boolean := COALESCE(current_setting('guichet.importing', true) = 'on' AND urole = 'admin', false);
BEGIN
    IF uid IS NULL THEN
        PERFORM guichet.deny('the connected role ' || session_user || ' is not an active Guichet user');
    END IF;
    -- A retried push: the event is already here, nothing is applied twice.
    IF EXISTS (SELECT 1 FROM guichet.events WHERE id = NEW.id) THEN
        RETURN NULL;
    END IF;
    IF NEW.actor IS DISTINCT FROM uid AND NOT importing THEN
        PERFORM guichet.deny('actor: an event''s author must be the connected user');
    END IF;
    IF NEW.kind IS DISTINCT FROM NEW.payload ->> 'type' THEN
        RAISE EXCEPTION 'kind: ''%'' does not match the payload; accepted: the payload''s type', NEW.kind
            USING ERRCODE = '22023';
    END IF;
    IF NEW.hlc !~ '^[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{8}$' THEN
        RAISE EXCEPTION 'hlc: ''%'' is not a clock value; accepted: 12-8-8 hex digits', NEW.hlc
            USING ERRCODE = '22023';
    END IF;
    NEW.tx := pg_current_xact_id();
    NEW.recorded_by := session_user;
    NEW.recorded_at := now();
    IF NEW.kind = 'commented' AND (NEW.payload ->> 'visibility') IS DISTINCT FROM 'reply'
       AND (NEW.payload ->> 'visibility') IS DISTINCT FROM 'internal' THEN
        RAISE EXCEPTION 'visibility: ''%'' is not a visibility; accepted: reply, internal', NEW.payload ->> 'visibility'
            USING ERRCODE = '22023';
    END IF;
    NEW.internal := NEW.kind = 'commented' AND NEW.payload ->> 'visibility' = 'internal';
    staff := urole IN ('admin', 'lead', 'staff') OR importing;

    IF NEW.kind = 'created' THEN
        d := NEW.payload;
        IF EXISTS (SELECT 1 FROM guichet.tickets WHERE id = NEW.ticket_id) THEN
            RAISE EXCEPTION 'ticket: % is created twice; accepted: one creation per ticket', NEW.ticket_id
                USING ERRCODE = '23505';
        END IF;
        IF NOT staff AND (d -> 'requester' ->> 'kind' IS DISTINCT FROM 'user'
                          OR (d -> 'requester' ->> 'id')::uuid IS DISTINCT FROM uid) THEN
            PERFORM guichet.deny('a requester may only open tickets they request themselves');
        END IF;
        IF urole = 'staff' AND NOT importing AND d ->> 'assignee' IS NOT NULL
           AND (d ->> 'assignee')::uuid <> uid AND NOT guichet.in_team((d ->> 'team')::uuid, (d ->> 'assignee')::uuid) THEN
            PERFORM guichet.deny('a staff member may assign a ticket to themselves or to a member of its team; a lead or an administrator assigns across teams');
        END IF;
        SELECT * INTO cat FROM guichet.categories WHERE key = d ->> 'category';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'category: ''%'' is unknown; accepted: a category of this database', d ->> 'category'
                USING ERRCODE = '23503';
        END IF;
        INSERT INTO guichet.tickets(id, reference, category, team, assignee, requester_kind, requester_id,
                                    status, priority, created_by, clocks)
        VALUES (NEW.ticket_id, d ->> 'reference', d ->> 'category', (d ->> 'team')::uuid,
                (d ->> 'assignee')::uuid, d -> 'requester' ->> 'kind', (d -> 'requester' ->> 'id')::uuid,
                d ->> 'status', d ->> 'priority', NEW.actor,
                jsonb_build_object('category', NEW.hlc, 'team', NEW.hlc, 'assignee', NEW.hlc,
                                   'requester', NEW.hlc, 'status', NEW.hlc, 'priority', NEW.hlc));
        RETURN NEW;
    END IF;

    -- Only writes that change the projection lock the ticket's row: comments
    -- and attachments of several people on one ticket do not wait on each other.
    IF NEW.kind IN ('changed', 'watcher_added', 'watcher_removed') THEN
        SELECT * INTO t FROM guichet.tickets WHERE id = NEW.ticket_id FOR UPDATE;
    ELSE
        SELECT * INTO t FROM guichet.tickets WHERE id = NEW.ticket_id;
    END IF;
    IF NOT FOUND OR (importing OR guichet.sees(t, uid, urole)) IS NOT TRUE THEN
        PERFORM guichet.deny('ticket ' || NEW.ticket_id || ' is not visible to ' || session_user);
    END IF;

    IF NOT staff THEN
        -- A requester replies and attaches on their own tickets; nothing else.
        IF NOT (NEW.kind = 'attachment_added' OR (NEW.kind = 'commented' AND NOT NEW.internal)) THEN
            PERFORM guichet.deny('a requester may only reply and attach files');
        END IF;
        RETURN NEW;
    END IF;

    IF NEW.kind = 'changed' THEN
        f := NEW.payload ->> 'field';
        newv := NEW.payload -> 'new';
        IF urole = 'staff' AND NOT importing THEN
            IF f = 'team' AND NOT guichet.in_team(t.team, uid) AND t.team IS NOT NULL THEN
                PERFORM guichet.deny('only a member of the ticket''s team, a lead or an administrator may move it to another team');
            END IF;
            IF f = 'assignee' AND newv <> 'null'::jsonb AND (newv #>> '{}')::uuid <> uid
               AND NOT guichet.in_team(t.team, (newv #>> '{}')::uuid) THEN
                PERFORM guichet.deny('a staff member may assign a ticket to themselves or to a member of its team; a lead or an administrator assigns across teams');
            END IF;
            IF f = 'status' AND newv #>> '{}' = 'closed' AND t.assignee IS DISTINCT FROM uid
               AND NOT guichet.in_team(t.team, uid) THEN
                PERFORM guichet.deny('only the assignee, the ticket''s team, a lead or an administrator may close a ticket');
            END IF;
            IF f = 'category' THEN
                SELECT * INTO cat FROM guichet.categories WHERE key = newv #>> '{}';
                IF FOUND AND cat.confidential AND NOT guichet.in_team(cat.team, uid) THEN
                    PERFORM guichet.deny('only the confidential category''s team may move a ticket into it');
                END IF;
            END IF;
        END IF;
        IF f IN ('category', 'team', 'assignee', 'requester', 'status', 'priority')
           AND COALESCE(t.clocks ->> f, '') COLLATE "C" <= NEW.hlc COLLATE "C" THEN
            UPDATE guichet.tickets SET
                category = CASE WHEN f = 'category' THEN newv #>> '{}' ELSE category END,
                team = CASE WHEN f = 'team' THEN (newv #>> '{}')::uuid ELSE team END,
                assignee = CASE WHEN f = 'assignee' THEN (newv #>> '{}')::uuid ELSE assignee END,
                requester_kind = CASE WHEN f = 'requester' THEN newv ->> 'kind' ELSE requester_kind END,
                requester_id = CASE WHEN f = 'requester' THEN (newv ->> 'id')::uuid ELSE requester_id END,
                status = CASE WHEN f = 'status' THEN newv #>> '{}' ELSE status END,
                priority = CASE WHEN f = 'priority' THEN newv #>> '{}' ELSE priority END,
                clocks = jsonb_set(clocks, ARRAY[f], to_jsonb(NEW.hlc))
            WHERE id = t.id;
            IF f IN ('category', 'team', 'assignee', 'requester') THEN
                INSERT INTO guichet.access_log(ticket_id) VALUES (t.id);
            END IF;
        END IF;
    ELSIF NEW.kind IN ('watcher_added', 'watcher_removed') THEN
        INSERT INTO guichet.ticket_watchers AS w (ticket_id, user_id, watching, hlc)
        VALUES (t.id, (NEW.payload ->> 'user')::uuid, NEW.kind = 'watcher_added', NEW.hlc)
        ON CONFLICT (ticket_id, user_id) DO UPDATE SET watching = excluded.watching, hlc = excluded.hlc
            WHERE w.hlc COLLATE "C" < excluded.hlc COLLATE "C";
        INSERT INTO guichet.access_log(ticket_id) VALUES (t.id);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER events_write BEFORE INSERT ON guichet.events
    FOR EACH ROW EXECUTE FUNCTION guichet.on_event();

CREATE FUNCTION guichet.stamp_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM guichet.commits WHERE tx = pg_current_xact_id()) THEN
        PERFORM pg_advisory_xact_lock(7375830716);
        INSERT INTO guichet.commits(tx) VALUES (pg_current_xact_id());
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER events_commit AFTER INSERT ON guichet.events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION guichet.stamp_commit();
CREATE CONSTRAINT TRIGGER access_commit AFTER INSERT ON guichet.access_log
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION guichet.stamp_commit();

CREATE FUNCTION guichet.notify_change() RETURNS trigger
LANGUAGE plpgsql AS
$$ BEGIN PERFORM pg_notify('guichet', ''); RETURN NULL; END $$;
CREATE TRIGGER events_notify AFTER INSERT ON guichet.events
    FOR EACH STATEMENT EXECUTE FUNCTION guichet.notify_change();
CREATE TRIGGER access_notify AFTER INSERT ON guichet.access_log
    FOR EACH STATEMENT EXECUTE FUNCTION guichet.notify_change();

-- A directory change that can change who sees what: everybody reconciles.
CREATE FUNCTION guichet.access_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ BEGIN INSERT INTO guichet.access_log(ticket_id) VALUES (NULL); RETURN NULL; END $$;
CREATE TRIGGER members_access AFTER INSERT OR DELETE OR UPDATE ON guichet.team_members
    FOR EACH STATEMENT EXECUTE FUNCTION guichet.access_changed();
CREATE TRIGGER users_access AFTER UPDATE OF role, active ON guichet.users
    FOR EACH STATEMENT EXECUTE FUNCTION guichet.access_changed();
CREATE TRIGGER categories_access AFTER UPDATE OF confidential, team ON guichet.categories
    FOR EACH STATEMENT EXECUTE FUNCTION guichet.access_changed();

-- ---------------------------------------------------------------------
-- Pulling: the events the session's user may see, after a cursor
-- (commit number, seq), in commit order.

CREATE FUNCTION guichet.pull(after_no bigint, after_seq bigint, lim integer)
RETURNS TABLE (no bigint, seq bigint, id uuid, ticket_id uuid, actor uuid, hlc text, at timestamptz, kind text, payload jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    uid uuid := guichet.me();
    urole text := guichet.my_role();
    left_ integer := lim;
    n integer;
BEGIN
    -- The rest of the cursor's commit, read by the (tx, seq) index (a large
    -- import is one commit of a million events: never scanned from its start).
    RETURN QUERY
        SELECT cm.no, e.seq, e.id, e.ticket_id, e.actor, e.hlc, e.at, e.kind, e.payload
        FROM guichet.commits cm
        JOIN guichet.events e ON e.tx = cm.tx
        JOIN guichet.tickets t ON t.id = e.ticket_id
        WHERE cm.no = after_no AND e.seq > after_seq
          AND guichet.sees(t, uid, urole)
          AND guichet.sees_note(e.internal, e.actor, t, uid, urole)
        ORDER BY e.seq
        LIMIT lim;
    GET DIAGNOSTICS n = ROW_COUNT;
    left_ := lim - n;
    IF left_ <= 0 THEN
        RETURN;
    END IF;
    -- Then the later commits, in one ordered join.
    RETURN QUERY
        SELECT cm.no, e.seq, e.id, e.ticket_id, e.actor, e.hlc, e.at, e.kind, e.payload
        FROM guichet.commits cm
        JOIN guichet.events e ON e.tx = cm.tx
        JOIN guichet.tickets t ON t.id = e.ticket_id
        WHERE cm.no > after_no
          AND guichet.sees(t, uid, urole)
          AND guichet.sees_note(e.internal, e.actor, t, uid, urole)
        ORDER BY cm.no, e.seq
        LIMIT left_;
END
$$;

-- Entries of the access log after a cursor, in commit order.
CREATE FUNCTION guichet.access_changes(after_no bigint, after_seq bigint)
RETURNS TABLE (no bigint, seq bigint, ticket_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
SELECT c.no, a.seq, a.ticket_id FROM guichet.commits c JOIN guichet.access_log a ON a.tx = c.tx
WHERE (c.no, a.seq) > (after_no, after_seq) AND guichet.me() IS NOT NULL
ORDER BY c.no, a.seq
$$;

-- Every visible event of the given tickets (a ticket that became visible).
CREATE FUNCTION guichet.history(ids uuid[])
RETURNS TABLE (no bigint, seq bigint, id uuid, ticket_id uuid, actor uuid, hlc text, at timestamptz, kind text, payload jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
WITH u AS (SELECT guichet.me() AS uid, guichet.my_role() AS urole)
SELECT 0::bigint, e.seq, e.id, e.ticket_id, e.actor, e.hlc, e.at, e.kind, e.payload
FROM guichet.events e JOIN guichet.tickets t ON t.id = e.ticket_id, u
WHERE e.ticket_id = ANY (ids)
  AND guichet.sees(t, u.uid, u.urole)
  AND guichet.sees_note(e.internal, e.actor, t, u.uid, u.urole)
ORDER BY e.tx, e.seq
$$;

-- The ids of every ticket the session's user may see.
CREATE FUNCTION guichet.visible_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
WITH u AS (SELECT guichet.me() AS uid, guichet.my_role() AS urole)
SELECT t.id FROM guichet.tickets t, u WHERE guichet.sees(t, u.uid, u.urole)
$$;

-- Server-side import of a local store's history (admin only): events are
-- inserted as the actor they carry, which the normal trigger refuses.
CREATE FUNCTION guichet.import_event(e_id uuid, e_ticket uuid, e_actor uuid, e_hlc text, e_at timestamptz, e_kind text, e_payload jsonb)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    n bigint;
BEGIN
    IF guichet.my_role() IS DISTINCT FROM 'admin' THEN
        PERFORM guichet.deny('only an administrator may import');
    END IF;
    PERFORM set_config('guichet.importing', 'on', true);
    INSERT INTO guichet.events(id, ticket_id, actor, hlc, at, kind, payload)
    VALUES (e_id, e_ticket, e_actor, e_hlc, e_at, e_kind, e_payload);
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('guichet.importing', 'off', true);
    RETURN n > 0;
END
$$;

-- ---------------------------------------------------------------------
-- Grants. Nobody but the owner may update or delete events: history is
-- append-only for every user, administrators included.

REVOKE ALL ON ALL TABLES IN SCHEMA guichet FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA guichet FROM PUBLIC;
GRANT USAGE ON SCHEMA guichet TO {users};
GRANT SELECT ON guichet.users, guichet.teams, guichet.team_members, guichet.categories TO {users};
GRANT SELECT ON guichet.tickets, guichet.ticket_watchers, guichet.contacts, guichet.replicas TO {users};
GRANT SELECT ON guichet.events TO {users};
-- Column grants: the server stamps seq, tx, internal, recorded_by/at.
GRANT INSERT (id, ticket_id, actor, hlc, at, kind, payload) ON guichet.events TO {users};
GRANT SELECT, INSERT ON guichet.contacts, guichet.replicas, guichet.blob_chunks TO {users};
GRANT SELECT, INSERT, UPDATE ON guichet.blobs TO {users};
GRANT USAGE ON SEQUENCE guichet.events_seq_seq TO {users};
GRANT EXECUTE ON FUNCTION guichet.me(), guichet.my_role(), guichet.can_see(uuid), guichet.can_read_blob(text),
    guichet.sees(guichet.tickets, uuid, text), guichet.in_team(uuid, uuid),
    guichet.sees_note(boolean, uuid, guichet.tickets, uuid, text), guichet.can_see_event(uuid, boolean, uuid),
    guichet.pull(bigint, bigint, integer), guichet.access_changes(bigint, bigint),
    guichet.history(uuid[]), guichet.visible_ids() TO {users};
GRANT INSERT, UPDATE ON guichet.users, guichet.teams, guichet.categories TO {admins};
GRANT INSERT, DELETE ON guichet.team_members TO {admins};
GRANT EXECUTE ON FUNCTION guichet.import_event(uuid, uuid, uuid, text, timestamptz, text, jsonb) TO {admins};

RESET ROLE;

-- ---------------------------------------------------------------------
-- Logins. Administrators do not get CREATEROLE (on PostgreSQL 15 it can
-- alter any non-superuser role, the owner included, and grant the built-in
-- pg_* roles). They create and manage logins only through these functions,
-- owned by a NOLOGIN provisioning role, which touch nothing but ordinary
-- logins of this database's user group.

CREATE FUNCTION guichet.provision_check(login text, must_be_user boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    IF NOT (pg_has_role(session_user, {admins_name}, 'MEMBER')
            OR (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)) THEN
        RAISE EXCEPTION 'permission: only a Guichet administrator manages logins' USING ERRCODE = '42501';
    END IF;
    IF login !~ '^[a-z][a-z0-9._-]{0,63}$' OR login LIKE 'pg\_%'
       OR login IN ({owner_name}, {users_name}, {admins_name}, {provisioner_name}) THEN
        RAISE EXCEPTION 'login: ''%'' is not a login Guichet may manage; accepted: a-z 0-9 . _ -, not a group or built-in role', login
            USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login
               AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls)) THEN
        RAISE EXCEPTION 'permission: ''%'' is a privileged role; Guichet manages ordinary logins only', login
            USING ERRCODE = '42501';
    END IF;
    IF must_be_user AND NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login AND pg_has_role(login, {users_name}, 'MEMBER')) THEN
        RAISE EXCEPTION 'login: ''%'' is not a login of this Guichet database', login USING ERRCODE = '22023';
    END IF;
END
$$;

-- Creates the login (unless it exists: a role made by the LDAP sync), sets
-- its password if given, and makes it a member of the user group.
CREATE FUNCTION guichet.provision_login(login text, password text, can_login boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    PERFORM guichet.provision_check(login, false);
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
        EXECUTE format('CREATE ROLE %I %s', login, CASE WHEN can_login THEN 'LOGIN' ELSE 'NOLOGIN' END);
    END IF;
    IF password IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', login, password);
    END IF;
    EXECUTE format('GRANT %I TO %I', {users_name}, login);
END
$$;

CREATE FUNCTION guichet.provision_admin(login text, is_admin boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    PERFORM guichet.provision_check(login, true);
    IF is_admin THEN
        EXECUTE format('GRANT %I TO %I', {admins_name}, login);
    ELSE
        EXECUTE format('REVOKE %I FROM %I', {admins_name}, login);
    END IF;
END
$$;

CREATE FUNCTION guichet.provision_password(login text, password text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    PERFORM guichet.provision_check(login, true);
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', login, password);
END
$$;

CREATE FUNCTION guichet.provision_disable(login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    PERFORM guichet.provision_check(login, true);
    EXECUTE format('ALTER ROLE %I NOLOGIN', login);
END
$$;

ALTER FUNCTION guichet.provision_check(text, boolean) OWNER TO {provisioner};
ALTER FUNCTION guichet.provision_login(text, text, boolean) OWNER TO {provisioner};
ALTER FUNCTION guichet.provision_admin(text, boolean) OWNER TO {provisioner};
ALTER FUNCTION guichet.provision_password(text, text) OWNER TO {provisioner};
ALTER FUNCTION guichet.provision_disable(text) OWNER TO {provisioner};
REVOKE ALL ON FUNCTION guichet.provision_check(text, boolean), guichet.provision_login(text, text, boolean),
    guichet.provision_admin(text, boolean), guichet.provision_password(text, text), guichet.provision_disable(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION guichet.provision_login(text, text, boolean), guichet.provision_admin(text, boolean),
    guichet.provision_password(text, text), guichet.provision_disable(text) TO {admins};
GRANT USAGE ON SCHEMA guichet TO {provisioner};
