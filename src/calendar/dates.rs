//! Calendar arithmetic on dates: adding years and months, ages.

use chrono::{Datelike, Months, NaiveDate};

/// `d` plus `n` months (negative `n` goes back), clamped to the last day of the resulting
/// month: 2025-01-31 + 1 month = 2025-02-28. `None` past the ends of chrono's calendar (an
/// overflow, which a rule reports as such).
pub fn add_months(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    let months = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 {
        d.checked_add_months(months)
    } else {
        d.checked_sub_months(months)
    }
}

/// `d` plus `n` years (negative `n` goes back); February 29 becomes February 28 in a common
/// year (2024-02-29 + 1 year = 2025-02-28). `None` past the ends of chrono's calendar.
pub fn add_years(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    add_months(d, n.checked_mul(12)?)
}

/// The number of full years completed on `on` by a person born on `birth`: exactly 45 on the
/// 45th birthday, 44 the day before.
///
/// Born on February 29: in a common year the birthday is taken as March 1 (the person is still
/// 44 on February 28 and 45 on March 1), since a year is complete only once February 29 would
/// have passed. (Note that [`add_years`] maps February 29 to February 28: the two answer
/// different questions.)
///
/// When `on` is before `birth` the result is negative, with floor semantics: -1 from the day
/// before birth back to the "minus first" birthday, -2 before that, and so on. It is never 0
/// for `on < birth`, and the age grows by exactly one on each birthday.
pub fn age_in_full_years(birth: NaiveDate, on: NaiveDate) -> i64 {
    let years = i64::from(on.year()) - i64::from(birth.year());
    // Comparing (month, day) pairs makes a February 29 birthday fall after February 28 and
    // before March 1 of a common year, hence the March 1 rule above.
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years - 1
    } else {
        years
    }
}

/// Parses a strict `YYYY-MM-DD` date (four-digit year, two-digit month and day).
pub(super) fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &b[range];
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            part.iter()
                .fold(0_u32, |acc, &c| acc * 10 + u32::from(c - b'0')),
        )
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7)?, num(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_date_is_strict() {
        assert_eq!(
            parse_date("2025-02-08"),
            NaiveDate::from_ymd_opt(2025, 2, 8)
        );
        for bad in [
            "2025-2-08",
            "2025-02-8",
            "2025/02/08",
            "2025-02-30",
            "2025-13-01",
            "+025-02-08",
            "2025-02-08 ",
            "",
            "２０２５-02-08",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn past_the_ends_of_the_calendar_is_none_not_a_panic() {
        assert_eq!(add_months(NaiveDate::MAX, 1), None);
        assert_eq!(add_months(NaiveDate::MIN, -1), None);
        assert_eq!(add_years(NaiveDate::MAX, i64::MAX), None);
        assert_eq!(add_years(NaiveDate::MIN, i64::MIN), None);
        assert_eq!(add_months(NaiveDate::MIN, i64::MIN), None);
    }
}
