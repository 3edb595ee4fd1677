//! Challenge files: a hard instance pinned in one JSON file that any posterior sampler, in any
//! language, can take — `hardiff challenge new | score | reference | suite` and Python's
//! `hardiff.evaluate` (docs/challenge.md has the format and the commands).
//!
//! A challenge holds a prior (the CLI's prior JSON, [`crate::prior`]), a linear measurement
//! y = A x* + η ξ of a hidden draw x* (docs/math.md §6), what counts as success, and the
//! instance's SHA-256 over a canonical encoding ([`canonical`]). Everything in it is public: on
//! g̃ success is checkable because f is public and cheap; on Gaussians and mixtures the
//! metrics use the closed-form posterior (docs/math.md §7). Scoring ([`metrics`]) is the one
//! computation behind both the CLI's report and Python's.
//!
//! Why the hash: an instance that drifts (a re-generated A, an edited y) would silently change
//! every number a paper reports; a file whose hash does not match its contents is refused
//! ([`ChallengeError::Tampered`]).
//!
//! ```
//! use hardiff_bench::challenge::{Challenge, Measure, NewChallenge};
//! let prior = serde_json::json!({"kind": "owf-dist", "owf": "blake3", "input_bits": 8,
//!                                "output_bits": 8, "seed": 1});
//! let c = Challenge::new(&NewChallenge { prior, measure: Measure::OutputBits(4),
//!                                        noise_std: None, seed: 7 })?;
//! let text = c.to_json();
//! let back = Challenge::from_json(&text, "memory")?;
//! assert_eq!(back.sha256(), c.sha256());
//! // Altering any number changes the instance: the file is refused.
//! let bad = text.replacen("\"noise_std\": ", "\"noise_std\": 1", 1);
//! assert!(matches!(Challenge::from_json(&bad, "memory"),
//!                  Err(hardiff_bench::challenge::ChallengeError::Tampered { .. })));
//! # Ok::<(), hardiff_bench::challenge::ChallengeError>(())
//! ```

pub mod canonical;
pub mod metrics;
pub mod samples;

use crate::error::Error;
use crate::prior::{LoadedPrior, PriorSpec};
use hardiff_dist::rng;
use hardiff_sde::LinearMeasurement;
use metrics::{Law, Report, ScoreOptions, Usage};
use ndarray::{Array1, Array2, ArrayView2};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The `format` member of every challenge file.
pub const FORMAT: &str = "hardiff-challenge";
/// The format version this code writes and reads.
pub const VERSION: u32 = 1;
/// Default noise η of a Gaussian or mixture challenge.
pub const DEFAULT_GAUSSIAN_NOISE: f64 = 0.1;
/// Default budget of prior draws of `challenge reference` on g̃.
pub const DEFAULT_REFERENCE_BUDGET: u64 = 100_000_000;

/// The success rule of a g̃ challenge, as written in the file.
pub const OWF_RULE: &str = "a sample x succeeds when f(s) agrees with target_bits on every \
    measured output bit, where s = (x[0] > 0, ..., x[input_bits-1] > 0) is its decoded seed and \
    bit j of target_bits is the measured output bit j (output coordinate input_bits + j); \
    target_bits are the signs of y. Reported: the success rate with its 95% Wilson interval, \
    beside a random guess (2^-k), prior samples and exact posterior samples.";
/// The success rule of a Gaussian or mixture challenge, as written in the file.
pub const GAUSSIAN_RULE: &str = "closeness to the exact (closed-form) posterior: sliced \
    2-Wasserstein distance to n exact posterior samples next to its noise floor (the same \
    distance between two exact sets of size n), errors of the sample mean and covariance, and \
    for mixtures the total variation of the posterior component weights.";

/// Everything that can go wrong with a challenge: a tampered file, a reference beyond its
/// budget, or a bench error (bad input, I/O).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChallengeError {
    /// The stored hash does not match the file's contents.
    #[error(
        "{origin}: the instance hash does not match its contents (stored sha256 {stored}, \
         computed {computed}): the challenge was altered"
    )]
    Tampered {
        /// The file.
        origin: String,
        /// The `sha256` member.
        stored: String,
        /// The hash of the contents.
        computed: String,
    },
    /// A work limit: the expected cost of exact samples exceeds the budget.
    #[error("{0}")]
    TooExpensive(String),
    /// Bad input, I/O or a failing lower crate.
    #[error(transparent)]
    Bench(#[from] Error),
}

