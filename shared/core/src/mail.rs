//! The scheduled-report email: subject, plain-text and HTML parts from tera templates
//! (`templates/email/`). Nothing in it identifies the patient: no name, MRN or diagnosis, in
//! link mode or attachment mode (where only the attached file holds PHI).

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use tera::{Context, Tera};
use uuid::Uuid;

use crate::export::{ExportType, ScheduleType};
use crate::ports::{EmailAttachment, OutgoingEmail};

const TEXT: &str = "report_ready.txt.tera";
const HTML: &str = "report_ready.html.tera";

static TEMPLATES: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html.tera"]);
    tera.add_raw_templates([
        (
            TEXT,
            include_str!("../../../templates/email/report_ready.txt.tera"),
        ),
        (
            HTML,
            include_str!("../../../templates/email/report_ready.html.tera"),
        ),
    ])
    .unwrap_or_else(|e| panic!("embedded email templates are invalid: {e}"));
    tera
});

/// What the email says about the report.
#[derive(Debug, Clone)]
pub struct ReportReady {
    pub from: String,
    pub to: String,
    pub export_type: ExportType,
    pub schedule_type: ScheduleType,
    pub schedule_id: Uuid,
    pub job_id: Uuid,
    /// The dates a session-notes or progress report covers.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// The job's page in the app.
    pub link: String,
    pub expires_at: DateTime<Utc>,
    /// The file, when attached.
    pub attachment: Option<EmailAttachment>,
    /// Attachment was asked for but the file is too big: its size in bytes.
    pub too_large: Option<u64>,
    /// What the file's readers should know about it (`JobFile::warnings`' messages: counts, no
    /// patient text), one sentence each.
    pub warnings: Vec<String>,
}

fn report_words(t: ExportType) -> &'static str {
    match t {
        ExportType::SessionNotes => "session notes",
        ExportType::ProgressReport => "progress report",
        ExportType::TreatmentSummary => "treatment summary",
        ExportType::FullRecord => "full record",
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// `12.4 MB`.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

impl ReportReady {
    pub fn subject(&self) -> String {
        format!(
            "Your scheduled {} {} is ready",
            self.schedule_type,
            report_words(self.export_type)
        )
    }

    pub fn into_email(self) -> OutgoingEmail {
        let subject = self.subject();
        let mut ctx = Context::new();
        ctx.insert("subject", &subject);
        ctx.insert("cadence", self.schedule_type.as_str());
        ctx.insert("report", report_words(self.export_type));
        ctx.insert(
            "period",
            &self.period.map(|(a, b)| {
                if a == b {
                    date(a)
                } else {
                    format!("{} to {}", date(a), date(b))
                }
            }),
        );
        ctx.insert("attached", &self.attachment.is_some());
        ctx.insert("too_large", &self.too_large.is_some());
        ctx.insert("size", &self.too_large.map(megabytes).unwrap_or_default());
        ctx.insert("link", &self.link);
        ctx.insert(
            "expires",
            &self.expires_at.format("%-d %b %Y, %H:%M UTC").to_string(),
        );
        ctx.insert("warnings", &self.warnings);
        ctx.insert("job_id", &self.job_id.to_string());
        ctx.insert("schedule_id", &self.schedule_id.to_string());
        let render = |name| {
            TEMPLATES
                .render(name, &ctx)
                .unwrap_or_else(|e| panic!("embedded email template {name} failed: {e}"))
        };
        OutgoingEmail {
            from: self.from,
            to: self.to,
            subject,
            text: render(TEXT),
            html: render(HTML),
            attachment: self.attachment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn report_ready() -> ReportReady {
        ReportReady {
            from: "reports@example.org".into(),
            to: "dr@example.org".into(),
            export_type: ExportType::ProgressReport,
            schedule_type: ScheduleType::Weekly,
            schedule_id: Uuid::from_u128(1),
            job_id: Uuid::from_u128(2),
            period: Some((
                NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
                NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            )),
            link: "https://app.example.org/exports/2?a=1&b=2".into(),
            expires_at: Utc.with_ymd_and_hms(2026, 11, 30, 13, 0, 0).unwrap(),
            attachment: None,
            too_large: None,
            warnings: Vec::new(),
        }
    }

    fn mail(attachment: Option<EmailAttachment>, too_large: Option<u64>) -> OutgoingEmail {
        ReportReady {
            attachment,
            too_large,
            ..report_ready()
        }
        .into_email()
    }

    #[test]
    fn link_mail_says_what_is_ready_and_where() {
        let m = mail(None, None);
        assert_eq!(m.subject, "Your scheduled weekly progress report is ready");
        assert!(m.text.contains("covers 16 Nov 2026 to 22 Nov 2026"));
        assert!(m.text.contains("https://app.example.org/exports/2?a=1&b=2"));
        assert!(m.text.contains("until 30 Nov 2026, 13:00 UTC"));
        // The HTML part escapes what it prints.
        assert!(
            m.html
                .contains("href=\"https://app.example.org/exports/2?a=1&amp;b=2\"")
        );
        assert!(!m.text.contains("attached"));
    }

    #[test]
    fn attachment_and_too_large_variants() {
        let file = EmailAttachment {
            filename: "progress_report_2026-11-23.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7".to_vec(),
        };
        let m = mail(Some(file), None);
        assert!(m.text.contains("is attached to this email"));
        assert!(m.attachment.is_some());
        let m = mail(None, Some(12 * 1024 * 1024));
        assert!(m.text.contains("larger than email allows (12.0 MB)"));
        assert!(m.text.contains("Sign in to download"));
    }

    #[test]
    fn warnings_are_told_in_both_parts() {
        let plain = mail(None, None);
        assert!(!plain.text.contains("Note:"), "{}", plain.text);
        let warning = crate::job::FileWarning::unsupported_characters(3).message;
        let m = ReportReady {
            warnings: vec![warning.clone()],
            ..report_ready()
        }
        .into_email();
        assert!(m.text.contains(&format!("Note: {warning}.")), "{}", m.text);
        assert!(
            m.html.contains("3 characters could not be drawn"),
            "{}",
            m.html
        );
    }
}
