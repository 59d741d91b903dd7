//! The demo practice's job, template and scheduled report, and an audit export: what
//! `exports-admin seed-demo` creates after importing the records, so that every sample event in
//! `events/` names something that exists. Each is made by its ordinary use case (validated and
//! audited as an API call would be) as the practice's first therapist (the audit export as
//! [`DEMO_ADMIN`]), under an id derived from the seed ([`DemoObjects::ids`],
//! [`DemoObjects::audit_export_id`]). Seeding again finds them and leaves them as they are.

use std::sync::Arc;

use uuid::Uuid;

use exports_core::export::{Delivery, ExportFormat, ExportType, PageSize, ScheduleType};
use exports_core::identity::{Caller, Role};
use exports_core::ports::FixedId;
use exports_core::records::PracticeData;
use exports_core::service::requests::{
    CreateScheduleBody, ExportRequestBody, FullRecordBody, TemplateBody,
};
use exports_core::service::{ExportService, RenderOutcome, ServiceError};

/// Namespace of the demo objects' v5 ids.
const NAMESPACE: Uuid = Uuid::from_u128(0x6f1d_2b6e_5c0a_4e8f_9b3d_7a41_c2e9_0d55);

/// What the demo seeding made, and for whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoObjects {
    /// The practice's first therapist: the `sub` of the therapist sample events.
    pub therapist_id: Uuid,
    /// That therapist's first patient.
    pub patient_id: Uuid,
    /// A completed full-record CSV export (downloadable).
    pub job_id: Uuid,
    /// A custom progress-report template.
    pub template_id: Uuid,
    /// A weekly scheduled treatment summary (built-in template), mailed as a link.
    pub schedule_id: Uuid,
    /// A completed audit export of [`DEMO_ADMIN`] (the default range).
    pub audit_export_id: Uuid,
}

/// The administrator of the admin sample events (`sub`).
pub const DEMO_ADMIN: &str = "admin-1";

fn demo_id(what: &str, seed: u64) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("demo {what} {seed}").as_bytes())
}

impl DemoObjects {
    /// The ids of the job, template and scheduled report of the practice made from `seed`.
    pub fn ids(seed: u64) -> (Uuid, Uuid, Uuid) {
        (
            demo_id("job", seed),
            demo_id("template", seed),
            demo_id("schedule", seed),
        )
    }

    /// The id of the demo audit export of the practice made from `seed`.
    pub fn audit_export_id(seed: u64) -> Uuid {
        demo_id("audit export", seed)
    }
}

/// The built-in "Standard treatment summary" template. (`events/api-create-scheduled.json` makes
/// a schedule of the same patient with the built-in progress report: one per patient and
/// template is allowed.)
const BUILT_IN_TREATMENT_SUMMARY: Uuid = Uuid::from_u128(0x00000000_0000_4000_8000_000000000003);

/// The demo template's body (the API's `POST /api/v1/export/templates` JSON).
fn demo_template() -> TemplateBody {
    TemplateBody {
        name: "Demo: quarterly review".into(),
        export_type: ExportType::ProgressReport,
        default_format: Some(ExportFormat::Pdf),
        include_sections: Some(vec!["goals".into(), "attendance".into(), "mood".into()]),
        title: Some("Quarterly Progress Review".into()),
        header_text: None,
        footer_text: None,
        page_size: Some(PageSize::A4),
        body: None,
    }
}

/// Creates (or finds) the demo job, template and scheduled report of `data`, the practice made
/// from `seed`, in the deployment `service` runs on. The job is rendered at once.
pub async fn seed_demo_objects(
    service: &ExportService,
    data: &PracticeData,
    seed: u64,
) -> Result<DemoObjects, ServiceError> {
    let therapist = data
        .therapists
        .first()
        .ok_or_else(|| ServiceError::Internal("the demo practice has no therapist".into()))?;
    let patient = data
        .patients
        .iter()
        .find(|p| p.patient.assigned_therapist_ids.contains(&therapist.id))
        .ok_or_else(|| ServiceError::Internal("the first therapist has no patient".into()))?;
    let (job_id, template_id, schedule_id) = DemoObjects::ids(seed);
    let caller = Caller {
        user_id: therapist.id.to_string(),
        roles: vec![Role::Therapist],
        source_ip: None,
        user_agent: Some("exports-admin seed-demo".into()),
    };
    let with_id = |id: Uuid| {
        let mut s = service.clone();
        s.ports.ids = Arc::new(FixedId(id));
        s
    };
    let patient_id = patient.patient.id;

    // Looked up in the stores, not through the API's use cases: those audit a miss as `denied`.
    if service.ports.jobs.get(job_id).await?.is_none() {
        let body = ExportRequestBody::FullRecord(FullRecordBody {
            patient_id,
            format: Some(ExportFormat::Csv),
            include_psychotherapy_notes: None,
            template_id: None,
        });
        with_id(job_id).request_export(&caller, body, None).await?;
    }
    // Rendered here rather than by a renderer polling the queue: the download event needs the
    // file. (The queued message finds the job done and is dropped.)
    for attempt in 1..=3 {
        if service.render_job(job_id, attempt).await? == RenderOutcome::Done {
            break;
        }
    }

    if service.ports.templates.get(template_id).await?.is_none() {
        with_id(template_id)
            .create_template(&caller, demo_template())
            .await?;
    }

    if service.ports.schedules.get(schedule_id).await?.is_none() {
        let body = CreateScheduleBody {
            patient_id,
            export_type: None,
            format: None,
            // A built-in template, so the demo template can be deleted on its own.
            template_id: Some(BUILT_IN_TREATMENT_SUMMARY),
            schedule_type: ScheduleType::Weekly,
            time_of_day: "08:00".into(),
            day_of_week: Some("monday".into()),
            day_of_month: None,
            timezone: "America/New_York".into(),
            delivery: Some(Delivery::EmailLink),
            active: None,
        };
        with_id(schedule_id).create_schedule(&caller, body).await?;
    }

    let audit_export_id = DemoObjects::audit_export_id(seed);
    if service
        .ports
        .audit_exports
        .get(audit_export_id)
        .await?
        .is_none()
    {
        let admin = Caller {
            user_id: DEMO_ADMIN.into(),
            roles: vec![Role::Admin],
            source_ip: None,
            user_agent: Some("exports-admin seed-demo".into()),
        };
        with_id(audit_export_id)
            .request_audit_export(&admin, &Default::default())
            .await?;
    }
    // Written here too, for the sample event that reads it completed.
    for attempt in 1..=3 {
        if service
            .produce_audit_export(audit_export_id, attempt)
            .await
            .is_ok()
        {
            break;
        }
    }

    Ok(DemoObjects {
        therapist_id: therapist.id,
        patient_id,
        job_id,
        template_id,
        schedule_id,
        audit_export_id,
    })
}
