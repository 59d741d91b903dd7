//! Scheduled reports: an export made on a recurrence and emailed to the therapist who set it up.

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::export::{Delivery, ExportFormat, ExportType, RunStatus, ScheduleType};
use crate::params::ExportParams;
use crate::recurrence::Recurrence;

/// The stored schedule. Its API representation is [`ScheduleView`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledReport {
    pub schedule_id: Uuid,
    /// The therapist who set it up (token `sub`); the report is made as them and mailed to them.
    pub user_id: String,
    pub patient_id: Uuid,
    pub export_type: ExportType,
    pub format: ExportFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<Uuid>,
    pub recurrence: Recurrence,
    pub delivery: Delivery,
    pub active: bool,
    /// The next period's instant. Kept while paused; recomputed from "now" on resume.
    pub next_run_at: DateTime<Utc>,
    /// When the scheduler should next look at it: `next_run_at`, or sooner when a run is
    /// outstanding. Only active schedules are in the due index.
    pub due_at: DateTime<Utc>,
    /// The run being made, if any (claimed but not yet emailed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<ScheduleRun>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<LastRun>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic concurrency: every write is conditional on the version it read.
    pub version: u64,
}

/// A claimed period being exported and emailed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRun {
    /// The period's scheduled instant.
    pub period_at: DateTime<Utc>,
    /// Derived from the schedule and the period, so a retried run finds its export again.
    pub job_id: Uuid,
    /// Scheduler invocations that have worked on this run.
    pub attempts: u32,
    /// Until then the run belongs to the invocation that claimed it.
    pub lease_until: DateTime<Utc>,
    /// When a worker took the run from the queue; `None` while it waits there. A worker takes a
    /// run only once (a duplicate delivery finds it taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
}

/// What happened to the latest run, for the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRun {
    pub period_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<Uuid>,
    pub status: RunStatus,
    pub at: DateTime<Utc>,
    /// Why it failed: a code, never PHI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Namespace of run job ids (UUID v5 of schedule id and period).
const RUN_NAMESPACE: Uuid = Uuid::from_u128(0x6b1d_2f0e_8c44_4a53_9d7e_5a0c_3e11_7f42);

impl ScheduledReport {
    /// The export job of the period at `period_at`: the same on every retry.
    pub fn job_id_for(&self, period_at: DateTime<Utc>) -> Uuid {
        let name = format!("{}|{}", self.schedule_id, period_at.timestamp());
        Uuid::new_v5(&RUN_NAMESPACE, name.as_bytes())
    }

