//! Forgetting a person (`DELETE /api/v1/participants/{id}`): their name, e-mail, phone and
//! source identifier are erased from the participant, in place. The row stays, nameless, so
//! the interactions that point at it keep their shape (an agent's scores still group by it);
//! a later upload naming the same person makes a new participant, since nothing is left to
//! match them by.

use crate::sql::{args, Db};
use crate::StoreResult;

/// Erases the account's participant `id`; false when the account has none with that id.
pub(crate) async fn erase_participant<D: Db>(
    db: &mut D,
    account_id: &str,
    participant_id: &str,
) -> StoreResult<bool> {
    let erased = db
        .execute(
            "UPDATE participants SET name = NULL, email = NULL, email_lower = NULL, phone = NULL, \
             source_identifier = NULL WHERE id = $1 AND account_id = $2",
            args![participant_id, account_id],
        )
        .await?;
    Ok(erased > 0)
}
