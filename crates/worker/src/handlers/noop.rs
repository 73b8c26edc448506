//! `Noop`: a job that does nothing, for queue benchmarks and tests of the runner itself.

use super::{HandlerResult, JobHandler};
use async_trait::async_trait;
use scorejar_store::queue::{ClaimedJob, JobEffects};

pub struct Noop;

pub const NOOP: &str = "Noop";

#[async_trait]
impl JobHandler for Noop {
    fn kind(&self) -> &'static str {
        NOOP
    }

    async fn run(&self, _job: &ClaimedJob) -> HandlerResult {
        Ok(JobEffects::default())
    }

    async fn give_up(&self, _job: &ClaimedJob, _error: &str) -> JobEffects {
        JobEffects::default()
    }
}
