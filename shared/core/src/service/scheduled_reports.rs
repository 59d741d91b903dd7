//! Scheduled reports: create, list, read, change (pause, resume, reschedule), delete.

use chrono::{NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Serialize;
use uuid::Uuid;

use super::requests::{ChangeScheduleBody, CreateScheduleBody};
use super::{ExportService, ServiceError};
use crate::audit::{AuditAction, AuditEvent};
use crate::export::{Delivery, ScheduleType};
use crate::identity::{Caller, Role};
use crate::ports::PortError;
use crate::recurrence::Recurrence;
use crate::scheduled_report::{ScheduleView, ScheduledReport, WEEKDAYS};

/// Optimistic-concurrency retries of a change racing the scheduler.
const CHANGE_ATTEMPTS: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleList {
    pub items: Vec<ScheduleView>,
}

fn time_of_day(text: &str) -> Result<NaiveTime, ServiceError> {
    NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| {
        ServiceError::validation("time_of_day", "must be a local time HH:MM (24-hour)")
    })
}

fn weekday(text: &str) -> Result<Weekday, ServiceError> {
    let lower = text.to_ascii_lowercase();
    WEEKDAYS
        .iter()
        .position(|d| *d == lower)
        .map(|i| Weekday::try_from(i as u8).expect("0..7"))
        .ok_or_else(|| {
            ServiceError::validation(
                "day_of_week",
                format!("must be one of: {}", WEEKDAYS.join(", ")),
            )
        })
}

fn timezone(text: &str) -> Result<Tz, ServiceError> {
    text.parse::<Tz>().map_err(|_| {
        ServiceError::validation(
            "timezone",
            "must be an IANA time zone name, e.g. America/New_York",
        )
    })
}

fn checked(recurrence: Recurrence) -> Result<Recurrence, ServiceError> {
    recurrence
        .validate()
        .map_err(|e| ServiceError::validation(e.field, e.message))?;
    Ok(recurrence)
}

fn not_found() -> ServiceError {
    super::Resource::Schedule.not_found()
}

impl ExportService {
    /// `POST /api/v1/export/scheduled`.
    pub async fn create_schedule(
        &self,
        caller: &Caller,
        b: CreateScheduleBody,
    ) -> Result<ScheduleView, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        let recurrence = checked(Recurrence {
            schedule_type: b.schedule_type,
            time_of_day: time_of_day(&b.time_of_day)?,
            day_of_week: b.day_of_week.as_deref().map(weekday).transpose()?,
            day_of_month: b.day_of_month,
            timezone: timezone(&b.timezone)?,
        })?;
        let template = match b.template_id {
            Some(id) => Some(self.visible_template(&caller.user_id, id).await?),
            None => None,
        };
        let export_type = match (&template, b.export_type) {
            (Some(t), Some(e)) if t.export_type != e => {
                return Err(ServiceError::validation(
                    "export_type",
                    format!("the template is for {} exports", t.export_type),
                ));
            }
            (Some(t), _) => t.export_type,
            (None, Some(e)) => e,
            (None, None) => {
                return Err(ServiceError::validation(
                    "export_type",
                    "required unless template_id is given",
                ));
            }
        };
        let format = match (b.format, &template) {
            (Some(f), _) => f,
            (None, Some(t)) => t.default_format,
            (None, None) => {
                return Err(ServiceError::validation(
                    "format",
                    "required unless template_id is given",
                ));
            }
        };
        if !self.settings.available_formats.contains(&format) {
            return Err(ServiceError::FormatNotAvailable(format.to_string()));
        }
        let now = self.ports.clock.now();
        self.check_assigned(caller, b.patient_id, now).await?;