impl From<hardiff_sde::Error> for ChallengeError {
    fn from(e: hardiff_sde::Error) -> Self {
        ChallengeError::Bench(e.into())
    }
}

impl From<hardiff_dist::Error> for ChallengeError {
    fn from(e: hardiff_dist::Error) -> Self {
        ChallengeError::Bench(e.into())
    }
}

/// `Result` with [`ChallengeError`].
pub type Result<T, E = ChallengeError> = std::result::Result<T, E>;

fn invalid(msg: impl Into<String>) -> ChallengeError {
    ChallengeError::Bench(Error::Invalid(msg.into()))
}

/// The measurement as a challenge file writes it: A (m′ rows of length d), y, η.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurementData {
    /// The matrix A.
    pub a: Vec<Vec<f64>>,
    /// The observation y = A x* + η ξ.
    pub y: Vec<f64>,
    /// The noise standard deviation η.
    pub noise_std: f64,
}

/// What counts as success (`success` member of the file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Success {
    /// g̃: the decoded seed inverts f on the measured output bits.
    InvertsMeasuredBits {
        /// n: the first `input_bits` coordinates of x decode to the seed.
        input_bits: usize,
        /// The signs of y as `0`/`1` characters, measured bit j first.
        target_bits: String,
        /// The rule in words ([`OWF_RULE`]).
        rule: String,
    },
    /// Gaussians and mixtures: closeness to the exact posterior.
    PosteriorDistance {
        /// The rule in words ([`GAUSSIAN_RULE`]).
        rule: String,
    },
}

/// A challenge file's contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// A readable name (informational).
    pub name: String,
    /// The seed `challenge new` drew the hidden x* and the noise from; also the default seed
    /// of scoring's reference streams.
    pub seed: u64,
    /// The prior, as the CLI's prior JSON (`{"kind": …}`).
    pub prior: Value,
    /// The measurement.
    pub measurement: MeasurementData,
    /// What counts as success.
    pub success: Success,
    /// Lowercase hex SHA-256 of the canonical encoding of everything else ([`canonical`]).
    pub sha256: String,
}

/// How `challenge new` measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// g̃: the first k output bits of f(s*) (rows of A select output coordinates n … n+k−1).
    OutputBits(usize),
    /// Gaussians and mixtures: k rows of A with i.i.d. N(0, 1/d) entries.
    Rows(usize),
    /// Gaussians and mixtures: this A.
    Matrix(Array2<f64>),
}

/// The arguments of [`Challenge::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewChallenge {
    /// The prior JSON.
    pub prior: Value,
    /// The measurement.
    pub measure: Measure,
    /// η; default β/4 on g̃ (docs/math.md §6), [`DEFAULT_GAUSSIAN_NOISE`] otherwise.
    pub noise_std: Option<f64>,
    /// Seed of x*, of A's entries and of the noise.
    pub seed: u64,
}

/// A loaded, verified challenge: the file and the objects built from it.
pub struct Challenge {
    file: ChallengeFile,
    prior: LoadedPrior,
    measurement: LinearMeasurement,
    y: Array1<f64>,
}

fn rows_of(a: ArrayView2<f64>) -> Vec<Vec<f64>> {
    a.rows().into_iter().map(|r| r.to_vec()).collect()
}

fn matrix(rows: &[Vec<f64>]) -> Result<Array2<f64>> {
    let k = rows.first().map_or(0, Vec::len);
    if rows.iter().any(|r| r.len() != k) {
        return Err(invalid("measurement.a: rows have different lengths"));
    }
    Array2::from_shape_vec((rows.len(), k), rows.concat())
        .map_err(|e| invalid(format!("measurement.a: {e}")))
}

fn bit_string(bits: &[bool]) -> String {
    bits.iter().map(|&b| if b { '1' } else { '0' }).collect()
}

