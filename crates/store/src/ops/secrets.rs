//! Deployment-wide secrets (`server_secrets`): drawn once by whichever process asks first.

use crate::codec::now_micros;
use crate::sql::{args, Db};
use crate::StoreResult;

/// The secret called `name`: `candidate` when none was stored yet, else the stored one. Two
/// processes racing both end up with the one that was inserted first.
pub(crate) async fn get_or_insert<D: Db>(
    db: &mut D,
    name: &str,
    candidate: &str,
) -> StoreResult<String> {
    db.execute(
        "INSERT INTO server_secrets (name, secret, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING",
        args![name, candidate, now_micros()],
    )
    .await?;
    let row = db
        .fetch_one(
            "SELECT secret FROM server_secrets WHERE name = $1",
            args![name],
        )
        .await?;
    Ok(row.get("secret")?)
}
