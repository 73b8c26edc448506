//! `scorejar backup --to FILE` and `scorejar restore --from FILE`: the embedded SQLite database
//! copied while the service runs, and put back with the service stopped
//! (`scorejar_store::sqlite::backup`). Media are files (or S3 objects) written once and never
//! changed: copy them after the database (docs/deployment.md). On PostgreSQL the database's
//! own tools do this (`pg_dump`, `pg_restore`), so these commands refuse and say so.

use anyhow::bail;
use scorejar_server::config::Settings;
use scorejar_store::sqlite::backup::{backup, restore};
use std::path::{Path, PathBuf};

/// The SQLite file the settings name, or why these commands do not apply.
fn database_file(settings: &Settings) -> anyhow::Result<PathBuf> {
    let url = settings.effective_database_url();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!("the database is PostgreSQL: back it up with pg_dump and restore it with pg_restore (docs/deployment.md)");
    }
    Ok(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(&url)))
}

pub fn run_backup(settings: &Settings, to: &Path) -> anyhow::Result<()> {
    let database = database_file(settings)?;
    let figures = backup(&database, to)?;
    println!(
        "Backed up {} to {} ({} bytes, schema version {}).",
        database.display(),
        to.display(),
        figures.bytes,
        figures.schema_version
    );
    Ok(())
}

pub fn run_restore(settings: &Settings, from: &Path) -> anyhow::Result<()> {
    let database = database_file(settings)?;
    let figures = restore(from, &database)?;
    println!(
        "Restored {} from {} ({} bytes, schema version {}); start the service to use it.",
        database.display(),
        from.display(),
        figures.bytes,
        figures.schema_version
    );
    Ok(())
}
