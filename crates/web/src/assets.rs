//! The stylesheet and script, compiled into the binary and served under a name that carries
//! their content hash (`/assets/app-1a2b3c4d.css`): a browser may cache them forever, and a
//! new build changes the name. No third-party asset is ever loaded.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use scorejar_server::AppState;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

struct Asset {
    /// The name templates ask for (`app.css`).
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
    /// The name it is served under (`app-<hash>.css`).
    served_as: String,
}

fn asset(name: &'static str, content_type: &'static str, body: &'static str) -> Asset {
    let hash = hex::encode(&Sha256::digest(body.as_bytes())[..4]);
    let (stem, ext) = name
        .rsplit_once('.')
        .expect("asset names have an extension");
    Asset {
        name,
        content_type,
        body,
        served_as: format!("{stem}-{hash}.{ext}"),
    }
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    vec![
        asset(
            "app.css",
            "text/css; charset=utf-8",
            include_str!("../assets/app.css"),
        ),
        asset(
            "app.js",
            "text/javascript; charset=utf-8",
            include_str!("../assets/app.js"),
        ),
    ]
});

/// The URL of asset `name` (for templates); panics on an unknown name, which is a bug in a
/// template that every page test would show.
pub(crate) fn url(name: &str) -> String {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no asset named {name}"));
    format!("/assets/{}", asset.served_as)
}

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/assets/{file}", get(serve))
}

async fn serve(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.served_as == file) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_carry_their_content_hash() {
        let css = url("app.css");
        assert!(
            css.starts_with("/assets/app-") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/assets/app-12345678.css".len());
        assert_ne!(url("app.js"), css);
    }
}
