//! Tagging one interaction: by a reviewer (`POST/DELETE /api/v1/interactions/{id}/tags`, the
//! interaction page), with the account's existing tags, or by an ADD_TAG action, whose tag name
//! creates the tag when the account has none.

use super::catalog;
use crate::codec::now_micros;
use crate::rules::tags::name_key;
use crate::sql::{args, Db};
use crate::{StoreError, StoreResult};
use scorejar_core::ids::new_id;
use scorejar_core::model::Tag;

/// Links the tag to the interaction (once: linking again changes nothing).
pub(crate) async fn add_tag<D: Db>(db: &mut D, interaction_id: &str, tag: &str) -> StoreResult<()> {
    let account_id: String = db
        .fetch_optional(
            "SELECT account_id FROM interactions WHERE id = $1",
            args![interaction_id],
        )
        .await?
        .ok_or(StoreError::NotFound("interaction"))?
        .get("account_id")?;
    let found = catalog::find_tags(db, &account_id, &[tag.to_owned()]).await?;
    let tag_id = match found.first() {
        Some(found) => found.id.clone(),
        None => {
            let id = new_id();
            db.execute(
                "INSERT INTO tags (id, account_id, name, name_lower, created_at) VALUES ($1, $2, $3, $4, $5)",
                args![&id, &account_id, tag, name_key(tag).as_str(), now_micros()],
            )
            .await?;
            id
        }
    };
    db.execute(
        "INSERT INTO interaction_tags (interaction_id, tag_id) VALUES ($1, $2)
         ON CONFLICT (interaction_id, tag_id) DO NOTHING",
        args![interaction_id, &tag_id],
    )
    .await?;
    Ok(())
}

/// Whether the account has this interaction.
async fn owns<D: Db>(db: &mut D, account_id: &str, interaction_id: &str) -> StoreResult<bool> {
    Ok(db
        .fetch_optional(
            "SELECT 1 AS one FROM interactions WHERE id = $1 AND account_id = $2",
            args![interaction_id, account_id],
        )
        .await?
        .is_some())
}

/// The interaction's tags by name.
async fn tags_of<D: Db>(db: &mut D, interaction_id: &str) -> StoreResult<Vec<Tag>> {
    let rows = db
        .fetch_all(
            "SELECT t.id, t.name FROM interaction_tags it JOIN tags t ON t.id = it.tag_id \
             WHERE it.interaction_id = $1 ORDER BY t.name_lower, t.id",
            args![interaction_id],
        )
        .await?;
    rows.into_iter()
        .map(|r| -> StoreResult<Tag> {
            Ok(Tag {
                id: r.get("id")?,
                name: r.get("name")?,
            })
        })
        .collect()
}

pub(crate) async fn tag_interaction<D: Db>(
    db: &mut D,
    account_id: &str,
    interaction_id: &str,
    tag: &str,
) -> StoreResult<Option<Vec<Tag>>> {
    if !owns(db, account_id, interaction_id).await? {
        return Ok(None);
    }
    if catalog::find_tags(db, account_id, &[tag.to_owned()])
        .await?
        .is_empty()
    {
        return Err(StoreError::NotFound("tag"));
    }
    add_tag(db, interaction_id, tag).await?;
    tags_of(db, interaction_id).await.map(Some)
}

pub(crate) async fn untag_interaction<D: Db>(
    db: &mut D,
    account_id: &str,
    interaction_id: &str,
    tag_id: &str,
) -> StoreResult<Option<Vec<Tag>>> {
    if !owns(db, account_id, interaction_id).await? {
        return Ok(None);
    }
    db.execute(
        "DELETE FROM interaction_tags WHERE interaction_id = $1 AND tag_id = $2",
        args![interaction_id, tag_id],
    )
    .await?;
    tags_of(db, interaction_id).await.map(Some)
}
