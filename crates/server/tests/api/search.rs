//! Full-text search (`GET /api/v1/interactions?q=`): words and phrases in transcripts and
//! e-mails, all required, whole words, any case; the matched passage with the ranges of the
//! matched words; only the caller's account; a query with no word is a 400 naming `q`.

use crate::harness::*;
use serde_json::{json, Value};

crate::backend_tests!(search_finds_what_was_said_and_written);

async fn found(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, page) = read(app.get(&format!("/api/v1/interactions?{query}")).await).await;
    assert_eq!(status, 200, "{query}: {page}");
    page["data"].as_array().unwrap().clone()
}

fn sources(rows: &[Value]) -> Vec<&str> {
    let mut s: Vec<&str> = rows
        .iter()
        .map(|r| r["sourceIdentifier"].as_str().unwrap())
        .collect();
    s.sort();
    s
}

async fn search_finds_what_was_said_and_written(app: &TestApp) {
    let mut chat_a = chat("search-a");
    chat_a["transcript"] = json!({ "text":
        "Agent: Thank you for calling.\nCustomer: I was charged twice, a duplicate payment.\nAgent: I will issue a REFUND today." });
    let mut chat_b = chat("search-b");
    chat_b["transcript"] =
        json!({ "text": "Agent: Hello\nCustomer: My payment was duplicate? No, it was late." });
    let mail = json!({ "sourceIdentifier": "search-mail", "direction": "INBOUND",
        "timestamp": "2026-06-23T14:30:00Z",
        "email": { "from": "c@example.com", "to": ["s@example.com"],
                   "subject": "Refund request", "body": "Please send my money back." } });
    for body in [chat_a, chat_b, mail] {
        let (status, receipt) = app.upload(&body).await;
        assert_eq!(status, 200, "{receipt}");
    }
    let (_, other_token) = app.new_account(10).await;
    let mut theirs = chat("search-theirs");
    theirs["transcript"] = json!({ "text": "Customer: refund please" });
    let (status, _) = read(
        app.post_json_as(&other_token, "/api/v1/upload", &theirs)
            .await,
    )
    .await;
    assert_eq!(status, 200);

    let cases: &[(&str, &[&str])] = &[
        ("q=refund", &["search-a", "search-mail"]),
        ("q=REFUND", &["search-a", "search-mail"]),
        ("q=refund+today", &["search-a"]),
        ("q=%22duplicate+payment%22", &["search-a"]),
        ("q=payment+duplicate", &["search-a", "search-b"]),
        ("q=%22payment+duplicate%22", &[]),
        ("q=money&type=EMAIL", &["search-mail"]),
        ("q=money&type=CHAT", &[]),
        ("q=refun", &[]),
        ("q=", &["search-a", "search-b", "search-mail"]),
    ];
    for (query, expected) in cases {
        let rows = found(app, query).await;
        assert_eq!(sources(&rows), *expected, "{query}");
    }

    // The matched passage, with the ranges of the matched words in it.
    let rows = found(app, "q=%22duplicate+payment%22").await;
    let matched = &rows[0]["match"];
    let text = matched["text"].as_str().unwrap();
    let chars: Vec<char> = text.chars().collect();
    let words: Vec<String> = matched["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            chars[s..e].iter().collect::<String>().to_lowercase()
        })
        .collect();
    // FTS5 marks a phrase as one span, PostgreSQL word by word: the same words either way.
    assert_eq!(words.join(" "), "duplicate payment", "{matched}");
    assert!(found(app, "q=hello").await[0].get("match").is_some());
    assert!(found(app, "")
        .await
        .iter()
        .all(|r| r.get("match").is_none()));

    for bad in ["q=%21%3F%2A", "q=a+b+c+d+e+f+g+h+i"] {
        let (status, body) = read(app.get(&format!("/api/v1/interactions?{bad}")).await).await;
        assert_error(status, &body, 400, "invalid_field", Some("q"));
    }
}
