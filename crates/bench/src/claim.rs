//! Claims: the report's second kind of row. A *claim* is one checkable statement of the papers
//! (or of docs/math.md) with its predicted value, the measured value with a 95% interval, how the
//! two must relate, its source, and a **verdict computed from those numbers** — never set by hand.
//!
//! Why a separate row kind: a fitted curve ([`crate::report::SummaryEntry`]) answers "polynomial
//! or exponential, at which rate?"; many of the theorems' claims are not curves at all — "every
//! unconditional sample decodes to a valid pair" (a fraction that must be 1), "the exact oracle's
//! advantage is at least 0.9 at every d", "no violation of Lemma B.9 on the grid" (a count that
//! must be 0), "the measured 1/E\[P_acc\] equals the exact value from f's table". Each becomes a
//! [`Claim`] in `summary.json` and report.md's "Claims" table, and `cargo xtask bench --check`
//! fails when a claim that held in the fixture no longer holds ([`crate::engine::Fixtures`]).
//!
//! **Verdicts** ([`Relation::judge`], docs/math.md §9). With the measured 95% interval [lo, hi]
//! and the predicted value p:
//!
//! | relation | holds when | fails when | otherwise |
//! |---|---|---|---|
//! | [`Relation::Equals`] | lo ≤ p ≤ hi (the data are consistent with p) | p ∉ [lo, hi] | — |
//! | [`Relation::AtLeast`] | lo ≥ p | hi < p | inconclusive |
//! | [`Relation::AtMost`] | hi ≤ p | lo > p | inconclusive |
//! | [`Relation::Within`] { tol } | [lo, hi] ⊆ [p − tol, p + tol] | [lo, hi] ∩ [p − tol, p + tol] = ∅ | inconclusive |
//!
//! `Equals` is for statements that are exact in the theory (a fraction that must be 1, a count
//! that must be 0, with an exact Clopper–Pearson interval or an exact count); `Within` is an
//! equivalence test (the interval must lie inside the tolerance band to *show* agreement, and
//! entirely outside it to show disagreement), so a wide interval is inconclusive, not a pass.
//! A non-finite measured value or interval is inconclusive. For a true value inside the band (or
//! on the right side of a bound), the false-failure rate of one claim is at most 2.5% (the
//! interval's one-sided miss rate); claims that must hold jointly over many sizes should use a
//! `Within` tolerance that leaves room, so their false-failure rate stays small.
//!
//! # Example
//!
//! ```
//! use hardiff_bench::claim::{Claim, ClaimVerdict, Estimate};
//!
//! // 2000 unconditional samples, all valid: the fraction is 1 (Clopper–Pearson [0.998, 1]).
//! let valid = Claim::about("E1", "validity/efficient/blake3/n=8",
//!         "every unconditional sample decodes to a valid (s, f(s)) pair",
//!         "arXiv 2402.12727 Thm 3.1; docs/math.md §5")
//!     .fraction_is_one(2000, 2000);
//! assert_eq!(valid.verdict(), ClaimVerdict::Holds);
//! // An advantage of 0.97 [0.95, 0.99] against the bound 0.9: holds.
//! let adv = Claim::about("E4", "advantage/exact/d=8", "exact-oracle advantage ≥ 0.9",
//!         "arXiv 2404.03272 §3; docs/math.md §3")
//!     .at_least(0.9, Estimate::new(0.97, 0.95, 0.99));
//! assert_eq!(adv.verdict(), ClaimVerdict::Holds);
//! // A ratio of 1.3 [0.8, 1.9] against 1 ± 0.25: the interval is too wide to tell.
//! let ratio = Claim::about("E2", "acceptance/blake3/m=12", "1/E[P_acc] matches f's table",
//!         "docs/math.md §6")
//!     .within(1.0, 0.25, Estimate::new(1.3, 0.8, 1.9));
//! assert_eq!(ratio.verdict(), ClaimVerdict::Inconclusive);
//! ```

use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF};

/// The normal quantile z_{0.975} of a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// How the measured value must relate to the predicted one (module docs for the verdicts).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Relation {
    /// The true value equals the prediction: holds when the prediction lies in the interval.
    Equals,
    /// The true value is at least the prediction (a lower bound).
    AtLeast,
    /// The true value is at most the prediction (an upper bound).
    AtMost,
    /// The true value is within `tolerance` (absolute) of the prediction.
    Within {
        /// Half-width of the band around the prediction.
        tolerance: f64,
    },
}

