//! Export templates: create, list, read, replace, delete; and resolving one for an export.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::requests::{TemplateBody, TemplateListQuery, sections};
use super::{ExportService, ServiceError};
use crate::audit::{AuditAction, AuditEvent};
use crate::export::{ExportFormat, ExportType, PageSize};
use crate::identity::{Caller, Role};
use crate::ports::{PortError, TemplateCursor};
use crate::template::{
    DocumentLayout, ExportTemplate, MAX_BODY_BYTES, MAX_FOOTER_TEXT, MAX_SHORT_TEXT, TemplateView,
    built_in_template, built_in_templates,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateList {
    pub items: Vec<TemplateView>,
    pub next_cursor: Option<String>,
}

/// Trims `text`; empty means absent. Refuses more than `max` characters or control characters.
fn short_text(
    field: &'static str,
    text: Option<String>,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    let Some(text) = text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > max {
        return Err(ServiceError::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(ServiceError::validation(
            field,
            "must be a single line without control characters",
        ));
    }
    Ok(Some(text))
}

/// Where a template listing continues: after a built-in (by position) or an own template.
enum ListCursor {
    BuiltIn(usize),
    Own(TemplateCursor),
}

fn encode_cursor(c: &ListCursor) -> String {
    let raw = match c {
        ListCursor::BuiltIn(i) => format!("b|{i}"),
        ListCursor::Own(c) => format!("o|{}|{}", c.created_at.to_rfc3339(), c.template_id),
    };
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode_cursor(s: &str) -> Result<ListCursor, ServiceError> {
    let bad = || ServiceError::validation("cursor", "is not a cursor this API returned");
    let raw =
        String::from_utf8(URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?).map_err(|_| bad())?;
    let parts: Vec<&str> = raw.split('|').collect();
    match parts.as_slice() {
        ["b", i] => Ok(ListCursor::BuiltIn(i.parse().map_err(|_| bad())?)),
        ["o", t, id] => Ok(ListCursor::Own(TemplateCursor {
            created_at: DateTime::parse_from_rfc3339(t)
                .map_err(|_| bad())?
                .with_timezone(&Utc),
            template_id: id.parse().map_err(|_| bad())?,
        })),
        _ => Err(bad()),
    }
}

fn not_found() -> ServiceError {
    super::Resource::Template.not_found()
}

impl ExportService {
    /// A template by id: built-in or stored, whoever owns it.
    pub(crate) async fn template(
        &self,
        template_id: Uuid,
    ) -> Result<Option<ExportTemplate>, PortError> {
        match built_in_template(template_id) {
            Some(t) => Ok(Some(t)),
            None => self.ports.templates.get(template_id).await,
        }
    }

    /// A template the caller may use (their own or a built-in); anyone else's is "not found".
    pub(crate) async fn visible_template(
        &self,
        user_id: &str,
        template_id: Uuid,
    ) -> Result<ExportTemplate, ServiceError> {
        match self.template(template_id).await? {
            Some(t) if t.visible_to(user_id) => Ok(t),
            _ => Err(not_found()),
        }
    }

    /// The caller's own template, for changes: a built-in one is read-only.
    async fn own_template(
        &self,
        caller: &Caller,
        template_id: Uuid,
    ) -> Result<ExportTemplate, ServiceError> {
        let t = self.seen_template(caller, template_id).await?;
        if t.is_built_in() {
            return Err(ServiceError::Forbidden(
                "built-in templates are read-only; create your own instead".into(),
            ));
        }
        Ok(t)
    }

    /// The checks [`Self::replace_template`] makes before it reads its body (the role; the
    /// caller's own, not built-in, template), for a request whose body the API could not read: it
    /// is refused, and audited, as a readable one would be.
    pub async fn check_template_replace(
        &self,
        caller: &Caller,
        template_id: Uuid,
    ) -> Result<(), ServiceError> {
        self.require(caller, Role::Therapist).await?;
        self.own_template(caller, template_id).await.map(|_| ())
    }

    /// Validates a template body into a template (ids and times left to the caller).
    fn parse_template(&self, b: TemplateBody) -> Result<(ExportType, TemplateParts), ServiceError> {
        let name = short_text("name", Some(b.name), MAX_SHORT_TEXT)?
            .ok_or_else(|| ServiceError::validation("name", "must not be empty"))?;
        if b.export_type == ExportType::FullRecord && b.include_sections.is_some() {
            return Err(ServiceError::validation(
                "include_sections",
                "a full record includes everything; omit include_sections",
            ));
        }
        let include_sections = sections(b.export_type, b.include_sections)?;
        let default_format = b.default_format.unwrap_or(ExportFormat::Pdf);
        if !self.settings.available_formats.contains(&default_format) {
            return Err(ServiceError::FormatNotAvailable(default_format.to_string()));
        }
        let body = b.body.filter(|t| !t.trim().is_empty());
        if let Some(text) = &body {
            if text.len() > MAX_BODY_BYTES {
                return Err(ServiceError::validation(
                    "body",
                    format!("must be at most {MAX_BODY_BYTES} bytes (64 KB)"),
                ));
            }
            self.ports
                .template_checker
                .check_body(text, b.export_type)
                .map_err(|p| ServiceError::InvalidTemplate {
                    line: p.line,
                    column: p.column,
                    message: p.message,
                })?;
        }
        let layout = DocumentLayout {
            page_size: b.page_size.unwrap_or(PageSize::Letter),
            title: short_text("title", b.title, MAX_SHORT_TEXT)?,
            header_text: short_text("header_text", b.header_text, MAX_SHORT_TEXT)?,
            footer_text: short_text("footer_text", b.footer_text, MAX_FOOTER_TEXT)?,
            body,
        };
        Ok((
            b.export_type,
            TemplateParts {
                name,
                default_format,
                include_sections,
                layout,
            },
        ))
    }

    /// `POST /api/v1/export/templates`.
    pub async fn create_template(
        &self,
        caller: &Caller,
        body: TemplateBody,
    ) -> Result<TemplateView, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        let (export_type, parts) = self.parse_template(body)?;
        let now = self.ports.clock.now();
        let template = ExportTemplate {
            template_id: self.ports.ids.new_id(),
            owner_id: Some(caller.user_id.clone()),
            name: parts.name,
            export_type,
            default_format: parts.default_format,
            include_sections: parts.include_sections,
            layout: parts.layout,
            created_at: now,
            updated_at: now,
        };
        self.ports.templates.create(&template).await?;
        let event = AuditEvent::by(caller, "therapist", AuditAction::TemplateCreated, now)
            .template(&template);
        if let Err(e) = self.audit(event).await {
            // Take back what the trail does not show; the client retries.
            let _ = self.ports.templates.delete(template.template_id).await;
            return Err(e);
        }
        tracing::info!(template_id = %template.template_id, export_type = %export_type, "template created");
        Ok(template.view())
    }

    /// `PUT /api/v1/export/templates/{id}`: replaces everything but the export type.
    pub async fn replace_template(
        &self,
        caller: &Caller,
        template_id: Uuid,
        body: TemplateBody,
    ) -> Result<TemplateView, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        let old = self.own_template(caller, template_id).await?;
        let (export_type, parts) = self.parse_template(body)?;
        if export_type != old.export_type {
            return Err(ServiceError::validation(
                "export_type",
                format!(
                    "a template's export type cannot change (this one is {}); create a new template",
                    old.export_type
                ),
            ));
        }
        let template = ExportTemplate {
            name: parts.name,
            default_format: parts.default_format,
            include_sections: parts.include_sections,
            layout: parts.layout,
            updated_at: self.ports.clock.now(),
            ..old
        };
        match self.ports.templates.replace(&template).await {
            Ok(()) => {
                // The change stands if this fails; the client's retry writes and audits again.
                self.audit(
                    AuditEvent::by(
                        caller,
                        "therapist",
                        AuditAction::TemplateChanged,
                        template.updated_at,
                    )
                    .template(&template),
                )
                .await?;
                Ok(template.view())
            }
            Err(PortError::Conflict(_)) => Err(not_found()),
            Err(e) => Err(e.into()),
        }
    }

    /// `GET /api/v1/export/templates/{id}`.
    pub async fn get_template(
        &self,
        caller: &Caller,
        template_id: Uuid,
    ) -> Result<TemplateView, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        Ok(self.seen_template(caller, template_id).await?.view())
    }

    /// [`Self::visible_template`] for a request that names the template in its path: a template
    /// the caller may not see is a denial, audited.
    async fn seen_template(
        &self,
        caller: &Caller,
        template_id: Uuid,
    ) -> Result<ExportTemplate, ServiceError> {
        match self.visible_template(&caller.user_id, template_id).await {
            Err(ServiceError::NotFound { .. }) => {
                let reason = format!("template {template_id} not found or not the caller's");
                Err(self.denied(caller, &reason, not_found()).await)
            }
            other => other,
        }
    }

    /// `GET /api/v1/export/templates`: the built-in templates, then the caller's own, oldest
    /// first, without their bodies; `export_type` filters.
    pub async fn list_templates(
        &self,
        caller: &Caller,
        query: &TemplateListQuery,
    ) -> Result<TemplateList, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        let limit = query.limit.get();
        let export_type = query.export_type;
        let matches = |t: &ExportTemplate| export_type.is_none_or(|e| t.export_type == e);
        let cursor = query.cursor.as_deref().map(decode_cursor).transpose()?;

        // Gather one more than a page to learn whether there is a next one.
        let built_ins = built_in_templates();
        let mut items: Vec<ExportTemplate> = Vec::new();
        let built_ins_from = match &cursor {
            None => Some(0),
            Some(ListCursor::BuiltIn(i)) => Some(i + 1),
            Some(ListCursor::Own(_)) => None,
        };
        if let Some(start) = built_ins_from {
            items.extend(built_ins.iter().skip(start).filter(|t| matches(t)).cloned());
        }
        let mut own_after = match cursor {
            Some(ListCursor::Own(c)) => Some(c),
            _ => None,
        };
        while items.len() <= limit {
            let page = self
                .ports
                .templates
                .list_for_owner(&caller.user_id, own_after.as_ref(), limit + 1)
                .await?;
            items.extend(page.templates.into_iter().filter(|t| matches(t)));
            match page.next {
                Some(next) => own_after = Some(next),
                None => break,
            }
        }
        let next_cursor = (items.len() > limit).then(|| {
            let last = &items[limit - 1];
            let cursor = match built_ins
                .iter()
                .position(|b| b.template_id == last.template_id)
            {
                Some(i) => ListCursor::BuiltIn(i),
                None => ListCursor::Own(TemplateCursor {
                    created_at: last.created_at,
                    template_id: last.template_id,
                }),
            };
            encode_cursor(&cursor)
        });
        items.truncate(limit);
        Ok(TemplateList {
            items: items.iter().map(ExportTemplate::summary).collect(),
            next_cursor,
        })
    }

    /// `DELETE /api/v1/export/templates/{id}`: refused while a schedule uses it.
    pub async fn delete_template(
        &self,
        caller: &Caller,
        template_id: Uuid,
    ) -> Result<(), ServiceError> {
        self.require(caller, Role::Therapist).await?;
        let template = self.own_template(caller, template_id).await?;
        // Only the owner can use their template, so only their schedules can hold it.
        let schedules = self.ports.schedules.list_for_user(&caller.user_id).await?;
        if let Some(s) = schedules
            .iter()
            .find(|s| s.template_id == Some(template.template_id))
        {
            return Err(ServiceError::conflict(
                "template_in_use",
                &format!(
                    "the template is used by scheduled report {}; delete or change that first",
                    s.schedule_id
                ),
            ));
        }
        self.audit(
            AuditEvent::by(
                caller,
                "therapist",
                AuditAction::TemplateDeleted,
                self.ports.clock.now(),
            )
            .template(&template),
        )
        .await?;
        self.ports.templates.delete(template_id).await?;
        tracing::info!(template_id = %template_id, "template deleted");
        Ok(())
    }
}

struct TemplateParts {
    name: String,
    default_format: ExportFormat,
    include_sections: Option<Vec<String>>,
    layout: DocumentLayout,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = decode_cursor(&encode_cursor(&ListCursor::BuiltIn(2))).unwrap();
        assert!(matches!(c, ListCursor::BuiltIn(2)));
        let own = TemplateCursor {
            created_at: Utc::now(),
            template_id: Uuid::new_v4(),
        };
        match decode_cursor(&encode_cursor(&ListCursor::Own(own.clone()))).unwrap() {
            ListCursor::Own(c) => assert_eq!(c, own),
            ListCursor::BuiltIn(_) => panic!("wrong cursor"),
        }
        assert!(
            matches!(decode_cursor("zz"), Err(ServiceError::Validation { field, .. }) if field == "cursor")
        );
    }
}
