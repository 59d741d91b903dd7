//! The sample events in events/ are what `cargo lambda invoke --data-file` sends: each must be a
//! valid API Gateway HTTP API (v2) event, carry authorizer claims, and name a route we serve.

use lambda_http::RequestExt;

#[test]
fn every_api_sample_event_parses_carries_claims_and_names_a_served_route() {
    let dir = format!(
        "{}/../../events",
        std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo test")
    );
    let mut covered = std::collections::HashSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("api-") {
            continue;
        }
        let req = lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let caller = exports_api::caller_of(&req).unwrap_or_else(|| panic!("{name}: no claims"));
        assert!(!caller.roles.is_empty(), "{name}: no roles");
        let route = exports_api::route_pattern(req.method().as_str(), req.raw_http_path())
            .unwrap_or_else(|| {
                panic!(
                    "{name}: {} {} is not served",
                    req.method(),
                    req.raw_http_path()
                )
            });
        covered.insert(route);
    }
    assert_eq!(
        covered.len(),
        exports_api::ROUTES.len(),
        "one sample event per route"
    );
}
