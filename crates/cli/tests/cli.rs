//! The `hardiff` binary, run as a user would: exact command forms of the foundation issue,
//! values checked against the library and docs/math.md references, errors as one line with exit 2.

use hardiff_dist::{GaussianPancakes, Score};
use ndarray::{Array1, Array2};

mod common;

use common::{hardiff, ok, parse_table as parse_csv, usage_error};

#[test]
fn discrete_gaussian_samples_lie_on_the_coset_and_are_seeded() {
    let args = [
        "discrete-gaussian",
        "sample",
        "--std",
        "2.5",
        "--offset",
        "-0.3",
        "--spacing",
        "0.5",
        "--n",
        "200",
        "--seed",
        "4",
    ];
    let text = ok(&args, None);
    let (header, z) = parse_csv(&text);
    assert_eq!(header, ["z"]);
    assert_eq!(z.nrows(), 200);
    for &v in z.iter() {
        let k = (v + 0.3) / 0.5;
        assert!((k - k.round()).abs() < 1e-9, "{v} is not in −0.3 + 0.5Z");
    }
    assert_eq!(ok(&args, None), text, "same seed, same numbers");
    assert_ne!(
        ok(
            &[
                "discrete-gaussian",
                "sample",
                "--std",
                "2.5",
                "--offset",
                "-0.3",
                "--spacing",
                "0.5",
                "--n",
                "200",
                "--seed",
                "5"
            ],
            None
        ),
        text
    );
    usage_error(
        &[
            "discrete-gaussian",
            "sample",
            "--std",
            "0",
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
            "discrete-gaussian",
            "sample",
            "--std",
            "NaN",
            "--n",
            "3",
            "--seed",
            "1",
        ],
        None,
        "std",
    );
}

