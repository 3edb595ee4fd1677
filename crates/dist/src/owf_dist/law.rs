//! The law g̃ itself (docs/math.md §5): construction, exact sampling, the law at OU time t,
//! decoding, and the brute-force log-density.

use super::brute_force::{BruteForceOwfScore, Workspace};
use super::efficient::EfficientOwfScore;
use super::half_lattice::HalfLatticeSums;
use super::params::OwfParams;
use super::{check_rows, check_time};
use crate::discrete_gaussian::DiscreteGaussian;
use crate::error::{Error, Result};
use crate::ou_time::{self, OuMarginal};
use crate::score::{Dimension, LogDensity, SampleBatch};
use hardiff_owf::{Bits, OneWayFunction};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};
use rand::{Rng as _, RngCore};
use rand_distr::StandardNormal;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// f(s) for every seed s = 0..2^n (as ⌈m/8⌉ little-endian bytes each): the brute-force table.
#[derive(Debug)]
pub(super) struct SeedTable {
    pub(super) out_bytes: usize,
    pub(super) bytes: Vec<u8>,
}

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) f: Arc<dyn OneWayFunction>,
    pub(super) params: OwfParams,
    coordinate: DiscreteGaussian,
    brute_force_limit: usize,
    table: OnceLock<Arc<SeedTable>>,
}

/// The one-way-function distribution g̃ on R^{n+m} (docs/math.md §5): X = (z, u) with z ∈ L^n
/// i.i.d. D_α (L = α(Z + ½)), seed s = 1\[z > 0\] and u = β(2f(s) − 1).
///
/// Points are rows `(x_1..x_n, u_1..u_m)`. Clones are cheap and share f (and its evaluation
/// counter) and the brute-force table.
#[derive(Clone)]
pub struct OwfDistribution {
    pub(super) inner: Arc<Inner>,
}

impl fmt::Debug for OwfDistribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwfDistribution")
            .field("f", &self.inner.f.describe())
            .field("params", &self.inner.params)
            .field("brute_force_limit", &self.inner.brute_force_limit)
            .finish()
    }
}

/// A decoded point: input bits ŝ = 1\[x > 0\] and output bits 1\[u > 0\] (docs/math.md §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// ŝ_i = 1\[x_i > 0\].
    pub seed: Bits,
    /// 1\[u_j > 0\].
    pub output: Bits,
}

impl OwfDistribution {
    /// The default limit on n for brute-force routines (2^20 seeds per point).
    pub const DEFAULT_BRUTE_FORCE_LIMIT: usize = 20;
    /// The largest configurable brute-force limit.
    pub const MAX_BRUTE_FORCE_LIMIT: usize = 30;

    /// g̃ for f with the given parameters.
    pub fn new(f: Arc<dyn OneWayFunction>, params: OwfParams) -> Result<Self> {
        let coordinate =
            DiscreteGaussian::new(params.spacing() / 2.0, params.spacing(), params.envelope())?;
        Ok(Self {
            inner: Arc::new(Inner {
                f,
                params,
                coordinate,
                brute_force_limit: Self::DEFAULT_BRUTE_FORCE_LIMIT,
                table: OnceLock::new(),
            }),
        })
    }

    /// g̃ for f with the default rule of docs/math.md §5 ([`OwfParams::default_rule`]).
    pub fn with_default_params(f: Arc<dyn OneWayFunction>) -> Result<Self> {
        let params = OwfParams::default_rule(f.input_bits(), f.output_bits())?;
        Self::new(f, params)
    }

    /// The same distribution with brute-force routines refusing n > `limit` (≤ 30).
    pub fn with_brute_force_limit(&self, limit: usize) -> Result<Self> {
        if limit > Self::MAX_BRUTE_FORCE_LIMIT {
            return Err(Error::OutOfRange {
                name: "brute-force limit",
                value: limit as f64,
                range: "[0, 30]",
            });
        }
        Ok(Self {
            inner: Arc::new(Inner {
                f: self.inner.f.clone(),
                params: self.inner.params,
                coordinate: self.inner.coordinate.clone(),
                brute_force_limit: limit,
                table: self
                    .inner
                    .table
                    .get()
                    .cloned()
                    .map(OnceLock::from)
                    .unwrap_or_default(),
            }),
        })
    }

