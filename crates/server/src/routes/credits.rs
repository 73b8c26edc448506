//! `GET /api/v1/credits`: the balance and the credit ledger, newest first, a page at a time.

use super::paging::page_request;
use super::render::rfc3339;
use crate::auth::Principal;
use crate::error::AppResult;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use scorejar_core::cursor::Cursor;
use scorejar_core::model::LedgerEntry;
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/credits", get(get_credits))
}

/// The answer of `GET /api/v1/credits`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Credits)]
pub struct CreditsPage {
    /// The balance now (the same on every page).
    balance: i64,
    /// A page of the ledger, newest first (by time, then id).
    ledger: Vec<LedgerEntryView>,
    /// Pass as `cursor` for the next page of the ledger; null on the last.
    next_cursor: Option<String>,
}

/// One movement of credits.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = LedgerEntry)]
pub struct LedgerEntryView {
    id: String,
    /// Negative for charges.
    amount: i64,
    balance_after: i64,
    reason: String,
    interaction_id: Option<String>,
    #[schema(format = DateTime)]
    created_at: String,
}

impl From<LedgerEntry> for LedgerEntryView {
    fn from(e: LedgerEntry) -> Self {
        LedgerEntryView {
            id: e.id,
            amount: e.amount,
            balance_after: e.balance_after,
            reason: e.reason,
            interaction_id: e.interaction_id,
            created_at: rfc3339(e.created_at),
        }
    }
}

/// Balance and a page of the ledger (newest first; `amount` is negative for charges).
#[utoipa::path(get, path = "/api/v1/credits", tag = "credits",
    params(super::paging::PageParams),
    responses((status = 200, description = "Balance and a page of the ledger", body = CreditsPage),
        (status = 400, description = "Unknown or repeated parameter, `limit` out of range, or not a `cursor` of this list (`field` names it)", body = crate::openapi::ErrorDoc)),
    security(("bearer" = [])))]
pub async fn get_credits(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> AppResult<Json<CreditsPage>> {
    let page = page_request::<Cursor>(query)?;
    let (balance, ledger) = state.store.credits(&principal.account_id, &page).await?;
    Ok(Json(CreditsPage {
        balance,
        ledger: ledger.data.into_iter().map(LedgerEntryView::from).collect(),
        next_cursor: ledger.next_cursor,
    }))
}