impl Challenge {
    /// Draws a new challenge: x* from the prior on the stream `(seed, "challenge/new")`, then
    /// (Gaussians) A's entries, then the noise ξ. On g̃, x*'s seed s* is hidden; y measures the
    /// first k output bits of f(s*) as `measure_output_bits` does (docs/math.md §6).
    ///
    /// Errors: an invalid prior, a measure that does not fit the prior (output bits on a
    /// Gaussian, rows on g̃, k = 0 or k > m), pancakes (no exact posterior to score against).
    pub fn new(spec: &NewChallenge) -> Result<Self> {
        let prior_spec: PriorSpec = serde_json::from_value(spec.prior.clone())
            .map_err(|e| invalid(format!("prior: {e}")))?;
        let loaded = prior_spec.build()?;
        let mut stream = rng::stream(spec.seed, "challenge/new", &[]);
        let (measurement, y, success, name) = match (&loaded, &spec.measure) {
            (LoadedPrior::OwfEfficient(dist, _) | LoadedPrior::OwfExact(dist, _), measure) => {
                let k = match measure {
                    Measure::OutputBits(k) => *k,
                    _ => {
                        return Err(invalid(
                            "a g̃ challenge measures output bits (--measured-bits), not rows \
                             of a matrix",
                        ))
                    }
                };
                if k == 0 || k > dist.output_bits() {
                    return Err(invalid(format!(
                        "measured bits must be in 1..={} (the output bits of f), got {k}",
                        dist.output_bits()
                    )));
                }
                let noise = spec.noise_std.unwrap_or(dist.params().amplitude() / 4.0);
                let (_, seeds) = dist.sample_with_seeds(&mut stream, 1);
                let fy = dist.function().eval(&seeds[0]).map_err(Error::from)?;
                let (meas, y) =
                    hardiff_reduce::inverter::measure_output_bits(dist, &fy, k, noise, &mut stream)
                        .map_err(Error::from)?;
                let bits: Vec<bool> = y.iter().map(|&v| v > 0.0).collect();
                let name = format!(
                    "owf-{}-n{}-m{}-k{k}-seed{}",
                    spec.prior["owf"].as_str().unwrap_or("f"),
                    dist.input_bits(),
                    dist.output_bits(),
                    spec.seed
                );
                let success = Success::InvertsMeasuredBits {
                    input_bits: dist.input_bits(),
                    target_bits: bit_string(&bits),
                    rule: OWF_RULE.into(),
                };
                (meas, y, success, name)
            }
            (LoadedPrior::Gaussian(_) | LoadedPrior::Gmm(_), measure) => {
                let d = loaded.dim();
                let x_star = loaded.sampler().sample_batch(&mut stream, 1);
                let a = match measure {
                    Measure::Rows(k) if *k >= 1 => {
                        let scale = 1.0 / (d as f64).sqrt();
                        Array2::from_shape_fn((*k, d), |_| {
                            let z: f64 = StandardNormal.sample(&mut stream);
                            scale * z
                        })
                    }
                    Measure::Rows(_) => return Err(invalid("--measurements must be at least 1")),
                    Measure::Matrix(a) => a.clone(),
                    Measure::OutputBits(_) => {
                        return Err(invalid(
                            "--measured-bits applies to g̃ (owf-dist) priors; a Gaussian or \
                             mixture challenge takes --measurements K or --measurement FILE",
                        ))
                    }
                };
                let noise = spec.noise_std.unwrap_or(DEFAULT_GAUSSIAN_NOISE);
                let meas = LinearMeasurement::new(a, noise)?;
                let y = meas.measure(x_star.row(0), &mut stream)?;
                let kind = if matches!(loaded, LoadedPrior::Gmm(_)) {
                    "gmm"
                } else {
                    "gaussian"
                };
                let name = format!(
                    "{kind}-d{d}-m{}-seed{}",
                    meas.measurement_count(),
                    spec.seed
                );
                let success = Success::PosteriorDistance {
                    rule: GAUSSIAN_RULE.into(),
                };
                (meas, y, success, name)
            }
            (LoadedPrior::Pancakes(_), _) => {
                return Err(invalid(
                    "pancake priors have no exact posterior to score against; a challenge \
                     takes an owf-dist, gaussian or gmm prior",
                ))
            }
        };
        Self::assemble(
            name,
            spec.seed,
            spec.prior.clone(),
            loaded,
            measurement,
            y,
            success,
        )
    }

