//! `GET /api/v1/credits`: the balance and the most recent ledger entries.

use super::render::rfc3339;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

/// How many ledger entries the endpoint shows.
const LEDGER_PAGE: u32 = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/credits", get(get_credits))
}

/// Balance and recent ledger (newest first; `amount` is negative for charges).
#[utoipa::path(get, path = "/api/v1/credits", tag = "credits",
    responses((status = 200, description = "Balance and ledger", body = crate::openapi::CreditsDoc)), security(("bearer" = [])))]
pub async fn get_credits(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Value>> {
    let (balance, ledger) = state
        .store
        .credits(&principal.account_id, LEDGER_PAGE)
        .await?;
    let ledger: Vec<Value> = ledger
        .iter()
        .map(|e| {
            json!({
                "id": e.id, "amount": e.amount, "balanceAfter": e.balance_after,
                "reason": e.reason, "interactionId": e.interaction_id,
                "createdAt": rfc3339(e.created_at),
            })
        })
        .collect();
    Ok(Json(json!({ "balance": balance, "ledger": ledger })))
}
