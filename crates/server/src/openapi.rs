//! The OpenAPI document served at `/api/v1/openapi.json`, generated from the handlers'
//! `#[utoipa::path]` attributes and the schema types below (which document shapes that the
//! handlers build as JSON values).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// The upload payload (see the API reference for every field).
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = UploadPayload)]
pub struct UploadPayloadDoc {
    /// Your unique id for this interaction (idempotency key), 1–255 characters.
    #[schema(example = "call-12345")]
    source_identifier: String,
    /// INBOUND or OUTBOUND.
    direction: String,
    /// RFC 3339 event time; without an offset it is UTC.
    timestamp: String,
    /// AUDIO, VIDEO, CHAT, EMAIL or SMS; inferred when omitted.
    interaction_type: Option<String>,
    /// Milliseconds.
    duration: Option<i64>,
    download_url: Option<String>,
    agent: Option<serde_json::Value>,
    customer: Option<serde_json::Value>,
    tags: Option<Vec<String>>,
    custom_metadata: Option<serde_json::Value>,
    transcript: Option<serde_json::Value>,
    email: Option<serde_json::Value>,
    evaluation: Option<serde_json::Value>,
}

/// Upload response.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = UploadResponse)]
pub struct UploadResponseDoc {
    success: bool,
    interaction_id: String,
    interaction_type: String,
    status_url: String,
    processing: serde_json::Value,
    score_submission_id: Option<String>,
    warnings: Vec<String>,
    duplicate: bool,
}

/// Body of `POST /api/v1/tokens`.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = CreateToken, rename_all = "camelCase")]
pub struct CreateTokenDoc {
    /// 1–200 characters.
    name: String,
    /// Any of `upload`, `read`, `evaluate`, `admin`; at least one; absent = the caller's own.
    /// A scope the caller lacks is a 403.
    scopes: Option<Vec<String>>,
    /// RFC 3339, in the future; absent = never (or the caller's own expiry, if it has one).
    #[schema(example = "2027-01-31T00:00:00Z")]
    expires_at: Option<String>,
}

/// The error envelope of every 4xx/5xx.
#[derive(ToSchema)]
#[allow(dead_code)]
#[schema(as = Error)]
pub struct ErrorDoc {
    /// Always false.
    success: bool,
    /// `{code, message, field}`.
    error: serde_json::Value,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Writes each authenticated operation's scope (`auth/scopes.rs`) into its description, as a
/// `x-scope` extension, and adds the 403 that a token without it gets.
struct ScopeDocs;

impl Modify for ScopeDocs {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::auth::scopes::{routes, Access};
        use utoipa::openapi::extensions::ExtensionsBuilder;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        for (method, path, access) in routes() {
            let Some(item) = openapi.paths.paths.get_mut(*path) else {
                continue;
            };
            let op = match *method {
                "GET" => item.get.as_mut(),
                "POST" => item.post.as_mut(),
                "PATCH" => item.patch.as_mut(),
                "DELETE" => item.delete.as_mut(),
                _ => None,
            };
            let Some(op) = op else { continue };
            let Access::Needs(scope) = access else {
                continue;
            };
            let note = format!("Needs a token with the `{scope}` scope.");
            op.description = Some(match op.description.take() {
                Some(d) => format!("{d}\n\n{note}"),
                None => note,
            });
            let ext = ExtensionsBuilder::new()
                .add("x-scope", scope.as_str())
                .build();
            match op.extensions.as_mut() {
                Some(existing) => existing.merge(ext),
                None => op.extensions = Some(ext),
            }
            let forbidden = ResponseBuilder::new()
                .description(format!(
                    "The token lacks the `{scope}` scope (`insufficient_scope`)"
                ))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Error")))
                        .build(),
                )
                .build();
            op.responses
                .responses
                .entry("403".to_string())
                .or_insert(forbidden.into());
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "scorejar API", description = "Upload interactions, get them transcribed and scored."),
    paths(
        crate::routes::upload::upload_interaction,
        crate::routes::interactions::get_interaction,
        crate::routes::interactions::list_interactions,
        crate::routes::tokens::create_token,
        crate::routes::tokens::list_tokens,
        crate::routes::tokens::revoke_token,
        crate::routes::auth::login,
        crate::routes::auth::logout,
        crate::routes::tags::create_tag,
        crate::routes::tags::list_tags,
        crate::routes::scorecards::create_scorecard,
        crate::routes::scorecards::list_scorecards,
        crate::routes::scorecards::get_scorecard,
        crate::routes::scorecards::update_scorecard,
        crate::routes::scorecards::get_scorecard_version,
        crate::routes::evaluations::queue_evaluation,
        crate::routes::evaluations::get_score_submission,
        crate::routes::credits::get_credits,
        crate::routes::health::healthz,
    ),
    components(schemas(UploadPayloadDoc, UploadResponseDoc, CreateTokenDoc, ErrorDoc)),
    modifiers(&BearerAuth, &ScopeDocs)
)]
pub struct ApiDoc;

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(document())
}
