-- Guichet shared database, schema 3: cheaper pulls (the first sync of a new
-- PC reads the whole log). Same functions, same results, same rule:
-- guichet.sees and guichet.sees_note stay the one definition of who sees
-- what; they are only no longer called where their answer is already known.
--
-- * guichet.sees(t, uid, urole) is true, for an active user (uid not NULL)
--   who is an administrator or a lead, on every ticket whose category is not
--   confidential (or unknown): its CASE takes the second branch. The pull
--   calls it only for the other tickets.
-- * guichet.sees_note(internal, …) is true when the event is not an internal
--   note (`NOT internal OR …`). The pull calls it only for internal notes.
-- * guichet.history evaluates guichet.sees once per ticket, not per event.
-- * guichet.visible_ids asks guichet.sees only about the tickets it can be
--   true for (a staff member's first sync and every visibility reconcile
--   evaluated it for every ticket of the firm).
-- * guichet.log_end gives the last commit number of the reader's snapshot:
--   a new replica that fetched the whole visible history of every ticket it
--   may see in that snapshot starts its cursors there.

SET LOCAL ROLE {owner};

CREATE OR REPLACE FUNCTION guichet.pull(after_no bigint, after_seq bigint, lim integer)
RETURNS TABLE (no bigint, seq bigint, id uuid, ticket_id uuid, actor uuid, hlc text, at timestamptz, kind text, payload jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    uid uuid := guichet.me();
    urole text := guichet.my_role();
    -- guichet.sees() answers true without looking further for these users
    -- on a ticket outside a confidential category (its CASE's second branch).
    wide boolean := uid IS NOT NULL AND urole IN ('admin', 'lead');
    cur_tx xid8;
    left_ integer := lim;
    n integer;
BEGIN
    -- The rest of the cursor's commit, read in seq order by an index and
    -- planned for the commit at hand (EXECUTE): a plan made for any
    -- transaction id walked the whole log after a one-transaction import
    -- (the statistics then say every event has the same tx).
    SELECT cm.tx INTO cur_tx FROM guichet.commits cm WHERE cm.no = after_no;
    IF FOUND THEN
        RETURN QUERY EXECUTE
            'SELECT $1, e.seq, e.id, e.ticket_id, e.actor, e.hlc, e.at, e.kind, e.payload
             FROM guichet.events e
             JOIN guichet.tickets t ON t.id = e.ticket_id
             LEFT JOIN guichet.categories c ON c.key = t.category
             WHERE e.tx = $2 AND e.seq > $3
               AND CASE WHEN $4 AND c.confidential IS NOT TRUE THEN true
                        ELSE guichet.sees(t, $5, $6) END
               AND (NOT e.internal OR guichet.sees_note(e.internal, e.actor, t, $5, $6))
             ORDER BY e.seq
             LIMIT $7'
            USING after_no, cur_tx, after_seq, wide, uid, urole, lim;
        GET DIAGNOSTICS n = ROW_COUNT;
        left_ := lim - n;
        IF left_ <= 0 THEN
            RETURN;
        END IF;
    END IF;
    -- Then the later commits, in one ordered join (as in schema 1; rounds
    -- after the first read a few small commits here).
    RETURN QUERY
        SELECT cm.no, e.seq, e.id, e.ticket_id, e.actor, e.hlc, e.at, e.kind, e.payload
        FROM guichet.commits cm
        JOIN guichet.events e ON e.tx = cm.tx
        JOIN guichet.tickets t ON t.id = e.ticket_id
        LEFT JOIN guichet.categories c ON c.key = t.category
        WHERE cm.no > after_no
          AND CASE WHEN wide AND c.confidential IS NOT TRUE THEN true
                   ELSE guichet.sees(t, uid, urole) END
          AND (NOT e.internal OR guichet.sees_note(e.internal, e.actor, t, uid, urole))
        ORDER BY cm.no, e.seq
        LIMIT left_;
END
$$;

-- Every visible event of the given tickets (a ticket that became visible,
-- or every ticket of a new replica): the rule once per ticket, not per event.
CREATE OR REPLACE FUNCTION guichet.history(ids uuid[])
RETURNS TABLE (no bigint, seq bigint, id uuid, ticket_id uuid, actor uuid, hlc text, at timestamptz, kind text, payload jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
WITH u AS MATERIALIZED (
    SELECT guichet.me() AS uid, guichet.my_role() AS urole,
           guichet.me() IS NOT NULL AND guichet.my_role() IN ('admin', 'lead') AS wide
),
visible AS MATERIALIZED (
    SELECT t.id FROM guichet.tickets t
    CROSS JOIN u
    LEFT JOIN guichet.categories c ON c.key = t.category
    WHERE t.id = ANY (ids)
      AND CASE WHEN u.wide AND c.confidential IS NOT TRUE THEN true
               ELSE guichet.sees(t, u.uid, u.urole) END
)
SELECT 0::bigint, e.seq, e.id, e.ticket_id, e.actor, e.hlc, e.at, e.kind, e.payload
FROM visible v
JOIN guichet.events e ON e.ticket_id = v.id
JOIN guichet.tickets t ON t.id = e.ticket_id
CROSS JOIN u
WHERE NOT e.internal OR guichet.sees_note(e.internal, e.actor, t, u.uid, u.urole)
ORDER BY e.tx, e.seq
$$;

-- The ids of every ticket the session's user may see. guichet.sees decides
-- for each; it is asked only about the tickets it can say yes to: all of
-- them for an administrator or a lead (and answered without the call
-- outside confidential categories), otherwise those the user is assignee or
-- requester of, of the user's teams, in a confidential category of the
-- user's teams, or watched by the user (every way its CASE can be true).
CREATE OR REPLACE FUNCTION guichet.visible_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
WITH u AS MATERIALIZED (
    SELECT guichet.me() AS uid, guichet.my_role() AS urole,
           guichet.me() IS NOT NULL AND guichet.my_role() IN ('admin', 'lead') AS wide
),
teams AS MATERIALIZED (
    SELECT m.team_id FROM guichet.team_members m, u WHERE m.user_id = u.uid
),
watched AS MATERIALIZED (
    SELECT w.ticket_id FROM guichet.ticket_watchers w, u WHERE w.user_id = u.uid
)
SELECT t.id
FROM guichet.tickets t
CROSS JOIN u
LEFT JOIN guichet.categories c ON c.key = t.category
WHERE (u.wide
       OR t.assignee = u.uid
       OR t.requester_id = u.uid
       OR t.team IN (SELECT team_id FROM teams)
       OR c.team IN (SELECT team_id FROM teams)
       OR t.id IN (SELECT ticket_id FROM watched))
  AND CASE WHEN u.wide AND c.confidential IS NOT TRUE THEN true
           ELSE guichet.sees(t, u.uid, u.urole) END
$$;

-- The last commit number in the reader's snapshot (0: none yet). Numbers
-- become visible in order (see guichet.commits), so every event and access
-- entry numbered up to it is in the snapshot.
CREATE FUNCTION guichet.log_end() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT COALESCE(max(c.no), 0) FROM guichet.commits c WHERE guichet.me() IS NOT NULL $$;

REVOKE ALL ON FUNCTION guichet.log_end() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION guichet.log_end() TO {users};

RESET ROLE;
