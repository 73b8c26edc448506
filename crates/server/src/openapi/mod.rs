//! The OpenAPI document served at `/api/v1/openapi.json`: the operations come from the
//! handlers' `#[utoipa::path]` attributes, the schemas from the types the handlers answer with
//! where they have one (`TagView`, `TokenView`, the list pages, `CreditsPage`), else from
//! `upload.rs` and `resources.rs` (mirrors of the JSON the handlers read and build), and `responses.rs` adds what every
//! operation shares: the bearer scheme, 401/403 with the scope, 400/408/413 for bodies, 429, 503.
//!
//! The document is public (no token): it describes the API, not an account's data, and a
//! client generator or schemathesis must be able to read it first.

mod resources;
mod responses;
mod upload;

pub use resources::*;
pub use upload::*;

use responses::{BearerAuth, CommonResponses, ScopeDocs};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "scorejar API", description = "Upload interactions, get them transcribed and scored. \
        Every error answer, whatever produced it, is the `Error` envelope \
        `{\"success\": false, \"error\": {\"code\", \"message\", \"field\"}}`."),
    paths(
        crate::routes::upload::upload_interaction,
        crate::routes::interactions::get_interaction,
        crate::routes::interactions::delete_interaction,
        crate::routes::participants::erase_participant,
        crate::routes::retention::get_retention,
        crate::routes::retention::put_retention,
        crate::routes::media::interaction_media,
        crate::routes::interactions::list_interactions,
        crate::routes::interaction_retry::retry_interaction,
        crate::routes::interaction_tags::add_tag,
        crate::routes::interaction_tags::remove_tag,
        crate::routes::action_runs::list_action_runs,
        crate::routes::tokens::create_token,
        crate::routes::tokens::list_tokens,
        crate::routes::tokens::get_token,
        crate::routes::tokens::revoke_token,
        crate::routes::auth::login,
        crate::routes::auth::logout,
        crate::routes::tags::create_tag,
        crate::routes::tags::list_tags,
        crate::routes::tags::rename_tag,
        crate::routes::tags::delete_tag,
        crate::routes::scorecards::create_scorecard,
        crate::routes::scorecards::list_scorecards,
        crate::routes::scorecards::get_scorecard,
        crate::routes::scorecards::update_scorecard,
        crate::routes::scorecards::get_scorecard_version,
        crate::routes::evaluations::queue_evaluation,
        crate::routes::evaluations::list_score_submissions,
        crate::routes::evaluations::get_score_submission,
        crate::routes::reviews::override_evaluation,
        crate::routes::reviews::scorecard_agreement,
        crate::routes::credits::get_credits,
        crate::routes::actions::create_action,
        crate::routes::actions::list_actions,
        crate::routes::actions::get_action,
        crate::routes::actions::update_action,
        crate::routes::actions::delete_action,
        crate::routes::actions::rotate_action_secret,
        crate::routes::actions::preview_action,
        crate::routes::webhook_endpoints::create_endpoint,
        crate::routes::webhook_endpoints::list_endpoints,
        crate::routes::webhook_endpoints::get_endpoint,
        crate::routes::webhook_endpoints::update_endpoint,
        crate::routes::webhook_endpoints::delete_endpoint,
        crate::routes::webhook_endpoints::rotate_endpoint_secret,
        crate::routes::webhook_deliveries::list_deliveries,
        crate::routes::webhook_deliveries::get_delivery,
        crate::routes::webhook_deliveries::redeliver_delivery,
        crate::routes::webhook_deliveries::replay_deliveries,
        crate::routes::media::media_by_link,
        crate::routes::health::healthz,
    ),
    components(schemas(UploadPayloadDoc, UploadResponseDoc, ErrorDoc)),
    modifiers(&BearerAuth, &ScopeDocs, &CommonResponses)
)]
pub struct ApiDoc;

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /api/v1/openapi.json` (public).
pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(document())
}
