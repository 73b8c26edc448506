//! A sample `evaluation.completed` event with every field a real one has, for checking a
//! payload template when an action is saved and for `POST …/actions/preview`.

use serde_json::{json, Value};

use super::event::{envelope, EVALUATION_COMPLETED};
use super::Action;

/// The sample event as `action` would send it: with the transcript and the media link a
/// WEBHOOK action can add.
pub fn sample_event(action: &Action) -> Value {
    let (include_transcript, include_media) = match action {
        Action::Webhook {
            include_transcript,
            include_media,
            ..
        } => (*include_transcript, *include_media),
        _ => (false, false),
    };
    let participant = |name: &str, email: &str| {
        json!({"id": "0190d5a0-0000-7000-8000-000000000001", "name": name, "email": email,
               "phone": null, "sourceIdentifier": null})
    };
    let mut event = envelope(
        EVALUATION_COMPLETED,
        "evt_sample",
        time::macros::datetime!(2026-01-15 10:30:00 UTC),
        json!({
            "interaction": {
                "id": "0190d5a0-0000-7000-8000-00000000000a",
                "sourceIdentifier": "call-12345",
                "interactionType": "CALL",
                "direction": "INBOUND",
                "timestamp": "2026-01-15T10:00:00Z",
                "duration": 180000,
                "agent": participant("Alex Agent", "alex@example.com"),
                "customer": participant("Casey Customer", "casey@example.com"),
                "tags": [{"id": "0190d5a0-0000-7000-8000-0000000000aa", "name": "billing"}],
                "customMetadata": {"region": "EMEA"}
            },
            "evaluation": {
                "id": "0190d5a0-0000-7000-8000-00000000000e",
                "scoreSubmissionId": "0190d5a0-0000-7000-8000-00000000000e",
                "interactionId": "0190d5a0-0000-7000-8000-00000000000a",
                "scorecardId": "0190d5a0-0000-7000-8000-00000000000c",
                "scorecardVersion": 1,
                "status": "COMPLETED",
                "error": null,
                "createdAt": "2026-01-15T10:05:00Z",
                "completedAt": "2026-01-15T10:05:09Z",
                "engine": "AI",
                "model": "local/model",
                "score": {"earned": 8.0, "possible": 10.0, "percentage": 80.0},
                "passed": true,
                "autoFailed": [],
                "needsReview": false,
                "sections": [{"id": "greeting", "name": "Greeting", "earned": 8.0,
                              "possible": 10.0, "percentage": 80.0}],
                "answers": [{
                    "questionId": "q1", "answers": ["Yes"], "value": null, "points": 8.0,
                    "possible": 10.0, "na": false, "autoFail": false,
                    "explanation": "The agent greeted the customer by name.",
                    "evidence": [{"text": "Hello Casey, thanks for calling.", "start": 1.2,
                                  "end": 3.4, "speaker": "AGENT", "line": 1}],
                    "source": "AI", "needsReview": false, "confidence": 1.0
                }],
                "usage": {"promptTokens": 900, "completionTokens": 120, "latencyMs": 4100,
                          "cost": null, "requests": 1},
                "promptSha256": null,
                "reviews": []
            },
            "reason": "completed"
        }),
    );
    if include_transcript {
        event["data"]["transcript"] = json!({
            "text": "Agent: Hello Casey, thanks for calling.\nCustomer: Hi, I have a billing question.",
            "segments": [
                {"speaker": "AGENT", "start": 1.2, "end": 3.4, "text": "Hello Casey, thanks for calling."},
                {"speaker": "CUSTOMER", "start": 3.9, "end": 6.0, "text": "Hi, I have a billing question."}
            ],
            "language": "en",
            "source": "ENGINE"
        });
    }
    if include_media {
        event["data"]["mediaUrl"] =
            json!("https://scorejar.example.com/media/c2FtcGxl.c2lnbmF0dXJl");
        event["data"]["mediaUrlExpiresAt"] = json!("2026-01-22T10:30:00Z");
    }
    event
}
