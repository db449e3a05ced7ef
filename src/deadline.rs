//! The one bound on a whole verdict, as an operator gives it (`--timeout`, docs/contract.md §4, §8).
//!
//! A deadline must be a real, finite wait: more than zero (a deadline already passed judges
//! nothing) and at most [`MAX_DEADLINE`] (an hour: a validator answering a miner never waits
//! longer, and a value like `9.3e18` seconds would overflow every clock it is added to).

use std::time::Duration;

use thiserror::Error;

/// The longest deadline accepted: one hour.
pub const MAX_DEADLINE: Duration = Duration::from_secs(3600);

/// Why a deadline was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum DeadlineError {
    /// Not a number of seconds at all.
    #[error("the deadline must be a number of seconds, more than 0 and at most 3600")]
    NotANumber,
    /// A number outside (0, 3600], `NaN` and the infinities included.
    #[error("the deadline must be more than 0 and at most 3600 seconds")]
    OutOfRange,
}

/// `secs` as a deadline, when it is in (0, [`MAX_DEADLINE`]].
///
/// # Errors
///
/// [`DeadlineError::OutOfRange`] otherwise (zero, negative, `NaN`, infinite, too long).
pub fn deadline_from_secs(secs: f64) -> Result<Duration, DeadlineError> {
    if secs.is_nan() || secs <= 0.0 || secs > MAX_DEADLINE.as_secs_f64() {
        return Err(DeadlineError::OutOfRange);
    }
    Duration::try_from_secs_f64(secs).map_err(|_| DeadlineError::OutOfRange)
}

/// Reads a deadline written as decimal seconds (`12`, `0.5`, `1e1`).
///
/// # Errors
///
/// [`DeadlineError::NotANumber`] when `text` is not a number, else as [`deadline_from_secs`].
pub fn parse_deadline(text: &str) -> Result<Duration, DeadlineError> {
    let secs: f64 = text.trim().parse().map_err(|_| DeadlineError::NotANumber)?;
    deadline_from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_zero_to_an_hour_is_a_deadline() {
        assert_eq!(parse_deadline("12"), Ok(Duration::from_secs(12)));
        assert_eq!(parse_deadline("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_deadline("3600"), Ok(MAX_DEADLINE));
        for bad in [
            "0", "-0", "-1", "3600.001", "9.3e18", "NaN", "inf", "-inf", "1e300",
        ] {
            assert_eq!(parse_deadline(bad), Err(DeadlineError::OutOfRange), "{bad}");
        }
        for bad in ["", "soon", "12s", "0x10"] {
            assert_eq!(parse_deadline(bad), Err(DeadlineError::NotANumber), "{bad}");
        }
    }
}