    /// The one-way function f.
    pub fn function(&self) -> &Arc<dyn OneWayFunction> {
        &self.inner.f
    }
    /// The parameters.
    pub fn params(&self) -> &OwfParams {
        &self.inner.params
    }
    /// n, the number of input coordinates.
    pub fn input_bits(&self) -> usize {
        self.inner.f.input_bits()
    }
    /// m, the number of output coordinates.
    pub fn output_bits(&self) -> usize {
        self.inner.f.output_bits()
    }
    /// The configured brute-force limit on n.
    pub fn brute_force_limit(&self) -> usize {
        self.inner.brute_force_limit
    }
    /// The coordinate law D_α on α(Z + ½) with envelope R (docs/math.md §5).
    pub fn coordinate_law(&self) -> &DiscreteGaussian {
        &self.inner.coordinate
    }

    /// The vertex value v(s) = β(2f(s) − 1) ∈ {±β}^m (one counted f-evaluation).
    pub fn vertex_value(&self, seed: &Bits) -> Result<Array1<f64>> {
        let y = self.inner.f.eval(seed)?;
        let beta = self.inner.params.amplitude();
        Ok(y.iter().map(|b| if b { beta } else { -beta }).collect())
    }

    /// Draws `count` exact samples of g̃ (t = 0) and their seeds s (one counted f-evaluation
    /// per sample).
    pub fn sample_with_seeds(
        &self,
        rng: &mut dyn RngCore,
        count: usize,
    ) -> (Array2<f64>, Vec<Bits>) {
        let mut out = Array2::zeros((count, self.dim()));
        let seeds = self.fill_with_seeds(rng, out.view_mut(), true, true);
        (out, seeds)
    }

    /// Fills the rows of `out` (n + m columns) with exact samples of g̃ and returns their seeds,
    /// row by row: the n coordinates (the stream order of [`OwfDistribution::draw_row`]), then f
    /// on the seed (no randomness, written as words into a reused buffer), with one seed buffer
    /// reused for every row. With `count`,
    /// f's counter is advanced by the number of rows once, before the rows (the count of one
    /// counted evaluation per row, without an atomic increment per row shared by every thread);
    /// without, the caller charges what it uses ([`SampleBatch::charge_draws`]). Generic over
    /// the generator so that a concrete stream draws without a virtual call per number.
    /// `keep_seeds = false` returns no seeds (nothing allocated for them).
    fn fill_with_seeds<R: RngCore + ?Sized>(
        &self,
        rng: &mut R,
        mut out: ArrayViewMut2<f64>,
        keep_seeds: bool,
        count: bool,
    ) -> Vec<Bits> {
        let (n, m) = (self.input_bits(), self.output_bits());
        debug_assert_eq!(out.ncols(), n + m);
        let law = &self.inner.coordinate;
        let f = &self.inner.f;
        let beta = self.inner.params.amplitude();
        let mut seeds = Vec::with_capacity(if keep_seeds { out.nrows() } else { 0 });
        let mut seed = Bits::zeros(n);
        let mut seed_words = vec![0u64; n.div_ceil(64)];
        let mut y_words = vec![0u64; m.div_ceil(64)];
        if count {
            f.counter().add(out.nrows() as u64);
        }
        let mut draw = |row: &mut [f64]| {
            let (z, u) = row.split_at_mut(n);
            seed_words.fill(0);
            for (i, zi) in z.iter_mut().enumerate() {
                *zi = law.point(law.sample_index(rng));
                seed_words[i / 64] |= u64::from(*zi > 0.0) << (i % 64);
            }
            seed.assign_words(&seed_words)
                .expect("⌈n/64⌉ words with no bit at or beyond n");
            f.eval_uncounted_words(&seed, &mut y_words);
            for (j, uj) in u.iter_mut().enumerate() {
                *uj = if (y_words[j / 64] >> (j % 64)) & 1 == 1 {
                    beta
                } else {
                    -beta
                };
            }
            if keep_seeds {
                seeds.push(seed.clone());
            }
        };
        if let Some(flat) = out.as_slice_mut() {
            flat.chunks_exact_mut(n + m).for_each(&mut draw);
        } else {
            let mut row = vec![0.0; n + m];
            for mut dst in out.rows_mut() {
                draw(&mut row);
                dst.assign(&ndarray::ArrayView1::from(&row[..]));
            }
        }
        seeds
    }

