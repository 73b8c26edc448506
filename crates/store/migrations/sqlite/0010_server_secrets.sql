-- Secrets every process of one deployment shares (the key of signed media links,
-- scorejar_store::media_links). The first process that needs one draws it; the others read it.
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