impl Relation {
    /// The verdict for a prediction `predicted` and a measured 95% interval `[lo, hi]`.
    pub fn judge(self, predicted: f64, interval: [f64; 2]) -> ClaimVerdict {
        let [lo, hi] = interval;
        if !(predicted.is_finite() && lo.is_finite() && hi.is_finite() && lo <= hi) {
            return ClaimVerdict::Inconclusive;
        }
        // Interval ends computed in floating point (e.g. a Clopper–Pearson end that is exactly 1
        // in theory) may miss an exact prediction by an ulp: compare with a relative slack.
        let slack = 1e-12 * predicted.abs().max(1.0);
        let three = |holds: bool, fails: bool| {
            if holds {
                ClaimVerdict::Holds
            } else if fails {
                ClaimVerdict::Fails
            } else {
                ClaimVerdict::Inconclusive
            }
        };
        match self {
            Relation::Equals => {
                if lo - slack <= predicted && predicted <= hi + slack {
                    ClaimVerdict::Holds
                } else {
                    ClaimVerdict::Fails
                }
            }
            Relation::AtLeast => three(lo >= predicted - slack, hi < predicted - slack),
            Relation::AtMost => three(hi <= predicted + slack, lo > predicted + slack),
            Relation::Within { tolerance } => {
                if !(tolerance.is_finite() && tolerance >= 0.0) {
                    return ClaimVerdict::Inconclusive;
                }
                let (a, b) = (predicted - tolerance - slack, predicted + tolerance + slack);
                three(lo >= a && hi <= b, hi < a || lo > b)
            }
        }
    }

    /// A short mathematical form for report.md, e.g. "≥ 0.9" or "= 1 ± 0.25".
    pub fn describe(self, predicted: f64) -> String {
        use crate::report::short;
        match self {
            Relation::Equals => format!("= {}", short(predicted)),
            Relation::AtLeast => format!("≥ {}", short(predicted)),
            Relation::AtMost => format!("≤ {}", short(predicted)),
            Relation::Within { tolerance } => {
                format!("= {} ± {}", short(predicted), short(tolerance))
            }
        }
    }
}

/// What the numbers say about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimVerdict {
    /// The measurement shows the claim.
    Holds,
    /// The measurement contradicts the claim.
    Fails,
    /// The measurement is too imprecise to tell.
    Inconclusive,
}

impl std::fmt::Display for ClaimVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClaimVerdict::Holds => "holds",
            ClaimVerdict::Fails => "fails",
            ClaimVerdict::Inconclusive => "inconclusive",
        })
    }
}

/// A measured value with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// The 95% interval [lo, hi].
    pub interval: [f64; 2],
}

impl Estimate {
    /// A value with an interval computed elsewhere (e.g. a bootstrap).
    pub fn new(value: f64, lo: f64, hi: f64) -> Self {
        Self {
            value,
            interval: [lo, hi],
        }
    }
    /// A value known exactly (a count, a value computed from f's table): interval [v, v].
    pub fn exact(value: f64) -> Self {
        Self::new(value, value, value)
    }
    /// `value ± 1.96·se` (a normal interval).
    pub fn normal(value: f64, se: f64) -> Self {
        Self::new(value, value - Z95 * se, value + Z95 * se)
    }
    /// The fraction `successes / trials` with its exact Clopper–Pearson 95% interval
    /// ([`clopper_pearson`]).
    pub fn clopper_pearson(successes: u64, trials: u64) -> Self {
        Self {
            value: successes as f64 / trials as f64,
            interval: clopper_pearson(successes, trials, 0.05),
        }
    }
    /// The fraction `successes / trials` with its Wilson score 95% interval ([`wilson`]).
    pub fn wilson(successes: u64, trials: u64) -> Self {
        Self {
            value: successes as f64 / trials as f64,
            interval: wilson(successes, trials, Z95),
        }
    }
}

