//! When scheduled reports run: daily, weekly or monthly at a local time in an IANA time zone,
//! right across daylight-saving changes and short months.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::export::ScheduleType;

/// How often and when, in the schedule's own time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    pub schedule_type: ScheduleType,
    /// Local wall-clock time, minute precision.
    pub time_of_day: NaiveTime,
    /// Weekly schedules only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_week: Option<Weekday>,
    /// Monthly schedules only, 1–31; 29–31 run on the month's last day when it is shorter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u8>,
    /// IANA name, e.g. `America/New_York`.
    pub timezone: Tz,
}

/// Why a recurrence is not usable; `field` names the request field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RecurrenceError {
    pub field: &'static str,
    pub message: String,
}

fn error(field: &'static str, message: impl Into<String>) -> RecurrenceError {
    RecurrenceError {
        field,
        message: message.into(),
    }
}

fn last_day_of_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .expect("valid date")
        .pred_opt()
        .expect("valid date")
        .day()
}

impl Recurrence {
    /// Checks that exactly the fields its type needs are given.
    pub fn validate(&self) -> Result<(), RecurrenceError> {
        match self.schedule_type {
            ScheduleType::Daily => {
                if self.day_of_week.is_some() {
                    return Err(error(
                        "day_of_week",
                        "only weekly schedules take a day_of_week",
                    ));
                }
                if self.day_of_month.is_some() {
                    return Err(error(
                        "day_of_month",
                        "only monthly schedules take a day_of_month",
                    ));
                }
            }
            ScheduleType::Weekly => {
                if self.day_of_week.is_none() {
                    return Err(error("day_of_week", "required for weekly schedules"));
                }
                if self.day_of_month.is_some() {
                    return Err(error(
                        "day_of_month",
                        "only monthly schedules take a day_of_month",
                    ));
                }
            }
            ScheduleType::Monthly => {
                match self.day_of_month {
                    None => return Err(error("day_of_month", "required for monthly schedules")),
                    Some(d) if !(1..=31).contains(&d) => {
                        return Err(error("day_of_month", "must be between 1 and 31"));
                    }
                    Some(_) => {}
                }
                if self.day_of_week.is_some() {
                    return Err(error(
                        "day_of_week",
                        "only weekly schedules take a day_of_week",
                    ));
                }
            }
        }
        if self.time_of_day.second() != 0 || self.time_of_day.nanosecond() != 0 {
            return Err(error("time_of_day", "must be a whole minute, HH:MM"));
        }
        Ok(())
    }

    fn runs_on(&self, date: NaiveDate) -> bool {
        match self.schedule_type {
            ScheduleType::Daily => true,
            ScheduleType::Weekly => Some(date.weekday()) == self.day_of_week,
            ScheduleType::Monthly => {
                let wanted = u32::from(self.day_of_month.unwrap_or(1));
                date.day() == wanted.min(last_day_of_month(date.year(), date.month()))
            }
        }
    }

