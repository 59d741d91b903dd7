//! The one route table of the API. Matching, dispatch, the `Allow` header of a `405`, the methods
//! CORS allows, the SAM template's routes and the OpenAPI document are all checked against
//! [`ROUTES`]; nothing else lists them.

use exports_core::export::ExportType;

/// What a route does: one use case of the core each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    RequestExport(ExportType),
    ListJobs,
    GetJob,
    DeleteJob,
    Download,
    AuditExport,
    RequestAuditExport,
    GetAuditExport,
    ListTemplates,
    CreateTemplate,
    GetTemplate,
    ReplaceTemplate,
    DeleteTemplate,
    ListSchedules,
    CreateSchedule,
    GetSchedule,
    ChangeSchedule,
    DeleteSchedule,
}

impl Endpoint {
    /// Whether the request carries a JSON body (and so must declare `Content-Type:
    /// application/json`).
    pub fn takes_json_body(self) -> bool {
        matches!(
            self,
            Endpoint::RequestExport(_)
                | Endpoint::CreateTemplate
                | Endpoint::ReplaceTemplate
                | Endpoint::CreateSchedule
                | Endpoint::ChangeSchedule
                | Endpoint::RequestAuditExport
        )
    }
}

/// One route: method, path pattern (a `{…}` segment is a UUID path parameter) and endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub endpoint: Endpoint,
}

const fn route(method: &'static str, path: &'static str, endpoint: Endpoint) -> Route {
    Route {
        method,
        path,
        endpoint,
    }
}

/// Every route the API serves.
pub const ROUTES: &[Route] = &[
    route(
        "POST",
        "/api/v1/export/session-notes",
        Endpoint::RequestExport(ExportType::SessionNotes),
    ),
    route(
        "POST",
        "/api/v1/export/progress-report",
        Endpoint::RequestExport(ExportType::ProgressReport),
    ),
    route(
        "POST",
        "/api/v1/export/treatment-summary",
        Endpoint::RequestExport(ExportType::TreatmentSummary),
    ),
    route(
        "POST",
        "/api/v1/export/full-record",
        Endpoint::RequestExport(ExportType::FullRecord),
    ),
    route("GET", "/api/v1/export/jobs", Endpoint::ListJobs),
    route("GET", "/api/v1/export/jobs/{job_id}", Endpoint::GetJob),
    route(
        "DELETE",
        "/api/v1/export/jobs/{job_id}",
        Endpoint::DeleteJob,
    ),
    route(
        "GET",
        "/api/v1/export/download/{job_id}",
        Endpoint::Download,
    ),
    route("GET", "/api/v1/audit/logs/export", Endpoint::AuditExport),
    route(
        "POST",
        "/api/v1/audit/logs/exports",
        Endpoint::RequestAuditExport,
    ),
    route(
        "GET",
        "/api/v1/audit/logs/exports/{export_id}",
        Endpoint::GetAuditExport,
    ),
    route("GET", "/api/v1/export/templates", Endpoint::ListTemplates),
    route("POST", "/api/v1/export/templates", Endpoint::CreateTemplate),
    route(
        "GET",
        "/api/v1/export/templates/{template_id}",
        Endpoint::GetTemplate,
    ),
    route(
        "PUT",
        "/api/v1/export/templates/{template_id}",
        Endpoint::ReplaceTemplate,
    ),
    route(
        "DELETE",
        "/api/v1/export/templates/{template_id}",
        Endpoint::DeleteTemplate,
    ),
    route("GET", "/api/v1/export/scheduled", Endpoint::ListSchedules),
    route("POST", "/api/v1/export/scheduled", Endpoint::CreateSchedule),
    route(
        "GET",
        "/api/v1/export/scheduled/{schedule_id}",
        Endpoint::GetSchedule,
    ),
    route(
        "PATCH",
        "/api/v1/export/scheduled/{schedule_id}",
        Endpoint::ChangeSchedule,
    ),
    route(
        "DELETE",
        "/api/v1/export/scheduled/{schedule_id}",
        Endpoint::DeleteSchedule,
    ),
];