/// The exact (Clopper–Pearson) two-sided 1 − `alpha` interval of a binomial proportion: the
/// `alpha/2` quantile of Beta(x, n − x + 1) and the 1 − `alpha/2` quantile of Beta(x + 1, n − x)
/// (0 for x = 0 and 1 for x = n). Its coverage is at least 1 − `alpha` for every true p, which
/// is why claims that a fraction is 1 use it: with every one of n trials a success, the lower end
/// is (alpha/2)^{1/n}. `trials = 0` gives [0, 1].
pub fn clopper_pearson(successes: u64, trials: u64, alpha: f64) -> [f64; 2] {
    let (x, n) = (successes.min(trials) as f64, trials as f64);
    if trials == 0 {
        return [0.0, 1.0];
    }
    let lo = if successes == 0 {
        0.0
    } else {
        Beta::new(x, n - x + 1.0)
            .map(|b| b.inverse_cdf(alpha / 2.0))
            .unwrap_or(0.0)
    };
    let hi = if successes >= trials {
        1.0
    } else {
        Beta::new(x + 1.0, n - x)
            .map(|b| b.inverse_cdf(1.0 - alpha / 2.0))
            .unwrap_or(1.0)
    };
    [lo, hi]
}

/// The Wilson score interval of a binomial proportion for the normal quantile `z` (1.96: 95%):
/// (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n). Narrower than Clopper–Pearson and
/// close to its nominal coverage on average; `trials = 0` gives [0, 1].
pub fn wilson(successes: u64, trials: u64, z: f64) -> [f64; 2] {
    if trials == 0 {
        return [0.0, 1.0];
    }
    let n = trials as f64;
    let p = successes.min(trials) as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

/// One claim row of `summary.json` and report.md. Built only through [`Claim::about`] and a
/// [`ClaimDraft`] method, which computes the verdict; its fields are read through getters, so a
/// verdict cannot drift from its numbers. (Deserialising a stored row, e.g. from a fixture, keeps
/// the stored verdict.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    experiment: String,
    claim: String,
    statement: String,
    source: String,
    relation: Relation,
    #[serde(with = "nan_as_null")]
    predicted: f64,
    #[serde(with = "nan_as_null")]
    measured: f64,
    #[serde(with = "nan_as_null_pair")]
    interval: [f64; 2],
    verdict: ClaimVerdict,
}

/// A claim being written: who states it, what and where from; a [`ClaimDraft`] method adds
/// the prediction and measurement and returns the judged [`Claim`].
#[derive(Debug, Clone)]
pub struct ClaimDraft {
    experiment: String,
    claim: String,
    statement: String,
    source: String,
}

impl Claim {
    /// Starts a claim of experiment `experiment` (e.g. "E2") with the stable key `claim`
    /// (unique within the experiment, e.g. "acceptance/blake3/m=12": fixtures match on it), a
    /// human `statement` and its `source` (paper and theorem, and the docs/math.md section).
    pub fn about(
        experiment: &str,
        claim: impl Into<String>,
        statement: impl Into<String>,
        source: impl Into<String>,
    ) -> ClaimDraft {
        ClaimDraft {
            experiment: experiment.into(),
            claim: claim.into(),
            statement: statement.into(),
            source: source.into(),
        }
    }
    /// Experiment id.
    pub fn experiment(&self) -> &str {
        &self.experiment
    }
    /// The stable key, unique within the experiment.
    pub fn key(&self) -> &str {
        &self.claim
    }
    /// The human statement.
    pub fn statement(&self) -> &str {
        &self.statement
    }
    /// Paper / theorem and docs/math.md section.
    pub fn source(&self) -> &str {
        &self.source
    }
    /// How measured and predicted must relate.
    pub fn relation(&self) -> Relation {
        self.relation
    }
    /// The predicted value (or bound).
    pub fn predicted(&self) -> f64 {
        self.predicted
    }
    /// The measured value (NaN when the measurement had none).
    pub fn measured(&self) -> f64 {
        self.measured
    }
    /// The measured value's 95% interval.
    pub fn interval(&self) -> [f64; 2] {
        self.interval
    }
    /// The verdict, computed from the numbers when the claim was built.
    pub fn verdict(&self) -> ClaimVerdict {
        self.verdict
    }
}

