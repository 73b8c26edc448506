use super::*;
use serde_json::json;

const CT: &str = "multipart/form-data; boundary=XyZ";

fn part(name: &str, file_name: Option<&str>, body: &str) -> String {
    let file_name = file_name.map_or(String::new(), |f| format!("; filename=\"{f}\""));
    format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"{file_name}\r\n\r\n{body}\r\n")
}

fn body(parts: &[String]) -> Vec<u8> {
    format!("{}--XyZ--\r\n", parts.concat()).into_bytes()
}

fn read(bytes: &[u8]) -> Outcome {
    read_in_memory(vec![Bytes::copy_from_slice(bytes)], CT)
}

fn refused(bytes: &[u8]) -> ApiError {
    match read(bytes) {
        Err(ReadError::Invalid(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn payload_and_file_are_read_other_parts_skipped() {
    let b = body(&[
        part("note", None, "ignored"),
        part("file", Some("a.wav"), "RIFF...."),
        part("payload", None, r#"{"sourceIdentifier":"x","junk":[1]}"#),
    ]);
    let (payload, file) = read(&b).unwrap();
    assert_eq!(payload, json!({"sourceIdentifier": "x"}));
    let file = file.unwrap();
    assert_eq!((file.size, file.file_name.as_deref()), (8, Some("a.wav")));
}

#[test]
fn any_chunking_reads_the_same() {
    let b = body(&[
        part("payload", None, r#"{"sourceIdentifier":"x"}"#),
        part("file", Some("a.wav"), &"0123456789".repeat(20)),
    ]);
    let whole = read(&b).unwrap();
    for size in [1, 2, 3, 7, 64] {
        let chunks = b.chunks(size).map(Bytes::copy_from_slice).collect();
        assert_eq!(read_in_memory(chunks, CT).unwrap(), whole, "{size}");
    }
}

#[test]
fn upload_rules_are_400s_naming_the_part() {
    let payload = part("payload", None, "{}");
    let file = part("file", Some("a"), "x");
    for (parts, code, field) in [
        (vec![file.clone()], "missing_field", "payload"),
        (
            vec![payload.clone(), payload.clone()],
            "invalid_multipart",
            "payload",
        ),
        (
            vec![file.clone(), payload.clone(), file.clone()],
            "invalid_multipart",
            "file",
        ),
        (
            vec![payload.clone(), part("file", Some("a"), "")],
            "invalid_field",
            "file",
        ),
    ] {
        let e = refused(&body(&parts));
        assert_eq!((e.status, e.code), (400, code), "{parts:?}");
        assert_eq!(e.field.as_deref(), Some(field), "{parts:?}");
    }
    // A NUL in a file name never gets that far: the header parser refuses it (the NUL rule
    // in `next_file` stays, should a parser ever let one through).
    let nul_name = body(&[payload.clone(), part("file", Some("a\0b"), "x")]);
    assert!(matches!(read(&nul_name), Err(ReadError::Body(_))));
    let e = refused(&body(&[part("payload", None, "{oops")]));
    assert_eq!(e.code, "invalid_json");
    assert!(e
        .message
        .starts_with("the `payload` part is not valid JSON"));
}

#[test]
fn a_broken_body_or_boundary_is_for_the_caller_to_answer() {
    let e = read_in_memory(vec![], "multipart/form-data").unwrap_err();
    let ReadError::Invalid(e) = e else {
        panic!("{e:?}")
    };
    assert_eq!(e.code, "invalid_multipart");
    for broken in [
        &b"--XyZ\r\nContent-Disposition: form-data; name=\"payload\"\r\n\r\n{}"[..],
        b"",
    ] {
        assert!(
            matches!(read(broken), Err(ReadError::Body(_))),
            "{broken:?}"
        );
    }
}