    /// The instant the local time falls on, on `date`. On the day clocks go back, a time that
    /// happens twice runs at its first occurrence. On the day clocks go forward, a time that does
    /// not exist runs as many minutes after the jump as it would have been after the hour the
    /// clocks skipped (02:30 in New York on a DST-start day runs at 03:30 EDT).
    fn instant_on(&self, date: NaiveDate) -> DateTime<Utc> {
        let local = date.and_time(self.time_of_day);
        match self.timezone.from_local_datetime(&local) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
            LocalResult::None => {
                // The offset in force before the gap (a day earlier there is no transition).
                let before = self
                    .timezone
                    .offset_from_utc_datetime(&(local - Duration::days(1)));
                let offset = chrono::Offset::fix(&before);
                Utc.from_utc_datetime(&(local - offset))
            }
        }
    }

    /// The first run strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> DateTime<Utc> {
        let start = after.with_timezone(&self.timezone).date_naive();
        // A monthly schedule runs at least once in any 31 consecutive days; look a little further.
        for offset in 0..=62 {
            let date = start + Duration::days(offset);
            if self.runs_on(date) {
                let t = self.instant_on(date);
                if t > after {
                    return t;
                }
            }
        }
        unreachable!("every recurrence runs within 62 days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn rec(
        t: ScheduleType,
        hm: (u32, u32),
        dow: Option<Weekday>,
        dom: Option<u8>,
        tz: &str,
    ) -> Recurrence {
        Recurrence {
            schedule_type: t,
            time_of_day: NaiveTime::from_hms_opt(hm.0, hm.1, 0).unwrap(),
            day_of_week: dow,
            day_of_month: dom,
            timezone: tz.parse().unwrap(),
        }
    }

    /// The next `n` runs after `from`.
    fn runs(r: &Recurrence, from: &str, n: usize) -> Vec<String> {
        let mut t = utc(from);
        (0..n)
            .map(|_| {
                t = r.next_after(t);
                t.to_rfc3339()
            })
            .collect()
    }

    #[test]
    fn daily_in_new_york_keeps_local_time_across_dst_start_and_end() {
        let r = rec(ScheduleType::Daily, (7, 0), None, None, "America/New_York");
        // DST starts Sunday 2026-03-08: 07:00 EST = 12:00Z, then 07:00 EDT = 11:00Z.
        assert_eq!(
            runs(&r, "2026-03-06T13:00:00Z", 3),
            [
                "2026-03-07T12:00:00+00:00",
                "2026-03-08T11:00:00+00:00",
                "2026-03-09T11:00:00+00:00"
            ]
        );
        // DST ends Sunday 2026-11-01.
        assert_eq!(
            runs(&r, "2026-10-31T00:00:00Z", 2),
            ["2026-10-31T11:00:00+00:00", "2026-11-01T12:00:00+00:00"]
        );
    }

    #[test]
    fn a_time_skipped_or_repeated_by_dst_runs_once() {
        // 02:30 does not exist in New York on 2026-03-08: it runs at 03:30 EDT (07:30Z).
        let r = rec(ScheduleType::Daily, (2, 30), None, None, "America/New_York");
        assert_eq!(
            runs(&r, "2026-03-07T08:00:00Z", 2),
            ["2026-03-08T07:30:00+00:00", "2026-03-09T06:30:00+00:00"]
        );
        // 01:30 happens twice in London on 2026-10-25: it runs at the first (BST, 00:30Z), once.
        let r = rec(ScheduleType::Daily, (1, 30), None, None, "Europe/London");
        assert_eq!(
            runs(&r, "2026-10-24T12:00:00Z", 2),
            ["2026-10-25T00:30:00+00:00", "2026-10-26T01:30:00+00:00"]
        );
    }

    #[test]
    fn weekly_in_london_across_dst() {
        // Mondays 09:00; BST starts 2026-03-29.
        let r = rec(
            ScheduleType::Weekly,
            (9, 0),
            Some(Weekday::Mon),
            None,
            "Europe/London",
        );
        assert_eq!(
            runs(&r, "2026-03-20T00:00:00Z", 3),
            [
                "2026-03-23T09:00:00+00:00",
                "2026-03-30T08:00:00+00:00",
                "2026-04-06T08:00:00+00:00"
            ]
        );
    }

    #[test]
    fn monthly_on_days_29_to_31_runs_on_the_last_day_of_shorter_months() {
        let r = rec(
            ScheduleType::Monthly,
            (18, 0),
            None,
            Some(31),
            "America/New_York",
        );
        assert_eq!(
            runs(&r, "2026-01-01T00:00:00Z", 4),
            [
                "2026-01-31T23:00:00+00:00",
                "2026-02-28T23:00:00+00:00",
                "2026-03-31T22:00:00+00:00",
                "2026-04-30T22:00:00+00:00"
            ]
        );
        let leap = rec(
            ScheduleType::Monthly,
            (8, 0),
            None,
            Some(30),
            "Europe/London",
        );
        assert_eq!(
            runs(&leap, "2028-02-01T00:00:00Z", 1),
            ["2028-02-29T08:00:00+00:00"]
        );
        let first = rec(
            ScheduleType::Monthly,
            (0, 0),
            None,
            Some(1),
            "Europe/London",
        );
        assert_eq!(
            runs(&first, "2026-12-15T00:00:00Z", 1),
            ["2027-01-01T00:00:00+00:00"]
        );
    }

    #[test]
    fn the_next_run_is_strictly_after() {
        let r = rec(ScheduleType::Daily, (7, 0), None, None, "Europe/London");
        let at = utc("2026-06-01T06:00:00Z"); // exactly 07:00 BST
        assert_eq!(r.next_after(at), utc("2026-06-02T06:00:00Z"));
        assert_eq!(r.next_after(at - Duration::seconds(1)), at);
    }

    #[test]
    fn validation_names_the_field() {
        let mut r = rec(ScheduleType::Weekly, (7, 0), None, None, "Europe/London");
        assert_eq!(r.validate().unwrap_err().field, "day_of_week");
        r.schedule_type = ScheduleType::Monthly;
        assert_eq!(r.validate().unwrap_err().field, "day_of_month");
        r.day_of_month = Some(32);
        assert_eq!(r.validate().unwrap_err().field, "day_of_month");
        r.day_of_month = Some(15);
        assert!(r.validate().is_ok());
        r.schedule_type = ScheduleType::Daily;
        assert_eq!(r.validate().unwrap_err().field, "day_of_month");
    }
}
