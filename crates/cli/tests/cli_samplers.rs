//! The `hardiff` binary's one-way-function, g̃, sampler and network commands, checked against
//! the library and closed forms.

use hardiff_dist::{Gaussian, GaussianMixture};
use hardiff_owf::{Bits, Candidate};
use ndarray::{array, Array2};

mod common;

use common::{failure, hardiff, ok, usage_error};

fn parse_csv(text: &str) -> Array2<f64> {
    common::parse_table(text).1
}

fn temp_file(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("hardiff-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn owf_eval_matches_the_library_and_invert_round_trips() {
    for kind in ["blake3", "goldreich", "subset-sum", "linear"] {
        let out = ok(
            &[
                "owf",
                "eval",
                "--kind",
                kind,
                "--input-bits",
                "12",
                "--output-bits",
                "12",
                "--seed",
                "5",
                "--input",
                "a50c",
            ],
            None,
        );
        let f = kind.parse::<Candidate>().unwrap().build(12, 12, 5).unwrap();
        let expected = f
            .eval(&Bits::from_hex("a50c", 12).unwrap())
            .unwrap()
            .to_hex();
        assert_eq!(out.trim(), expected, "{kind}");
        let inv = ok(
            &[
                "owf",
                "invert",
                "--kind",
                kind,
                "--input-bits",
                "12",
                "--output-bits",
                "12",
                "--seed",
                "5",
                "--output",
                &expected,
            ],
            None,
        );
        let mut lines = inv.lines();
        assert_eq!(lines.next(), Some("preimage,evaluations"));
        let (pre, evals) = lines.next().unwrap().split_once(',').unwrap();
        assert_eq!(
            f.eval(&Bits::from_hex(pre, 12).unwrap()).unwrap().to_hex(),
            expected
        );
        assert!(evals.parse::<u64>().unwrap() >= 1);
    }
    // identity needs no seed and is truncation.
    assert_eq!(
        ok(
            &[
                "owf",
                "eval",
                "--kind",
                "identity",
                "--input-bits",
                "16",
                "--output-bits",
                "8",
                "--input",
                "3412"
            ],
            None
        )
        .trim(),
        "34"
    );
    // Brute force over its work limit: the request is well-formed, the work is refused (exit 1).
    failure(
        &[
            "owf",
            "invert",
            "--kind",
            "blake3",
            "--input-bits",
            "30",
            "--output-bits",
            "30",
            "--seed",
            "1",
            "--output",
            "00000000",
        ],
        None,
        "brute-force limit",
    );
    usage_error(
        &[
            "owf",
            "eval",
            "--kind",
            "blake3",
            "--input-bits",
            "8",
            "--output-bits",
            "8",
            "--input",
            "00",
        ],
        None,
        "--seed is required",
    );
    usage_error(
        &[
            "owf",
            "eval",
            "--kind",
            "md5",
            "--input-bits",
            "8",
            "--output-bits",
            "8",
            "--seed",
            "1",
            "--input",
            "00",
        ],
        None,
        "unknown one-way function",
    );
    usage_error(
        &[
            "owf",
            "eval",
            "--kind",
            "blake3",
            "--input-bits",
            "0",
            "--output-bits",
            "8",
            "--seed",
            "1",
            "--input",
            "00",
        ],
        None,
        "",
    );
    // No preimage: a 16→20-bit linear map misses most outputs; that is a failure (exit 1).
    let none = hardiff(
        &[
            "owf",
            "invert",
            "--kind",
            "linear",
            "--input-bits",
            "16",
            "--output-bits",
            "20",
            "--seed",
            "7",
            "--output",
            "00000f",
        ],
        None,
    );
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("no preimage"));
}

#[test]
fn owf_dist_samples_decode_and_scores_agree_at_small_noise() {
    let args = [
        "owf-dist",
        "sample",
        "--kind",
        "blake3",
        "--input-bits",
        "6",
        "--output-bits",
        "6",
        "--seed",
        "2",
        "--n",
        "40",
    ];
    let x = parse_csv(&ok(&args, None));
    assert_eq!(x.ncols(), 12);
    let f = Candidate::Blake3.build(6, 6, 2).unwrap();
    for row in x.rows() {
        let s: Vec<bool> = (0..6).map(|i| row[i] > 0.0).collect();
        let y = f.eval(&Bits::from_bools(&s)).unwrap();
        for j in 0..6 {
            assert_eq!(row[6 + j] > 0.0, y.bit(j), "f-part must be β(2f(s) − 1)");
        }
    }
    // At t = 1e-3 (σ ≈ 0.045 < σ_c) the efficient score equals the exact one up to rare sign
    // crossings: compare on points sampled at that time.
    let pts = ok(
        &[
            "owf-dist",
            "sample",
            "--kind",
            "blake3",
            "--input-bits",
            "6",
            "--output-bits",
            "6",
            "--seed",
            "2",
            "--n",
            "20",
            "--t",
            "0.001",
        ],
        None,
    );
    let eff = parse_csv(&ok(
        &[
            "owf-dist",
            "score",
            "--kind",
            "blake3",
            "--input-bits",
            "6",
            "--output-bits",
            "6",
            "--seed",
            "2",
            "--t",
            "0.001",
        ],
        Some(&pts),
    ));
    let exact = parse_csv(&ok(
        &[
            "owf-dist",
            "score",
            "--kind",
            "blake3",
            "--input-bits",
            "6",
            "--output-bits",
            "6",
            "--seed",
            "2",
            "--t",
            "0.001",
            "--exact",
        ],
        Some(&pts),
    ));
    let diff = (&eff - &exact)
        .mapv(f64::abs)
        .fold(0.0, |a: f64, &b| a.max(b));
    let scale = exact.mapv(f64::abs).fold(0.0, |a: f64, &b| a.max(b));
    assert!(
        diff <= 1e-6 * scale,
        "efficient vs exact: {diff} (scale {scale})"
    );
    usage_error(
        &[
            "owf-dist",
            "log-density",
            "--kind",
            "blake3",
            "--input-bits",
            "6",
            "--output-bits",
            "6",
            "--seed",
            "2",
            "--t",
            "0",
        ],
        Some(&pts),
        "t must be > 0",
    );
}