    /// One exact sample of g̃ written into `row` (length n + m); returns its seed s. Draws the n
    /// coordinates in order, then evaluates f (one counted evaluation, no randomness).
    fn draw_row(&self, rng: &mut dyn RngCore, row: ArrayViewMut1<f64>) -> Bits {
        let mut rows = row.insert_axis(ndarray::Axis(0));
        self.fill_with_seeds(rng, rows.view_mut(), true, true)
            .pop()
            .expect("one row")
    }

    /// Fills the rows of `out` (shape `(rows, n + m)`) with samples of the law at OU time
    /// t ≥ 0 (the law of [`OwfDistribution::at_time`]), drawn **row by row**: row i's X_0 and
    /// then, for t > 0, its n + m Gaussian draws of X_t = e^{−t} X_0 + √(1 − e^{−2t}) Z, before
    /// anything of row i + 1 (docs/math.md §0). Filling n rows in chunks of any sizes therefore
    /// consumes the stream exactly as one call does, so a streamed output does not depend on
    /// its chunk size. At t = 0 the numbers equal `at_time(0)`'s samples; at t > 0 that
    /// sampler draws every X_0 first and is kept as it is for reproducibility.
    ///
    /// Errors: t is not a finite OU time ≥ 0; `out` does not have n + m columns.
    pub fn sample_rows_at(
        &self,
        t: f64,
        rng: &mut dyn RngCore,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        let t = ou_time::validate(t)?;
        let d = self.input_bits() + self.output_bits();
        if out.ncols() != d {
            return Err(Error::DimensionMismatch {
                what: "columns of the output rows (n + m)",
                expected: d,
                got: out.ncols(),
            });
        }
        let (a, s) = (ou_time::alpha(t), ou_time::noise_std(t));
        for mut row in out.rows_mut() {
            self.draw_row(rng, row.view_mut());
            if t > 0.0 {
                // In logical order (iter_mut), whatever the layout of `out`.
                for v in row.iter_mut() {
                    *v = a * *v + s * rng.sample::<f64, _>(StandardNormal);
                }
            }
        }
        Ok(())
    }

    /// The law at OU time t ≥ 0: X_t = e^{−t} X_0 + √(1 − e^{−2t}) Z with X_0 exact
    /// (docs/math.md §0). Sample it with [`SampleBatch::sample_batch`] (the exact points of g̃
    /// first, then the normals; none at t = 0). Cheap: clones share f and the brute-force
    /// table.
    ///
    /// Errors: t negative or not finite.
    pub fn at_time(&self, t: f64) -> Result<OuMarginal<OwfDistribution>> {
        OuMarginal::new(self.clone(), t)
    }

    /// Decodes one point (a row of length n + m): ŝ = 1\[x > 0\], output bits 1\[u > 0\].
    pub fn decode(&self, point: ArrayView1<f64>) -> Result<Decoded> {
        let (n, m) = (self.input_bits(), self.output_bits());
        if point.len() != n + m {
            return Err(Error::DimensionMismatch {
                what: "g̃ point dimension (n + m)",
                expected: n + m,
                got: point.len(),
            });
        }
        let bools =
            |r: std::ops::Range<usize>| -> Vec<bool> { r.map(|i| point[i] > 0.0).collect() };
        Ok(Decoded {
            seed: Bits::from_bools(&bools(0..n)),
            output: Bits::from_bools(&bools(n..n + m)),
        })
    }

    /// Decodes every row of a batch.
    pub fn decode_batch(&self, x: ArrayView2<f64>) -> Result<Vec<Decoded>> {
        x.rows().into_iter().map(|r| self.decode(r)).collect()
    }

