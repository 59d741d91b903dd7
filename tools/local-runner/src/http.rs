//! The API on a local port: each HTTP request becomes the `lambda_http::Request` API Gateway
//! would hand the function, with the claims of a verified local JWT as authorizer claims. CORS is
//! applied in front of the handler as the HTTP API applies its `CorsConfiguration`: preflights are
//! answered here (the handler never sees `OPTIONS`) and real responses get the headers.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use aws_lambda_events::apigw::{
    ApiGatewayRequestAuthorizer, ApiGatewayRequestAuthorizerJwtDescription,
    ApiGatewayV2httpRequestContext,
};
use bytes::Bytes;
use exports_api::cors::CorsPolicy;
use exports_core::service::ExportService;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use lambda_http::request::RequestContext;
use lambda_http::{Body, RequestExt};
use tokio::net::TcpListener;

use exports_local_env::tokens;

/// API Gateway's payload limit.
const MAX_BODY: usize = 10 * 1024 * 1024;

pub struct LocalApi {
    pub service: ExportService,
    /// `LOCAL_JWT_SECRET`; without it no request carries claims, so every route answers 401.
    pub jwt_secret: Option<String>,
    /// The API's CORS policy for the web app's origins (`WEB_APP_ORIGIN`).
    pub cors: CorsPolicy,
}

fn to_hyper(resp: lambda_http::Response<Body>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = resp.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(t) => Bytes::from(t),
        Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    hyper::Response::from_parts(parts, Full::new(bytes))
}

fn claims_context(
    api: &LocalApi,
    headers: &hyper::HeaderMap,
    method: &hyper::Method,
    path: &str,
    peer: SocketAddr,
) -> ApiGatewayV2httpRequestContext {
    let mut ctx = ApiGatewayV2httpRequestContext::default();
    ctx.stage = Some("$default".into());
    ctx.http.method = method.clone();
    ctx.http.path = Some(path.to_string());
    ctx.http.source_ip = Some(peer.ip().to_string());
    ctx.http.user_agent = headers
        .get(hyper::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let bearer = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let (Some(secret), Some(token)) = (&api.jwt_secret, bearer)
        && let Some(claims) = tokens::verify(secret, token.trim())
    {
        let mut authorizer = ApiGatewayRequestAuthorizer::default();
        let mut jwt = ApiGatewayRequestAuthorizerJwtDescription::default();
        jwt.claims = HashMap::from([
            ("sub".to_string(), claims.sub),
            (
                "cognito:groups".to_string(),
                tokens::flatten_groups(&claims.groups),
            ),
            ("iss".to_string(), claims.iss),
        ]);
        authorizer.jwt = Some(jwt);
        ctx.authorizer = Some(authorizer);
    }
    ctx
}

async fn serve_one(
    api: Arc<LocalApi>,
    peer: SocketAddr,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    if parts.method == hyper::Method::OPTIONS {
        return Ok(to_hyper(api.cors.preflight(&parts.headers)));
    }
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => {
            let e = exports_api::ApiError::InvalidJson(format!(
                "body larger than {MAX_BODY} bytes or unreadable"
            ));
            let mut response = exports_api::error_response(&e);
            api.cors.decorate(&parts.headers, &mut response);
            return Ok(to_hyper(response));
        }
    };
    let path = parts.uri.path().to_string();
    let query: HashMap<String, Vec<String>> = parts
        .uri
        .query()
        .map(|q| {
            let mut m: HashMap<String, Vec<String>> = HashMap::new();
            for (k, v) in url_pairs(q) {
                m.entry(k).or_default().push(v);
            }
            m
        })
        .unwrap_or_default();
    let ctx = claims_context(&api, &parts.headers, &parts.method, &path, peer);
    let mut builder = lambda_http::http::Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone());
    for (k, v) in &parts.headers {
        builder = builder.header(k, v);
    }
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        Body::Binary(bytes.to_vec())
    };
    let request = builder
        .body(body)
        .expect("parts of a valid request")
        .with_raw_http_path(path)
        .with_query_string_parameters(query)
        .with_request_context(RequestContext::ApiGatewayV2(ctx));
    let mut response = exports_api::handle_within(&api.service, request, GATEWAY_TIMEOUT).await;
    api.cors.decorate(&parts.headers, &mut response);
    Ok(to_hyper(response))
}

/// API Gateway's integration timeout for an HTTP API (30 s, less a second for the gateway): the
/// most a request waits locally. (The Lambda function answers within `exports_api::DEADLINE`;
/// the runner's clients wait as long as the workers', since an emulator can take seconds to
/// start a service.)
const GATEWAY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(29);

/// `application/x-www-form-urlencoded` pairs of a query string, percent-decoded.
fn url_pairs(q: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Serves until the process ends.
pub async fn serve(api: Arc<LocalApi>, bind: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind).await?;
    tracing::info!(address = %bind, "local API listening");
    serve_listener(api, listener).await
}

/// Serves the connections of a bound listener (tests bind port 0 and read the port).
pub async fn serve_listener(api: Arc<LocalApi>, listener: TcpListener) -> anyhow::Result<()> {
    accept(listener, move |peer, req| serve_one(api.clone(), peer, req)).await
}

/// Serves HTTP/1.1 connections from `listener` until the process ends, each request answered by
/// `answer` (given the peer's address).
pub(crate) async fn accept<F, Fut>(listener: TcpListener, answer: F) -> anyhow::Result<()>
where
    F: Fn(SocketAddr, hyper::Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<hyper::Response<Full<Bytes>>, Infallible>>
        + Send
        + 'static,
{
    loop {
        let (stream, peer) = listener.accept().await?;
        let answer = answer.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| answer(peer, req));
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await
            {
                tracing::debug!(error = %e, "connection closed");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode() {
        assert_eq!(
            url_pairs("status=completed&cursor=a%2Bb&x=&y&n=two+words"),
            vec![
                ("status".into(), "completed".into()),
                ("cursor".into(), "a+b".into()),
                ("x".into(), "".into()),
                ("y".into(), "".into()),
                ("n".into(), "two words".into()),
            ]
        );
    }
}
