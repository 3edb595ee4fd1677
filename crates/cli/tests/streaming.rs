//! Sample counts, streaming and exit codes, as a user sees them:
//! - `--n 0` is valid for every command with `--n`: exit 0, the header alone (CSV) or `[]`;
//! - sampling commands stream in chunks whose size does not change a byte of the output, and a
//!   huge `--n` piped into `head` prints its lines and exits 0 in bounded memory;
//! - exit codes: 2 for a bad parameter, 1 for an exhausted work or budget limit, each with one
//!   line on stderr; commands that hold all samples refuse a huge n with exit 2.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

mod common;

use common::{failure, hardiff, ok, usage_error};

fn temp_file(name: &str, text: &str) -> String {
    let path =
        std::env::temp_dir().join(format!("hardiff-streaming-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const GMM: &str = r#"{"kind":"gmm","weights":[0.3,0.7],"means":[[-2,0],[2,0]],"covs":[[[1,0],[0,1]],[[0.5,0],[0,0.5]]]}"#;
const MEAS: &str = r#"{"a":[[1,0]],"noise_std":0.5}"#;

/// Every sampling command, with `--n` left to the caller.
fn sampling_commands(prior: &str, meas: &str) -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        s(&[
            "discrete-gaussian",
            "sample",
            "--std",
            "1.5",
            "--offset",
            "0.25",
            "--seed",
            "1",
        ]),
        s(&[
            "pancakes", "sample", "--dim", "3", "--gamma", "6", "--sigma", "0.05", "--seed", "1",
        ]),
        s(&[
            "pancakes",
            "sample",
            "--dim",
            "2",
            "--gamma",
            "2",
            "--sigma",
            "0.1",
            "--t",
            "0.3",
            "--secret=-0.6,0.8",
            "--seed",
            "2",
        ]),
        s(&[
            "owf-dist",
            "sample",
            "--kind",
            "goldreich",
            "--input-bits",
            "6",
            "--output-bits",
            "6",
            "--seed",
            "3",
        ]),
        s(&[
            "owf-dist",
            "sample",
            "--kind",
            "linear",
            "--input-bits",
            "5",
            "--output-bits",
            "4",
            "--seed",
            "3",
            "--t",
            "0.01",
        ]),
        s(&[
            "sample",
            "--prior",
            prior,
            "--sampler",
            "ddpm",
            "--steps",
            "20",
            "--seed",
            "4",
        ]),
        s(&[
            "posterior",
            "--prior",
            prior,
            "--measurement",
            meas,
            "--y=-0.5",
            "--sampler",
            "rejection",
            "--seed",
            "5",
        ]),
        s(&[
            "posterior",
            "--prior",
            prior,
            "--measurement",
            meas,
            "--y=-0.5",
            "--sampler",
            "smc",
            "--steps",
            "10",
            "--seed",
            "5",
        ]),
    ]
}

fn run(args: &[String], extra: &[&str]) -> common::Output {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    hardiff(&all, None)
}

#[test]
fn n_zero_prints_the_header_alone_everywhere() {
    let prior = temp_file("gmm0.json", GMM);
    let meas = temp_file("meas0.json", MEAS);
    for args in sampling_commands(&prior, &meas) {
        let csv = run(&args, &["--n", "0"]);
        assert_eq!(csv.code, 0, "{args:?}: {}", csv.stderr);
        assert_eq!(csv.stdout.lines().count(), 1, "{args:?}: {:?}", csv.stdout);
        let header = csv.stdout.trim_end();
        assert!(
            header == "z" || header.starts_with("x0,x1"),
            "{args:?}: {header}"
        );
        let json = run(&args, &["--n", "0", "--format", "json"]);
        assert_eq!(json.code, 0, "{args:?}: {}", json.stderr);
        assert_eq!(json.stdout, "[]\n", "{args:?}");
    }
    // The figure accepts n = 0 too (empty scatter plots).
    let dir = std::env::temp_dir().join(format!("hardiff-streaming-fig-{}", std::process::id()));
    ok(
        &[
            "figure",
            "pancakes",
            "--out",
            dir.to_str().unwrap(),
            "--n",
            "0",
        ],
        None,
    );
    // n = 0 still validates the parameters.
    usage_error(
        &[
            "pancakes", "sample", "--dim", "2", "--gamma", "6", "--sigma", "-1", "--n", "0",
            "--seed", "1",
        ],
        None,
        "sigma",
    );
}

#[test]
fn output_does_not_depend_on_the_chunk_size() {
    let prior = temp_file("gmm1.json", GMM);
    let meas = temp_file("meas1.json", MEAS);
    for args in sampling_commands(&prior, &meas) {
        if args[0] == "posterior" {
            continue; // holds all samples; no chunks
        }
        let (n, format_runs) = if args[0] == "sample" {
            ("300", ["csv"].as_slice())
        } else {
            ("2500", ["csv", "json"].as_slice())
        };
        for format in format_runs {
            let base = run(&args, &["--n", n, "--format", format]);
            assert_eq!(base.code, 0, "{args:?}: {}", base.stderr);
            for chunk in ["1000", "64", "1"] {
                let other = run(
                    &args,
                    &["--n", n, "--format", format, "--chunk-rows", chunk],
                );
                assert_eq!(other.code, 0);
                assert!(
                    other.stdout == base.stdout,
                    "{args:?} --format {format}: chunks of {chunk} rows change the output"
                );
            }
            if *format == "csv" {
                assert_eq!(base.stdout.lines().count(), n.parse::<usize>().unwrap() + 1);
            } else {
                let v: serde_json::Value = serde_json::from_str(&base.stdout).unwrap();
                assert_eq!(v.as_array().unwrap().len(), 2500);
            }
        }
    }
}

#[test]
fn sample_runs_in_fixed_blocks_of_4096() {
    // Block b is seeded from (seed, b): the first 4096 rows of n = 4100 are the n = 4096 output.
    let prior = temp_file("gmm2.json", GMM);
    let args = [
        "sample",
        "--prior",
        &prior,
        "--sampler",
        "em",
        "--steps",
        "5",
        "--seed",
        "9",
    ];
    let full = ok(&[&args[..], &["--n", "4100"]].concat(), None);
    let block = ok(&[&args[..], &["--n", "4096"]].concat(), None);
    let first: Vec<&str> = full.lines().take(4097).collect();
    assert_eq!(first, block.lines().collect::<Vec<_>>());
    assert_eq!(full.lines().count(), 4101);
}

/// Runs `hardiff args…`, reads `lines` lines of stdout (JSON, one line: its first 4096 bytes),
/// measures the peak resident memory (Linux; kB) while the child is blocked on the full pipe,
/// then closes the pipe (`| head`).
fn head(args: &[&str], lines: usize) -> (Vec<String>, i32, Option<u64>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hardiff"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut got = Vec::new();
    if args.contains(&"json") {
        let mut bytes = vec![0u8; 4096];
        reader.read_exact(&mut bytes).unwrap();
        got.push(String::from_utf8_lossy(&bytes).into_owned());
    } else {
        for _ in 0..lines {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            got.push(line.trim_end().to_string());
        }
    }
    // Let it fill the pipe (and run a few chunks), then read its peak memory.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let hwm = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        });
    drop(reader);
    let status = child.wait().unwrap();
    (got, status.code().unwrap_or(-1), hwm)
}

#[test]
fn a_huge_n_streams_into_head_in_bounded_memory() {
    let prior = temp_file("gmm3.json", GMM);
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "pancakes",
            "sample",
            "--dim",
            "2",
            "--gamma",
            "6",
            "--sigma",
            "0.05",
            "--n",
            "1000000000000",
            "--seed",
            "1",
        ],
        vec![
            "--format",
            "json",
            "discrete-gaussian",
            "sample",
            "--std",
            "2",
            "--n",
            "1000000000000",
            "--seed",
            "1",
        ],
        vec![
            "owf-dist",
            "sample",
            "--kind",
            "blake3",
            "--input-bits",
            "8",
            "--output-bits",
            "8",
            "--seed",
            "3",
            "--t",
            "0.001",
            "--n",
            "1000000000000",
        ],
        vec![
            "sample",
            "--prior",
            &prior,
            "--sampler",
            "ddpm",
            "--steps",
            "5",
            "--n",
            "1000000000000",
            "--seed",
            "1",
        ],
    ];
    for args in cases {
        let (lines, code, hwm) = head(&args, 3);
        assert_eq!(code, 0, "{args:?}: the reader leaving is not a failure");
        if let Some(kb) = hwm {
            assert!(kb < 100_000, "{args:?}: peak resident memory {kb} kB");
        }
        if args.contains(&"json") {
            assert!(lines[0].starts_with("[{\"z\":"), "{}", &lines[0][..40]);
            continue;
        }
        assert_eq!(lines.len(), 3);
        // The same three lines as a small run with the same seed (streaming changes nothing).
        let small: Vec<String> = {
            let mut a = args.clone();
            let i = a.iter().position(|v| *v == "1000000000000").unwrap();
            a[i] = "5";
            ok(&a, None).lines().take(3).map(String::from).collect()
        };
        if args[0] != "sample" {
            assert_eq!(lines, small, "{args:?}");
        }
    }
}

