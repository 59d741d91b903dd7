//! The request function: HTTP in, one use case of the core, HTTP out. The same handler serves
//! API Gateway (HTTP API with a JWT authorizer) and the local runner.

use std::collections::HashMap;
use std::time::Instant;

use exports_core::export::ExportType;
use exports_core::identity::{Caller, parse_groups};
use exports_core::service::requests::{AuditExportQuery, ListQuery};
use exports_core::service::{ExportService, ServiceError};
use lambda_http::http::{HeaderValue, Method, StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use uuid::Uuid;

/// Every route the API serves: method and path pattern (`{…}` segments are UUIDs). The OpenAPI
/// document and the SAM template list the same routes.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/export/session-notes"),
    ("POST", "/api/v1/export/progress-report"),
    ("POST", "/api/v1/export/treatment-summary"),
    ("POST", "/api/v1/export/full-record"),
    ("GET", "/api/v1/export/jobs"),
    ("GET", "/api/v1/export/jobs/{job_id}"),
    ("DELETE", "/api/v1/export/jobs/{job_id}"),
    ("GET", "/api/v1/export/download/{job_id}"),
    ("GET", "/api/v1/audit/logs/export"),
    ("GET", "/api/v1/export/templates"),
    ("POST", "/api/v1/export/templates"),
    ("GET", "/api/v1/export/templates/{template_id}"),
    ("PUT", "/api/v1/export/templates/{template_id}"),
    ("DELETE", "/api/v1/export/templates/{template_id}"),
    ("GET", "/api/v1/export/scheduled"),
    ("POST", "/api/v1/export/scheduled"),
    ("GET", "/api/v1/export/scheduled/{schedule_id}"),
    ("PATCH", "/api/v1/export/scheduled/{schedule_id}"),
    ("DELETE", "/api/v1/export/scheduled/{schedule_id}"),
];

