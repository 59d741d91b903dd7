//! The reference web client (`web/`) on its own origin (default `http://127.0.0.1:3000`), so that
//! every call it makes to the API and to S3 crosses origins exactly as in production. Files are
//! read from disk on each request (edit and reload, no build step). Paths without a file
//! extension, such as the scheduled-report mail's `/exports/{job_id}`, get `index.html`, whose
//! script routes them. `/config.json` tells the page where the API is.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Response, StatusCode, header};
use tokio::net::TcpListener;

/// What the page needs to know about where it runs.
pub struct WebSite {
    /// The folder with `index.html`.
    pub root: PathBuf,
    /// The API's base URL, as the page should call it (`http://127.0.0.1:8080`).
    pub api_base_url: String,
    /// Origins the page may connect to besides its own and the API's: where presigned download
    /// URLs point (the emulator locally).
    pub download_origins: Vec<String>,
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

impl WebSite {
    /// The page's Content-Security-Policy: scripts and styles from its own origin only, network
    /// calls to the API and the download origins only.
    fn content_security_policy(&self) -> String {
        let mut connect = vec!["'self'".to_string(), self.api_base_url.clone()];
        connect.extend(self.download_origins.iter().cloned());
        format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
             connect-src {}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            connect.join(" ")
        )
    }

    /// The file a request path names, if it stays inside the root.
    fn file_for(&self, path: &str) -> Option<PathBuf> {
        let relative = Path::new(path.trim_start_matches('/'));
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return None;
        }
        let looks_like_file = relative.extension().is_some();
        Some(if looks_like_file {
            self.root.join(relative)
        } else {
            self.root.join("index.html")
        })
    }

    async fn answer(&self, req: &Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
        let respond = |status: StatusCode, kind: &str, body: Bytes| {
            Response::builder()
                .status(status)
                .header(header::CONTENT_TYPE, kind)
                .header(header::CACHE_CONTROL, "no-cache")
                .header("x-content-type-options", "nosniff")
                .header("referrer-policy", "no-referrer")
                .header("content-security-policy", self.content_security_policy())
                .body(Full::new(body))
                .expect("static headers")
        };
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return respond(
                StatusCode::METHOD_NOT_ALLOWED,
                "text/plain",
                Bytes::from_static(b"GET only\n"),
            );
        }
        if req.uri().path() == "/config.json" {
            let config = serde_json::json!({ "apiBaseUrl": self.api_base_url });
            return respond(
                StatusCode::OK,
                "application/json",
                Bytes::from(config.to_string()),
            );
        }
        let Some(file) = self.file_for(req.uri().path()) else {
            return respond(
                StatusCode::NOT_FOUND,
                "text/plain",
                Bytes::from_static(b"not found\n"),
            );
        };
        match tokio::fs::read(&file).await {
            Ok(bytes) => respond(StatusCode::OK, content_type(&file), Bytes::from(bytes)),
            Err(_) => respond(
                StatusCode::NOT_FOUND,
                "text/plain",
                Bytes::from_static(b"not found\n"),
            ),
        }
    }
}

/// Serves the site until the process ends.
pub async fn serve(site: Arc<WebSite>, bind: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(bind).await?;
    tracing::info!(address = %bind, root = %site.root.display(), "web client listening");
    crate::http::accept(listener, move |_, req| {
        let site = site.clone();
        async move { Ok::<_, Infallible>(site.answer(&req).await) }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> WebSite {
        WebSite {
            root: PathBuf::from("/srv/web"),
            api_base_url: "http://127.0.0.1:8080".into(),
            download_origins: vec!["http://127.0.0.1:4566".into()],
        }
    }

    #[test]
    fn app_paths_get_the_page_and_files_stay_inside_the_root() {
        let s = site();
        assert_eq!(s.file_for("/"), Some(PathBuf::from("/srv/web/index.html")));
        assert_eq!(
            s.file_for("/exports/8d1f0c9e-0000-4000-8000-000000000000"),
            Some(PathBuf::from("/srv/web/index.html"))
        );
        assert_eq!(
            s.file_for("/js/api.js"),
            Some(PathBuf::from("/srv/web/js/api.js"))
        );
        assert_eq!(s.file_for("/../secret.txt"), None);
        assert_eq!(s.file_for("/js/../../x.js"), None);
    }

    #[test]
    fn the_page_may_connect_to_the_api_and_the_downloads_only() {
        let csp = site().content_security_policy();
        assert!(csp.contains("connect-src 'self' http://127.0.0.1:8080 http://127.0.0.1:4566;"));
        assert!(csp.contains("script-src 'self';"));
    }
}
