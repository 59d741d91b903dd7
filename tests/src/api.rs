//! Driving the API and renderer handlers the way API Gateway and the SQS trigger do, over real
//! adapters on the emulator.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::apigw::{
    ApiGatewayRequestAuthorizer, ApiGatewayRequestAuthorizerJwtDescription,
    ApiGatewayV2httpRequestContext,
};
use exports_aws::config::ServiceConfig;
use exports_aws::wiring::export_service;
use exports_core::records::PracticeData;
use exports_core::service::ExportService;
use exports_local_runner::worker::{Consumer, Worker};
use exports_synthetic::{DemoParams, generate};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};
use serde_json::Value;
use uuid::Uuid;

use crate::TestEnv;

pub use exports_core::ports::ShiftedClock;

/// Who calls: `sub` and the flattened `cognito:groups` claim, or nobody.
#[derive(Debug, Clone)]
pub struct As {
    pub sub: String,
    pub groups: &'static str,
}

impl As {
    pub fn therapist(id: Uuid) -> Self {
        Self {
            sub: id.to_string(),
            groups: "[therapist]",
        }
    }
    pub fn admin(sub: &str) -> Self {
        Self {
            sub: sub.into(),
            groups: "[admin]",
        }
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// One test's deployed system: resources, a seeded practice, the service and a renderer worker.
pub struct Api {
    pub env: TestEnv,
    pub data: PracticeData,
    pub service: ExportService,
    pub worker: Worker,
}

impl Api {
    /// Provisions, seeds a small practice and wires the service with `config`.
    pub async fn start(config: ServiceConfig) -> Self {
        Self::start_with(config, Self::practice()).await
    }

    /// The small practice [`Self::start`] seeds (4 patients × 8 sessions).
    pub fn practice() -> PracticeData {
        generate(&DemoParams {
            patients: 4,
            sessions_per_patient: 8,
            words_per_note: 60,
            seed: 5,
            ..Default::default()
        })
    }

    /// [`Self::start`] with the practice `data` seeded instead.
    pub async fn start_with(config: ServiceConfig, data: PracticeData) -> Self {
        let env = TestEnv::new().await;
        env.records().import(&data).await.expect("seed");
        let service = export_service(
            &env.clients,
            &env.names,
            &config,
            exports_aws::wiring::Rendering {
                files: std::sync::Arc::new(exports_render::AllFormats),
                template_checker: std::sync::Arc::new(exports_documents::DocumentTemplates),
                mail: exports_aws::wiring::Mail::Ses,
            },
        )
        .await
        .expect("service");
        let worker = Worker::connect(
            Consumer::Renderer,
            service.clone(),
            env.clients.sqs.clone(),
            &env.names.jobs_queue,
            "us-east-1".into(),
        )
        .await
        .expect("jobs queue");
        Self {
            env,
            data,
            service,
            worker,
        }
    }

    pub async fn default() -> Self {
        Self::start(ServiceConfig::from_lookup(|_| None).unwrap()).await
    }

    /// The same deployment seen through a clock `offset` ahead.
    pub fn later(&self, offset: chrono::Duration) -> ExportService {
        let mut s = self.service.clone();
        s.ports.clock = Arc::new(ShiftedClock(offset));
        s
    }

    /// Takes every message of the scheduled-runs queue and executes it with `service` (the
    /// scheduler's SQS handler, as Lambda's event source would), until the queue is empty.
    pub async fn drain_runs(&self, service: ExportService) -> exports_scheduler::RunsSummary {
        let worker = Worker::connect(
            Consumer::ScheduledRuns,
            service,
            self.env.clients.sqs.clone(),
            &self.env.names.runs_queue,
            "us-east-1".into(),
        )
        .await
        .expect("scheduled-runs queue");
        worker
            .drain()
            .await
            .expect("drain the scheduled-runs queue");
        *worker.runs.lock().expect("runs")
    }

    /// A patient and one therapist assigned to them; `other` is a therapist who is not.
    pub fn patient(&self, index: usize) -> (Uuid, Uuid) {
        let p = &self.data.patients[index].patient;
        (p.id, p.assigned_therapist_ids[0])
    }

    pub fn unassigned_therapist(&self, patient_index: usize) -> Uuid {
        let assigned = &self.data.patients[patient_index]
            .patient
            .assigned_therapist_ids;
        self.data
            .therapists
            .iter()
            .find(|t| !assigned.contains(&t.id))
            .expect("an unassigned therapist")
            .id
    }

    pub async fn call(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
        who: Option<&As>,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.call_with(
            &self.service,
            method,
            path_and_query,
            body.map(|b| b.to_string().into_bytes()),
            who,
            headers,
        )
        .await
    }

    pub async fn call_with(
        &self,
        service: &ExportService,
        method: &str,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        who: Option<&As>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let req = request(method, path_and_query, body, who, headers);
        reply(exports_api::handle(service, req).await)
    }

    /// A JSON request answered within `deadline`, as the Lambda function answers
    /// (`exports_api::handle_within`).
    pub async fn call_within(
        &self,
        service: &ExportService,
        deadline: std::time::Duration,
        method: &str,
        path: &str,
        body: Option<Value>,
        who: &As,
    ) -> Reply {
        let body = body.map(|b| b.to_string().into_bytes());
        let req = request(method, path, body, Some(who), &[]);
        reply(exports_api::handle_within(service, req, deadline).await)
    }

    /// `GET path` as `who`.
    pub async fn get(&self, path: &str, who: &As) -> Reply {
        self.call("GET", path, None, Some(who), &[]).await
    }

    /// `method path` with a JSON body (or none) as `who`.
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>, who: &As) -> Reply {
        self.call(method, path, body, Some(who), &[]).await
    }

    /// Requests an export and returns the reply.
    pub async fn export(&self, kind: &str, body: Value, who: &As) -> Reply {
        self.call(
            "POST",
            &format!("/api/v1/export/{kind}"),
            Some(body),
            Some(who),
            &[],
        )
        .await
    }

    /// Renders everything queued (as the SQS trigger would), until the queue is empty.
    pub async fn drain(&self) {
        for _ in 0..20 {
            if self
                .worker
                .poll_once(Duration::from_secs(0))
                .await
                .expect("poll")
                == 0
            {
                return;
            }
        }
        panic!("queue did not drain");
    }

    /// Number of objects under a prefix of the exports bucket.
    pub async fn objects_under(&self, prefix: &str) -> Vec<String> {
        let out = self
            .env
            .clients
            .s3
            .list_objects_v2()
            .bucket(&self.env.names.exports_bucket)
            .prefix(prefix)
            .send()
            .await
            .expect("list objects");
        out.contents()
            .iter()
            .filter_map(|o| o.key().map(String::from))
            .collect()
    }
}

fn form_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// What an HTTP server answered: status, headers (names lower case, in order) and body.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReply {
    /// The first value of a header, by its lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request over a fresh connection (`Connection: close`), as a browser or curl
/// would send it: the emulator's presigned URLs, the local runner.
pub async fn http_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> HttpReply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body.unwrap_or_default());
    stream.write_all(&bytes).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body);
    }
    HttpReply {
        status,
        headers,
        body,
    }
}

