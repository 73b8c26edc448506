-- Which engine and model made an ENGINE transcript (NULL for provided transcripts).
ALTER TABLE interactions ADD COLUMN transcript_engine TEXT;
ALTER TABLE interactions ADD COLUMN transcript_model TEXT;
