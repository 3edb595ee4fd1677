//! Running the `hardiff` binary from integration tests.
#![allow(dead_code)]

use ndarray::Array2;
use std::io::Write;
use std::process::{Command, Stdio};

/// What one run printed.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `hardiff args…` with `stdin`.
pub fn hardiff(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hardiff"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hardiff runs");
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            // A command that fails on its arguments exits before reading stdin; the write then
            // meets a closed pipe, which is the child's business, not a test failure.
            if let Err(e) = pipe.write_all(text.as_bytes()) {
                assert_eq!(
                    e.kind(),
                    std::io::ErrorKind::BrokenPipe,
                    "writing stdin: {e}"
                );
            }
        }
    }
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs and asserts success; returns stdout.
pub fn ok(args: &[&str], stdin: Option<&str>) -> String {
    let out = hardiff(args, stdin);
    assert_eq!(out.code, 0, "hardiff {args:?} failed: {}", out.stderr);
    out.stdout
}

/// Asserts a usage error: exit code 2, nothing on stdout and exactly one line on stderr
/// containing `needle`.
pub fn usage_error(args: &[&str], stdin: Option<&str>, needle: &str) {
    let out = hardiff(args, stdin);
    assert_eq!(
        out.code, 2,
        "hardiff {args:?}: expected exit 2, stderr {}",
        out.stderr
    );
    assert_eq!(
        out.stderr.trim_end().lines().count(),
        1,
        "not one line: {:?}",
        out.stderr
    );
    assert!(
        out.stderr.contains(needle),
        "{:?} lacks {needle:?}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

/// Asserts a failure: exit code 1 and exactly one line on stderr containing `needle`.
pub fn failure(args: &[&str], stdin: Option<&str>, needle: &str) {
    let out = hardiff(args, stdin);
    assert_eq!(
        out.code, 1,
        "hardiff {args:?}: expected exit 1, stderr {}",
        out.stderr
    );
    assert_eq!(
        out.stderr.trim_end().lines().count(),
        1,
        "not one line: {:?}",
        out.stderr
    );
    assert!(
        out.stderr.contains(needle),
        "{:?} lacks {needle:?}",
        out.stderr
    );
}

/// Parses CSV output into its header and an `(n, k)` array.
pub fn parse_table(text: &str) -> (Vec<String>, Array2<f64>) {
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows: Vec<f64> = lines
        .flat_map(|l| {
            l.split(',')
                .map(|v| v.parse::<f64>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    let n = rows.len() / header.len();
    let k = header.len();
    (header, Array2::from_shape_vec((n, k), rows).unwrap())
}