/// The order methods are listed in (`Allow`, CORS).
const METHOD_ORDER: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

fn in_method_order(mut methods: Vec<&'static str>) -> Vec<&'static str> {
    methods.sort_by_key(|m| METHOD_ORDER.iter().position(|o| o == m));
    methods.dedup();
    methods
}

/// Every method some route uses: what CORS must allow.
pub fn methods() -> Vec<&'static str> {
    in_method_order(ROUTES.iter().map(|r| r.method).collect())
}

/// A request that matched a route: the route and its path parameter, if the pattern has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched<'a> {
    pub route: &'static Route,
    pub path_param: Option<&'a str>,
}

/// Why a request matched no route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoRoute {
    /// No pattern has this path.
    NotFound,
    /// Some pattern has this path, but not with this method; `allow` lists the methods it has.
    MethodNotAllowed { allow: Vec<&'static str> },
}

/// The path parameter if `path` fits `pattern` (`Some(None)` for a pattern without one).
fn fit<'a>(pattern: &str, path: &'a str) -> Option<Option<&'a str>> {
    let want = pattern.split('/');
    let got = path.split('/');
    if want.clone().count() != got.clone().count() {
        return None;
    }
    let mut param = None;
    for (w, g) in want.zip(got) {
        if w.starts_with('{') {
            param = Some(g);
        } else if w != g {
            return None;
        }
    }
    Some(param)
}

/// The route a request names. A trailing `/` is ignored.
pub fn match_route<'a>(method: &str, path: &'a str) -> Result<Matched<'a>, NoRoute> {
    let path = path.trim_end_matches('/');
    let mut allow = Vec::new();
    for r in ROUTES {
        if let Some(path_param) = fit(r.path, path) {
            if r.method == method {
                return Ok(Matched {
                    route: r,
                    path_param,
                });
            }
            allow.push(r.method);
        }
    }
    if allow.is_empty() {
        Err(NoRoute::NotFound)
    } else {
        Err(NoRoute::MethodNotAllowed {
            allow: in_method_order(allow),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_matches_itself_and_nothing_else_matches() {
        let id = "0b7a3f4e-7f1e-4c55-9d7e-1f2a3b4c5d6e";
        for r in ROUTES {
            let path = r
                .path
                .replace("{job_id}", id)
                .replace("{template_id}", id)
                .replace("{schedule_id}", id)
                .replace("{export_id}", id);
            let m = match_route(r.method, &path).expect("matches");
            assert_eq!(m.route, r);
            assert_eq!(m.path_param.is_some(), r.path.contains('{'), "{}", r.path);
            assert_eq!(match_route(r.method, &format!("{path}/")), Ok(m));
        }
        assert_eq!(match_route("GET", "/api/v1/export"), Err(NoRoute::NotFound));
        assert_eq!(
            match_route("GET", "/api/v1/export/jobs/x/y"),
            Err(NoRoute::NotFound)
        );
    }

    #[test]
    fn a_known_path_with_another_method_lists_the_allowed_ones() {
        assert_eq!(
            match_route("PATCH", "/api/v1/export/full-record"),
            Err(NoRoute::MethodNotAllowed {
                allow: vec!["POST"]
            })
        );
        assert_eq!(
            match_route("POST", "/api/v1/export/templates/anything"),
            Err(NoRoute::MethodNotAllowed {
                allow: vec!["GET", "PUT", "DELETE"]
            })
        );
    }

    #[test]
    fn export_routes_are_named_by_their_export_type() {
        for t in ExportType::ALL {
            let r = ROUTES
                .iter()
                .find(|r| r.endpoint == Endpoint::RequestExport(*t))
                .expect("a route per export type");
            assert_eq!(r.path, format!("/api/v1/export/{}", t.path_segment()));
            assert_eq!(r.method, "POST");
        }
    }

    #[test]
    fn cors_methods_are_every_method_in_use() {
        assert_eq!(methods(), vec!["GET", "POST", "PUT", "PATCH", "DELETE"]);
    }
}