/// `GET url`: status and body.
pub async fn http_get(url: &str) -> (u16, Vec<u8>) {
    let r = http_request("GET", url, &[], None).await;
    (r.status, r.body)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16)
                .unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 2 + size + 2..];
    }
}

/// An API Gateway (HTTP API, JWT authorizer) request as the function receives it.
fn request(
    method: &str,
    path_and_query: &str,
    body: Option<Vec<u8>>,
    who: Option<&As>,
    headers: &[(&str, &str)],
) -> Request {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut ctx = ApiGatewayV2httpRequestContext::default();
    ctx.http.method = method.parse().unwrap();
    ctx.http.path = Some(path.to_string());
    ctx.http.source_ip = Some("203.0.113.7".into());
    ctx.http.user_agent = Some("tests/1.0".into());
    if let Some(who) = who {
        let mut jwt = ApiGatewayRequestAuthorizerJwtDescription::default();
        jwt.claims = HashMap::from([
            ("sub".to_string(), who.sub.clone()),
            ("cognito:groups".to_string(), who.groups.to_string()),
        ]);
        let mut authorizer = ApiGatewayRequestAuthorizer::default();
        authorizer.jwt = Some(jwt);
        ctx.authorizer = Some(authorizer);
    }
    let mut query_map: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_pairs(query) {
        query_map.entry(k).or_default().push(v);
    }
    let mut builder = lambda_http::http::Request::builder()
        .method(method)
        .uri(path_and_query);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    // A JSON body is declared JSON, as every client does, unless the test says otherwise.
    if body.is_some()
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        builder = builder.header("content-type", "application/json");
    }
    let body = body.map_or(Body::Empty, Body::Binary);
    builder
        .body(body)
        .unwrap()
        .with_raw_http_path(path)
        .with_query_string_parameters(query_map)
        .with_request_context(RequestContext::ApiGatewayV2(ctx))
}

fn reply(resp: lambda_http::Response<Body>) -> Reply {
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                v.to_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let status = resp.status().as_u16();
    let body = match resp.into_body() {
        Body::Empty => Vec::new(),
        Body::Text(t) => t.into_bytes(),
        Body::Binary(b) => b,
        _ => Vec::new(),
    };
    Reply {
        status,
        headers,
        body,
    }
}