/// The entry of [`ROUTES`] a request matches, if any.
pub fn route_pattern(method: &str, path: &str) -> Option<(&'static str, &'static str)> {
    let path = path.trim_end_matches('/');
    ROUTES.iter().copied().find(|(m, pattern)| {
        *m == method && {
            let want: Vec<&str> = pattern.split('/').collect();
            let got: Vec<&str> = path.split('/').collect();
            want.len() == got.len()
                && want
                    .iter()
                    .zip(&got)
                    .all(|(w, g)| w.starts_with('{') || w == g)
        }
    })
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

enum Route {
    Export(ExportType),
    ListJobs,
    GetJob(Uuid),
    DeleteJob(Uuid),
    Download(Uuid),
    AuditExport,
    ListTemplates,
    CreateTemplate,
    GetTemplate(Uuid),
    ReplaceTemplate(Uuid),
    DeleteTemplate(Uuid),
    ListSchedules,
    CreateSchedule,
    GetSchedule(Uuid),
    ChangeSchedule(Uuid),
    DeleteSchedule(Uuid),
}

/// A path id. A malformed one cannot name anything the caller owns: the same 404 as an unknown
/// one.
fn path_id(segment: &str, code: &'static str, message: &str) -> Result<Uuid, ServiceError> {
    segment
        .parse()
        .map_err(|_| ServiceError::not_found(code, message))
}

fn job_id(segment: &str) -> Result<Uuid, ServiceError> {
    path_id(segment, "job_not_found", "no such job")
}

fn template_id(segment: &str) -> Result<Uuid, ServiceError> {
    path_id(segment, "template_not_found", "no such template")
}

fn schedule_id(segment: &str) -> Result<Uuid, ServiceError> {
    path_id(segment, "schedule_not_found", "no such scheduled report")
}

fn route(method: &Method, path: &str) -> Result<Route, ServiceError> {
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let allowed = |m: &Method, want: Method| {
        if *m == want {
            Ok(())
        } else {
            Err(ServiceError::MethodNotAllowed)
        }
    };
    match segments.as_slice() {
        [
            "api",
            "v1",
            "export",
            kind @ ("session-notes" | "progress-report" | "treatment-summary" | "full-record"),
        ] => {
            allowed(method, Method::POST)?;
            let t = ExportType::ALL
                .iter()
                .find(|t| t.path_segment() == *kind)
                .copied()
                .expect("listed above");
            Ok(Route::Export(t))
        }
        ["api", "v1", "export", "jobs"] => allowed(method, Method::GET).map(|_| Route::ListJobs),
        ["api", "v1", "export", "jobs", id] => match *method {
            Method::GET => Ok(Route::GetJob(job_id(id)?)),
            Method::DELETE => Ok(Route::DeleteJob(job_id(id)?)),
            _ => Err(ServiceError::MethodNotAllowed),
        },
        ["api", "v1", "export", "download", id] => {
            allowed(method, Method::GET)?;
            Ok(Route::Download(job_id(id)?))
        }
        ["api", "v1", "audit", "logs", "export"] => {
            allowed(method, Method::GET).map(|_| Route::AuditExport)
        }
        ["api", "v1", "export", "templates"] => match *method {
            Method::GET => Ok(Route::ListTemplates),
            Method::POST => Ok(Route::CreateTemplate),
            _ => Err(ServiceError::MethodNotAllowed),
        },
        ["api", "v1", "export", "templates", id] => match *method {
            Method::GET => Ok(Route::GetTemplate(template_id(id)?)),
            Method::PUT => Ok(Route::ReplaceTemplate(template_id(id)?)),
            Method::DELETE => Ok(Route::DeleteTemplate(template_id(id)?)),
            _ => Err(ServiceError::MethodNotAllowed),
        },
        ["api", "v1", "export", "scheduled"] => match *method {
            Method::GET => Ok(Route::ListSchedules),
            Method::POST => Ok(Route::CreateSchedule),
            _ => Err(ServiceError::MethodNotAllowed),
        },
        ["api", "v1", "export", "scheduled", id] => match *method {
            Method::GET => Ok(Route::GetSchedule(schedule_id(id)?)),
            Method::PATCH => Ok(Route::ChangeSchedule(schedule_id(id)?)),
            Method::DELETE => Ok(Route::DeleteSchedule(schedule_id(id)?)),
            _ => Err(ServiceError::MethodNotAllowed),
        },
        _ => Err(ServiceError::not_found("route_not_found", "no such route")),
    }
}

fn json(status: StatusCode, value: &impl serde::Serialize) -> Response<Body> {
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

/// The error response, the one place a [`ServiceError`] becomes HTTP.
pub fn error_response(e: &ServiceError) -> Response<Body> {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = json(status, &e.body());
    let headers = r.headers_mut();
    match e {
        ServiceError::RateLimited {
            retry_after_seconds,
        } => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_seconds));
        }
        ServiceError::Unavailable(_) => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        ServiceError::Unauthenticated => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        _ => {}
    }
    r
}

