//! The emails the emulator has "sent": SES `SendRawEmail` calls are kept, not delivered.
//!
//! - moto lists them at `GET /moto-api/data.json` under `ses` → `RawMessage`, one object per
//!   message: `{"id", "source", "destinations", "raw_data"}` (`raw_data` is the MIME text as sent).
//! - LocalStack lists them at `GET /_aws/ses` under `messages`, one object per message:
//!   `{"Id", "Region", "Source", "RawData", "Timestamp"}`; it keeps no recipients for raw mail, so
//!   they are read from the message's `To` and `Cc` headers.
//!
//! Which of the two answers is asked of the endpoint itself ([`emulator`]): LocalStack answers
//! `GET /_localstack/health`, moto does not.
//!
//! The list is the whole emulator's, shared by every test running against it: find your own
//! message by the id `SendRawEmail` returned ([`sent_email`]) or by a recipient unique to the test
//! ([`sent_to`]). [`crate::readers::email`] parses the MIME with an independent parser.

use std::sync::OnceLock;

use serde_json::Value;

use crate::DEFAULT_ENDPOINT;

/// The AWS emulator behind an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emulator {
    Moto,
    LocalStack,
}

/// Which emulator answers at `endpoint` (asked once per test process: one endpoint per run).
pub async fn emulator(endpoint: &str) -> Emulator {
    static KIND: OnceLock<Emulator> = OnceLock::new();
    if let Some(kind) = KIND.get() {
        return *kind;
    }
    let url = format!("{}/_localstack/health", endpoint.trim_end_matches('/'));
    let (status, body) = crate::api::http_get(&url).await;
    let is_localstack = status == 200
        && serde_json::from_slice::<Value>(&body).is_ok_and(|v| v["services"].is_object());
    let kind = if is_localstack {
        Emulator::LocalStack
    } else {
        Emulator::Moto
    };
    *KIND.get_or_init(|| kind)
}

/// The emulator's address: `AWS_ENDPOINT_URL`, else the local default.
pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| DEFAULT_ENDPOINT.into())
}

/// One message the emulator accepted through `SendRawEmail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentEmail {
    /// The `MessageId` `SendRawEmail` returned.
    pub message_id: String,
    /// The `Source` given, or the `From` header when none was.
    pub source: String,
    /// The recipients, each once. (moto lists the `Destinations` parameter and then the `To`
    /// header's addresses again; duplicates are dropped here. LocalStack: the `To` and `Cc`
    /// headers' addresses.)
    pub destinations: Vec<String>,
    /// The MIME message as sent.
    pub raw: String,
}

/// How often [`sent_emails`] asks moto again after moto answers `data.json` with a 500.
const DATA_JSON_ATTEMPTS: u32 = 40;

/// Every message sent through the emulator so far, oldest first.
pub async fn sent_emails(endpoint: &str) -> Vec<SentEmail> {
    match emulator(endpoint).await {
        Emulator::Moto => moto_emails(endpoint).await,
        Emulator::LocalStack => localstack_emails(endpoint).await,
    }
}

/// LocalStack's `GET /_aws/ses`.
async fn localstack_emails(endpoint: &str) -> Vec<SentEmail> {
    let url = format!("{}/_aws/ses", endpoint.trim_end_matches('/'));
    let (status, body) = crate::api::http_get(&url).await;
    assert_eq!(
        status,
        200,
        "GET {url}: {}",
        String::from_utf8_lossy(&body[..body.len().min(500)])
    );
    let data: Value = serde_json::from_slice(&body).expect("LocalStack's /_aws/ses is JSON");
    data["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["RawData"].is_string())
        .map(|m| {
            let text = |k: &str| m[k].as_str().unwrap_or_default().to_string();
            let raw = text("RawData");
            SentEmail {
                message_id: text("Id"),
                source: text("Source"),
                destinations: header_addresses(&raw, &["to", "cc"]),
                raw,
            }
        })
        .collect()
}

/// The addresses in the named headers of a MIME message, each once, in order.
fn header_addresses(raw: &str, names: &[&str]) -> Vec<String> {
    let head = raw.split("\r\n\r\n").next().unwrap_or_default();
    // Unfold: a line starting with white space continues the previous header.
    let mut headers: Vec<String> = Vec::new();
    for line in head.lines() {
        match headers.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
            _ => headers.push(line.to_string()),
        }
    }
    let mut out: Vec<String> = Vec::new();
    for header in headers {
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        if !names.iter().any(|n| name.trim().eq_ignore_ascii_case(n)) {
            continue;
        }
        for part in value.split(',') {
            let address = match (part.rfind('<'), part.rfind('>')) {
                (Some(open), Some(close)) if open < close => &part[open + 1..close],
                _ => part.trim(),
            };
            if !address.is_empty() && !out.iter().any(|a| a == address) {
                out.push(address.to_string());
            }
        }
    }
    out
}

/// moto's `GET /moto-api/data.json`.
///
/// moto builds `data.json` by walking every model instance of every service, checking which
/// attributes serialise, and serialising the survivors at the end. An attribute that changes in
/// between (typically a DynamoDB table that was empty at the check and got its first item from a
/// test running in parallel before the end) makes that final step raise, and moto answers 500.
/// The walk takes longer the more state the emulator holds, so after a full test run the window
/// is wide. The failure says nothing about the mail, so the read is simply repeated.
async fn moto_emails(endpoint: &str) -> Vec<SentEmail> {
    let url = format!("{}/moto-api/data.json", endpoint.trim_end_matches('/'));
    let mut attempt = 1;
    let body = loop {
        let (status, body) = crate::api::http_get(&url).await;
        if status == 200 {
            break body;
        }
        assert!(
            status >= 500 && attempt < DATA_JSON_ATTEMPTS,
            "GET {url} answered {status} (attempt {attempt}): {}",
            String::from_utf8_lossy(&body[..body.len().min(500)])
        );
        attempt += 1;
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    let data: Value = serde_json::from_slice(&body).expect("moto's data.json is JSON");
    let Some(messages) = data["ses"]["RawMessage"].as_array() else {
        return Vec::new();
    };
    messages
        .iter()
        .map(|m| {
            let text = |k: &str| m[k].as_str().unwrap_or_default().to_string();
            let mut destinations: Vec<String> = Vec::new();
            for d in m["destinations"].as_array().into_iter().flatten() {
                if let Some(d) = d.as_str()
                    && !destinations.iter().any(|x| x == d)
                {
                    destinations.push(d.to_string());
                }
            }
            SentEmail {
                message_id: text("id"),
                source: text("source"),
                destinations,
                raw: text("raw_data"),
            }
        })
        .collect()
}

/// The raw MIME of every message sent so far, oldest first.
pub async fn sent_raw_messages(endpoint: &str) -> Vec<String> {
    sent_emails(endpoint)
        .await
        .into_iter()
        .map(|m| m.raw)
        .collect()
}

/// The message `SendRawEmail` answered `message_id` for.
pub async fn sent_email(endpoint: &str, message_id: &str) -> Option<SentEmail> {
    sent_emails(endpoint)
        .await
        .into_iter()
        .find(|m| m.message_id == message_id)
}

/// Messages to `recipient`, oldest first.
pub async fn sent_to(endpoint: &str, recipient: &str) -> Vec<SentEmail> {
    sent_emails(endpoint)
        .await
        .into_iter()
        .filter(|m| m.destinations.iter().any(|d| d == recipient))
        .collect()
}
