//! The `hardiff` command-line program; see `hardiff --help` and [`hardiff_harness::cli`].
fn main() {
    hardiff_harness::cli::main()
}
