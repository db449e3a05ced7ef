//! Wall-clock instants as plain numbers, and the two text forms pat-verdict meets.
//!
//! The core reads no clock: a [`UnixTime`] always arrives as an argument (from the
//! [`Clock`](crate::ports::Clock) port). Two conversions live here because they are pure and
//! small: writing `stored_at` as ISO-8601 UTC (docs/contract.md §7), and reading GitHub's
//! `github-authentication-token-expiration` header (docs/contract.md §8), which GitHub writes as
//! `2026-01-02 15:04:05 UTC` or `2026-01-02 15:04:05 -0700`.

use std::fmt;
use std::time::Duration;

/// Seconds since 1970-01-01T00:00:00Z, ignoring leap seconds (as Unix time does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub i64);

const SECS_PER_DAY: i64 = 86_400;

impl UnixTime {
    /// The time `d` after this one (saturating, so hostile header values cannot overflow).
    #[must_use]
    pub fn plus(self, d: Duration) -> Self {
        let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(secs))
    }

    /// How long from `self` until `later`; zero when `later` is not after `self`.
    #[must_use]
    pub fn until(self, later: UnixTime) -> Duration {
        Duration::from_secs(u64::try_from(later.0.saturating_sub(self.0)).unwrap_or(0))
    }

    /// ISO-8601 in UTC with a `Z`, the form `stored_at` is written in: `2026-01-02T15:04:05Z`.
    #[must_use]
    pub fn to_iso8601(self) -> String {
        self.to_string()
    }

    /// Reads GitHub's token-expiration header: `YYYY-MM-DD HH:MM:SS` then `UTC`, `Z`, `±HHMM`
    /// or `±HH:MM`. A `T` between date and time is accepted too, so ISO-8601 reads back.
    /// Anything else is `None`: an unreadable expiry is not evidence of anything.
    #[must_use]
    pub fn parse_github_expiration(text: &str) -> Option<Self> {
        let text = text.trim();
        let bytes = text.as_bytes();
        if bytes.len() < 19 || !text.is_char_boundary(19) {
            return None;
        }
        let (stamp, zone) = text.split_at(19);
        let b = stamp.as_bytes();
        let sep_ok = b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b' ' || b[10] == b'T')
            && b[13] == b':'
            && b[16] == b':';
        if !sep_ok {
            return None;
        }
        let year = digits(&stamp[0..4])?;
        let month = digits(&stamp[5..7])?;
        let day = digits(&stamp[8..10])?;
        let hour = digits(&stamp[11..13])?;
        let minute = digits(&stamp[14..16])?;
        let second = digits(&stamp[17..19])?;
        let offset = parse_zone(zone.trim())?;
        let local = civil_seconds(year, month, day, hour, minute, second)?;
        Some(Self(local - offset))
    }
}

impl UnixTime {
    /// Reads an HTTP-date (RFC 9110 §5.6.7), the form `Retry-After` may take: the preferred
    /// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, and — because recipients must accept
    /// them — the obsolete RFC 850 form `Sunday, 06-Nov-94 08:49:37 GMT` and C's asctime
    /// form `Sun Nov  6 08:49:37 1994`. The weekday must be a real one but is not checked
    /// against the date. A two-digit year more than 50 years after `now`'s year is the latest
    /// past year with those digits, as RFC 9110 asks; otherwise it is at most 50 years ahead
    /// (so `00` read at the end of 2099 is 2100). Anything else is `None`.
    #[must_use]
    pub fn parse_http_date(text: &str, now: UnixTime) -> Option<Self> {
        let text = text.trim();
        let (weekday, rest) = text.split_at_checked(text.find([',', ' '])?)?;
        if let Some(rest) = rest.strip_prefix(", ") {
            if SHORT_DAYS.contains(&weekday) {
                return parse_imf_fixdate(rest);
            }
            if LONG_DAYS.contains(&weekday) {
                return parse_rfc850(rest, now);
            }
            return None;
        }
        let rest = rest.strip_prefix(' ')?;
        if SHORT_DAYS.contains(&weekday) {
            return parse_asctime(rest);
        }
        None
    }
}

