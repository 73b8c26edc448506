//! Paging of the plain lists — `/credits` (the ledger), `/tags`, `/tokens`, `/scorecards` — with
//! the interaction list's rules: `limit` 1..=100 (default 50), an opaque `cursor`, `nextCursor`
//! null on the last page, and a 400 naming any unknown or repeated parameter.

use crate::harness::*;
use serde_json::{json, Value};
use std::collections::HashSet;

crate::backend_tests!(
    ledger_of_250_rows_walks_by_cursor,
    tags_tokens_and_scorecards_walk_by_cursor,
    paging_parameters_are_checked
);

const LISTS: [&str; 4] = [
    "/api/v1/credits",
    "/api/v1/tags",
    "/api/v1/tokens",
    "/api/v1/scorecards",
];

/// The rows of a page (`ledger` on /credits, `data` elsewhere).
fn rows(path: &str, body: &Value) -> Vec<Value> {
    let key = if path.starts_with("/api/v1/credits") {
        "ledger"
    } else {
        "data"
    };
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: {body}"))
        .clone()
}

/// Every row of `path`, page by page with `query` (e.g. `limit=7`); also the page sizes.
async fn walk(app: &TestApp, path: &str, query: &str) -> (Vec<Value>, Vec<usize>) {
    let (mut all, mut sizes) = (Vec::new(), Vec::new());
    let mut url = format!("{path}?{query}");
    loop {
        let (status, body) = read(app.get(&url).await).await;
        assert_eq!(status, 200, "{url}: {body}");
        let page = rows(path, &body);
        sizes.push(page.len());
        all.extend(page);
        match &body["nextCursor"] {
            Value::Null => return (all, sizes),
            Value::String(c) => url = format!("{path}?{query}&cursor={c}"),
            other => panic!("nextCursor {other}"),
        }
        assert!(sizes.len() < 100, "the walk ends");
    }
}

async fn ledger_of_250_rows_walks_by_cursor(app: &TestApp) {
    // The account starts with one grant; 249 more movements make 250.
    for i in 1..=249 {
        let amount = if i % 3 == 0 { -1 } else { i };
        app.store
            .add_credits(&app.account_id, amount, &format!("row {i}"))
            .await
            .unwrap();
    }
    let (first_status, first) = read(app.get("/api/v1/credits").await).await;
    assert_eq!(first_status, 200, "{first}");
    assert_eq!(
        first["ledger"].as_array().unwrap().len(),
        50,
        "default page"
    );
    assert!(first["nextCursor"].is_string());

    let (rows, sizes) = walk(app, "/api/v1/credits", "").await;
    assert_eq!(sizes, [50, 50, 50, 50, 50]);
    assert_eq!(rows.len(), 250);
    let ids: HashSet<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 250, "every row exactly once");
    // Newest first: each row's balance before it is the next (older) row's balance after.
    assert_eq!(rows[0]["reason"], "row 249");
    assert_eq!(rows[249]["reason"], "grant: initial credits");
    assert_eq!(rows[0]["balanceAfter"], first["balance"]);
    for pair in rows.windows(2) {
        let before =
            pair[0]["balanceAfter"].as_i64().unwrap() - pair[0]["amount"].as_i64().unwrap();
        assert_eq!(json!(before), pair[1]["balanceAfter"], "{pair:?}");
    }

    // Any page size walks the same rows in the same order.
    let (by_7, sizes) = walk(app, "/api/v1/credits", "limit=7").await;
    assert_eq!(by_7, rows);
    assert_eq!(sizes.len(), 36);
    assert_eq!(*sizes.last().unwrap(), 250 - 35 * 7);
    let (by_100, sizes) = walk(app, "/api/v1/credits", "limit=100").await;
    assert_eq!((by_100 == rows, sizes), (true, vec![100, 100, 50]));
    // A full last page still says it is the last.
    let (_, sizes) = walk(app, "/api/v1/credits", "limit=50").await;
    assert_eq!(sizes, [50, 50, 50, 50, 50]);
}