#[test]
fn exit_codes_are_decided_where_the_error_arises() {
    // A bad parameter: exit 2, one line.
    usage_error(
        &[
            "discrete-gaussian",
            "sample",
            "--std",
            "-1",
            "--n",
            "3",
            "--seed",
            "1",
        ],
        None,
        "std",
    );
    usage_error(
        &[
            "pancakes", "sample", "--dim", "2", "--gamma", "6", "--sigma", "0.05", "--secret",
            "0.6,abc", "--n", "3", "--seed", "1",
        ],
        None,
        "entry 2",
    );
    usage_error(
        &[
            "owf-dist",
            "score",
            "--kind",
            "linear",
            "--input-bits",
            "4",
            "--output-bits",
            "4",
            "--seed",
            "1",
            "--t",
            "0",
        ],
        Some("x0\n"),
        "t must be > 0",
    );
    // Malformed points on stdin are bad input (2).
    usage_error(
        &[
            "pancakes", "score", "--gamma", "6", "--sigma", "0.05", "--secret", "1", "--t", "0.1",
        ],
        Some("x0\nabc\n"),
        "not a number",
    );
    // A missing input file is an I/O failure (1).
    failure(
        &[
            "sample",
            "--prior",
            "/nonexistent/prior.json",
            "--sampler",
            "em",
            "--n",
            "3",
            "--seed",
            "1",
        ],
        None,
        "prior.json",
    );
    // Work and budget limits: exit 1, one line.
    failure(
        &[
            "owf",
            "invert",
            "--kind",
            "goldreich",
            "--input-bits",
            "40",
            "--output-bits",
            "40",
            "--seed",
            "1",
            "--output",
            "0000000000",
        ],
        None,
        "brute-force limit",
    );
    let prior = temp_file("gmm4.json", GMM);
    let meas = temp_file("meas4.json", MEAS);
    failure(
        &[
            "posterior",
            "--prior",
            &prior,
            "--measurement",
            &meas,
            "--y=40",
            "--sampler",
            "rejection",
            "--n",
            "10",
            "--seed",
            "1",
            "--max-draws",
            "100",
        ],
        None,
        "exhausted its budget",
    );
    // Commands that hold all samples refuse a huge n up front (2), never abort.
    usage_error(
        &[
            "posterior",
            "--prior",
            &prior,
            "--measurement",
            &meas,
            "--y=-0.5",
            "--sampler",
            "smc",
            "--n",
            "1000000000000",
            "--seed",
            "1",
        ],
        None,
        "in-memory limit",
    );
    usage_error(
        &[
            "figure",
            "pancakes",
            "--out",
            "/tmp/unused",
            "--n",
            "1000000000000",
        ],
        None,
        "in-memory limit",
    );
    usage_error(
        &[
            "pancakes",
            "sample",
            "--dim",
            "100000000000",
            "--gamma",
            "6",
            "--sigma",
            "0.05",
            "--n",
            "1",
            "--seed",
            "1",
        ],
        None,
        "in-memory limit",
    );
}