const SHORT_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `06 Nov 1994 08:49:37 GMT`
fn parse_imf_fixdate(rest: &str) -> Option<UnixTime> {
    let mut parts = rest.split(' ');
    let day = fixed_digits(parts.next()?, 2)?;
    let month = month_number(parts.next()?)?;
    let year = fixed_digits(parts.next()?, 4)?;
    let time = parts.next()?;
    if parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    from_civil(year, month, day, time)
}

/// `06-Nov-94 08:49:37 GMT`
fn parse_rfc850(rest: &str, now: UnixTime) -> Option<UnixTime> {
    let (date, rest) = rest.split_once(' ')?;
    let (time, zone) = rest.split_once(' ')?;
    if zone != "GMT" {
        return None;
    }
    let mut date = date.split('-');
    let day = fixed_digits(date.next()?, 2)?;
    let month = month_number(date.next()?)?;
    let short_year = fixed_digits(date.next()?, 2)?;
    if date.next().is_some() {
        return None;
    }
    let (now_year, _, _) = civil_from_days(now.0.div_euclid(SECS_PER_DAY));
    from_civil(rfc850_year(short_year, now_year), month, day, time)
}

/// The four-digit year a two-digit RFC 850 year means in `now_year` (RFC 9110 §5.6.7): a year
/// up to 50 years ahead is taken as the future, one more than 50 years ahead as "the most
/// recent year in the past that had the same last two digits". So the candidates are the 100
/// years from `now_year - 49` to `now_year + 50`, and exactly one of them ends in `short_year`.
/// (Placing the year in `now_year`'s own century first and only ever moving it back misreads
/// `00` at the end of 2099 as 2000 instead of 2100.)
fn rfc850_year(short_year: i64, now_year: i64) -> i64 {
    let earliest = now_year - 49;
    earliest + (short_year - earliest).rem_euclid(100)
}

/// `Nov  6 08:49:37 1994` (the day is space-padded to two characters).
fn parse_asctime(rest: &str) -> Option<UnixTime> {
    let month = month_number(rest.get(0..3)?)?;
    let rest = rest.get(3..)?.strip_prefix(' ')?;
    let day_text = rest.get(0..2)?;
    let day = digits(day_text.trim_start_matches(' '))?;
    let rest = rest.get(2..)?.strip_prefix(' ')?;
    let (time, year) = rest.split_once(' ')?;
    from_civil(fixed_digits(year, 4)?, month, day, time)
}

fn fixed_digits(text: &str, len: usize) -> Option<i64> {
    if text.len() == len {
        digits(text)
    } else {
        None
    }
}

fn month_number(text: &str) -> Option<i64> {
    let index = MONTHS.iter().position(|month| *month == text)?;
    i64::try_from(index).ok().map(|index| index + 1)
}

/// A UTC date and `HH:MM:SS` as Unix time, when every field is in range.
fn from_civil(year: i64, month: i64, day: i64, time: &str) -> Option<UnixTime> {
    let mut fields = time.split(':');
    let hour = fixed_digits(fields.next()?, 2)?;
    let minute = fixed_digits(fields.next()?, 2)?;
    let second = fixed_digits(fields.next()?, 2)?;
    if fields.next().is_some() {
        return None;
    }
    civil_seconds(year, month, day, hour, minute, second).map(UnixTime)
}

