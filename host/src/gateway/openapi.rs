//! The OpenAPI 3 document of `/api/v1`, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::error::{ErrorBody, ErrorDetail};
use super::rest::AckBody;
use crate::exchange::audit::Entry;
use crate::exchange::mailbox::MailboxItem;
use crate::exchange::{DeliveryRef, Receipt};

/// The REST API of endpoints.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "truc — Trục liên thông văn bản",
        description = "The REST API of the national electronic-document interchange hub: send QCVN 102:2016 edXML packages, read and acknowledge your mailbox, follow documents.",
        version = "1.0.0"
    ),
    paths(
        super::rest::send_package,
        super::rest::mailbox,
        super::rest::fetch,
        super::rest::fetch_native,
        super::rest::acknowledge,
        super::rest::timeline,
        super::rest::agencies,
        super::rest::agency,
        super::rest::inbound,
    ),
    components(schemas(Receipt, DeliveryRef, MailboxItem, Entry, AckBody, ErrorBody, ErrorDetail)),
    modifiers(&ApiKey),
)]
pub struct ApiDoc;

struct ApiKey;

impl Modify for ApiKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("truc_…")
                    .build(),
            ),
        );
    }
}

/// Serves the document.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
