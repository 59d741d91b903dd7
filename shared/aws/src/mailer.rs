//! Scheduled-report emails through SES (v1 `SendRawEmail`): a MIME message with a plain-text and
//! an HTML alternative, and the export attached (base64) when it is small enough to attach.

use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;
use exports_core::ports::{Mailer, OutgoingEmail, PortError};
use mail_builder::MessageBuilder;
use mail_builder::encoders::base64::base64_encode_mime;
use mail_builder::headers::address::Address;
use mail_builder::mime::{BodyPart, MimePart};

use crate::error::sdk_message;

#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
}

impl SesMailer {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

/// An address as it may stand in a header: no whitespace, control characters or angle
/// brackets, so it cannot end the header or smuggle in another one.
fn clean_address(address: &str) -> String {
    address
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '<' | '>' | '"'))
        .collect()
}

/// The domain of an address, for the `Message-ID`.
fn domain_of(address: &str) -> &str {
    address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
        .unwrap_or("localhost")
}

/// The email as MIME: `multipart/alternative` of text and HTML, inside `multipart/mixed` with the
/// attachment (always base64) when there is one.
pub fn mime_of(email: &OutgoingEmail) -> Vec<u8> {
    let from = clean_address(&email.from);
    let to = clean_address(&email.to);
    let message_id = format!("{}@{}", uuid::Uuid::new_v4().simple(), domain_of(&from));
    let alternative = MimePart::new(
        "multipart/alternative",
        vec![
            MimePart::new("text/plain", email.text.as_str()),
            MimePart::new("text/html", email.html.as_str()),
        ],
    );
    let body = match &email.attachment {
        None => alternative,
        Some(a) => {
            // Base64 whatever the type (text/csv would otherwise go as 7bit or
            // quoted-printable), so every attachment reads back the same way.
            let mut encoded =
                Vec::with_capacity(a.bytes.len() * 4 / 3 + a.bytes.len() / 57 * 2 + 4);
            base64_encode_mime(&a.bytes, &mut encoded, false)
                .expect("writing to a Vec cannot fail");
            let file = MimePart::new(a.content_type.as_str(), BodyPart::Binary(encoded.into()))
                .attachment(a.filename.as_str())
                .transfer_encoding("base64");
            MimePart::new("multipart/mixed", vec![alternative, file])
        }
    };
    let message = MessageBuilder::new()
        .message_id(message_id)
        .from(Address::new_address(None::<&str>, from))
        .to(Address::new_address(None::<&str>, to))
        .subject(email.subject.as_str())
        .body(body);
    message
        .write_to_vec()
        .expect("writing to a Vec cannot fail")
}

/// An SES failure without the request (addresses, subject, body): the AWS error code for
/// answers from SES, the transport error otherwise.
fn ses_error<E, R>(err: &SdkError<E, R>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let message = match err {
        SdkError::ServiceError(e) => {
            format!(
                "SendRawEmail: {}",
                e.err().code().unwrap_or("unknown SES error")
            )
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            sdk_message("SendRawEmail", err)
        }
        _ => "SendRawEmail: unexpected response".to_string(),
    };
    PortError::Unavailable(message)
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, PortError> {
        for (what, address) in [("sender", &email.from), ("recipient", &email.to)] {
            if address.is_empty() || clean_address(address) != *address || !address.contains('@') {
                return Err(PortError::Corrupt(format!(
                    "the {what} address is not usable"
                )));
            }
        }
        let raw = RawMessage::builder()
            .data(Blob::new(mime_of(email)))
            .build()
            .map_err(|e| PortError::Corrupt(format!("building SendRawEmail: {e}")))?;
        let out = self
            .client
            .send_raw_email()
            .source(&email.from)
            .destinations(&email.to)
            .raw_message(raw)
            .send()
            .await
            .map_err(|e| ses_error(&e))?;
        Ok(out.message_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exports_core::ports::EmailAttachment;
    use mail_parser::{MessageParser, MimeHeaders};

    fn email(attachment: Option<EmailAttachment>) -> OutgoingEmail {
        OutgoingEmail {
            from: "reports@practice.example.com".into(),
            to: "therapist@practice.example.com".into(),
            subject: "Your weekly progress report — ready".into(),
            text: "Your report is ready.\nOpen: https://app.example.com/exports/1".into(),
            html: "<p>Your report is <b>ready</b>.</p>".into(),
            attachment,
        }
    }

    fn pdf_like() -> Vec<u8> {
        // Mostly ASCII with some binary, like a PDF: the kind mail-builder would otherwise
        // consider sending quoted-printable.
        let mut bytes =
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
        bytes.extend((0..=255u8).cycle().take(5000));
        bytes
    }

    #[test]
    fn text_and_html_are_alternatives() {
        let raw = mime_of(&email(None));
        let text = String::from_utf8(raw.clone()).unwrap();
        assert!(
            text.contains("Content-Type: multipart/alternative"),
            "{text}"
        );
        assert!(!text.contains("multipart/mixed"));
        let m = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(
            m.from().unwrap().first().unwrap().address(),
            Some("reports@practice.example.com")
        );
        assert_eq!(
            m.to().unwrap().first().unwrap().address(),
            Some("therapist@practice.example.com")
        );
        assert_eq!(m.subject(), Some("Your weekly progress report — ready"));
        // Line ends go out as CRLF, as SMTP wants them.
        assert_eq!(
            m.body_text(0).unwrap().trim_end(),
            "Your report is ready.\r\nOpen: https://app.example.com/exports/1"
        );
        assert_eq!(
            m.body_html(0).unwrap().trim_end(),
            "<p>Your report is <b>ready</b>.</p>"
        );
        assert_eq!(m.attachment_count(), 0);
        assert!(
            m.message_id()
                .is_some_and(|id| id.ends_with("@practice.example.com")),
            "{:?}",
            m.message_id()
        );
    }

    #[test]
    fn an_attachment_goes_base64_beside_the_alternatives() {
        for (content_type, filename, bytes) in [
            ("application/pdf", "progress_report.pdf", pdf_like()),
            (
                "text/csv",
                "session_notes.csv",
                b"date,type\n2026-01-01,individual\n".to_vec(),
            ),
        ] {
            let raw = mime_of(&email(Some(EmailAttachment {
                filename: filename.into(),
                content_type: content_type.into(),
                bytes: bytes.clone(),
            })));
            let text = String::from_utf8(raw.clone()).expect("MIME is ASCII");
            assert!(text.contains("Content-Type: multipart/mixed"), "{text}");
            assert!(text.contains("Content-Type: multipart/alternative"));
            assert!(text.contains("Content-Transfer-Encoding: base64"));
            let m = MessageParser::default().parse(&raw).unwrap();
            assert_eq!(m.attachment_count(), 1);
            let a = m.attachment(0).unwrap();
            assert_eq!(a.attachment_name(), Some(filename));
            let ct = a.content_type().unwrap();
            assert_eq!(
                format!("{}/{}", ct.ctype(), ct.subtype().unwrap()),
                content_type
            );
            assert_eq!(a.contents(), bytes.as_slice(), "{filename} round-trips");
            assert!(m.body_text(0).unwrap().starts_with("Your report is ready."));
            assert!(m.body_html(0).unwrap().contains("<b>ready</b>"));
        }
    }

    #[test]
    fn addresses_cannot_inject_headers() {
        let mut e = email(None);
        e.to = "victim@example.com>\r\nBcc: <other@example.com".into();
        let text = String::from_utf8(mime_of(&e)).unwrap();
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(clean_address(&e.to) != e.to);
    }
}
