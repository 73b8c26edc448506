use super::*;
use crate::model::{
    Direction, EmailInput, Segment, TranscriptHints, TranscriptInput, UploadTranscript,
};
use proptest::prelude::*;
use InteractionType::*;

fn base() -> UploadPayload {
    UploadPayload {
        source_identifier: "s".into(),
        direction: Direction::Inbound,
        occurred_at: time::OffsetDateTime::UNIX_EPOCH,
        interaction_type: None,
        duration_ms: None,
        download_url: None,
        agent: None,
        customer: None,
        tags: vec![],
        custom_metadata: vec![],
        transcript: None,
        email: None,
        evaluation: None,
    }
}

fn text(t: &str) -> Option<UploadTranscript> {
    Some(UploadTranscript::Provided(TranscriptInput {
        text: t.into(),
        language: None,
        agent_channel: None,
        segments: vec![],
    }))
}

/// `{"language": "es", "agentChannel": 1}`: hints only.
fn hints() -> Option<UploadTranscript> {
    Some(UploadTranscript::Hints(TranscriptHints {
        language: Some("es".into()),
        agent_channel: Some(1),
    }))
}

fn segments() -> Option<UploadTranscript> {
    Some(UploadTranscript::Provided(TranscriptInput {
        text: "Agent: hi".into(),
        language: None,
        agent_channel: None,
        segments: vec![Segment {
            start: 0.0,
            end: 1.0,
            text: "hi".into(),
            channel: Some(0),
            speaker: None,
            words: None,
        }],
    }))
}

fn email() -> Option<EmailInput> {
    Some(EmailInput {
        from: "a@example.com".into(),
        to: vec!["b@example.com".into()],
        cc: vec![],
        bcc: vec![],
        subject: None,
        body: Some("hello".into()),
        thread_id: None,
        source_id: None,
        time_to_reply: None,
        is_reply: None,
    })
}

#[derive(Clone, Copy)]
enum Media {
    None,
    File(MediaKind),
    Url,
    UrlSniffed(MediaKind),
}

fn payload(
    explicit: Option<InteractionType>,
    media: Media,
    transcript: Option<UploadTranscript>,
    mail: Option<EmailInput>,
) -> (UploadPayload, Option<MediaKind>) {
    let mut p = base();
    p.interaction_type = explicit;
    p.transcript = transcript;
    p.email = mail;
    let kind = match media {
        Media::None => None,
        Media::File(k) => Some(k),
        Media::Url => {
            p.download_url = Some("https://example.com/a".into());
            None
        }
        Media::UrlSniffed(k) => {
            p.download_url = Some("https://example.com/a".into());
            Some(k)
        }
    };
    (p, kind)
}

type Case = (
    Option<InteractionType>,
    Media,
    Option<UploadTranscript>,
    Option<EmailInput>,
    Result<InteractionType, &'static str>,
);

#[test]
fn inference_table() {
    use MediaKind::{Audio as A, Video as V};
    let s320 = "é".repeat(SMS_MAX_CHARS);
    let s321 = "é".repeat(SMS_MAX_CHARS + 1);
    let ascii320 = "a".repeat(SMS_MAX_CHARS);
    let emoji320 = "😀".repeat(SMS_MAX_CHARS);
    let cases: Vec<Case> = vec![
        // Inferred, in the reference's order.
        (None, Media::None, None, email(), Ok(Email)),
        (None, Media::None, text("hi"), email(), Ok(Email)),
        (None, Media::File(A), None, None, Ok(Audio)),
        (None, Media::File(V), None, None, Ok(Video)),
        (None, Media::File(V), segments(), None, Ok(Video)),
        (None, Media::Url, None, None, Ok(Audio)),
        (None, Media::UrlSniffed(V), None, None, Ok(Video)),
        (None, Media::Url, text("hi"), None, Ok(Audio)),
        (None, Media::None, segments(), None, Ok(Audio)),
        (None, Media::None, text("hi"), None, Ok(Sms)),
        (None, Media::None, text(&ascii320), None, Ok(Sms)),
        (None, Media::None, text(&s320), None, Ok(Sms)),
        (None, Media::None, text(&emoji320), None, Ok(Sms)),
        (
            None,
            Media::None,
            text(&format!("{ascii320}a")),
            None,
            Ok(Chat),
        ),
        (None, Media::None, text(&s321), None, Ok(Chat)),
        (None, Media::None, text("hi\nthere"), None, Ok(Chat)),
        (None, Media::None, text("hi\r\nthere"), None, Ok(Chat)),
        (None, Media::None, text("hi\rthere"), None, Ok(Chat)),
        (None, Media::None, text("hi\n"), None, Ok(Chat)),
        (None, Media::None, None, None, Err("undeterminable_type")),
        (
            None,
            Media::File(A),
            None,
            email(),
            Err("conflicting_content"),
        ),
        (None, Media::Url, None, email(), Err("conflicting_content")),
        // Explicit types with their content.
        (Some(Audio), Media::File(A), None, None, Ok(Audio)),
        (Some(Audio), Media::File(V), None, None, Ok(Audio)),
        (Some(Video), Media::File(A), None, None, Ok(Video)),
        (Some(Audio), Media::Url, None, None, Ok(Audio)),
        (Some(Video), Media::Url, None, None, Ok(Video)),
        (Some(Audio), Media::None, segments(), None, Ok(Audio)),
        (Some(Audio), Media::None, text("hello"), None, Ok(Audio)),
        (Some(Video), Media::None, text("hello"), None, Ok(Video)),
        (Some(Chat), Media::None, text("hi"), None, Ok(Chat)),
        (Some(Chat), Media::None, segments(), None, Ok(Chat)),
        (Some(Sms), Media::None, text(&s321), None, Ok(Sms)),
        (Some(Sms), Media::None, segments(), None, Ok(Sms)),
        (Some(Email), Media::None, None, email(), Ok(Email)),
        (Some(Email), Media::None, text("hi"), email(), Ok(Email)),
        (Some(Chat), Media::None, text("hi"), email(), Ok(Chat)),
        // Explicit types without their content.
        (Some(Audio), Media::None, None, None, Err("missing_content")),
        (Some(Video), Media::None, None, None, Err("missing_content")),
        (
            Some(Audio),
            Media::None,
            None,
            email(),
            Err("missing_content"),
        ),
        (Some(Chat), Media::None, None, None, Err("missing_content")),
        (
            Some(Sms),
            Media::None,
            None,
            email(),
            Err("missing_content"),
        ),
        (Some(Email), Media::None, None, None, Err("missing_content")),
        (
            Some(Email),
            Media::None,
            text("hi"),
            None,
            Err("missing_content"),
        ),
        // Explicit text types with media.
        (
            Some(Chat),
            Media::File(A),
            text("hi"),
            None,
            Err("conflicting_content"),
        ),
        (
            Some(Sms),
            Media::Url,
            text("hi"),
            None,
            Err("conflicting_content"),
        ),
        (
            Some(Email),
            Media::File(V),
            None,
            email(),
            Err("conflicting_content"),
        ),
        (
            Some(Email),
            Media::Url,
            None,
            None,
            Err("conflicting_content"),
        ),
    ];
    for (i, (explicit, media, transcript, mail, expected)) in cases.into_iter().enumerate() {
        let (p, kind) = payload(explicit, media, transcript, mail);
        let got = infer_type(&p, kind);
        match (got, expected) {
            (Ok(t), Ok(want)) => assert_eq!(t, want, "case {i}"),
            (Err(e), Err(code)) => {
                assert_eq!((e.status, e.code), (400, code), "case {i}");
                assert!(e.field.is_some(), "case {i}");
            }
            (got, want) => panic!("case {i}: got {got:?}, want {want:?}"),
        }
    }
}

