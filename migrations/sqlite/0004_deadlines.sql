-- Deadlines, SLAs and notifications (issue 4).
-- A team's lead: the second person an escalation reaches.
ALTER TABLE teams ADD COLUMN lead TEXT REFERENCES users(id);

-- Notifications and escalations the scheduler has delivered, by the stable
-- key of what was due (a reminder of one deadline, the breach of one SLA
-- target...), so a restart or a re-plan never repeats one. The key holds
-- identifiers only, never a title or a name.
CREATE TABLE deliveries (
    key  TEXT PRIMARY KEY,
    at   TEXT NOT NULL
) WITHOUT ROWID;
