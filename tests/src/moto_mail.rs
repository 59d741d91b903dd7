//! The emails moto has "sent": SES `SendRawEmail` calls are kept, not delivered, and moto's
//! `GET /moto-api/data.json` lists them under `ses` → `RawMessage`, one object per message:
//! `{"id", "source", "destinations", "raw_data"}` (`raw_data` is the MIME text as sent).
//!
//! The list is the whole emulator's, shared by every test running against it: find your own
//! message by the id `SendRawEmail` returned ([`sent_email`]) or by a recipient unique to the test
//! ([`sent_to`]). [`ParsedEmail::parse`] reads the MIME back (headers, text and HTML bodies,
//! attachments decoded) without a MIME crate.

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

/// Every message sent through the emulator so far, oldest first.
pub async fn sent_emails(endpoint: &str) -> Vec<SentEmail> {
    let url = format!("{}/moto-api/data.json", endpoint.trim_end_matches('/'));
    let (status, body) = crate::api::http_get(&url).await;
    assert_eq!(status, 200, "GET {url}");
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

/// A leaf MIME part: its headers and its body, transfer-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Lower-case names, unfolded values, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Part {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// `type/subtype`, lower case (`text/plain` when missing).
    pub fn content_type(&self) -> String {
        self.header("content-type")
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_else(|| "text/plain".into())
    }

    /// The `filename` of a `Content-Disposition: attachment`.
    pub fn attachment_name(&self) -> Option<String> {
        let d = self.header("content-disposition")?;
        if !d
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("attachment")
        {
            return None;
        }
        param(d, "filename").or_else(|| param(self.header("content-type")?, "name"))
    }
}

/// An email read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEmail {
    /// The top-level headers (lower-case names, unfolded values).
    pub headers: Vec<(String, String)>,
    /// The `Subject`, encoded words decoded.
    pub subject: String,
    /// The bare address of `From` (without a display name or angle brackets).
    pub from: String,
    /// The bare address of `To`.
    pub to: String,
    /// `Content-Type` of the message itself (`multipart/mixed`, …).
    pub content_type: String,
    /// Every leaf part, depth first.
    pub parts: Vec<Part>,
}

impl ParsedEmail {
    pub fn parse(raw: &str) -> Self {
        let raw = raw.replace("\r\n", "\n");
        let (head, _) = split_entity(&raw);
        let headers = parse_headers(head);
        let get = |n: &str| header_in(&headers, n).unwrap_or_default().to_string();
        let mut parts = Vec::new();
        walk(&raw, &mut parts);
        Self {
            subject: decode_words(&get("subject")),
            from: bare_address(&get("from")),
            to: bare_address(&get("to")),
            content_type: get("content-type")
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase(),
            headers,
            parts,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// The first `text/plain` part that is not an attachment.
    pub fn text(&self) -> Option<String> {
        self.body_of("text/plain")
    }

    /// The first `text/html` part that is not an attachment.
    pub fn html(&self) -> Option<String> {
        self.body_of("text/html")
    }

    fn body_of(&self, content_type: &str) -> Option<String> {
        self.parts
            .iter()
            .find(|p| p.content_type() == content_type && p.attachment_name().is_none())
            .map(|p| String::from_utf8_lossy(&p.body).into_owned())
    }

    /// The attachments: (file name, content type, decoded bytes).
    pub fn attachments(&self) -> Vec<(String, String, Vec<u8>)> {
        self.parts
            .iter()
            .filter_map(|p| Some((p.attachment_name()?, p.content_type(), p.body.clone())))
            .collect()
    }
}

/// `Name <a@b>` or `<a@b>` → `a@b`.
fn bare_address(value: &str) -> String {
    match (value.rfind('<'), value.rfind('>')) {
        (Some(l), Some(r)) if l < r => value[l + 1..r].trim().to_string(),
        _ => value.trim().to_string(),
    }
}

fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Head and body of an entity (`\n` line ends).
fn split_entity(entity: &str) -> (&str, &str) {
    match entity.find("\n\n") {
        Some(i) => (&entity[..i], &entity[i + 2..]),
        None => (entity, ""),
    }
}

fn parse_headers(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = headers.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    headers
}

/// A `; name=value` or `; name="value"` parameter of a structured header.
fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| decode_words(v.trim().trim_matches('"')))
    })
}