impl ClaimDraft {
    /// The general form: `relation` between the prediction and the estimate.
    pub fn judge(self, relation: Relation, predicted: f64, measured: Estimate) -> Claim {
        Claim {
            verdict: if measured.value.is_finite() {
                relation.judge(predicted, measured.interval)
            } else {
                ClaimVerdict::Inconclusive
            },
            experiment: self.experiment,
            claim: self.claim,
            statement: self.statement,
            source: self.source,
            relation,
            predicted,
            measured: measured.value,
            interval: measured.interval,
        }
    }
    /// The true value equals `predicted` ([`Relation::Equals`]).
    pub fn equals(self, predicted: f64, measured: Estimate) -> Claim {
        self.judge(Relation::Equals, predicted, measured)
    }
    /// The true value is at least `bound`.
    pub fn at_least(self, bound: f64, measured: Estimate) -> Claim {
        self.judge(Relation::AtLeast, bound, measured)
    }
    /// The true value is at most `bound`.
    pub fn at_most(self, bound: f64, measured: Estimate) -> Claim {
        self.judge(Relation::AtMost, bound, measured)
    }
    /// The true value is within `tolerance` of `predicted`.
    pub fn within(self, predicted: f64, tolerance: f64, measured: Estimate) -> Claim {
        self.judge(Relation::Within { tolerance }, predicted, measured)
    }
    /// A fraction that the theory says is exactly 1 (e.g. valid samples): `successes` of
    /// `trials`, with the Clopper–Pearson interval; fails on a single failure.
    pub fn fraction_is_one(self, successes: u64, trials: u64) -> Claim {
        self.equals(1.0, Estimate::clopper_pearson(successes, trials))
    }
    /// A fraction of at least `bound` (e.g. a success rate), Clopper–Pearson interval.
    pub fn fraction_at_least(self, bound: f64, successes: u64, trials: u64) -> Claim {
        self.at_least(bound, Estimate::clopper_pearson(successes, trials))
    }
    /// A fraction of at most `bound`, Clopper–Pearson interval.
    pub fn fraction_at_most(self, bound: f64, successes: u64, trials: u64) -> Claim {
        self.at_most(bound, Estimate::clopper_pearson(successes, trials))
    }
    /// No violation among the checked cases (e.g. of a lemma's inequality on a grid): the count
    /// `violations` is exact and must be 0. (`checked` goes into the statement.)
    pub fn no_violations(mut self, violations: u64, checked: u64) -> Claim {
        self.statement = format!("{} ({checked} checked)", self.statement);
        self.equals(0.0, Estimate::exact(violations as f64))
    }
}