    /// The challenge of given parts, with its hash.
    fn assemble(
        name: String,
        seed: u64,
        prior_json: Value,
        prior: LoadedPrior,
        measurement: LinearMeasurement,
        y: Array1<f64>,
        success: Success,
    ) -> Result<Self> {
        let mut file = ChallengeFile {
            format: FORMAT.into(),
            version: VERSION,
            name,
            seed,
            prior: prior_json,
            measurement: MeasurementData {
                a: rows_of(measurement.matrix()),
                y: y.to_vec(),
                noise_std: measurement.noise_std(),
            },
            success,
            sha256: String::new(),
        };
        file.sha256 = canonical::instance_hash(&serde_json::to_value(&file).map_err(json_err)?);
        Ok(Self {
            file,
            prior,
            measurement,
            y,
        })
    }

    /// The MCGdiff Gaussian-mixture benchmark instance of dimension `dim` (even) with
    /// `measurements` rows, drawn from `seed` ([`hardiff_dist::mcgdiff::McgdiffGmm`]: 25
    /// unit-covariance components on a tiled grid, A with sorted U(0, 1) singular values,
    /// σ_y = u·max s), as a challenge whose prior is written as a `gmm` prior.
    pub fn mcgdiff(dim: usize, measurements: usize, seed: u64) -> Result<Self> {
        let inst = hardiff_dist::mcgdiff::McgdiffGmm::new(dim, measurements, seed)?;
        let (prior, a, y, noise, _truth) = inst.into_parts();
        let prior_json = serde_json::json!({
            "kind": "gmm",
            "weights": prior.weights().to_vec(),
            "means": prior.components().iter().map(|c| c.mean().to_vec()).collect::<Vec<_>>(),
            "covs": prior.components().iter().map(|c| rows_of(c.cov())).collect::<Vec<_>>(),
        });
        let measurement = LinearMeasurement::new(a, noise)?;
        Self::assemble(
            format!("mcgdiff-gmm-d{dim}-m{measurements}-seed{seed}"),
            seed,
            prior_json,
            LoadedPrior::Gmm(prior),
            measurement,
            y,
            Success::PosteriorDistance {
                rule: GAUSSIAN_RULE.into(),
            },
        )
    }