    /// The uniqueness key: one schedule per (user, template, patient). Without a template the
    /// export type's standard layout stands in for it, so each type has its own slot.
    pub fn uniqueness_key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.user_id,
            self.template_id.map_or_else(
                || format!("standard-{}", self.export_type),
                |t| t.to_string()
            ),
            self.patient_id
        )
    }

    /// The export parameters of the period at `period_at`. Date-ranged types cover the whole
    /// period that ended before the run's local date: daily the day before, weekly the seven days
    /// before, monthly the month before (the same day of the previous month up to the day before).
    pub fn params_for(
        &self,
        period_at: DateTime<Utc>,
        include_sections: Option<Vec<String>>,
    ) -> ExportParams {
        let mut params = ExportParams {
            include_sections,
            template_id: self.template_id,
            ..ExportParams::default()
        };
        if matches!(
            self.export_type,
            ExportType::SessionNotes | ExportType::ProgressReport
        ) {
            let (start, end) = self.period_dates(period_at);
            params.start_date = Some(start);
            params.end_date = Some(end);
        }
        params
    }

    /// First and last date (inclusive) of the period reported at `period_at`.
    pub fn period_dates(&self, period_at: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
        let run_day = period_at
            .with_timezone(&self.recurrence.timezone)
            .date_naive();
        let end = run_day - Duration::days(1);
        let start = match self.recurrence.schedule_type {
            ScheduleType::Daily => end,
            ScheduleType::Weekly => run_day - Duration::days(7),
            ScheduleType::Monthly => run_day
                .checked_sub_months(Months::new(1))
                .unwrap_or(run_day - Duration::days(30)),
        };
        (start, end.max(start))
    }

    pub fn view(&self) -> ScheduleView {
        let r = &self.recurrence;
        ScheduleView {
            schedule_id: self.schedule_id,
            patient_id: self.patient_id,
            export_type: self.export_type,
            format: self.format,
            template_id: self.template_id,
            schedule_type: r.schedule_type,
            time_of_day: r.time_of_day.format("%H:%M").to_string(),
            day_of_week: r
                .day_of_week
                .map(|d| weekday_name(d.num_days_from_monday())),
            day_of_month: r.day_of_month,
            timezone: r.timezone.name().to_string(),
            delivery: self.delivery,
            active: self.active,
            next_run_at: self.active.then_some(self.next_run_at),
            last_run: self.last_run.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// Weekday names as the API spells them, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn weekday_name(days_from_monday: u32) -> String {
    WEEKDAYS[days_from_monday as usize % 7].to_string()
}

/// A schedule as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub schedule_id: Uuid,
    pub patient_id: Uuid,
    pub export_type: ExportType,
    pub format: ExportFormat,
    pub template_id: Option<Uuid>,
    pub schedule_type: ScheduleType,
    /// Local `HH:MM`.
    pub time_of_day: String,
    pub day_of_week: Option<String>,
    pub day_of_month: Option<u8>,
    pub timezone: String,
    pub delivery: Delivery,
    pub active: bool,
    /// `null` while paused.
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_run: Option<LastRun>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone, Weekday};

    fn schedule(schedule_type: ScheduleType, export_type: ExportType) -> ScheduledReport {
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 13, 0, 0).unwrap();
        ScheduledReport {
            schedule_id: Uuid::from_u128(7),
            user_id: "t-1".into(),
            patient_id: Uuid::from_u128(9),
            export_type,
            format: ExportFormat::Pdf,
            template_id: None,
            recurrence: Recurrence {
                schedule_type,
                time_of_day: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
                day_of_week: (schedule_type == ScheduleType::Weekly).then_some(Weekday::Mon),
                day_of_month: (schedule_type == ScheduleType::Monthly).then_some(1),
                timezone: chrono_tz::America::New_York,
            },
            delivery: Delivery::EmailLink,
            active: true,
            next_run_at: at,
            due_at: at,
            run: None,
            last_run: None,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_the_completed_days_before_the_run_in_local_time() {
        // 2026-11-02 03:30 UTC is still 1 November in New York.
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 3, 30, 0).unwrap();
        let daily = schedule(ScheduleType::Daily, ExportType::SessionNotes);
        assert_eq!(daily.period_dates(at), (d("2026-10-31"), d("2026-10-31")));
        let weekly = schedule(ScheduleType::Weekly, ExportType::ProgressReport);
        assert_eq!(weekly.period_dates(at), (d("2026-10-25"), d("2026-10-31")));
        let monthly = schedule(ScheduleType::Monthly, ExportType::ProgressReport);
        assert_eq!(
            monthly.period_dates(Utc.with_ymd_and_hms(2026, 3, 1, 13, 0, 0).unwrap()),
            (d("2026-02-01"), d("2026-02-28"))
        );
        let p = monthly.params_for(at, None);
        assert_eq!(p.start_date, Some(d("2026-10-01")));
        assert_eq!(p.end_date, Some(d("2026-10-31")));
        let summary = schedule(ScheduleType::Monthly, ExportType::TreatmentSummary);
        assert_eq!(summary.params_for(at, None).start_date, None);
    }

    #[test]
    fn a_period_always_gets_the_same_job_id() {
        let s = schedule(ScheduleType::Daily, ExportType::FullRecord);
        let at = s.next_run_at;
        assert_eq!(s.job_id_for(at), s.job_id_for(at));
        assert_ne!(s.job_id_for(at), s.job_id_for(at + Duration::days(1)));
        let mut other = s.clone();
        other.schedule_id = Uuid::from_u128(8);
        assert_ne!(s.job_id_for(at), other.job_id_for(at));
    }

    #[test]
    fn the_view_spells_fields_as_the_api_takes_them() {
        let mut s = schedule(ScheduleType::Weekly, ExportType::ProgressReport);
        let v = serde_json::to_value(s.view()).unwrap();
        assert_eq!(v["time_of_day"], "08:00");
        assert_eq!(v["day_of_week"], "monday");
        assert_eq!(v["timezone"], "America/New_York");
        assert_eq!(v["delivery"], "email_link");
        assert_eq!(v["next_run_at"], "2026-11-02T13:00:00Z");
        s.active = false;
        assert!(s.view().next_run_at.is_none(), "paused: no next run");
    }
}
