//! The store a worker example runs on: a fresh SQLite file in `dir`, or a fresh schema of a
//! PostgreSQL database (drop it with `scorejar_store::postgres::drop_schema` afterwards).

use scorejar_store::Store;
use std::path::Path;
use std::sync::Arc;

pub async fn open(
    backend: &str,
    dir: &Path,
    url: &str,
    schema: &str,
) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match backend {
        "sqlite" => {
            let path = dir.join("queue.db");
            let path = path
                .to_str()
                .ok_or_else(|| anyhow::anyhow!("non-UTF-8 temp path"))?;
            Arc::new(scorejar_store::sqlite::SqliteStore::open(path).await?)
        }
        "postgres" => {
            Arc::new(scorejar_store::postgres::PgStore::connect_isolated(url, schema).await?)
        }
        other => anyhow::bail!("unknown backend {other}"),
    })
}
