use super::*;
use serde_json::json;

const S: Shape = Shape::Scalar;
const DOC: Shape = Shape::Object {
    fields: &[
        ("name", S),
        ("tags", Shape::Array { items: &S, max: 3 }),
        (
            "meta",
            Shape::Map {
                values: &S,
                max_keys: 2,
                too_many: |path, max| ApiError::bad_request("too_many", format!("{path} > {max}")),
            },
        ),
        (
            "strict",
            Shape::Object {
                fields: &[("ok", S)],
                unknown: Unknown::KeepKey,
            },
        ),
        ("any", Shape::Any),
    ],
    unknown: Unknown::Skip,
};

fn doc(text: &str) -> Result<Value, ApiError> {
    parse(text.as_bytes(), &DOC, "the body")
}

#[test]
fn unknown_keys_are_skipped_and_wrong_kinds_kept_empty() {
    let v =
        doc(r#"{"name":[1,2,[3]],"junk":{"a":[1,2,3]},"tags":["a"],"strict":{"ok":1,"x":[9]}}"#)
            .unwrap();
    assert_eq!(
        v,
        json!({"name": [], "tags": ["a"], "strict": {"ok": 1, "x": null}})
    );
}

#[test]
fn nul_is_refused_wherever_a_string_is_kept() {
    for (body, field) in [
        (r#"{"name":"a\u0000b"}"#, "name"),
        (r#"{"tags":["ok","\u0000"]}"#, "tags[1]"),
        (r#"{"meta":{"k":"\u0000"}}"#, "meta.k"),
        (r#"{"meta":{"k\u0000":1}}"#, "meta"),
        (r#"{"any":{"a":[{"b":"\u0000"}]}}"#, "any.a[0].b"),
    ] {
        let e = doc(body).unwrap_err();
        assert_eq!((e.status, e.code), (400, "invalid_field"), "{body}");
        assert_eq!(e.field.as_deref(), Some(field), "{body}");
    }
    // A skipped value is never stored, so it is not looked at.
    assert!(doc(r#"{"junk":"\u0000"}"#).is_ok());
}

#[test]
fn limits_name_the_field() {
    let e = doc(r#"{"tags":["a","b","c","d"]}"#).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("tags"));
    let e = doc(r#"{"meta":{"a":1,"b":2,"c":3}}"#).unwrap_err();
    assert_eq!(e.code, "too_many");
    let deep = format!(r#"{{"any":{}1{}}}"#, "[".repeat(40), "]".repeat(40));
    let e = doc(&deep).unwrap_err();
    assert!(e.message.contains("nested deeper"), "{}", e.message);
    assert!(e.field.unwrap().starts_with("any[0][0]"));
}

#[test]
fn invalid_json_is_a_400_naming_the_body() {
    for body in ["{", "[1,]", "{} x", ""] {
        let e = doc(body).unwrap_err();
        assert_eq!((e.status, e.code), (400, "invalid_json"), "{body}");
        assert!(
            e.message.starts_with("the body is not valid JSON"),
            "{}",
            e.message
        );
    }
    // A skipped part is checked for validity without building it, however deep (serde_json
    // skips without recursing), so depth there costs neither stack nor memory.
    let deep = format!(r#"{{"junk":{}{}}}"#, "[".repeat(5000), "]".repeat(5000));
    assert_eq!(doc(&deep).unwrap(), json!({}));
    let broken = format!(r#"{{"junk":{}{}}}"#, "[".repeat(5000), "]".repeat(4999));
    assert_eq!(doc(&broken).unwrap_err().code, "invalid_json");
}

#[test]
fn a_huge_unknown_array_is_skipped_not_built() {
    let body = format!(r#"{{"name":"x","junk":[{}0]}}"#, "0,".repeat(1_000_000));
    assert_eq!(doc(&body).unwrap(), json!({"name": "x"}));
}

#[test]
fn any_builds_everything_like_serde_json() {
    let text = r#"{"a":[1,2.5,"x",null,true,{"b":{}}],"c":-3}"#;
    let v = parse(text.as_bytes(), &Shape::Any, "b").unwrap();
    assert_eq!(v, serde_json::from_str::<Value>(text).unwrap());
}

/// `IgnoredAny` skips a string without checking its bytes or its `\u` escapes; serde_json
/// refuses both in a document it builds, and so do we, wherever the string sits.
#[test]
fn invalid_utf8_is_refused_in_skipped_fields_too() {
    let bad: &[&[u8]] = &[
        b"{\"junk\":\"a\xffb\"}",
        b"{\"junk\":[1,{\"x\":\"\xc3\"}]}",
        b"{\"junk\":{\"k\xfe\":1}}",
        b"{\"\xed\xa0\x80\":1}",
        b"{\"name\":{\"x\":\"\xff\"}}",
        b"{\"strict\":{\"x\":[\"\xff\"]}}",
        b"{\"name\":\"x\"}\n{\"junk\":\"\xff\"}",
    ];
    for body in bad {
        assert!(serde_json::from_slice::<Value>(body).is_err());
        let e = parse(body, &DOC, "the body").unwrap_err();
        assert_eq!((e.status, e.code), (400, "invalid_json"), "{body:?}");
        assert!(
            e.message.starts_with("the body is not valid JSON"),
            "{}",
            e.message
        );
    }
    let e = parse(b"{\n \"junk\": \"ab\xff\"}", &DOC, "the body").unwrap_err();
    assert!(
        e.message
            .ends_with("invalid UTF-8 in a string at line 2 column 12"),
        "{}",
        e.message
    );
}

#[test]
fn lone_surrogates_are_refused_in_skipped_fields_like_serde_json() {
    for body in [
        r#"{"junk":"\ud800"}"#,
        r#"{"junk":"\udc00"}"#,
        r#"{"junk":"\ud800\u0041"}"#,
        r#"{"junk":"\ud800\n"}"#,
        r#"{"junk":["\uDBFF"]}"#,
        r#"{"junk":{"\ud800":1}}"#,
        r#"{"name":{"x":"a\ud800"}}"#,
        r#"{"strict":{"x":"\udfff"}}"#,
    ] {
        assert!(serde_json::from_str::<Value>(body).is_err(), "{body}");
        let e = doc(body).unwrap_err();
        assert_eq!(e.code, "invalid_json", "{body}");
        assert!(e.message.contains("lone surrogate"), "{}", e.message);
    }
    // Pairs are fine, and so is text that only looks like an escape.
    for body in [
        r#"{"junk":"\ud83d\ude00","name":"\ud83d\ude00"}"#,
        r#"{"junk":"\\ud800","name":"\\udc00"}"#,
        r#"{"junk":"\\\ud83d\ude00\"\\"}"#,
        r#"{"junk":"\u0041\u00e9\uffff"}"#,
    ] {
        assert!(serde_json::from_str::<Value>(body).is_ok(), "{body}");
        assert!(doc(body).is_ok(), "{body}");
    }
}