    /// Parses and verifies a challenge from JSON text; `origin` names it in messages. The hash
    /// is checked first ([`ChallengeError::Tampered`]), then the structure and the prior
    /// (bad input).
    pub fn from_json(text: &str, origin: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| ChallengeError::Bench(Error::json(format!("parsing {origin}"), e)))?;
        let stored = match value.get("sha256") {
            Some(Value::String(s)) => s.clone(),
            _ => {
                return Err(invalid(format!(
                    "{origin}: not a challenge file (no \"sha256\" string member)"
                )))
            }
        };
        let computed = canonical::instance_hash(&value);
        if stored != computed {
            return Err(ChallengeError::Tampered {
                origin: origin.into(),
                stored,
                computed,
            });
        }
        let file: ChallengeFile = serde_json::from_value(value)
            .map_err(|e| ChallengeError::Bench(Error::json(format!("reading {origin}"), e)))?;
        Self::from_file(file, origin)
    }

    /// Reads and verifies a challenge file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        Self::from_json(&text, &path.display().to_string())
    }

    fn from_file(file: ChallengeFile, origin: &str) -> Result<Self> {
        if file.format != FORMAT || file.version != VERSION {
            return Err(invalid(format!(
                "{origin}: format {:?} version {} is not {FORMAT:?} version {VERSION}",
                file.format, file.version
            )));
        }
        let spec: PriorSpec = serde_json::from_value(file.prior.clone())
            .map_err(|e| invalid(format!("{origin}: prior: {e}")))?;
        let prior = spec.build()?;
        let measurement =
            LinearMeasurement::new(matrix(&file.measurement.a)?, file.measurement.noise_std)?;
        let y = Array1::from(file.measurement.y.clone());
        measurement.check_y(&y.view())?;
        if measurement.dim() != prior.dim() {
            return Err(invalid(format!(
                "{origin}: the measurement has {} columns, the prior dimension {}",
                measurement.dim(),
                prior.dim()
            )));
        }
        let c = Self {
            file,
            prior,
            measurement,
            y,
        };
        match (&c.file.success, c.law()?) {
            (
                Success::InvertsMeasuredBits {
                    input_bits,
                    target_bits,
                    ..
                },
                Law::Owf(dist),
            ) => {
                let bits = metrics::measured_bits(dist, &c.measurement, c.y.view())?;
                if *input_bits != dist.input_bits() || *target_bits != bit_string(&bits) {
                    return Err(invalid(format!(
                        "{origin}: success.input_bits / target_bits disagree with the prior \
                         and the signs of y"
                    )));
                }
            }
            (Success::PosteriorDistance { .. }, Law::Gaussian(_) | Law::Mixture(_)) => {}
            _ => {
                return Err(invalid(format!(
                    "{origin}: the success kind does not fit the prior"
                )))
            }
        }
        Ok(c)
    }

    /// The file's contents.
    pub fn file(&self) -> &ChallengeFile {
        &self.file
    }

    /// The instance hash.
    pub fn sha256(&self) -> &str {
        &self.file.sha256
    }

    /// The measurement (A, η).
    pub fn measurement(&self) -> &LinearMeasurement {
        &self.measurement
    }

    /// The observation y.
    pub fn y(&self) -> &Array1<f64> {
        &self.y
    }

    /// Dimension d.
    pub fn dim(&self) -> usize {
        self.prior.dim()
    }

    /// The prior as a law reports are about.
    pub fn law(&self) -> Result<Law<'_>> {
        Ok(match &self.prior {
            LoadedPrior::Gaussian(g) => Law::Gaussian(g),
            LoadedPrior::Gmm(g) => Law::Mixture(g),
            LoadedPrior::OwfEfficient(d, _) | LoadedPrior::OwfExact(d, _) => Law::Owf(d),
            LoadedPrior::Pancakes(_) => {
                return Err(invalid("a pancake prior cannot be a challenge"))
            }
        })
    }

    /// The file as JSON (with its hash), ending in a newline: objects indented, arrays of
    /// numbers on one line (a matrix row per line), numbers in shortest round-trip form. The
    /// layout is not part of the instance (the hash is over the canonical form).
    pub fn to_json(&self) -> String {
        let value = serde_json::to_value(&self.file)
            .expect("a challenge file (finite numbers, string keys) encodes as JSON");
        // The top level in the order of the format's description; nested objects sorted.
        let mut text = String::from("{\n");
        let keys = [
            "format",
            "version",
            "name",
            "seed",
            "prior",
            "measurement",
            "success",
            "sha256",
        ];
        for (i, k) in keys.iter().enumerate() {
            text.push_str(&format!("  \"{k}\": "));
            pretty(&value[*k], 1, &mut text);
            text.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
        }
        text.push_str("}\n");
        text
    }

    /// Writes `dir/challenge.json` (atomically) and returns its path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join("challenge.json");
        crate::io::atomic_write(&path, self.to_json().as_bytes())?;
        Ok(path)
    }

    /// Scores samples (shape (n, d)) against the instance ([`metrics::score`]).
    pub fn score(
        &self,
        x: ArrayView2<f64>,
        options: &ScoreOptions,
        usage: Usage,
    ) -> Result<Report> {
        Ok(metrics::score(
            self.law()?,
            &self.measurement,
            self.y.view(),
            x,
            options,
            usage,
        )?)
    }

    /// `n` exact posterior samples from the stream `(seed, "challenge/reference")`: closed
    /// form for Gaussians and mixtures (docs/math.md §7), rejection from the prior for g̃
    /// (docs/math.md §6), refused up front ([`ChallengeError::TooExpensive`]) when the
    /// expected cost n·2^{1.5k} prior draws exceeds `max_draws`, and an error if the budget
    /// runs out.
    pub fn reference(&self, n: usize, seed: u64, max_draws: u64) -> Result<Array2<f64>> {
        let mut stream = rng::stream(seed, "challenge/reference", &[]);
        let law = self.law()?;
        match law {
            Law::Owf(dist) => {
                if n == 0 {
                    return Ok(Array2::zeros((0, self.dim())));
                }
                let k = self.measurement.measurement_count();
                let expected = metrics::expected_rejection_draws(n, k);
                if expected > max_draws as f64 {
                    return Err(ChallengeError::TooExpensive(format!(
                        "{n} exact samples with {k} measured bits cost about {n}·2^(1.5·{k}) = \
                         {expected:.3e} prior draws by rejection (docs/math.md §6), above the \
                         budget of {max_draws} (--max-draws); ask for fewer samples or raise \
                         the budget"
                    )));
                }
                Ok(hardiff_sde::posterior::rejection(
                    dist,
                    &self.measurement,
                    self.y.view(),
                    n,
                    max_draws,
                    &mut stream,
                )?
                .samples)
            }
            _ => Ok(metrics::gaussian_posterior_samples(
                law,
                &self.measurement,
                self.y.view(),
                n,
                &mut stream,
            )?),
        }
    }
}