fn walk(entity: &str, out: &mut Vec<Part>) {
    let (head, body) = split_entity(entity);
    let headers = parse_headers(head);
    let content_type = header_in(&headers, "content-type").unwrap_or("text/plain");
    if content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/")
    {
        let boundary = param(content_type, "boundary").expect("a multipart has a boundary");
        let delimiter = format!("\n--{boundary}");
        let body = format!("\n{body}");
        for piece in body.split(&delimiter).skip(1) {
            if piece.starts_with("--") {
                break;
            }
            // The rest of the delimiter line, then the part; the line end before the next
            // delimiter belongs to the delimiter.
            let part = piece.split_once('\n').map_or("", |(_, p)| p);
            walk(part, out);
        }
        return;
    }
    let encoding = header_in(&headers, "content-transfer-encoding")
        .unwrap_or("7bit")
        .to_ascii_lowercase();
    let body = match encoding.as_str() {
        "base64" => base64_decode(body),
        "quoted-printable" => quoted_printable_decode(body),
        _ => body.as_bytes().to_vec(),
    };
    out.push(Part { headers, body });
}

/// Standard base64, whitespace ignored.
pub fn base64_decode(text: &str) -> Vec<u8> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in text.as_bytes() {
        if c == b'=' {
            break;
        }
        let Some(v) = value(c) else {
            assert!(c.is_ascii_whitespace(), "not base64: {:?}", c as char);
            continue;
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Quoted-printable (`\n` line ends): soft breaks joined, `=XX` decoded.
pub fn quoted_printable_decode(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// RFC 2047 encoded words (`=?utf-8?B?…?=`, `=?us-ascii?Q?…?=`) decoded; whitespace between two
/// encoded words dropped.
pub fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let decoded = rest[start + 2..].split_once('?').and_then(|(_, r)| {
            let (encoding, r) = r.split_once('?')?;
            let end = r.find("?=")?;
            let text = &r[..end];
            let bytes = match encoding {
                "B" | "b" => base64_decode(text),
                "Q" | "q" => quoted_printable_decode(&text.replace('_', " ")),
                _ => return None,
            };
            let consumed = value.len() - r.len() + end + 2;
            Some((String::from_utf8_lossy(&bytes).into_owned(), consumed))
        });
        let Some((word, consumed)) = decoded else {
            break;
        };
        let between = &rest[..start];
        if !(after_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        out.push_str(&word);
        after_word = true;
        rest = &value[consumed..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_transfer_encodings_and_encoded_words() {
        assert_eq!(base64_decode("aGVs\r\nbG8="), b"hello");
        assert_eq!(base64_decode("AAEC/w=="), [0, 1, 2, 255]);
        assert_eq!(
            quoted_printable_decode("a=3Db=\nc =E2=80=94"),
            "a=bc —".as_bytes()
        );
        assert_eq!(
            decode_words("=?utf-8?B?WW91ciByZXBvcnQg4oCU?=\n\t=?utf-8?B?IHJlYWR5?="),
            "Your report — ready"
        );
        assert_eq!(decode_words("Plain =?us-ascii?Q?a_b?= c"), "Plain a b c");
    }

    #[test]
    fn reads_a_nested_multipart() {
        let raw = "From: a@x.example\r\nTo: \"B\" <b@y.example>\r\nSubject: Hi\r\nMIME-Version: 1.0\r\n\
            Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
            --outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n\
            --inner\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nline=\r\n one\r\n\
            --inner\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--inner--\r\n\
            --outer\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n\tfilename=\"r.pdf\"\r\n\
            Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--outer--\r\n";
        let m = ParsedEmail::parse(raw);
        assert_eq!(m.subject, "Hi");
        assert_eq!(m.to, "b@y.example");
        assert_eq!(m.content_type, "multipart/mixed");
        assert_eq!(m.text().as_deref(), Some("line one"));
        assert_eq!(m.html().as_deref(), Some("<p>x</p>"));
        assert_eq!(
            m.attachments(),
            vec![(
                "r.pdf".to_string(),
                "application/pdf".to_string(),
                b"%PDF-".to_vec()
            )]
        );
    }
}
