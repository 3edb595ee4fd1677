//! Exact rejection sampling (docs/math.md §6): draw X ~ prior, accept with probability
//! exp(−‖y − AX‖²/(2η²)) ≤ 1. The accepted draws are exact i.i.d. posterior samples; the cost is
//! the number of prior draws, n / P_acc on average with P_acc = (2πη²)^{m/2} p_Y(y) — the
//! quantity whose growth in m the bench measures.
//!
//! It needs exact prior draws, so [`Rejection`] is a [`PosteriorSampler`] for every
//! [`SampleBatch`] and for nothing else; it never evaluates a score.
//!
//! # Blocks, streams and threads
//! Prior draws are made in blocks of at most [`REJECTION_BLOCK`] points. Block b draws its
//! points ([`SampleBatch::fill_batch_stream`]: the numbers of `fill_batch`, through the concrete
//! stream type, into a reused buffer) and then one uniform per point from its own ChaCha12
//! stream: the key is 32 bytes drawn once from the caller's generator, the stream number is b.
//! The log-acceptances of a block come from one matrix product X Aᵀ, or, when A is small
//! (d·m ≤ 16, e.g. the NumPy peer's d = 2, m = 1), from A's entries row by row. Blocks
//! run in parallel on rayon's current pool (the global pool unless the caller runs inside
//! `ThreadPool::install`: library users choose the threads), and accepted points are taken in
//! block order, so the samples and the draw counts are the same on any number of threads.
//! Which blocks a round schedules depends only on the counts so far, never on timing.