    /// The exact (brute-force) score ([`BruteForceOwfScore`]); builds the table of f on all 2^n
    /// seeds on first use (2^n counted evaluations). Errors: n above the brute-force limit.
    pub fn brute_force_score(&self) -> Result<BruteForceOwfScore> {
        self.seed_table()?;
        Ok(BruteForceOwfScore { dist: self.clone() })
    }

    /// The efficient score of docs/math.md §5 ([`EfficientOwfScore`]).
    pub fn efficient_score(&self) -> EfficientOwfScore {
        EfficientOwfScore { dist: self.clone() }
    }

    /// The table of f on all seeds, built on first use. The limit is checked on every call:
    /// besides the table, each brute-force point costs 2^n.
    pub(super) fn seed_table(&self) -> Result<&SeedTable> {
        let n = self.input_bits();
        if n > self.inner.brute_force_limit {
            return Err(Error::TooLarge {
                what: "brute-force sum over the seeds of g̃",
                size: n,
                limit: self.inner.brute_force_limit,
                work: format!("2^{n} seeds per point and 2^{n} f-evaluations"),
            });
        }
        if let Some(t) = self.inner.table.get() {
            return Ok(t);
        }
        let out_bytes = self.output_bits().div_ceil(8);
        let mut bytes = Vec::with_capacity(out_bytes << n);
        for s in 0..1u64 << n {
            let y = self.inner.f.eval(&Bits::from_u64(s, n)?)?;
            bytes.extend_from_slice(&y.to_le_bytes());
        }
        let _ = self
            .inner
            .table
            .set(Arc::new(SeedTable { out_bytes, bytes }));
        Ok(self.inner.table.get().expect("just set"))
    }
}

impl Dimension for OwfDistribution {
    /// d = n + m.
    fn dim(&self) -> usize {
        self.input_bits() + self.output_bits()
    }
}

impl SampleBatch for OwfDistribution {
    /// Exact samples at t = 0 (one counted f-evaluation each).
    fn sample_batch(&self, rng: &mut dyn RngCore, n: usize) -> Array2<f64> {
        self.sample_with_seeds(rng, n).0
    }

    /// The rows of [`SampleBatch::sample_batch`], into `out` (no seeds kept, one seed buffer
    /// reused).
    fn fill_batch(&self, rng: &mut dyn RngCore, out: ArrayViewMut2<f64>) {
        self.fill_with_seeds(rng, out, false, true);
    }

    /// [`SampleBatch::fill_batch`] from a concrete stream: the same numbers, without a
    /// virtual call per random number, and **uncounted**: the caller charges the rows it uses
    /// with [`SampleBatch::charge_draws`].
    fn fill_batch_stream(&self, rng: &mut crate::rng::BlockRng, out: ArrayViewMut2<f64>) {
        self.fill_with_seeds(rng, out, false, false);
    }

    /// One counted f-evaluation per row.
    fn charge_draws(&self, rows: u64) {
        self.inner.f.counter().add(rows);
    }
}

impl LogDensity for OwfDistribution {
    /// log p_t(x) = d·t + log g̃_σ(e^t x) by brute force over the 2^n seeds (docs/math.md §5).
    /// Errors: t ≤ 0 (atoms), n above the brute-force limit, shape mismatch.
    fn log_density(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut1<f64>) -> Result<()> {
        let t = check_time(t)?;
        let d = self.input_bits() + self.output_bits();
        check_rows(d, &x, out.len())?;
        let table = self.seed_table()?;
        let sigma = ou_time::ou_time_to_ve_sigma(t);
        let halves = HalfLatticeSums::new(&self.inner.params, sigma)?;
        let et = t.exp();
        let mut work = Workspace::default();
        for (b, row) in x.rows().into_iter().enumerate() {
            let y = row.mapv(|v| et * v);
            out[b] =
                d as f64 * t + self.brute_force_point(table, &halves, y.view(), None, &mut work);
        }
        Ok(())
    }
}
