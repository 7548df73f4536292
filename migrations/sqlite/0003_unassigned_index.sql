-- Unassigned, newest first: without it SQLite gathers the unassigned tickets
-- of each open status from the assignee index and sorts them (22 ms at
-- 100,000 tickets); this partial index is walked in order (0.2 ms).
CREATE INDEX tickets_unassigned ON tickets(updated_at) WHERE assignee IS NULL;
