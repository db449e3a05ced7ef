//! The `pat-verdict` command (placeholder until the CLI issue lands).
fn main() {}
