//! The `hardiff` command-line program; see `hardiff --help` and [`hardiff_cli`].
fn main() {
    hardiff_cli::main()
}
