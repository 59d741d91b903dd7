//! Export templates: a named layout and defaults for one export type. Therapists make their own;
//! the built-in ones (one per export type) are visible to everyone and read-only.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::export::{ExportFormat, ExportType, PageSize};

/// Largest custom body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest name, title and header text, in characters.
pub const MAX_SHORT_TEXT: usize = 200;
/// Longest footer text, in characters.
pub const MAX_FOOTER_TEXT: usize = 500;

/// A stored template. Its API representation is [`TemplateView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportTemplate {
    pub template_id: Uuid,
    /// The therapist who made it (token `sub`); `None` for built-in templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    pub name: String,
    pub export_type: ExportType,
    /// Used when an export or schedule names the template but no format.
    pub default_format: ExportFormat,
    /// Used when an export names the template but no `include_sections`; `None` = all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_sections: Option<Vec<String>>,
    pub layout: DocumentLayout,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How a printable (PDF, DOCX) export looks. JSON and CSV exports ignore it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentLayout {
    #[serde(default = "default_page_size")]
    pub page_size: PageSize,
    /// Replaces the export type's title (`Progress Report`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Replaces the practice name as the page header's first line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_text: Option<String>,
    /// Printed in every page's footer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer_text: Option<String>,
    /// A custom tera body in the document markup (`docs/markup.md`), instead of the built-in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

fn default_page_size() -> PageSize {
    PageSize::Letter
}

impl Default for DocumentLayout {
    fn default() -> Self {
        Self {
            page_size: PageSize::Letter,
            title: None,
            header_text: None,
            footer_text: None,
            body: None,
        }
    }
}

impl ExportTemplate {
    pub fn is_built_in(&self) -> bool {
        self.owner_id.is_none()
    }

    /// Whether `user_id` may use (export with, schedule with, read) this template.
    pub fn visible_to(&self, user_id: &str) -> bool {
        self.owner_id.as_deref().is_none_or(|o| o == user_id)
    }

    /// The template as a listing shows it: without its body, which `GET /{id}` returns, so a
    /// page of 100 templates stays far below Lambda's 6 MB response limit.
    pub fn summary(&self) -> TemplateView {
        TemplateView {
            body: None,
            ..self.view()
        }
    }

    pub fn view(&self) -> TemplateView {
        TemplateView {
            template_id: self.template_id,
            name: self.name.clone(),
            export_type: self.export_type,
            default_format: self.default_format,
            include_sections: self.include_sections.clone(),
            title: self.layout.title.clone(),
            header_text: self.layout.header_text.clone(),
            footer_text: self.layout.footer_text.clone(),
            page_size: self.layout.page_size,
            has_body: self.layout.body.is_some(),
            body: self.layout.body.clone(),
            built_in: self.is_built_in(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// A template as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub template_id: Uuid,
    pub name: String,
    pub export_type: ExportType,
    pub default_format: ExportFormat,
    pub include_sections: Option<Vec<String>>,
    pub title: Option<String>,
    pub header_text: Option<String>,
    pub footer_text: Option<String>,
    pub page_size: PageSize,
    /// The custom body; `null` in listings (up to 64 KB each), see `has_body`.
    pub body: Option<String>,
    /// Whether the template has a custom body.
    pub has_body: bool,
    pub built_in: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The built-in templates: the standard layout of each export type, as PDF, on Letter paper.
/// Their ids are fixed so the web app can name them.
pub fn built_in_templates() -> Vec<ExportTemplate> {
    let at = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date");
    let one = |id: u128, name: &str, export_type| ExportTemplate {
        template_id: Uuid::from_u128(id),
        owner_id: None,
        name: name.to_string(),
        export_type,
        default_format: ExportFormat::Pdf,
        include_sections: None,
        layout: DocumentLayout::default(),
        created_at: at,
        updated_at: at,
    };
    vec![
        one(
            0x00000000_0000_4000_8000_000000000001,
            "Standard session notes",
            ExportType::SessionNotes,
        ),
        one(
            0x00000000_0000_4000_8000_000000000002,
            "Standard progress report",
            ExportType::ProgressReport,
        ),
        one(
            0x00000000_0000_4000_8000_000000000003,
            "Standard treatment summary",
            ExportType::TreatmentSummary,
        ),
        one(
            0x00000000_0000_4000_8000_000000000004,
            "Standard full record",
            ExportType::FullRecord,
        ),
    ]
}

/// The built-in template with this id.
pub fn built_in_template(template_id: Uuid) -> Option<ExportTemplate> {
    built_in_templates()
        .into_iter()
        .find(|t| t.template_id == template_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_built_in_per_export_type_with_stable_ids() {
        let all = built_in_templates();
        assert_eq!(all.len(), ExportType::ALL.len());
        for t in ExportType::ALL {
            assert_eq!(all.iter().filter(|b| b.export_type == *t).count(), 1);
        }
        assert_eq!(
            all[0].template_id.to_string(),
            "00000000-0000-4000-8000-000000000001"
        );
        assert!(
            all.iter()
                .all(|t| t.is_built_in() && t.visible_to("anyone"))
        );
        assert_eq!(
            built_in_template(all[3].template_id).unwrap().name,
            "Standard full record"
        );
    }

    #[test]
    fn own_templates_are_visible_to_their_owner_only() {
        let mut t = built_in_templates().remove(0);
        t.owner_id = Some("t-1".into());
        assert!(t.visible_to("t-1"));
        assert!(!t.visible_to("t-2"));
        assert!(!t.view().built_in);
    }
}