        let next_run_at = recurrence.next_after(now);
        let schedule = ScheduledReport {
            schedule_id: self.ports.ids.new_id(),
            user_id: caller.user_id.clone(),
            patient_id: b.patient_id,
            export_type,
            format,
            template_id: b.template_id,
            recurrence,
            delivery: b.delivery.unwrap_or(Delivery::EmailLink),
            active: b.active.unwrap_or(true),
            next_run_at,
            due_at: next_run_at,
            run: None,
            last_run: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        match self.ports.schedules.create(&schedule).await {
            Ok(()) => {}
            Err(PortError::Conflict(_)) => {
                return Err(ServiceError::conflict(
                    "schedule_exists",
                    "a scheduled report for this patient and template already exists; change it instead",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let detail = format!(
            "created, {} {}",
            schedule.recurrence.schedule_type, schedule.delivery
        );
        let event = AuditEvent::by(caller, "therapist", AuditAction::ScheduleCreated, now)
            .schedule(&schedule, &detail);
        if let Err(e) = self.audit(event).await {
            // An unaudited schedule would mail PHI with no trail of who set it up: take it back.
            // If that fails too, the client's retry gets 409 and can see it in the list.
            let _ = self.ports.schedules.delete(&schedule).await;
            return Err(e);
        }
        tracing::info!(schedule_id = %schedule.schedule_id, export_type = %export_type, "schedule created");
        Ok(schedule.view())
    }

    /// The patient must be assigned to the caller; otherwise (audited) 404, as for exports.
    pub(crate) async fn check_assigned(
        &self,
        caller: &Caller,
        patient_id: Uuid,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ServiceError> {
        let patient = self.ports.records.patient(patient_id).await?;
        if patient.is_some_and(|p| p.is_assigned_to(&caller.user_id)) {
            return Ok(());
        }
        self.audit(
            AuditEvent::by(caller, "therapist", AuditAction::Denied, now)
                .patient(patient_id)
                .reason("patient not found or not assigned to the caller"),
        )
        .await?;
        Err(ServiceError::not_found(
            "patient_not_found",
            "no such patient",
        ))
    }

    async fn own_schedule(
        &self,
        caller: &Caller,
        schedule_id: Uuid,
    ) -> Result<ScheduledReport, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        match self.ports.schedules.get(schedule_id).await? {
            Some(s) if s.user_id == caller.user_id => Ok(s),
            _ => {
                let reason =
                    format!("scheduled report {schedule_id} not found or not the caller's");
                Err(self.denied(caller, &reason, not_found()).await)
            }
        }
    }

    /// `GET /api/v1/export/scheduled/{id}`.
    pub async fn get_schedule(
        &self,
        caller: &Caller,
        schedule_id: Uuid,
    ) -> Result<ScheduleView, ServiceError> {
        Ok(self.own_schedule(caller, schedule_id).await?.view())
    }

    /// `GET /api/v1/export/scheduled`: the caller's schedules, oldest first.
    pub async fn list_schedules(&self, caller: &Caller) -> Result<ScheduleList, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        let all = self.ports.schedules.list_for_user(&caller.user_id).await?;
        Ok(ScheduleList {
            items: all.iter().map(ScheduledReport::view).collect(),
        })
    }

    /// `PATCH /api/v1/export/scheduled/{id}`: pause (`active: false`), resume, or change when,
    /// how and in which format it runs. Changing when it runs, or resuming, computes the next run
    /// from now: missed periods are not made up.
    pub async fn change_schedule(
        &self,
        caller: &Caller,
        schedule_id: Uuid,
        b: ChangeScheduleBody,
    ) -> Result<ScheduleView, ServiceError> {
        self.require(caller, Role::Therapist).await?;
        if let Some(format) = b.format
            && !self.settings.available_formats.contains(&format)
        {
            return Err(ServiceError::FormatNotAvailable(format.to_string()));
        }
        for _ in 0..CHANGE_ATTEMPTS {
            let old = self.own_schedule(caller, schedule_id).await?;
            let now = self.ports.clock.now();
            let mut new = old.clone();
            let mut r = old.recurrence.clone();
            if let Some(t) = b.schedule_type {
                r.schedule_type = t;
                // Day fields the new type does not use go, unless the request sets them.
                if t != ScheduleType::Weekly && b.day_of_week.is_none() {
                    r.day_of_week = None;
                }
                if t != ScheduleType::Monthly && b.day_of_month.is_none() {
                    r.day_of_month = None;
                }
            }
            if let Some(t) = &b.time_of_day {
                r.time_of_day = time_of_day(t)?;
            }
            if let Some(d) = &b.day_of_week {
                r.day_of_week = d.as_deref().map(weekday).transpose()?;
            }
            if let Some(d) = b.day_of_month {
                r.day_of_month = d;
            }
            if let Some(z) = &b.timezone {
                r.timezone = timezone(z)?;
            }
            let r = checked(r)?;
            let rescheduled = r != old.recurrence;
            let resumed = b.active == Some(true) && !old.active;
            new.recurrence = r;
            if let Some(f) = b.format {
                new.format = f;
            }
            if let Some(d) = b.delivery {
                new.delivery = d;
            }
            if let Some(a) = b.active {
                new.active = a;
            }
            if rescheduled || resumed {
                new.next_run_at = new.recurrence.next_after(now);
                if new.run.is_none() {
                    new.due_at = new.next_run_at;
                }
            }
            new.updated_at = now;
            new.version = old.version + 1;
            match self.ports.schedules.update(&new).await {
                Ok(()) => {
                    let detail = match (old.active, new.active) {
                        (true, false) => "paused",
                        (false, true) => "resumed",
                        _ => "changed",
                    };
                    // The change stands if this fails; the client's retry of the same PATCH
                    // writes it again and is audited then.
                    self.audit(
                        AuditEvent::by(caller, "therapist", AuditAction::ScheduleChanged, now)
                            .schedule(&new, detail),
                    )
                    .await?;
                    tracing::info!(schedule_id = %schedule_id, active = new.active, "schedule changed");
                    return Ok(new.view());
                }
                // The scheduler (or another change) wrote in between: read again and reapply.
                Err(PortError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::Unavailable(
            "schedule kept changing under the update".into(),
        ))
    }

    /// `DELETE /api/v1/export/scheduled/{id}`. Exports it already made are kept.
    pub async fn delete_schedule(
        &self,
        caller: &Caller,
        schedule_id: Uuid,
    ) -> Result<(), ServiceError> {
        let mut schedule = self.own_schedule(caller, schedule_id).await?;
        // Audited before it goes: a deletion that then fails is retried by the client (and
        // audited again), while one audited after the fact could vanish unrecorded.
        let now = self.ports.clock.now();
        self.audit(
            AuditEvent::by(caller, "therapist", AuditAction::ScheduleDeleted, now)
                .schedule(&schedule, "deleted"),
        )
        .await?;
        for _ in 0..CHANGE_ATTEMPTS {
            match self.ports.schedules.delete(&schedule).await {
                Ok(()) => {
                    tracing::info!(schedule_id = %schedule_id, "schedule deleted");
                    return Ok(());
                }
                // The scheduler wrote in between: delete the version it wrote.
                Err(PortError::Conflict(_)) => {
                    schedule = self.own_schedule(caller, schedule_id).await?
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::Unavailable(
            "schedule kept changing under the delete".into(),
        ))
    }
}
