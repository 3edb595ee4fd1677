//! `cargo xtask`: orchestrates hardiff's benches and checks; computes nothing itself.
fn main() {}
