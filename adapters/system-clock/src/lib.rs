//! The [`Clock`] port over the machine's clocks: `Instant` for deadlines (monotonic, immune to
//! clock steps), `SystemTime` for `stored_at` and `x-ratelimit-reset`, and tokio's timer for
//! sleeping without blocking the runtime.
//!
//! This is the only crate of the workspace allowed to read a clock (see `clippy.toml`).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use pat_verdict::{Clock, UnixTime};

/// The real clock. Monotonic readings count from its creation.
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose monotonic readings start at zero now.
    #[must_use]
    #[expect(
        clippy::disallowed_methods,
        reason = "the one real clock adapter: everything else gets time from here"
    )]
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Clock for SystemClock {
    fn monotonic(&self) -> Duration {
        self.origin.elapsed()
    }

    #[expect(
        clippy::disallowed_methods,
        reason = "the one real clock adapter: everything else gets time from here"
    )]
    fn wall(&self) -> UnixTime {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        UnixTime(i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX))
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn moves_forward_and_reads_a_plausible_wall_clock() {
        let clock = SystemClock::new();
        let before = clock.monotonic();
        clock.sleep(Duration::from_millis(5)).await;
        assert!(clock.monotonic() >= before + Duration::from_millis(5));
        // 2020-01-01: any machine running this is past it.
        assert!(clock.wall() > UnixTime(1_577_836_800));
    }
}
