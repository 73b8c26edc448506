-- Roles (docs/web.md, "Roles"): what a user may do, an AGENT's own participant, deactivation.
-- Users from before roles keep doing everything (ADMIN).
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'ADMIN';
ALTER TABLE users ADD COLUMN agent_participant_id TEXT REFERENCES participants(id);
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;

-- Scorecards and their actions moved from the `admin` scope to their own `scorecards` scope:
-- every token that could manage them keeps that power.
UPDATE api_tokens SET scopes = scopes || ' scorecards'
 WHERE (' ' || scopes || ' ') LIKE '% admin %';