async fn tags_tokens_and_scorecards_walk_by_cursor(app: &TestApp) {
    let names = [
        "vip", "Billing", "a:b", "zeta", "Alpha", "beta", "Gamma", "delta", "Éclair", "m", "N", "o",
    ];
    for name in names {
        app.create_tag(name).await;
    }
    let (tags, sizes) = walk(app, "/api/v1/tags", "limit=5").await;
    assert_eq!(sizes, [5, 5, 2]);
    let walked: Vec<&str> = tags.iter().map(|t| t["name"].as_str().unwrap()).collect();
    let mut expected = names.to_vec();
    expected.sort_by_key(|n| n.to_lowercase());
    assert_eq!(walked, expected, "by name, case-insensitively");
    let (_, one_page) = walk(app, "/api/v1/tags", "").await;
    assert_eq!(one_page, [12]);

    for i in 0..6 {
        let (status, body) = read(
            app.post_json("/api/v1/tokens", &json!({ "name": format!("t{i}") }))
                .await,
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (tokens, sizes) = walk(app, "/api/v1/tokens", "limit=2").await;
    assert_eq!(sizes, [2, 2, 2, 1], "six new tokens and the first one");
    let walked: Vec<&str> = tokens.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        walked[..6],
        ["t5", "t4", "t3", "t2", "t1", "t0"],
        "newest first"
    );
    assert!(
        tokens.iter().all(|t| t.get("token").is_none()),
        "no secrets"
    );

    let mut scorecards = Vec::new();
    for _ in 0..5 {
        scorecards.push(app.active_scorecard().await);
    }
    let (listed, sizes) = walk(app, "/api/v1/scorecards", "limit=2").await;
    assert_eq!(sizes, [2, 2, 1]);
    let ids: Vec<&str> = listed.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, scorecards, "oldest first");

    // Another account sees none of it.
    let (_, other) = app.new_account(0).await;
    for path in ["/api/v1/tags", "/api/v1/scorecards"] {
        let (status, body) = read(app.get_as(&other, path).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({ "data": [], "nextCursor": null }), "{path}");
    }
    let (_, body) = read(app.get_as(&other, "/api/v1/tokens").await).await;
    assert_eq!(
        body["data"].as_array().unwrap().len(),
        1,
        "its own token only"
    );
}

async fn paging_parameters_are_checked(app: &TestApp) {
    let tag_cursor = {
        for name in ["a", "b"] {
            app.create_tag(name).await;
        }
        let (_, body) = read(app.get("/api/v1/tags?limit=1").await).await;
        body["nextCursor"].as_str().unwrap().to_string()
    };
    for path in LISTS {
        for ok in [
            "limit=1",
            "limit=100",
            "limit=",
            "cursor=",
            "limit=3&cursor=",
        ] {
            let (status, body) = read(app.get(&format!("{path}?{ok}")).await).await;
            assert_eq!(status, 200, "{path}?{ok}: {body}");
            assert!(body.get("nextCursor").is_some(), "{path}: {body}");
        }
        let cases = [
            ("limit=0", "invalid_field", "limit"),
            ("limit=101", "invalid_field", "limit"),
            ("limit=-1", "invalid_field", "limit"),
            ("limit=ten", "invalid_field", "limit"),
            ("limit=1&limit=2", "invalid_field", "limit"),
            ("cursor=%21%21", "invalid_field", "cursor"),
            ("bogus=1", "unknown_parameter", "bogus"),
            ("offset=10", "unknown_parameter", "offset"),
            ("limit=5&page=2", "unknown_parameter", "page"),
        ];
        for (query, code, field) in cases {
            let (status, body) = read(app.get(&format!("{path}?{query}")).await).await;
            assert_error(status, &body, 400, code, Some(field));
        }
        let c = "MTc1MDAwMDAwMDAwMDAwMDphYmM";
        let repeated = format!("{path}?cursor={c}&cursor={c}");
        let (status, body) = read(app.get(&repeated).await).await;
        assert_error(status, &body, 400, "invalid_field", Some("cursor"));
        if path != "/api/v1/tags" {
            // A tag cursor means nothing on a list ordered by time.
            let (status, body) = read(app.get(&format!("{path}?cursor={tag_cursor}")).await).await;
            assert_error(status, &body, 400, "invalid_field", Some("cursor"));
        }
    }
    let (status, body) = read(
        app.get("/api/v1/tags?cursor=MTc1MDAwMDAwMDAwMDAwMDphYmM")
            .await,
    )
    .await;
    assert_error(status, &body, 400, "invalid_field", Some("cursor"));
}
