//! `TryScorecard`: the web app's "Try it" that asks the AI — one interaction scored with the
//! scorecard version the try names, exactly as an evaluation scores it (`evaluate::score`),
//! and the result written to the try, never to an evaluation. Nothing is charged: a try costs
//! the operator's language model, not the account's credits, and an account has only a few
//! waiting at once (`scorejar_web`). Idempotent: a finished try is left as it is.

use super::evaluate::{score, transcript_ready};
use super::{internal, load_interaction, HandlerError, HandlerResult, JobHandler};
use async_trait::async_trait;
use scorejar_llm::AiEngine;
use scorejar_store::queue::{ClaimedJob, JobEffects, TrialOutcome};
use scorejar_store::Store;
use std::sync::Arc;

pub struct TryScorecard {
    pub store: Arc<dyn Store>,
    /// `None`: no language model is configured; a try with AI questions fails.
    pub ai: Option<Arc<dyn AiEngine>>,
}

fn trial_id(job: &ClaimedJob) -> Result<&str, HandlerError> {
    job.payload
        .get("trialId")
        .and_then(|v| v.as_str())
        .ok_or_else(|| HandlerError::Permanent("job has no trialId".into()))
}

fn ended(trial_id: &str, outcome: Result<serde_json::Value, String>) -> JobEffects {
    JobEffects {
        trial: Some(TrialOutcome {
            trial_id: trial_id.to_owned(),
            outcome,
        }),
        ..Default::default()
    }
}

#[async_trait]
impl JobHandler for TryScorecard {
    fn kind(&self) -> &'static str {
        scorejar_core::jobs::TRY_SCORECARD
    }

    async fn run(&self, job: &ClaimedJob) -> HandlerResult {
        let id = trial_id(job)?;
        let (account_id, interaction) = load_interaction(self.store.as_ref(), job).await?;
        let trial = self
            .store
            .get_trial(&account_id, id)
            .await
            .map_err(|e| internal("loading the try", e))?
            .ok_or_else(|| HandlerError::Permanent(format!("try {id} no longer exists")))?;
        if trial.status != "QUEUED" {
            return Ok(JobEffects::default());
        }
        transcript_ready(&interaction)?;
        let version = self
            .store
            .get_scorecard_version(&account_id, &trial.scorecard_id, Some(trial.version))
            .await
            .map_err(|e| internal("loading the scorecard", e))?
            .ok_or_else(|| {
                HandlerError::Permanent(format!(
                    "scorecard {} version {} no longer exists",
                    trial.scorecard_id, trial.version
                ))
            })?;
        let result = score(self.ai.as_ref(), &version, &interaction).await?;
        let result = serde_json::to_value(&result).map_err(|e| internal("storing the try", e))?;
        Ok(ended(id, Ok(result)))
    }

    async fn give_up(&self, job: &ClaimedJob, error: &str) -> JobEffects {
        match trial_id(job) {
            Ok(id) => ended(id, Err(error.to_owned())),
            Err(_) => JobEffects::default(),
        }
    }
}
