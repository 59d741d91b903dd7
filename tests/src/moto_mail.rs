//! The emails moto has "sent": SES `SendRawEmail` calls are kept, not delivered, and moto's
//! `GET /moto-api/data.json` lists them under `ses` → `RawMessage`, one object per message:
//! `{"id", "source", "destinations", "raw_data"}` (`raw_data` is the MIME text as sent).
//!
//! The list is the whole emulator's, shared by every test running against it: find your own
//! message by the id `SendRawEmail` returned ([`sent_email`]) or by a recipient unique to the test
//! ([`sent_to`]). [`crate::readers::email`] parses the MIME with an independent parser.

use serde_json::Value;

use crate::DEFAULT_ENDPOINT;

/// The emulator's address: `AWS_ENDPOINT_URL`, else the local default.
pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| DEFAULT_ENDPOINT.into())
}

/// One message moto accepted through `SendRawEmail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentEmail {
    /// The `MessageId` `SendRawEmail` returned.
    pub message_id: String,
    /// The `Source` given, or the `From` header when none was.
    pub source: String,
    /// The recipients, each once. (moto lists the `Destinations` parameter and then the `To`
    /// header's addresses again; duplicates are dropped here.)
    pub destinations: Vec<String>,
    /// The MIME message as sent.
    pub raw: String,
}

/// How often [`sent_emails`] asks again after moto answers `data.json` with a 500.
const DATA_JSON_ATTEMPTS: u32 = 40;

/// Every message sent through the emulator so far, oldest first.
///
/// moto builds `data.json` by walking every model instance of every service, checking which
/// attributes serialise, and serialising the survivors at the end. An attribute that changes in
/// between (typically a DynamoDB table that was empty at the check and got its first item from a
/// test running in parallel before the end) makes that final step raise, and moto answers 500.
/// The walk takes longer the more state the emulator holds, so after a full test run the window
/// is wide. The failure says nothing about the mail, so the read is simply repeated.
pub async fn sent_emails(endpoint: &str) -> Vec<SentEmail> {
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
