-- Which interaction an action ran for, so its outcome (done, skipped and why,
-- insufficient_credits, …) can be read with the interaction
-- (GET /api/v1/interactions/{id}/action-runs). NULL for runs recorded before this column.
ALTER TABLE action_runs ADD COLUMN interaction_id TEXT;
CREATE INDEX action_runs_interaction ON action_runs(interaction_id);