/// (explicit type, media, e-mail, expected type or error code).
type HintCase = (
    Option<InteractionType>,
    Media,
    Option<EmailInput>,
    Result<InteractionType, &'static str>,
);

#[test]
fn hints_never_decide_the_type() {
    use MediaKind::{Audio as A, Video as V};
    // (explicit, media, email, expected) — every row also holds a hints-only transcript.
    let cases: Vec<HintCase> = vec![
        // With media the hints ride along; the media decides as without them.
        (None, Media::File(A), None, Ok(Audio)),
        (None, Media::File(V), None, Ok(Video)),
        (None, Media::Url, None, Ok(Audio)),
        (None, Media::UrlSniffed(V), None, Ok(Video)),
        (Some(Audio), Media::File(V), None, Ok(Audio)),
        (Some(Video), Media::Url, None, Ok(Video)),
        (None, Media::File(A), email(), Err("conflicting_content")),
        (Some(Chat), Media::File(A), None, Err("conflicting_content")),
        (Some(Sms), Media::Url, None, Err("conflicting_content")),
        // Without media there is nothing to transcribe: the transcript itself is refused,
        // before any type rule (so not SMS/CHAT from "text", nor AUDIO from "segments").
        (None, Media::None, None, Err("invalid_field")),
        (None, Media::None, email(), Err("invalid_field")),
        (Some(Audio), Media::None, None, Err("invalid_field")),
        (Some(Video), Media::None, None, Err("invalid_field")),
        (Some(Chat), Media::None, None, Err("invalid_field")),
        (Some(Sms), Media::None, None, Err("invalid_field")),
        (Some(Email), Media::None, email(), Err("invalid_field")),
    ];
    for (i, (explicit, media, mail, expected)) in cases.into_iter().enumerate() {
        let (p, kind) = payload(explicit, media, hints(), mail);
        match (infer_type(&p, kind), expected) {
            (Ok(t), Ok(want)) => assert_eq!(t, want, "case {i}"),
            (Err(e), Err("invalid_field")) => {
                assert_eq!(e, missing_content("transcript"), "case {i}");
            }
            (Err(e), Err(code)) => assert_eq!((e.status, e.code), (400, code), "case {i}"),
            (got, want) => panic!("case {i}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn error_messages_name_the_field_and_type() {
    let (p, kind) = payload(Some(Chat), Media::None, None, None);
    let e = infer_type(&p, kind).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("interactionType"));
    assert!(e.message.contains("\"CHAT\""), "{}", e.message);
    assert!(e.message.contains("transcript"), "{}", e.message);

    let (p, kind) = payload(None, Media::None, None, None);
    let e = infer_type(&p, kind).unwrap_err();
    assert!(e.message.contains("set `interactionType`"), "{}", e.message);
}

#[test]
fn sms_boundary() {
    assert!(is_sms_text(""));
    assert!(is_sms_text(&"a".repeat(320)));
    assert!(!is_sms_text(&"a".repeat(321)));
    assert!(
        is_sms_text(&"ñ".repeat(320)),
        "multibyte counted as characters"
    );
    assert!(!is_sms_text("a\nb"));
    assert!(!is_sms_text("a\r\nb"));
}

proptest! {
    #[test]
    fn plain_text_inference_matches_the_rule(t in "\\PC{1,400}|[a\\n\\r ]{1,400}") {
        let (p, kind) = payload(None, Media::None, text(&t), None);
        let expected = if t.chars().count() <= 320 && !t.contains('\n') && !t.contains('\r') {
            Sms
        } else {
            Chat
        };
        prop_assert_eq!(infer_type(&p, kind).unwrap(), expected);
    }
}
