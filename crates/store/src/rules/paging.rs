//! Keyset paging of the plain lists (tokens, tags, scorecards, the credit ledger) as SQL, for
//! both dialects: every list orders by (key, id) in one direction, a page holds the rows
//! strictly after the cursor in that order, and one row more than the page is fetched so that
//! `Page::from_rows` (scorejar-core) can tell whether another follows.

use crate::sql::{Param, Query};
use scorejar_core::cursor::Cursor;
use scorejar_core::paging::{NameCursor, PageRequest};

/// The direction a list runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Oldest first, or A to Z.
    Asc,
    /// Newest first.
    Desc,
}

/// A cursor's sort key as a bound parameter.
pub(crate) trait KeysetCursor {
    fn key(&self) -> Param;
    fn id(&self) -> &str;
}

impl KeysetCursor for Cursor {
    fn key(&self) -> Param {
        Param::Int(self.occurred_at_us)
    }
    fn id(&self) -> &str {
        &self.id
    }
}

impl KeysetCursor for NameCursor {
    fn key(&self) -> Param {
        Param::Text(self.name_key.clone())
    }
    fn id(&self) -> &str {
        &self.id
    }
}

/// Appends to `q` (whose WHERE clause is open) the condition "after the cursor", the order
/// `key, id` and the LIMIT of one page plus one.
pub(crate) fn keyset<C: KeysetCursor>(
    q: &mut Query,
    key: &str,
    id: &str,
    order: Order,
    page: &PageRequest<C>,
) {
    let (after, direction) = match order {
        Order::Asc => (">", "ASC"),
        Order::Desc => ("<", "DESC"),
    };
    if let Some(cursor) = &page.after {
        let k = q.param(cursor.key());
        let i = q.param(Param::Text(cursor.id().to_owned()));
        q.push(&format!(" AND ({key}, {id}) {after} ({k}, {i})"));
    }
    let limit = q.param(Param::Int(page.fetch()));
    q.push(&format!(
        " ORDER BY {key} {direction}, {id} {direction} LIMIT {limit}"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_page_and_a_page_after_a_cursor() {
        let mut q = Query::new("SELECT id FROM t WHERE account_id = $1");
        q.param(Param::Text("acc".into()));
        keyset(
            &mut q,
            "created_at",
            "id",
            Order::Desc,
            &PageRequest::<Cursor>::first(10),
        );
        assert_eq!(
            q.sql,
            "SELECT id FROM t WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        assert_eq!(q.params()[1], Param::Int(11));

        let mut q = Query::new("SELECT id FROM tags WHERE account_id = $1");
        q.param(Param::Text("acc".into()));
        let page = PageRequest {
            limit: 500,
            after: Some(NameCursor {
                name_key: "vip".into(),
                id: "t1".into(),
            }),
        };
        keyset(&mut q, "name_lower", "id", Order::Asc, &page);
        assert_eq!(
            q.sql,
            "SELECT id FROM tags WHERE account_id = $1 AND (name_lower, id) > ($2, $3) \
             ORDER BY name_lower ASC, id ASC LIMIT $4"
        );
        assert_eq!(
            q.params()[1..],
            [
                Param::Text("vip".into()),
                Param::Text("t1".into()),
                Param::Int(101)
            ]
        );
    }
}