fn query_map(req: &Request) -> HashMap<String, String> {
    let params = req.query_string_parameters();
    params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn header_str<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn dispatch(service: &ExportService, req: &Request) -> Result<Response<Body>, ServiceError> {
    let route = route(req.method(), req.raw_http_path())?;
    let caller = caller_of(req).ok_or(ServiceError::Unauthenticated)?;
    match route {
        Route::Export(t) => {
            let key = header_str(req, "idempotency-key");
            let accepted = service
                .request_export(&caller, t, req.body().as_ref(), key)
                .await?;
            let mut r = json(StatusCode::ACCEPTED, &accepted.job);
            let location = format!("/api/v1/export/jobs/{}", accepted.job.job_id);
            r.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&location).expect("ascii"),
            );
            if accepted.replayed {
                r.headers_mut()
                    .insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            Ok(r)
        }
        Route::ListJobs => {
            let query = ListQuery::parse(&query_map(req))?;
            Ok(json(
                StatusCode::OK,
                &service.list_jobs(&caller, &query).await?,
            ))
        }
        Route::GetJob(id) => {
            let job = service.get_job(&caller, id).await?;
            let mut r = json(StatusCode::OK, &job);
            if job.status.is_in_flight() {
                r.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(service.settings.poll_after_seconds),
                );
            }
            Ok(r)
        }
        Route::DeleteJob(id) => {
            service.delete_job(&caller, id).await?;
            Ok(no_content())
        }
        Route::ListTemplates => Ok(json(
            StatusCode::OK,
            &service.list_templates(&caller, &query_map(req)).await?,
        )),
        Route::CreateTemplate => {
            let t = service
                .create_template(&caller, req.body().as_ref())
                .await?;
            Ok(created(
                &format!("/api/v1/export/templates/{}", t.template_id),
                &t,
            ))
        }
        Route::GetTemplate(id) => Ok(json(
            StatusCode::OK,
            &service.get_template(&caller, id).await?,
        )),
        Route::ReplaceTemplate(id) => Ok(json(
            StatusCode::OK,
            &service
                .replace_template(&caller, id, req.body().as_ref())
                .await?,
        )),
        Route::DeleteTemplate(id) => {
            service.delete_template(&caller, id).await?;
            Ok(no_content())
        }
        Route::ListSchedules => Ok(json(
            StatusCode::OK,
            &service.list_schedules(&caller).await?,
        )),
        Route::CreateSchedule => {
            let s = service
                .create_schedule(&caller, req.body().as_ref())
                .await?;
            Ok(created(
                &format!("/api/v1/export/scheduled/{}", s.schedule_id),
                &s,
            ))
        }
        Route::GetSchedule(id) => Ok(json(
            StatusCode::OK,
            &service.get_schedule(&caller, id).await?,
        )),
        Route::ChangeSchedule(id) => Ok(json(
            StatusCode::OK,
            &service
                .change_schedule(&caller, id, req.body().as_ref())
                .await?,
        )),
        Route::DeleteSchedule(id) => {
            service.delete_schedule(&caller, id).await?;
            Ok(no_content())
        }
        Route::Download(id) => {
            let redirect = query_map(req)
                .get("redirect")
                .is_some_and(|v| v == "true" || v == "1");
            let download = service.issue_download(&caller, id).await?;
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
        Route::AuditExport => {
            let query = AuditExportQuery::parse(&query_map(req), service.ports.clock.now())?;
            let csv = service.export_audit_log(&caller, &query).await?;
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

/// Handles one request. Logs method, route, status and time; never bodies or PHI.
pub async fn handle(service: &ExportService, req: Request) -> Response<Body> {
    let started = Instant::now();
    let response = match dispatch(service, &req).await {
        Ok(r) => r,
        Err(e) => {
            if e.status() >= 500 {
                tracing::error!(code = e.code(), error = %e, detail = ?e, "request failed");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_route_is_dispatched_and_nothing_else() {
        let id = Uuid::new_v4().to_string();
        for (method, pattern) in ROUTES {
            let path = pattern
                .replace("{job_id}", &id)
                .replace("{template_id}", &id)
                .replace("{schedule_id}", &id);
            let m: Method = method.parse().unwrap();
            assert!(route(&m, &path).is_ok(), "{method} {path}");
            assert_eq!(route_pattern(method, &path), Some((*method, *pattern)));
        }
        assert!(matches!(
            route(&Method::GET, "/api/v1/export"),
            Err(ServiceError::NotFound { .. })
        ));
        assert!(matches!(
            route(&Method::PATCH, "/api/v1/export/full-record"),
            Err(ServiceError::MethodNotAllowed)
        ));
        assert_eq!(route_pattern("GET", "/api/v1/export/jobs/x/y"), None);
    }
}
