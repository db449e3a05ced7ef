//! Classifier benchmarks (placeholder until the benchmarks issue lands).
fn main() {}