#[test]
fn pancake_sample_accepts_negative_secrets_both_ways_and_rejects_non_unit() {
    let s = std::f64::consts::FRAC_1_SQRT_2;
    let secret = format!("-{s},{s}");
    let eq_form = format!("--secret=-{s},{s}");
    let a = ok(
        &[
            "pancakes", "sample", "--dim", "2", "--gamma", "6", "--sigma", "0.05", &eq_form, "--n",
            "50", "--seed", "3",
        ],
        None,
    );
    let b = ok(
        &[
            "pancakes", "sample", "--dim", "2", "--gamma", "6", "--sigma", "0.05", "--secret",
            &secret, "--n", "50", "--seed", "3",
        ],
        None,
    );
    assert_eq!(a, b);
    let (header, x) = parse_csv(&a);
    assert_eq!(header, ["x0", "x1"]);
    assert_eq!(x.nrows(), 50);
    // Along u the samples sit near the centres h₀k/a (spacing 0.417254, width τ ≈ 0.05).
    for row in x.rows() {
        let z = -s * row[0] + s * row[1];
        let k = z / 0.417254;
        assert!(
            (k - k.round()).abs() * 0.417254 < 6.0 * 0.0499,
            "⟨x,u⟩ = {z} is far from every pancake"
        );
    }
    usage_error(
        &[
            "pancakes", "sample", "--dim", "2", "--gamma", "6", "--sigma", "0.05", "--secret",
            "-0.7,0.7", "--n", "5", "--seed", "1",
        ],
        None,
        "unit norm",
    );
    usage_error(
        &[
            "pancakes", "sample", "--dim", "3", "--gamma", "6", "--sigma", "0.05", "--secret",
            &secret, "--n", "5", "--seed", "1",
        ],
        None,
        "--dim",
    );
    usage_error(
        &[
            "pancakes", "sample", "--dim", "2", "--gamma", "-6", "--sigma", "0.05", "--n", "5",
            "--seed", "1",
        ],
        None,
        "gamma",
    );
    // Without --secret one is drawn from the seed and reported on stderr.
    let drawn = hardiff(
        &[
            "pancakes", "sample", "--dim", "3", "--gamma", "2", "--sigma", "0.5", "--n", "2",
            "--seed", "9",
        ],
        None,
    );
    assert_eq!(drawn.code, 0);
    let u: Vec<f64> = drawn
        .stderr
        .trim()
        .strip_prefix("secret: ")
        .unwrap()
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    assert!((u.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn pancake_score_and_log_density_match_the_library_bit_for_bit() {
    let u = [0.6, -0.8];
    let secret = "0.6,-0.8";
    let points = ok(
        &[
            "pancakes", "sample", "--dim", "2", "--gamma", "2", "--sigma", "0.5", "--secret",
            secret, "--n", "20", "--seed", "1",
        ],
        None,
    );
    let (_, x) = parse_csv(&points);
    let law = GaussianPancakes::new(2, 2.0, 0.5, Array1::from(u.to_vec())).unwrap();
    for t in ["0", "0.3"] {
        let (header, s) = parse_csv(&ok(
            &[
                "pancakes", "score", "--gamma", "2", "--sigma", "0.5", "--secret", secret, "--t", t,
            ],
            Some(&points),
        ));
        assert_eq!(header, ["s0", "s1"]);
        let mut expected = Array2::zeros(x.raw_dim());
        law.score(t.parse().unwrap(), x.view(), expected.view_mut())
            .unwrap();
        assert_eq!(s, expected);
    }
    let (header, logp) = parse_csv(&ok(
        &[
            "pancakes",
            "log-density",
            "--gamma",
            "2",
            "--sigma",
            "0.5",
            "--secret",
            secret,
        ],
        Some(&points),
    ));
    assert_eq!(header, ["log_density"]);
    let mut expected = Array1::zeros(x.nrows());
    hardiff_dist::LogDensity::log_density(&law, 0.0, x.view(), expected.view_mut()).unwrap();
    assert_eq!(logp.column(0), expected);
    // JSON output: an array of objects.
    let json: serde_json::Value = serde_json::from_str(&ok(
        &[
            "--format", "json", "pancakes", "score", "--gamma", "2", "--sigma", "0.5", "--secret",
            secret,
        ],
        Some("x0,x1\n0.1,0.2\n"),
    ))
    .unwrap();
    assert!(json[0]["s0"].is_number() && json[0]["s1"].is_number());
    // Bad stdin: wrong header, wrong dimension, not a number.
    usage_error(
        &[
            "pancakes", "score", "--gamma", "2", "--sigma", "0.5", "--secret", secret,
        ],
        Some("a,b\n1,2\n"),
        "header",
    );
    usage_error(
        &[
            "pancakes", "score", "--gamma", "2", "--sigma", "0.5", "--secret", secret,
        ],
        Some("x0\n1\n"),
        "dimension 2",
    );
    usage_error(
        &[
            "pancakes",
            "log-density",
            "--gamma",
            "2",
            "--sigma",
            "0.5",
            "--secret",
            secret,
        ],
        Some("x0,x1\n1,zz\n"),
        "not a number",
    );
    usage_error(
        &[
            "pancakes", "score", "--gamma", "2", "--sigma", "0.5", "--secret", secret, "--t", "-1",
        ],
        Some("x0,x1\n1,2\n"),
        "t",
    );
}

#[test]
fn tv_matches_the_docs_math_reference_table() {
    // docs/math.md §2 reference values (independent quadrature): (2, 0.5) → 0.051568, (6, 0.25) → 0.000822.
    let tv: f64 = ok(&["pancakes", "tv", "--gamma", "2", "--sigma", "0.5"], None)
        .trim()
        .parse()
        .unwrap();
    assert!((tv - 0.051568).abs() < 2e-6, "{tv}");
    let tv: f64 = ok(&["pancakes", "tv", "--gamma", "6", "--sigma", "0.25"], None)
        .trim()
        .parse()
        .unwrap();
    assert!((tv - 0.000822).abs() < 2e-6, "{tv}");
    let json: serde_json::Value = serde_json::from_str(&ok(
        &[
            "pancakes", "tv", "--gamma", "2", "--sigma", "0.5", "--format", "json",
        ],
        None,
    ))
    .unwrap();
    assert!((json["tv"].as_f64().unwrap() - 0.051568).abs() < 2e-6);
    usage_error(&["pancakes", "tv", "--gamma", "2"], None, "--sigma");
}

#[test]
fn figure_one_writes_six_svgs() {
    let dir = std::env::temp_dir().join(format!("hardiff-fig-{}", std::process::id()));
    let out = ok(
        &[
            "figure",
            "pancakes",
            "--out",
            dir.to_str().unwrap(),
            "--n",
            "300",
        ],
        None,
    );
    assert_eq!(out.lines().count(), 6);
    for sigma in ["0.01", "0.05", "0.25"] {
        for kind in ["scatter", "density"] {
            let svg =
                std::fs::read_to_string(dir.join(format!("pancakes-{kind}-sigma-{sigma}.svg")))
                    .unwrap();
            assert!(svg.starts_with("<svg") && svg.contains(&format!("σ = {sigma}")));
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn help_works_everywhere_and_unknown_commands_are_usage_errors() {
    for args in [
        &["--help"][..],
        &["pancakes", "--help"],
        &["pancakes", "score", "--help"],
        &["discrete-gaussian", "sample", "--help"],
        &["figure", "pancakes", "--help"],
    ] {
        let out = hardiff(args, None);
        assert_eq!(out.code, 0);
        assert!(out.stdout.contains("Usage"), "{args:?}");
    }
    usage_error(&["nope"], None, "unrecognized subcommand");
}