/// serde for an `f64` that may be NaN: NaN ↔ JSON `null` (JSON has no NaN).
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// serde for an `[f64; 2]` whose ends may be NaN (as [`nan_as_null`]).
mod nan_as_null_pair {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer>(v: &[f64; 2], s: S) -> Result<S::Ok, S::Error> {
        let f = |x: f64| x.is_finite().then_some(x);
        [f(v[0]), f(v[1])].serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[f64; 2], D::Error> {
        let [a, b] = <[Option<f64>; 2]>::deserialize(d)?;
        Ok([a.unwrap_or(f64::NAN), b.unwrap_or(f64::NAN)])
    }
}

/// report.md's "Claims" table: one row per claim.
pub fn claims_table(claims: &[Claim]) -> String {
    use crate::report::short;
    let mut s = String::from(
        "| experiment | claim | statement | predicted | measured [95% interval] | verdict | source |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for c in claims {
        let fmt = |v: f64| {
            if v.is_finite() {
                short(v)
            } else {
                "—".to_string()
            }
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} [{}, {}] | {} | {} |\n",
            c.experiment,
            c.claim,
            c.statement.replace('|', "\\|"),
            c.relation.describe(c.predicted),
            fmt(c.measured),
            fmt(c.interval[0]),
            fmt(c.interval[1]),
            c.verdict,
            c.source.replace('|', "\\|"),
        ));
    }
    if claims.is_empty() {
        s.push_str("| — | — | — | — | — | — | — |\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clopper_pearson_matches_closed_forms_and_tables() {
        // All successes: lower end (α/2)^{1/n}, upper 1 (closed form).
        let [lo, hi] = clopper_pearson(10, 10, 0.05);
        assert!((lo - 0.025f64.powf(0.1)).abs() < 1e-9, "{lo}");
        assert_eq!(hi, 1.0);
        // No success: [0, 1 − (α/2)^{1/n}].
        let [lo, hi] = clopper_pearson(0, 10, 0.05);
        assert_eq!(lo, 0.0);
        assert!((hi - (1.0 - 0.025f64.powf(0.1))).abs() < 1e-9, "{hi}");
        // 5 of 10: [0.187086, 0.812914] (the standard table value; symmetric).
        let [lo, hi] = clopper_pearson(5, 10, 0.05);
        assert!((lo - 0.187_086).abs() < 1e-6 && (hi - 0.812_914).abs() < 1e-6);
        assert_eq!(clopper_pearson(0, 0, 0.05), [0.0, 1.0]);
    }

    #[test]
    fn wilson_matches_the_closed_form() {
        // 5 of 10 at z = 1.96: 0.5 ± 1.96·√(0.025 + 0.009604)/1.38415 = [0.2366, 0.7634].
        let [lo, hi] = wilson(5, 10, Z95);
        assert!((lo - 0.236_593).abs() < 1e-5 && (hi - 0.763_407).abs() < 1e-5);
        // 0 of 20: lower end 0, upper z²/(n + z²) = 3.8415/23.8415 = 0.16113.
        let [lo, hi] = wilson(0, 20, Z95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.161_13).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn verdicts_follow_the_table() {
        use ClaimVerdict::*;
        let w = Relation::Within { tolerance: 0.1 };
        assert_eq!(w.judge(1.0, [0.95, 1.05]), Holds);
        assert_eq!(w.judge(1.0, [1.2, 1.3]), Fails);
        assert_eq!(w.judge(1.0, [0.95, 1.3]), Inconclusive);
        assert_eq!(Relation::AtLeast.judge(0.9, [0.92, 0.99]), Holds);
        assert_eq!(Relation::AtLeast.judge(0.9, [0.5, 0.8]), Fails);
        assert_eq!(Relation::AtLeast.judge(0.9, [0.85, 0.95]), Inconclusive);
        assert_eq!(Relation::AtMost.judge(0.1, [0.0, 0.05]), Holds);
        assert_eq!(Relation::AtMost.judge(0.1, [0.2, 0.3]), Fails);
        assert_eq!(Relation::AtMost.judge(0.1, [0.05, 0.2]), Inconclusive);
        assert_eq!(Relation::Equals.judge(1.0, [0.99, 1.0]), Holds);
        assert_eq!(Relation::Equals.judge(1.0, [0.98, 0.999]), Fails);
        assert_eq!(Relation::Equals.judge(f64::NAN, [0.0, 1.0]), Inconclusive);
        assert_eq!(w.judge(1.0, [f64::NAN, 1.0]), Inconclusive);
    }

    #[test]
    fn helpers_compute_the_verdict_from_counts() {
        let c = || Claim::about("E1", "validity/x", "valid", "docs/math.md §5");
        assert_eq!(c().fraction_is_one(500, 500).verdict(), ClaimVerdict::Holds);
        // One invalid sample in 500: the Clopper–Pearson interval excludes 1.
        let one_bad = c().fraction_is_one(499, 500);
        assert_eq!(one_bad.verdict(), ClaimVerdict::Fails);
        assert!(one_bad.interval()[1] < 1.0);
        assert_eq!(c().no_violations(0, 40).verdict(), ClaimVerdict::Holds);
        assert_eq!(c().no_violations(1, 40).verdict(), ClaimVerdict::Fails);
        assert!(c().no_violations(0, 40).statement().contains("40 checked"));
        // 95 of 100 against ≥ 0.9: CP lower end 0.887 < 0.9 → inconclusive; 99/100 holds.
        assert_eq!(
            c().fraction_at_least(0.9, 95, 100).verdict(),
            ClaimVerdict::Inconclusive
        );
        assert_eq!(
            c().fraction_at_least(0.9, 99, 100).verdict(),
            ClaimVerdict::Holds
        );
        let nan = c().within(1.0, 0.1, Estimate::new(f64::NAN, 0.9, 1.1));
        assert_eq!(nan.verdict(), ClaimVerdict::Inconclusive);
    }

    #[test]
    fn a_claim_survives_a_json_round_trip_even_with_nan() {
        let c = Claim::about("E2", "k", "s", "src").within(
            1.0,
            0.2,
            Estimate::new(f64::NAN, f64::NAN, 2.0),
        );
        let text = serde_json::to_string(&c).unwrap();
        assert!(text.contains("\"measured\":null"), "{text}");
        assert!(text.contains("\"kind\":\"within\""), "{text}");
        let back: Claim = serde_json::from_str(&text).unwrap();
        assert!(back.measured().is_nan() && back.interval()[0].is_nan());
        assert_eq!(back.interval()[1], 2.0);
        assert_eq!(back.verdict(), c.verdict());
        let table = claims_table(&[c]);
        assert!(
            table.contains("| E2 | k | s | = 1.000 ± 0.2000 | — [—, 2.000] | inconclusive | src |"),
            "{table}"
        );
    }
}
