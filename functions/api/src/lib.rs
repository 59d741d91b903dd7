//! The request function: HTTP in, one use case of the core, HTTP out. The same handler serves
//! API Gateway (HTTP API with a JWT authorizer) and the local runner. HTTP is decided here: the
//! route table ([`routes`]), media types, reading bodies and query strings into the core's typed
//! requests ([`input`]), status codes and headers ([`error`]); CORS
//! ([`cors`]) is applied in front of the handler, by API Gateway or the local runner. Export
//! requests also write an EMF metrics line (`exports_aws::metrics`): accepted by type and format,
//! refused by error code.

pub mod cors;
pub mod error;
pub mod input;
pub mod routes;

use std::future::Future;
use std::time::Instant;

use exports_aws::metrics;
use exports_core::identity::{Caller, Role, parse_groups};
use exports_core::service::{ExportService, Resource, ServiceError};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use uuid::Uuid;

pub use error::{ApiError, error_response};
pub use routes::{Endpoint, ROUTES, Route};

/// The `(method, path pattern)` of the route a request matches, if any.
pub fn route_pattern(method: &str, path: &str) -> Option<(&'static str, &'static str)> {
    routes::match_route(method, path)
        .ok()
        .map(|m| (m.route.method, m.route.path))
}

/// The caller from the JWT authorizer's claims: `sub` and `cognito:groups`. No claims, no caller.
pub fn caller_of(req: &Request) -> Option<Caller> {
    let Some(RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref() else {
        return None;
    };
    let claims = &ctx.authorizer.as_ref()?.jwt.as_ref()?.claims;
    let sub = claims.get("sub").filter(|s| !s.is_empty())?;
    Some(Caller {
        user_id: sub.clone(),
        roles: claims
            .get("cognito:groups")
            .map(|g| parse_groups(g))
            .unwrap_or_default(),
        source_ip: ctx.http.source_ip.clone(),
        user_agent: ctx.http.user_agent.clone(),
    })
}

pub(crate) fn json(status: StatusCode, value: &impl serde::Serialize) -> Response<Body> {
    let body = serde_json::to_vec(value).expect("serializable");
    let mut r = Response::new(Body::Binary(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn no_content() -> Response<Body> {
    let mut r = Response::new(Body::Empty);
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}

fn created(location: &str, value: &impl serde::Serialize) -> Response<Body> {
    let mut r = json(StatusCode::CREATED, value);
    r.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(location).expect("ascii"),
    );
    r
}

fn query_map(req: &Request) -> input::Query {
    let params = req.query_string_parameters();
    params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn header_str<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The resource a route's path id names.
fn resource_of(endpoint: Endpoint) -> Resource {
    match endpoint {
        Endpoint::GetTemplate | Endpoint::ReplaceTemplate | Endpoint::DeleteTemplate => {
            Resource::Template
        }
        Endpoint::GetSchedule | Endpoint::ChangeSchedule | Endpoint::DeleteSchedule => {
            Resource::Schedule
        }
        Endpoint::GetAuditExport => Resource::AuditExport,
        _ => Resource::Job,
    }
}

/// The path id. A malformed one cannot name anything the caller owns: the same 404 as an unknown
/// one, audited as a denial like one.
async fn path_id(
    service: &ExportService,
    caller: &Caller,
    matched: &routes::Matched<'_>,
) -> Result<Uuid, ServiceError> {
    match matched.path_param.and_then(|p| p.parse().ok()) {
        Some(id) => Ok(id),
        None => {
            let resource = resource_of(matched.route.endpoint);
            Err(service.refuse_malformed_id(caller, resource).await)
        }
    }
}

/// The media type of `Content-Type`, without parameters, lower case.
fn media_type(req: &Request) -> Option<String> {
    let v = header_str(req, "content-type")?;
    Some(
        v.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

/// A non-empty body must be declared JSON. (An empty one is read, and refused as no body.)
fn require_json_body(req: &Request) -> Result<(), ApiError> {
    if req.body().is_empty() || media_type(req).as_deref() == Some("application/json") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

/// The request's input, read by the API; if it could not be read, the checks the use case makes
/// before it reads its input answer first (the role, audited when refused; the template being
/// replaced), so an unreadable request is refused just as a readable one would be.
async fn checked_first<T>(
    input: Result<T, ApiError>,
    checks: impl Future<Output = Result<(), ServiceError>>,
) -> Result<T, ApiError> {
    match input {
        Ok(value) => Ok(value),
        Err(e) => {
            checks.await?;
            Err(e)
        }
    }
}

async fn dispatch(service: &ExportService, req: &Request) -> Result<Response<Body>, ApiError> {
    let matched =
        routes::match_route(req.method().as_str(), req.raw_http_path()).map_err(|e| match e {
            routes::NoRoute::NotFound => ApiError::RouteNotFound,
            routes::NoRoute::MethodNotAllowed { allow } => ApiError::MethodNotAllowed { allow },
        })?;
    let caller = caller_of(req).ok_or(ServiceError::Unauthenticated)?;
    let endpoint = matched.route.endpoint;
    if endpoint.takes_json_body() {
        require_json_body(req)?;
    }
    let body = req.body().as_ref();
    match endpoint {
        Endpoint::RequestExport(t) => {
            // Read as bytes: a key that is not visible ASCII must reach the core's check (422),
            // not vanish as an unreadable header and make a second export.
            let key = req
                .headers()
                .get("idempotency-key")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let request = checked_first(
                input::export_request(t, body),
                service.require(&caller, Role::Therapist),
            )
            .await?;
            let accepted = service
                .request_export(&caller, request, key.as_deref())
                .await?;
            if !accepted.replayed {
                metrics::export_requested(accepted.job.export_type, accepted.job.format).emit();
            }
            let mut r = created(
                &format!("/api/v1/export/jobs/{}", accepted.job.job_id),
                &accepted.job,
            );
            *r.status_mut() = StatusCode::ACCEPTED;
            if accepted.replayed {
                r.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            Ok(r)
        }
        Endpoint::ListJobs => {
            let query = input::list_query(&query_map(req))?;
            Ok(json(
                StatusCode::OK,
                &service.list_jobs(&caller, &query).await?,
            ))
        }
        Endpoint::GetJob => {
            let job = service
                .get_job(&caller, path_id(service, &caller, &matched).await?)
                .await?;
            let mut r = json(StatusCode::OK, &job);
            if job.status.is_in_flight() {
                r.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(service.settings.poll_after_seconds),
                );
            }
            Ok(r)
        }
        Endpoint::DeleteJob => {
            service
                .delete_job(&caller, path_id(service, &caller, &matched).await?)
                .await?;
            Ok(no_content())
        }
        Endpoint::ListTemplates => {
            let query = checked_first(
                input::template_list_query(&query_map(req)),
                service.require(&caller, Role::Therapist),
            )
            .await?;
            Ok(json(
                StatusCode::OK,
                &service.list_templates(&caller, &query).await?,
            ))
        }
        Endpoint::CreateTemplate => {
            let template = checked_first(
                input::json_body(body),
                service.require(&caller, Role::Therapist),
            )
            .await?;
            let t = service.create_template(&caller, template).await?;
            Ok(created(
                &format!("/api/v1/export/templates/{}", t.template_id),
                &t,
            ))
        }
        Endpoint::GetTemplate => Ok(json(
            StatusCode::OK,
            &service
                .get_template(&caller, path_id(service, &caller, &matched).await?)
                .await?,
        )),
        Endpoint::ReplaceTemplate => {
            let id = path_id(service, &caller, &matched).await?;
            let template = checked_first(
                input::json_body(body),
                service.check_template_replace(&caller, id),
            )
            .await?;
            Ok(json(
                StatusCode::OK,
                &service.replace_template(&caller, id, template).await?,
            ))
        }
        Endpoint::DeleteTemplate => {
            service
                .delete_template(&caller, path_id(service, &caller, &matched).await?)
                .await?;
            Ok(no_content())
        }
        Endpoint::ListSchedules => Ok(json(
            StatusCode::OK,
            &service.list_schedules(&caller).await?,
        )),
        Endpoint::CreateSchedule => {
            let schedule = checked_first(
                input::json_body(body),
                service.require(&caller, Role::Therapist),
            )
            .await?;
            let s = service.create_schedule(&caller, schedule).await?;
            Ok(created(
                &format!("/api/v1/export/scheduled/{}", s.schedule_id),
                &s,
            ))
        }
        Endpoint::GetSchedule => Ok(json(
            StatusCode::OK,
            &service
                .get_schedule(&caller, path_id(service, &caller, &matched).await?)
                .await?,
        )),
        Endpoint::ChangeSchedule => {
            let id = path_id(service, &caller, &matched).await?;
            let change = checked_first(
                input::json_body(body),
                service.require(&caller, Role::Therapist),
            )
            .await?;
            Ok(json(
                StatusCode::OK,
                &service.change_schedule(&caller, id, change).await?,
            ))
        }
        Endpoint::DeleteSchedule => {
            service
                .delete_schedule(&caller, path_id(service, &caller, &matched).await?)
                .await?;
            Ok(no_content())
        }
        Endpoint::Download => {
            let redirect = input::redirect_param(&query_map(req))?;
            let download = service
                .issue_download(&caller, path_id(service, &caller, &matched).await?)
                .await?;
            if redirect {
                let mut r = Response::new(Body::Empty);
                *r.status_mut() = StatusCode::FOUND;
                let location = HeaderValue::from_str(&download.download_url).map_err(|_| {
                    ServiceError::Internal("download URL is not a header value".into())
                })?;
                r.headers_mut().insert(header::LOCATION, location);
                r.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                return Ok(r);
            }
            let mut r = json(StatusCode::OK, &download);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(r)
        }
        Endpoint::RequestAuditExport => {
            let query = checked_first(
                input::audit_export_body(body),
                service.require(&caller, Role::Admin),
            )
            .await?;
            let export = service.request_audit_export(&caller, &query).await?;
            let mut r = created(
                &format!("/api/v1/audit/logs/exports/{}", export.export_id),
                &export,
            );
            *r.status_mut() = StatusCode::ACCEPTED;
            Ok(r)
        }
        Endpoint::GetAuditExport => {
            let export = service
                .get_audit_export(&caller, path_id(service, &caller, &matched).await?)
                .await?;
            let mut r = json(StatusCode::OK, &export);
            if export.status.is_in_flight() {
                r.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(service.settings.poll_after_seconds),
                );
            }
            // The body may hold a download URL.
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(r)
        }
        Endpoint::AuditExport => {
            let query = input::audit_query(&query_map(req))?;
            let events = service.export_audit_log(&caller, &query).await?;
            let csv = exports_formats::audit_csv(&events);
            let mut r = Response::new(Body::Binary(csv));
            let headers = r.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"export-audit-log.csv\""),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(r)
        }
    }
}

/// The request is one of the `POST /api/v1/export/{type}` routes.
fn is_export_request(req: &Request) -> bool {
    routes::match_route(req.method().as_str(), req.raw_http_path())
        .is_ok_and(|m| matches!(m.route.endpoint, Endpoint::RequestExport(_)))
}

/// Handles one request. Logs method, route, status and time; never bodies or PHI.
pub async fn handle(service: &ExportService, req: Request) -> Response<Body> {
    answer(service, req, None).await
}

/// The most a request may take: then it is answered `503 service_unavailable` with
/// `Retry-After`, whatever it was waiting for. Each AWS call is bounded by the API's waits
/// (`exports_aws::config::Waits::API`, 2.5 s); this bounds a request that makes several calls,
/// well inside the function's timeout and API Gateway's 30 s, so the client always gets the
/// JSON body. Work cut off here is safe to retry: a job written but not queued is failed or
/// queued again by the sweeper, and an `Idempotency-Key` replays.
pub const DEADLINE: std::time::Duration = std::time::Duration::from_secs(6);

/// [`handle`] within `deadline` (the Lambda function uses [`DEADLINE`]). Needs a tokio runtime
/// with its timer.
pub async fn handle_within(
    service: &ExportService,
    req: Request,
    deadline: std::time::Duration,
) -> Response<Body> {
    answer(service, req, Some(deadline)).await
}

async fn answer(
    service: &ExportService,
    req: Request,
    deadline: Option<std::time::Duration>,
) -> Response<Body> {
    let started = Instant::now();
    let outcome = match deadline {
        None => dispatch(service, &req).await,
        Some(d) => tokio::time::timeout(d, dispatch(service, &req))
            .await
            .unwrap_or_else(|_| {
                Err(ApiError::Service(ServiceError::Unavailable(format!(
                    "no answer within the request deadline ({} ms)",
                    d.as_millis()
                ))))
            }),
    };
    let response = match outcome {
        Ok(r) => r,
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!(code = e.code(), error = %e, detail = ?e, "request failed");
            }
            if is_export_request(&req) {
                metrics::export_rejected(e.code()).emit();
            }
            error_response(&e)
        }
    };
    tracing::info!(
        method = %req.method(),
        path = req.raw_http_path(),
        status = response.status().as_u16(),
        millis = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