/// Seconds since the epoch of a UTC date and time, when every field is in range (a leap
/// second, `:60`, is allowed and reads as the next second).
fn civil_seconds(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
) -> Option<i64> {
    let in_range = (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    in_range.then(|| {
        days_from_civil(year, month, day) * SECS_PER_DAY + hour * 3600 + minute * 60 + second
    })
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(SECS_PER_DAY);
        let secs = self.0.rem_euclid(SECS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Seconds east of UTC.
fn parse_zone(zone: &str) -> Option<i64> {
    match zone {
        "UTC" | "Z" | "GMT" | "+00:00" => return Some(0),
        _ => {}
    }
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = zone.get(1..)?.replace(':', "");
    if rest.len() != 4 {
        return None;
    }
    let hours = digits(rest.get(0..2)?)?;
    let minutes = digits(rest.get(2..4)?)?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epoch_and_known_instants() {
        assert_eq!(UnixTime(0).to_iso8601(), "1970-01-01T00:00:00Z");
        assert_eq!(UnixTime(1_767_366_245).to_iso8601(), "2026-01-02T15:04:05Z");
        assert_eq!(UnixTime(951_782_400).to_iso8601(), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn reads_both_github_expiration_forms() {
        let utc = UnixTime::parse_github_expiration("2026-01-02 15:04:05 UTC");
        assert_eq!(utc, Some(UnixTime(1_767_366_245)));
        let offset = UnixTime::parse_github_expiration("2026-01-02 15:04:05 -0700");
        assert_eq!(offset, Some(UnixTime(1_767_366_245 + 7 * 3600)));
        let iso = UnixTime::parse_github_expiration("2026-01-02T15:04:05Z");
        assert_eq!(iso, Some(UnixTime(1_767_366_245)));
    }

    #[test]
    fn rejects_impossible_dates() {
        for bad in [
            "2026-02-30 00:00:00 UTC",
            "2026-13-01 00:00:00 UTC",
            "2026-01-02 24:00:00 UTC",
            "2026-01-02 15:04:05",
            "2026-01-02 15:04:05 PST",
            "yesterday",
            "2026-01-02 15:04:05 +ab:cd",
            "2026-01-0é 15:04:05 UTC",
        ] {
            assert_eq!(UnixTime::parse_github_expiration(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_the_three_http_date_forms() {
        let now = UnixTime(1_767_366_245); // 2026
        let expected = Some(UnixTime(784_111_777)); // 1994-11-06T08:49:37Z
        assert_eq!(
            UnixTime::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", now),
            expected
        );
        assert_eq!(
            UnixTime::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", now),
            expected
        );
        assert_eq!(
            UnixTime::parse_http_date("Sun Nov  6 08:49:37 1994", now),
            expected
        );
        // A two-digit year at most 50 years ahead is in this century.
        assert_eq!(
            UnixTime::parse_http_date("Friday, 02-Jan-26 15:04:05 GMT", now),
            Some(now)
        );
    }

    #[test]
    fn two_digit_years_follow_rfc_9110s_fifty_year_window() {
        // Up to 50 years ahead is the future; 51 ahead is the past century's year.
        assert_eq!(rfc850_year(76, 2026), 2076);
        assert_eq!(rfc850_year(77, 2026), 1977);
        assert_eq!(rfc850_year(26, 2026), 2026);
        assert_eq!(rfc850_year(94, 2026), 1994);
        // Across a century boundary, both ways.
        assert_eq!(rfc850_year(0, 2099), 2100);
        assert_eq!(rfc850_year(49, 2099), 2149);
        assert_eq!(rfc850_year(50, 2099), 2050);
        assert_eq!(rfc850_year(99, 2100), 2099);
        assert_eq!(rfc850_year(50, 2100), 2150);
        assert_eq!(rfc850_year(51, 2100), 2051);
        // Before year 50 of the common era the window reaches below zero, and stays 100 wide.
        assert_eq!(rfc850_year(99, 10), -1);
        assert_eq!(rfc850_year(60, 10), 60);
    }

    #[test]
    fn rejects_what_is_not_an_http_date() {
        let now = UnixTime(0);
        for bad in [
            "",
            "120",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT x",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:3é GMT",
        ] {
            assert_eq!(UnixTime::parse_http_date(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn civil_round_trips_over_four_centuries() {
        for days in (-146_097..146_097).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