/// Indented JSON whose arrays of scalars stay on one line (in the field order of the value).
fn pretty(value: &Value, depth: usize, out: &mut String) {
    let pad = |d: usize| "  ".repeat(d);
    let scalar = |v: &Value| !matches!(v, Value::Array(_) | Value::Object(_));
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                pretty(v, depth + 1, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() && !items.iter().all(scalar) => {
            out.push_str("[\n");
            for (i, v) in items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                pretty(v, depth + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(Value::to_string).collect();
            out.push('[');
            out.push_str(&parts.join(", "));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn json_err(e: serde_json::Error) -> ChallengeError {
    ChallengeError::Bench(Error::json("encoding the challenge", e))
}

/// The ladder `challenge suite` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteOptions {
    /// Seed of every challenge of the ladder.
    pub seed: u64,
    /// One-way-function candidate of the g̃ ladder.
    pub owf: String,
    /// n.
    pub input_bits: usize,
    /// m (at least the largest measured bits).
    pub output_bits: usize,
    /// Measured bits of the g̃ ladder.
    pub measured_bits: Vec<usize>,
    /// Dimensions of the MCGdiff GMM ladder (even).
    pub dims: Vec<usize>,
    /// Rows of A in the GMM ladder (d_y of MCGdiff).
    pub gmm_measurements: usize,
}

impl Default for SuiteOptions {
    /// blake3 with n = 32, m = 24, measured bits 4, 8, …, 24; MCGdiff GMMs in dimensions 2, 8,
    /// 16, 32 with one measurement; seed 0.
    fn default() -> Self {
        Self {
            seed: 0,
            owf: "blake3".into(),
            input_bits: 32,
            output_bits: 24,
            measured_bits: vec![4, 8, 12, 16, 20, 24],
            dims: vec![2, 8, 16, 32],
            gmm_measurements: 1,
        }
    }
}

/// One challenge of a suite (a row of `suite.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteEntry {
    /// The challenge's name.
    pub name: String,
    /// Its file, relative to the suite's folder.
    pub path: String,
    /// Its hash.
    pub sha256: String,
    /// `owf` or `mcgdiff-gmm`.
    pub ladder: String,
    /// The size the ladder climbs: measured bits (g̃) or dimension (GMM).
    pub size: usize,
    /// g̃: expected prior draws per exact sample by rejection, 2^{1.5k} (docs/math.md §6).
    pub rejection_draws_per_sample: Option<f64>,
}

/// Writes the g̃ ladder under `dir` (`dir/<name>/challenge.json`) and returns its entries.
pub fn owf_ladder(dir: &Path, options: &SuiteOptions) -> Result<Vec<SuiteEntry>> {
    let mut entries = Vec::new();
    for &k in &options.measured_bits {
        let prior = serde_json::json!({
            "kind": "owf-dist",
            "owf": options.owf,
            "input_bits": options.input_bits,
            "output_bits": options.output_bits,
            "seed": options.seed,
        });
        let c = Challenge::new(&NewChallenge {
            prior,
            measure: Measure::OutputBits(k),
            noise_std: None,
            seed: options.seed,
        })?;
        let sub = format!("owf-k{k:02}");
        c.write(&dir.join(&sub))?;
        entries.push(SuiteEntry {
            name: c.file.name.clone(),
            path: format!("{sub}/challenge.json"),
            sha256: c.file.sha256.clone(),
            ladder: "owf".into(),
            size: k,
            rejection_draws_per_sample: Some(metrics::expected_rejection_draws(1, k)),
        });
    }
    Ok(entries)
}

/// Writes the MCGdiff GMM ladder under `dir` (`dir/mcgdiff-dDDD/challenge.json`) and returns
/// its entries.
pub fn mcgdiff_ladder(dir: &Path, options: &SuiteOptions) -> Result<Vec<SuiteEntry>> {
    let mut entries = Vec::new();
    for &d in &options.dims {
        let c = Challenge::mcgdiff(d, options.gmm_measurements, options.seed)?;
        let sub = format!("mcgdiff-d{d:03}");
        c.write(&dir.join(&sub))?;
        entries.push(SuiteEntry {
            name: c.file.name.clone(),
            path: format!("{sub}/challenge.json"),
            sha256: c.file.sha256.clone(),
            ladder: "mcgdiff-gmm".into(),
            size: d,
            rejection_draws_per_sample: None,
        });
    }
    Ok(entries)
}

/// Writes `dir/suite.json`: the entries, in order.
pub fn write_index(dir: &Path, entries: &[SuiteEntry]) -> Result<PathBuf> {
    let path = dir.join("suite.json");
    crate::io::write_json(&path, &entries)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owf(k: usize) -> Challenge {
        Challenge::new(&NewChallenge {
            prior: serde_json::json!({"kind": "owf-dist", "owf": "blake3", "input_bits": 8,
                                      "output_bits": 8, "seed": 1}),
            measure: Measure::OutputBits(k),
            noise_std: None,
            seed: 5,
        })
        .unwrap()
    }

    #[test]
    fn a_written_challenge_reads_back_with_its_hash() {
        let c = owf(4);
        let back = Challenge::from_json(&c.to_json(), "t").unwrap();
        assert_eq!(back.file(), c.file());
        // Same seed, same file.
        assert_eq!(owf(4).to_json(), c.to_json());
        // A reordered, re-indented file keeps its hash.
        let v: Value = serde_json::from_str(&c.to_json()).unwrap();
        let compact = serde_json::to_string(&v).unwrap();
        assert!(Challenge::from_json(&compact, "t").is_ok());
    }

    #[test]
    fn reference_samples_of_g_tilde_succeed_and_prior_samples_rarely_do() {
        let c = owf(4);
        let x = c.reference(200, 1, DEFAULT_REFERENCE_BUDGET).unwrap();
        let r = c
            .score(x.view(), &ScoreOptions::new(2), Usage::default())
            .unwrap();
        let metrics::Metrics::Owf(m) = &r.metrics else {
            panic!("a g̃ report")
        };
        let exact = m.baselines.exact_posterior.as_ref().unwrap();
        let [lo, hi] = r.ci95.unwrap();
        // Two exact estimates of the same rate (near 1): the exact baseline lies in our 95 %
        // interval unless both fluctuate far (deterministic for this seed).
        assert!(
            lo <= exact.success_rate && exact.success_rate <= hi,
            "{r:?}"
        );
        assert!(r.success_rate.unwrap() > 0.9);
        assert!(m.baselines.prior.success_rate < 0.3);
        assert_eq!(m.baselines.random_guess, 1.0 / 16.0);
        assert!(matches!(
            c.reference(10, 1, 100),
            Err(ChallengeError::TooExpensive(_))
        ));
    }

    #[test]
    fn mcgdiff_challenges_keep_the_instance() {
        let c = Challenge::mcgdiff(4, 1, 3).unwrap();
        let back = Challenge::from_json(&c.to_json(), "t").unwrap();
        let inst = hardiff_dist::mcgdiff::McgdiffGmm::new(4, 1, 3).unwrap();
        assert_eq!(back.y().to_vec(), inst.y().to_vec());
        assert_eq!(back.measurement().matrix(), inst.a());
        let Law::Mixture(prior) = back.law().unwrap() else {
            panic!("a mixture")
        };
        assert_eq!(prior.weights(), inst.prior().weights());
    }

    #[test]
    fn a_gaussian_measure_on_g_tilde_is_refused() {
        let e = Challenge::new(&NewChallenge {
            prior: serde_json::json!({"kind": "owf-dist", "owf": "blake3", "input_bits": 8,
                                      "output_bits": 8}),
            measure: Measure::Rows(2),
            noise_std: None,
            seed: 5,
        });
        assert!(matches!(e, Err(ChallengeError::Bench(Error::Invalid(_)))));
    }
}
