//! The `hardiff` command-line program.
fn main() {}
