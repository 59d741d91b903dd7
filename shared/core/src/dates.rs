//! Calendar dates as the API and the records use them: the documented `YYYY-MM-DD` form, and the
//! UTC instants a whole day spans (date ranges are inclusive of both days).

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

/// The first date the API takes; records do not go further back.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// A date as the API documents it: `YYYY-MM-DD` exactly, 1900-01-01 to 9999-12-31. chrono alone
/// also takes signed and five-digit years (`+10000-01-01`), which a job would then echo back
/// outside the documented format.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let date = shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("must be a date as YYYY-MM-DD, not {text:?}"))?;
    if date < EARLIEST_DATE {
        return Err(format!("must be {EARLIEST_DATE} or later"));
    }
    Ok(date)
}

/// The first instant of `date` (UTC).
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))
}

/// The last microsecond of `date` (UTC): a range ending on `date` includes all of it.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    let last = NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).expect("a valid time");
    Utc.from_utc_datetime(&date.and_time(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_spans_from_midnight_to_its_last_microsecond() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(start_of_day(d).to_rfc3339(), "2026-12-07T00:00:00+00:00");
        assert_eq!(
            end_of_day(d).to_rfc3339(),
            "2026-12-07T23:59:59.999999+00:00"
        );
        assert_eq!(
            (end_of_day(d) - start_of_day(d)).num_microseconds(),
            Some(86_399_999_999)
        );
    }
}
