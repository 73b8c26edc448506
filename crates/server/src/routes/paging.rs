//! The query string of the plain lists (`/tokens`, `/tags`, `/scorecards`, `/credits`): `limit`
//! and `cursor`, parsed by `scorejar_core::paging` with the interaction list's rules (unknown or
//! repeated parameter → 400 naming it).

use crate::error::AppError;
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use scorejar_core::paging::{PageCursor, PageRequest};

/// The page a plain list's query string asks for.
pub fn page_request<C: PageCursor>(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<PageRequest<C>, AppError> {
    let pairs = super::json::query_pairs(query)?;
    Ok(scorejar_core::paging::parse_page(&pairs)?)
}

/// The parameters [`page_request`] reads, as the OpenAPI document shows them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Page size, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100, default = 50)]
    limit: Option<u32>,
    /// The `nextCursor` of the previous page of the same list; absent for the first page.
    cursor: Option<String>,
}