#[test]
fn sample_and_posterior_reproduce_a_gmm_and_its_exact_posterior() {
    let prior = temp_file(
        "gmm.json",
        r#"{"kind":"gmm","weights":[0.3,0.7],"means":[[-2,0],[2,0]],"covs":[[[1,0],[0,1]],[[0.5,0],[0,0.5]]]}"#,
    );
    let meas = temp_file("meas.json", r#"{"a":[[1,0]],"noise_std":0.5}"#);
    let x = parse_csv(&ok(
        &[
            "sample",
            "--prior",
            &prior,
            "--sampler",
            "heun",
            "--n",
            "2000",
            "--seed",
            "1",
        ],
        None,
    ));
    // Mass of the right component 0.7 (the components barely overlap at x0 = 0: P < 3e-3);
    // 4.5 binomial standard errors ⇒ false-failure rate < 1e-5.
    let right = x.column(0).iter().filter(|v| **v > 0.0).count() as f64 / 2000.0;
    assert!(
        (right - 0.7).abs() < 4.5 * (0.7f64 * 0.3 / 2000.0).sqrt() + 3e-3,
        "{right}"
    );

    let law = GaussianMixture::new(
        vec![0.3, 0.7],
        vec![
            Gaussian::new(array![-2.0, 0.0], array![[1.0, 0.0], [0.0, 1.0]]).unwrap(),
            Gaussian::new(array![2.0, 0.0], array![[0.5, 0.0], [0.0, 0.5]]).unwrap(),
        ],
    )
    .unwrap();
    let post = law
        .posterior(array![[1.0, 0.0]].view(), 0.5, array![-0.5].view())
        .unwrap();
    let (mean, var) = (post.mean()[0], post.cov()[[0, 0]]);
    let stats = temp_file("stats.json", "");
    let samples = parse_csv(&ok(
        &[
            "posterior",
            "--prior",
            &prior,
            "--measurement",
            &meas,
            "--y=-0.5",
            "--sampler",
            "rejection",
            "--n",
            "2000",
            "--seed",
            "2",
            "--stats",
            &stats,
        ],
        None,
    ));
    let m = samples.column(0).mean().unwrap();
    // 4.5 standard errors of the mean: false-failure rate < 1e-5.
    assert!(
        (m - mean).abs() < 4.5 * (var / 2000.0).sqrt(),
        "posterior mean {m} vs exact {mean}"
    );
    let st: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(st["accepted"], 2000);
    assert!(st["prior_draws"].as_u64().unwrap() > 2000);

    usage_error(
        &[
            "posterior",
            "--prior",
            &prior,
            "--measurement",
            &meas,
            "--y",
            "1,2",
            "--sampler",
            "smc",
            "--n",
            "5",
            "--seed",
            "1",
        ],
        None,
        "--y has 2 entries",
    );
    let bad = temp_file(
        "bad.json",
        r#"{"kind":"gmm","weights":[0.5,0.6],"means":[[0],[1]],"covs":[[[1]],[[1]]]}"#,
    );
    usage_error(
        &[
            "sample",
            "--prior",
            &bad,
            "--sampler",
            "em",
            "--n",
            "5",
            "--seed",
            "1",
        ],
        None,
        "weights",
    );
    let npd = temp_file(
        "npd.json",
        r#"{"kind":"gaussian","mean":[0,0],"cov":[[1,2],[2,1]]}"#,
    );
    usage_error(
        &[
            "sample",
            "--prior",
            &npd,
            "--sampler",
            "em",
            "--n",
            "5",
            "--seed",
            "1",
        ],
        None,
        "positive definite",
    );
    let garbage = temp_file("garbage.json", "{not json");
    usage_error(
        &[
            "sample",
            "--prior",
            &garbage,
            "--sampler",
            "em",
            "--n",
            "5",
            "--seed",
            "1",
        ],
        None,
        "parsing",
    );
    // Rejection without enough budget reports the measured acceptance rate.
    let out = hardiff(
        &[
            "posterior",
            "--prior",
            &prior,
            "--measurement",
            &meas,
            "--y=-0.5",
            "--sampler",
            "rejection",
            "--n",
            "100",
            "--seed",
            "2",
            "--max-draws",
            "50",
        ],
        None,
    );
    // An exhausted budget is a failure (exit 1), not a usage error.
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .count(),
        1
    );
    assert!(out.stderr.contains("acceptance"), "{}", out.stderr);
}

#[test]
fn nn_compile_reports_size_and_error() {
    let out = ok(
        &[
            "nn",
            "compile",
            "--kind",
            "linear",
            "--input-bits",
            "4",
            "--output-bits",
            "4",
            "--points",
            "200",
            "--format",
            "json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["neurons", "weights", "depth"] {
        assert!(v[key].as_u64().unwrap() > 0, "{key}");
    }
    // docs/math.md §5: the efficient score is within 2ε = 0.1 of the exact one; the network adds at
    // most its interpolation tolerance.
    assert!(v["max_error"].as_f64().unwrap() < 0.11);
}
