use super::*;
use crate::model::{
    Direction, EvaluationRecord, MediaInfo, MediaRecord, Processing, TranscriptRecord,
    TranscriptSource,
};
use time::OffsetDateTime;

fn transcript(status: StepStatus, text: Option<&str>) -> TranscriptRecord {
    TranscriptRecord {
        status,
        source: Some(TranscriptSource::Engine),
        text: text.map(str::to_owned),
        language: None,
        agent_channel: None,
        segments: Vec::new(),
        error: None,
        engine: None,
        model: None,
    }
}

fn evaluation(id: &str, status: EvaluationStatus) -> EvaluationRecord {
    EvaluationRecord {
        score_submission_id: id.to_owned(),
        interaction_id: "i1".to_owned(),
        scorecard_id: "sc".to_owned(),
        scorecard_version: None,
        status,
        result: None,
        error: None,
        created_at: OffsetDateTime::UNIX_EPOCH,
        completed_at: None,
        updated_at: OffsetDateTime::UNIX_EPOCH,
    }
}

/// An interaction of `kind` with media (`None`: no media), transcript and evaluations.
struct Case {
    name: &'static str,
    interaction_type: InteractionType,
    download_url: bool,
    declared_ms: Option<i64>,
    media: Option<(StepStatus, Option<i64>)>,
    transcript: Option<(StepStatus, Option<&'static str>)>,
    evaluations: &'static [(&'static str, EvaluationStatus)],
}

impl Case {
    fn record(&self) -> InteractionRecord {
        InteractionRecord {
            id: "i1".to_owned(),
            source_identifier: "s".to_owned(),
            interaction_type: self.interaction_type,
            direction: Direction::Inbound,
            occurred_at: OffsetDateTime::UNIX_EPOCH,
            duration_ms: self.declared_ms,
            download_url: self
                .download_url
                .then(|| "https://example.com/a.wav".to_owned()),
            agent: None,
            customer: None,
            tags: Vec::new(),
            custom_metadata: Vec::new(),
            media: self.media.map(|(status, duration_ms)| MediaRecord {
                status,
                info: MediaInfo {
                    duration_ms,
                    ..MediaInfo::default()
                },
                error: None,
                removed_at: None,
            }),
            transcript: self.transcript.map(|(s, text)| transcript(s, text)),
            email: None,
            evaluations: self
                .evaluations
                .iter()
                .map(|(id, status)| evaluation(id, *status))
                .collect(),
            processing: Processing::default(),
            credits_charged: 0,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }
}

/// (steps, job kinds, charge, reason) — or `None`: nothing to retry.
type Want = Option<(
    &'static [&'static str],
    &'static [&'static str],
    i64,
    &'static str,
)>;

#[test]
fn plans_what_failed() {
    use EvaluationStatus as E;
    use StepStatus as S;
    let audio = |media, transcript, evaluations| Case {
        name: "",
        interaction_type: InteractionType::Audio,
        download_url: false,
        declared_ms: None,
        media: Some(media),
        transcript: Some(transcript),
        evaluations,
    };
    let cases: Vec<(Case, Want)> = vec![
        (
            Case {
                name: "failed download: fetched again, transcript waits, evaluation with it",
                download_url: true,
                declared_ms: Some(90_000),
                ..audio((S::Failed, None), (S::Failed, None), &[("e1", E::Failed)])
            },
            Some((
                &["media", "transcript", "evaluation:e1"],
                &["FetchMedia"],
                4,
                "retry: transcription 2 min + evaluation 2 min",
            )),
        ),
        (
            Case {
                name: "failed download of unknown length: one minute reserved",
                download_url: true,
                ..audio((S::Failed, None), (S::Failed, None), &[])
            },
            Some((
                &["media", "transcript"],
                &["FetchMedia"],
                1,
                "retry: transcription 1 min",
            )),
        ),
        (
            Case {
                name: "failed transcription: billed on the longer of declared and probed",
                declared_ms: Some(30_000),
                ..audio(
                    (S::Completed, Some(125_000)),
                    (S::Failed, None),
                    &[("e1", E::Failed), ("e2", E::Failed), ("e3", E::Completed)],
                )
            },
            Some((
                &["transcript", "evaluation:e1", "evaluation:e2"],
                &["Transcribe"],
                9,
                "retry: transcription 3 min + evaluation 3 min × 2",
            )),
        ),
        (
            Case {
                name: "failed evaluation of a transcribed call: queued at once",
                ..audio(
                    (S::Completed, Some(60_000)),
                    (S::Completed, Some("hello")),
                    &[("e1", E::Failed), ("e2", E::Queued)],
                )
            },
            Some((
                &["evaluation:e1"],
                &["Evaluate"],
                1,
                "retry: evaluation 1 min",
            )),
        ),
        (
            Case {
                name: "failed evaluation of a chat: priced by words",
                interaction_type: InteractionType::Chat,
                media: None,
                transcript: Some((S::Completed, Some("Agent: hi\nCustomer: hello"))),
                ..audio(
                    (S::Completed, None),
                    (S::Completed, None),
                    &[("e1", E::Failed)],
                )
            },
            Some((
                &["evaluation:e1"],
                &["Evaluate"],
                1,
                "retry: evaluation 1 × 100 words",
            )),
        ),
        (
            Case {
                name: "transcript still running: the evaluation waits for it",
                ..audio(
                    (S::Completed, Some(60_000)),
                    (S::Processing, None),
                    &[("e1", E::Failed)],
                )
            },
            Some((&["evaluation:e1"], &[], 1, "retry: evaluation 1 min")),
        ),
        (
            Case {
                name: "nothing failed",
                ..audio(
                    (S::Completed, Some(60_000)),
                    (S::Completed, Some("hi")),
                    &[("e1", E::Completed)],
                )
            },
            None,
        ),
        (
            Case {
                name: "failed media without a URL cannot be fetched, nor its evaluations run",
                ..audio((S::Failed, None), (S::Failed, None), &[("e1", E::Failed)])
            },
            None,
        ),
    ];
    let rates = Rates::default();
    for (case, want) in cases {
        let got = plan_retry(&case.record(), &rates).map(|plan| {
            let kinds: Vec<String> = plan.jobs.iter().map(|j| j.kind.clone()).collect();
            (plan.steps(), kinds, plan.charge, plan.charge_reason)
        });
        let want = want.map(|(steps, kinds, charge, reason)| {
            (
                steps.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                kinds.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                charge,
                reason.to_owned(),
            )
        });
        assert_eq!(got, want, "{}", case.name);
    }
}

#[test]
fn jobs_name_the_interaction_and_the_evaluation() {
    let case = Case {
        name: "",
        interaction_type: InteractionType::Chat,
        download_url: false,
        declared_ms: None,
        media: None,
        transcript: Some((StepStatus::Completed, Some("hi"))),
        evaluations: &[("e9", EvaluationStatus::Failed)],
    };
    let plan = plan_retry(&case.record(), &Rates::default()).unwrap();
    assert_eq!(plan.jobs.len(), 1);
    assert_eq!(plan.jobs[0].interaction_id.as_deref(), Some("i1"));
    assert_eq!(
        plan.jobs[0].payload,
        json!({ "interactionId": "i1", "scoreSubmissionId": "e9" })
    );
}
