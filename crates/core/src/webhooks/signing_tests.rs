use super::*;

// The test vector of the Standard Webhooks reference libraries (e.g.
// `libraries/go/webhook_test.go`, `TestWebhookSign`): reproducing it is what says a
// receiver's library will accept our signatures.
const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SPEC_TS: i64 = 1_614_265_330;
const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

/// A second secret, as after a rotation.
const OTHER_SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

#[test]
fn the_standard_webhooks_test_vector_reproduces() {
    assert_eq!(
        sign(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY).unwrap(),
        SPEC_SIGNATURE
    );
    // The prefix is optional: the bare base64 is the same key.
    assert_eq!(
        sign(
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY
        )
        .unwrap(),
        SPEC_SIGNATURE
    );
    assert!(verify(
        SPEC_SECRET,
        SPEC_ID,
        SPEC_TS,
        SPEC_BODY,
        SPEC_SIGNATURE
    ));
}

#[test]
fn secret_from_bytes_round_trips() {
    let cases: [&[u8]; 3] = [&[0; 24], &[0xff; 32], &(0u8..32).collect::<Vec<_>>()];
    for bytes in cases {
        let secret = secret_from_bytes(bytes);
        assert!(secret.starts_with(SECRET_PREFIX), "{secret}");
        assert_eq!(decode_secret(&secret).unwrap(), bytes, "{secret}");
    }
    assert_eq!(
        secret_from_bytes(&(0u8..32).collect::<Vec<_>>()),
        OTHER_SECRET
    );
}

#[test]
fn bad_secrets_are_errors() {
    let cases = [
        ("", SigningError::EmptySecret),
        ("whsec_", SigningError::EmptySecret),
        (
            "whsec_not base64!",
            SigningError::InvalidSecret(String::new()),
        ),
        ("whsec_abc", SigningError::InvalidSecret(String::new())),
        (
            "whsec_whsec_AAAA",
            SigningError::InvalidSecret(String::new()),
        ),
    ];
    for (secret, expected) in cases {
        let got = decode_secret(secret).unwrap_err();
        match expected {
            SigningError::InvalidSecret(_) => {
                assert!(
                    matches!(got, SigningError::InvalidSecret(_)),
                    "{secret}: {got:?}"
                )
            }
            _ => assert_eq!(got, expected, "{secret}"),
        }
        assert!(
            sign(secret, SPEC_ID, SPEC_TS, SPEC_BODY).is_err(),
            "{secret}"
        );
        assert!(signature_header(&[SPEC_SECRET, secret], SPEC_ID, SPEC_TS, SPEC_BODY).is_err());
        // A bad secret verifies nothing rather than panicking.
        assert!(
            !verify(secret, SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIGNATURE),
            "{secret}"
        );
    }
    assert_eq!(
        signature_header(&[], SPEC_ID, SPEC_TS, SPEC_BODY),
        Err(SigningError::NoSecrets)
    );
}

#[test]
fn a_message_id_with_a_dot_is_refused() {
    assert_eq!(
        sign(SPEC_SECRET, "msg.1", SPEC_TS, SPEC_BODY),
        Err(SigningError::InvalidMessageId("msg.1".to_owned()))
    );
    assert!(!verify(
        SPEC_SECRET,
        "msg.1",
        SPEC_TS,
        SPEC_BODY,
        SPEC_SIGNATURE
    ));
}

#[test]
fn a_rotation_header_verifies_with_either_secret() {
    let header =
        signature_header(&[OTHER_SECRET, SPEC_SECRET], SPEC_ID, SPEC_TS, SPEC_BODY).unwrap();
    let parts: Vec<&str> = header.split(' ').collect();
    assert_eq!(parts.len(), 2, "{header}");
    assert_eq!(parts[1], SPEC_SIGNATURE);
    assert_eq!(
        parts[0],
        sign(OTHER_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY).unwrap()
    );
    for secret in [SPEC_SECRET, OTHER_SECRET] {
        assert!(
            verify(secret, SPEC_ID, SPEC_TS, SPEC_BODY, &header),
            "{secret}"
        );
    }
    // A third secret matches neither signature.
    let stranger = secret_from_bytes(&[7; 24]);
    assert!(!verify(&stranger, SPEC_ID, SPEC_TS, SPEC_BODY, &header));
}

/// (what, msg id, timestamp, body, header, verifies)
type VerifyCase = (&'static str, &'static str, i64, &'static [u8], String, bool);

#[test]
fn verify_table() {
    let good = SPEC_SIGNATURE;
    let cases: [VerifyCase; 13] = [
        ("as signed", SPEC_ID, SPEC_TS, SPEC_BODY, good.into(), true),
        (
            "tampered body",
            SPEC_ID,
            SPEC_TS,
            br#"{"test": 2432232315}"#,
            good.into(),
            false,
        ),
        (
            "body with a stray space",
            SPEC_ID,
            SPEC_TS,
            br#"{"test": 2432232314} "#,
            good.into(),
            false,
        ),
        (
            "tampered timestamp",
            SPEC_ID,
            SPEC_TS + 1,
            SPEC_BODY,
            good.into(),
            false,
        ),
        (
            "tampered id",
            "msg_p5jXN8AQM9LWM0D4loKWxJel",
            SPEC_TS,
            SPEC_BODY,
            good.into(),
            false,
        ),
        (
            "unknown entries first",
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            format!("v1a,AAAA v2,{} {good}", &good[3..]),
            true,
        ),
        (
            "extra spaces",
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            format!("  v1,bm9wZQ==   {good} "),
            true,
        ),
        (
            "right bytes, wrong version",
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            format!("v2,{}", &good[3..]),
            false,
        ),
        (
            "no version",
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            good[3..].into(),
            false,
        ),
        (
            "truncated signature",
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            good[..good.len() - 4].into(),
            false,
        ),
        (
            "not base64",
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            "v1,!!!".into(),
            false,
        ),
        (
            "empty header",
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            String::new(),
            false,
        ),
        (
            "a bare comma",
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            ",".into(),
            false,
        ),
    ];
    for (what, id, ts, body, header, verifies) in cases {
        assert_eq!(
            verify(SPEC_SECRET, id, ts, body, &header),
            verifies,
            "{what}: {header}"
        );
    }
}

#[test]
fn signing_is_deterministic_and_binary_safe() {
    let body = [0u8, 0xff, b'.', b'\n'];
    let a = sign(OTHER_SECRET, "msg_1", -5, &body).unwrap();
    assert_eq!(a, sign(OTHER_SECRET, "msg_1", -5, &body).unwrap());
    assert!(a.starts_with("v1,"));
    assert!(verify(OTHER_SECRET, "msg_1", -5, &body, &a));
    assert!(!verify(OTHER_SECRET, "msg_1", 5, &body, &a));
}