use super::{check_problem, PosteriorOutput, PosteriorSampler, PosteriorStats};
use crate::error::{Error, Result};
use crate::measurement::LinearMeasurement;
use hardiff_dist::SampleBatch;
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2, ArrayView1, ArrayView2};
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha12Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Configuration of [`Rejection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RejectionConfig {
    /// Budget of prior draws (default 10⁷); exhausting it is [`Error::BudgetExhausted`], which
    /// reports the measured acceptance rate.
    pub max_draws: u64,
}

impl Default for RejectionConfig {
    /// A budget of 10⁷ prior draws: enough for 1000 samples at P_acc = 10⁻⁴, seconds of work
    /// for the cheap priors of the bench.
    fn default() -> Self {
        Self {
            max_draws: 10_000_000,
        }
    }
}

impl RejectionConfig {
    /// The same configuration with a budget of `max_draws` prior draws.
    pub fn with_max_draws(mut self, max_draws: u64) -> Self {
        self.max_draws = max_draws;
        self
    }
}

/// Exact rejection sampling (module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    config: RejectionConfig,
}

impl Rejection {
    /// The sampler. Errors: a zero budget.
    pub fn new(config: RejectionConfig) -> Result<Self> {
        if config.max_draws == 0 {
            return Err(Error::Empty {
                what: "rejection budget max_draws",
            });
        }
        Ok(Self { config })
    }

    /// Its configuration.
    pub fn config(&self) -> &RejectionConfig {
        &self.config
    }
}

impl<P: SampleBatch + ?Sized> PosteriorSampler<P> for Rejection {
    fn name(&self) -> &'static str {
        "rejection"
    }

    /// Draws from the prior until `n` are accepted or `max_draws` prior draws have been examined
    /// (then [`Error::BudgetExhausted`] with the measured acceptance rate). Prior draws are made
    /// in blocks (module docs), in rounds sized from the running acceptance estimate;
    /// `prior_draws` counts the draws examined (draws of a block past the n-th acceptance are
    /// neither examined nor counted). Consumes 32 bytes of `rng` (the blocks' stream key). The
    /// stats' `log_evidence_estimate` is log(rate) − (m/2) log(2πη²).
    fn sample(
        &self,
        prior: &P,
        measurement: &LinearMeasurement,
        y: ArrayView1<f64>,
        n: usize,
        rng: &mut dyn rand::RngCore,
    ) -> Result<PosteriorOutput> {
        check_problem(prior.dim(), measurement, &y, n)?;
        let max_draws = self.config.max_draws;
        let d = prior.dim();
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        let kernel = BlockKernel {
            a: measurement.matrix(),
            y,
            c: 0.5 / (measurement.noise_std() * measurement.noise_std()),
            key,
        };
        let mut out = Array2::zeros((n, d));
        let (mut accepted, mut draws, mut next_block) = (0usize, 0u64, 0u64);
        while accepted < n {
            if draws >= max_draws {
                return Err(Error::BudgetExhausted {
                    max_draws,
                    draws,
                    accepted,
                    requested: n,
                    acceptance_rate: accepted as f64 / draws as f64,
                });
            }
            let sizes = round_sizes(n - accepted, accepted, draws, max_draws);
            let first = next_block;
            next_block += sizes.len() as u64;
            // Contiguous runs of blocks, a few per thread (balance on a busy machine), each
            // with one scratch (not one per block: zeroing a scratch costs about as much as a
            // block of cheap draws); any split gives the same blocks.
            let tasks = TASKS_PER_THREAD * rayon::current_num_threads();
            let per_task = sizes.len().div_ceil(tasks).max(1);
            let runs: Vec<Vec<BlockResult>> = sizes
                .par_chunks(per_task)
                .enumerate()
                .map(|(t, run)| {
                    let mut scratch = Scratch::new(&kernel, d);
                    let start = first + (t * per_task) as u64;
                    run.iter()
                        .enumerate()
                        .map(|(i, &size)| kernel.run(prior, start + i as u64, size, &mut scratch))
                        .collect()
                })
                .collect();
            for block in runs.into_iter().flatten() {
                let need = n - accepted;
                let take = block.positions.len().min(need);
                for (k, row) in block.rows.chunks_exact(d).take(take).enumerate() {
                    out.row_mut(accepted + k).assign(&ArrayView1::from(row));
                }
                accepted += take;
                if accepted == n {
                    // Only the draws up to the n-th acceptance are examined.
                    draws += block.positions[take - 1] as u64 + 1;
                    break;
                }
                draws += block.size as u64;
            }
        }
        let rate = n as f64 / draws as f64;
        Ok(PosteriorOutput {
            samples: out,
            stats: PosteriorStats {
                method: "rejection".into(),
                n,
                prior_draws: draws,
                likelihood_evals: draws,
                accepted: n as u64,
                acceptance_rate: Some(rate),
                log_evidence_estimate: Some(rate.ln() + measurement.log_normaliser()),
                ..Default::default()
            },
        })
    }
}

/// The most prior draws in one block (the unit of randomness and of parallel work; module
/// docs). Large enough that a block's fixed costs (stream setup, one matrix product, buffer
/// reuse) vanish per draw, small enough that a few acceptances do not draw far past need.
pub const REJECTION_BLOCK: usize = 4096;

/// Runs of blocks per rayon thread in one round (module docs).
const TASKS_PER_THREAD: usize = 4;

/// The most blocks in one round (2^18 draws): bounds the work drawn past the n-th acceptance
/// when the running rate underestimates.
const MAX_BLOCKS_PER_ROUND: u64 = 64;

/// The block sizes of the next round: about 1.1× the draws the Laplace-smoothed running rate
/// says the `missing` acceptances need (at least 64), within the budget left. A function of the
/// counts only, hence of the seed only.
fn round_sizes(missing: usize, accepted: usize, draws: u64, max_draws: u64) -> Vec<usize> {
    let rate = (accepted as f64 + 1.0) / (draws as f64 + 2.0);
    let left = max_draws - draws;
    let block = REJECTION_BLOCK as u64;
    let want = ((1.1 * missing as f64 / rate).ceil() as u64)
        .max(64)
        .min(MAX_BLOCKS_PER_ROUND * block)
        .min(left);
    let full = (want / block) as usize;
    let mut sizes = vec![REJECTION_BLOCK; full];
    if want % block != 0 {
        sizes.push((want % block) as usize);
    }
    sizes
}

/// What every block shares: A, y, 1/(2η²) and the stream key.
struct BlockKernel<'a> {
    a: ArrayView2<'a, f64>,
    y: ArrayView1<'a, f64>,
    c: f64,
    key: [u8; 32],
}

/// A worker's reused buffers: the block's points and their images A x, and flat copies of A
/// (row-major) and y.
struct Scratch {
    x: Array2<f64>,
    ax: Array2<f64>,
    a: Vec<f64>,
    y: Vec<f64>,
}

impl Scratch {
    fn new(kernel: &BlockKernel<'_>, d: usize) -> Self {
        let m = kernel.a.nrows();
        let fused = d * m <= FUSED_RESIDUAL_MAX;
        Self {
            x: Array2::zeros((REJECTION_BLOCK, d)),
            ax: Array2::zeros((if fused { 0 } else { REJECTION_BLOCK }, m)),
            a: kernel.a.iter().copied().collect(),
            y: kernel.y.to_vec(),
        }
    }
}

/// One block's accepted points, in draw order.
struct BlockResult {
    /// Draws in the block.
    size: usize,
    /// Index in the block of each acceptance.
    positions: Vec<usize>,
    /// The accepted points, row-major.
    rows: Vec<f64>,
}

impl BlockKernel<'_> {
    /// Block `b` of `size` draws: `size` prior points, then `size` uniforms, from stream b.
    fn run<P: SampleBatch + ?Sized>(
        &self,
        prior: &P,
        b: u64,
        size: usize,
        scratch: &mut Scratch,
    ) -> BlockResult {
        let mut rng = ChaCha12Rng::from_seed(self.key);
        rng.set_stream(b);
        let mut x = scratch.x.slice_mut(s![..size, ..]);
        prior.fill_batch_stream(&mut rng, x.view_mut());
        let (d, m) = (x.ncols(), self.a.nrows());
        let mut result = BlockResult {
            size,
            positions: vec![],
            rows: vec![],
        };
        let points = x.as_slice().expect("standard-layout scratch");
        if d * m <= FUSED_RESIDUAL_MAX {
            // A small A: r² = ‖y − A x‖² row by row from A's entries, no matrix product; the
            // commonest shapes with d and m known at compile time (the same arithmetic).
            let (a, y) = (&scratch.a[..d * m], &scratch.y[..m]);
            match (d, m) {
                (1, 1) => self.scan_fixed::<1, 1>(points, a, y, &mut rng, &mut result),
                (2, 1) => self.scan_fixed::<2, 1>(points, a, y, &mut rng, &mut result),
                (3, 1) => self.scan_fixed::<3, 1>(points, a, y, &mut rng, &mut result),
                (4, 1) => self.scan_fixed::<4, 1>(points, a, y, &mut rng, &mut result),
                (2, 2) => self.scan_fixed::<2, 2>(points, a, y, &mut rng, &mut result),
                (3, 2) => self.scan_fixed::<3, 2>(points, a, y, &mut rng, &mut result),
                (4, 2) => self.scan_fixed::<4, 2>(points, a, y, &mut rng, &mut result),
                _ => self.scan(
                    points,
                    d,
                    |point| residual2(point, a, y),
                    &mut rng,
                    &mut result,
                ),
            }
            return result;
        }
        let mut ax = scratch.ax.slice_mut(s![..size, ..]);
        general_mat_mul(1.0, &x, &self.a.t(), 0.0, &mut ax);
        let y = &scratch.y[..m];
        let images = ax.as_slice().expect("standard-layout scratch");
        let mut rows = images.chunks_exact(m);
        self.scan(
            points,
            d,
            |_| {
                let image = rows.next().expect("one image per point");
                let mut r2 = 0.0;
                for (yj, v) in y.iter().zip(image) {
                    r2 += (yj - v) * (yj - v);
                }
                r2
            },
            &mut rng,
            &mut result,
        );
        result
    }

    /// Tests the block's points in order: for each point, r² from `residual2`, then one uniform
    /// u from the block's stream, accepted when ln u < −r²/(2η²) ([`accepts`]).
    #[inline(always)]
    fn scan(
        &self,
        points: &[f64],
        d: usize,
        mut residual2: impl FnMut(&[f64]) -> f64,
        rng: &mut ChaCha12Rng,
        result: &mut BlockResult,
    ) {
        for (i, point) in points.chunks_exact(d).enumerate() {
            let r2 = residual2(point);
            let u: f64 = 1.0 - rng.random::<f64>();
            if accepts(u, -self.c * r2) {
                result.positions.push(i);
                result.rows.extend_from_slice(point);
            }
        }
    }

    /// [`BlockKernel::scan`] with the fused residual for d = D, m = M known at compile time.
    fn scan_fixed<const D: usize, const M: usize>(
        &self,
        points: &[f64],
        a: &[f64],
        y: &[f64],
        rng: &mut ChaCha12Rng,
        result: &mut BlockResult,
    ) {
        let mut rows = [[0.0; D]; M];
        for (row, src) in rows.iter_mut().zip(a.chunks_exact(D)) {
            row.copy_from_slice(src);
        }
        let y: [f64; M] = y.try_into().expect("m observations");
        self.scan(
            points,
            D,
            |point| {
                let point: &[f64; D] = point.try_into().expect("rows of D columns");
                let mut r2 = 0.0;
                for (yj, aj) in y.iter().zip(&rows) {
                    let mut v = 0.0;
                    for (ajk, xk) in aj.iter().zip(point) {
                        v += ajk * xk;
                    }
                    r2 += (yj - v) * (yj - v);
                }
                r2
            },
            rng,
            result,
        );
    }
}

/// ‖y − A x‖² from A's entries (row-major, m rows of d), in index order.
#[inline(always)]
fn residual2(point: &[f64], a: &[f64], y: &[f64]) -> f64 {
    let mut r2 = 0.0;
    for (yj, aj) in y.iter().zip(a.chunks_exact(point.len())) {
        let mut v = 0.0;
        for (ajk, xk) in aj.iter().zip(point) {
            v += ajk * xk;
        }
        r2 += (yj - v) * (yj - v);
    }
    r2
}

/// Largest d·m for which a block computes ‖y − A x‖² directly from A's entries, one row at a
/// time (fused, in index order); larger A go through one matrix product X Aᵀ per block.
const FUSED_RESIDUAL_MAX: usize = 16;

/// Whether u ∈ (0, 1] accepts a draw of log-acceptance `la` ≤ 0: ln u < la, i.e. u < e^{la}.
/// The logarithm is needed only between the bounds 1 − 1/u ≤ ln u ≤ u − 1.
#[inline]
fn accepts(u: f64, la: f64) -> bool {
    if la < MIN_LOG_UNIFORM {
        // e^{la} < 2^{-53} ≤ u: never accepted.
        false
    } else if u - 1.0 < la {
        true
    } else if u * (1.0 - la) >= 1.0 {
        // 1 − 1/u ≥ la ⇒ ln u ≥ la.
        false
    } else {
        u.ln() < la
    }
}

/// ln 2^{-53} rounded down: below it e^{la} is smaller than every u = 1 − U, U ∈ [0, 1) on the
/// 2^{-53} grid.
const MIN_LOG_UNIFORM: f64 = -36.8;

/// Rejection sampling with a budget of `max_draws` prior draws: shorthand for
/// `Rejection::new(RejectionConfig::default().with_max_draws(max_draws))?.sample(…)`.
///
/// Errors: n = 0 or `max_draws` = 0 ([`Error::Empty`]); dimension mismatches; an exhausted
/// budget ([`Error::BudgetExhausted`]).
pub fn rejection(
    prior: &dyn SampleBatch,
    measurement: &LinearMeasurement,
    y: ArrayView1<f64>,
    n: usize,
    max_draws: u64,
    rng: &mut dyn rand::RngCore,
) -> Result<PosteriorOutput> {
    Rejection::new(RejectionConfig::default().with_max_draws(max_draws))?.sample(
        prior,
        measurement,
        y,
        n,
        rng,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardiff_dist::rng::stream;
    use hardiff_dist::{Gaussian, GaussianMixture};
    use ndarray::{array, Array1};

    /// The NumPy peer's problem (xtask/src/peer.rs `rejection_problem`).
    fn peer_problem() -> (GaussianMixture, LinearMeasurement, Array1<f64>) {
        let prior = GaussianMixture::new(
            vec![0.35, 0.65],
            vec![
                Gaussian::new(array![-1.5, 0.5], array![[0.6, 0.2], [0.2, 0.4]]).unwrap(),
                Gaussian::new(array![1.0, -0.5], array![[0.3, -0.1], [-0.1, 0.8]]).unwrap(),
            ],
        )
        .unwrap();
        let m = LinearMeasurement::new(array![[1.0, 0.5]], 0.05).unwrap();
        (prior, m, array![0.3])
    }

    #[test]
    fn the_peer_problem_gives_the_numbers_it_gave_before_the_specialised_kernels() {
        // Reference: the output of the row-by-row block kernel (virtual generator calls, one
        // matrix product per block) at commit 53729c0, for the peer's seed and stream: the
        // draw count and the sum of the 20 000 samples, bit for bit.
        let (prior, m, y) = peer_problem();
        let mut rng = stream(2024, "peer/rejection", &[]);
        let out = rejection(&prior, &m, y.view(), 20_000, u64::MAX, &mut rng).unwrap();
        assert_eq!(out.stats.prior_draws, 452_121);
        assert_eq!(out.samples.sum(), -4.751_520_293_839_258e1);
    }

    /// The block scanned three ways — specialised (D, M), the generic fused residual, and the
    /// matrix product — accepts the same points: the first two compute the same arithmetic;
    /// the product may round differently (FMA), which would flip a decision only for a uniform
    /// within ~1e−16 of its threshold (probability ~1e−12 over this block).
    #[test]
    fn fixed_fused_and_matrix_product_scans_agree() {
        let (d, m) = (3, 2);
        let mut rng = stream(8, "rejection/scan", &[]);
        let a = Array2::from_shape_fn((m, d), |_| rng.random::<f64>() - 0.5);
        let y = array![0.1, -0.2];
        let x = Array2::from_shape_fn((REJECTION_BLOCK, d), |_| 2.0 * rng.random::<f64>() - 1.0);
        let kernel = BlockKernel {
            a: a.view(),
            y: y.view(),
            c: 0.5 / (0.3 * 0.3),
            key: [7; 32],
        };
        let points = x.as_slice().unwrap();
        let (af, yf): (Vec<f64>, Vec<f64>) = (a.iter().copied().collect(), y.to_vec());
        let fresh = || {
            let mut r = ChaCha12Rng::from_seed(kernel.key);
            r.set_stream(3);
            r
        };
        let empty = || BlockResult {
            size: REJECTION_BLOCK,
            positions: vec![],
            rows: vec![],
        };
        let mut fixed = empty();
        kernel.scan_fixed::<3, 2>(points, &af, &yf, &mut fresh(), &mut fixed);
        let mut fused = empty();
        kernel.scan(
            points,
            d,
            |p| residual2(p, &af, &yf),
            &mut fresh(),
            &mut fused,
        );
        let ax = x.dot(&a.t());
        let mut images = ax.rows().into_iter();
        let mut product = empty();
        kernel.scan(
            points,
            d,
            |_| {
                let image = images.next().unwrap();
                let mut r2 = 0.0;
                for (yj, v) in yf.iter().zip(image) {
                    r2 += (yj - v) * (yj - v);
                }
                r2
            },
            &mut fresh(),
            &mut product,
        );
        assert!(
            fixed.positions.len() > 100,
            "{} accepted",
            fixed.positions.len()
        );
        assert_eq!(fixed.positions, fused.positions);
        assert_eq!(fixed.rows, fused.rows);
        assert_eq!(fixed.positions, product.positions);
    }
}
