//! Diagnostics with `tracing`, off unless `RUST_LOG` asks, always to stderr (stdout carries
//! the answer).
//!
//! The subscriber is installed with `set_global_default`, not `init()`, on purpose: `init()`
//! would also bridge the `log` crate, and ureq-proto logs the raw request bytes — the
//! `Authorization` header included — at `trace`. Without the bridge those records go
//! nowhere, so even `RUST_LOG=trace` cannot print the token. Our own events never carry it:
//! they log verdicts, stages, counts and paths.

use tracing_subscriber::EnvFilter;

/// Installs the stderr subscriber when `RUST_LOG` is set; a value that does not parse is
/// reported once and logging stays off.
pub fn init() {
    let Some(directives) = std::env::var_os(EnvFilter::DEFAULT_ENV) else {
        return;
    };
    // A token pasted into the wrong variable must not be echoed by the warning below.
    if crate::argv_screen::holds_token(&directives.to_string_lossy()) {
        crate::output::warn_line(
            "pat-verdict: ignoring RUST_LOG: it looks like it holds a GitHub token (not shown)",
        );
        return;
    }
    let filter = match EnvFilter::try_from_default_env() {
        Ok(filter) => filter,
        Err(error) => {
            crate::output::warn_line(&format!(
                "pat-verdict: ignoring RUST_LOG={}: {error}",
                directives.to_string_lossy()
            ));
            return;
        }
    };
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .finish();
    // Only fails if a subscriber is already installed, which nothing else in this binary does.
    let _ = tracing::subscriber::set_global_default(subscriber);
}
