//! Exact rejection sampling (docs/math.md §6): draw X ~ prior, accept with probability
//! exp(−‖y − AX‖²/(2η²)) ≤ 1. The accepted draws are exact i.i.d. posterior samples; the cost is
//! the number of prior draws, n / P_acc on average with P_acc = (2πη²)^{m/2} p_Y(y) — the
//! quantity whose growth in m the bench measures.
//!
//! It needs exact prior draws, so [`Rejection`] is a [`PosteriorSampler`] for every
//! [`SampleBatch`] and for nothing else; it never evaluates a score.
//!
//! # Blocks, streams and threads
//! Prior draws are made in blocks: block b has min(64·2^b, [`REJECTION_BLOCK`]) draws (the
//! last one within the budget is cut to fit it), a function of b alone. Block b draws its
//! points ([`SampleBatch::fill_batch_stream`]: the numbers of `fill_batch`, through the concrete
//! stream type, into a reused buffer) and then, in order, one uniform for each point whose
//! acceptance probability is at least 2^{−53} (the others are rejected without one), all from
//! its own ChaCha12 stream: the key is 32 bytes drawn once from the caller's generator, the
//! stream number is b. The log-acceptances of a block come from one matrix product X Aᵀ, or,
//! when A is small (d·m ≤ 16, e.g. the NumPy peer's d = 2, m = 1), from A's entries row by row.
//!
//! Blocks draw without counting oracle calls; at the end the prior is charged for the draws
//! examined ([`SampleBatch::charge_draws`]: for g̃, one f-evaluation each), which is what a
//! one-at-a-time loop would have spent, on any number of threads.
//!
//! On one thread the blocks run in order until n acceptances. On more, every thread of rayon's
//! current pool (the global pool unless the caller runs inside `ThreadPool::install`: library
//! users choose the threads) claims the next block number until the finished blocks 0..k hold
//! n acceptances; there are no rounds to wait for. Accepted points are taken in block order, so
//! the samples and the draw counts are the same on any number of threads; only how many blocks
//! past k get drawn and dropped depends on timing.

use super::{check_problem, PosteriorOutput, PosteriorSampler, PosteriorStats};
use crate::error::{Error, Result};
use crate::measurement::LinearMeasurement;
use hardiff_dist::rng::BlockRng;
use hardiff_dist::SampleBatch;
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2, ArrayView1, ArrayView2};
use rand::{Rng as _, SeedableRng as _};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

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
        let blocks = BlockPlan::new(max_draws);
        let results = if rayon::current_num_threads() == 1 {
            run_serial(&kernel, prior, d, n, &blocks)
        } else {
            run_parallel(&kernel, prior, d, n, &blocks)
        };
        let mut out = Array2::zeros((n, d));
        let (mut accepted, mut draws) = (0usize, 0u64);
        for block in &results {
            let take = block.positions.len().min(n - accepted);
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
        // The blocks drew uncounted; charge the draws examined (module docs).
        prior.charge_draws(draws);
        if accepted < n {
            return Err(Error::BudgetExhausted {
                max_draws,
                draws,
                accepted,
                requested: n,
                acceptance_rate: accepted as f64 / draws as f64,
            });
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

/// The first block's size; block b has min(64·2^b, [`REJECTION_BLOCK`]) draws, so a call that
/// needs few draws (high acceptance, small n) examines few, and long runs reach full blocks
/// after 4032 draws.
const FIRST_BLOCK: usize = 64;

/// The blocks a budget of `max_draws` allows: block b's size depends on b alone (and on the
/// budget, which truncates the last block), never on the thread count or on timing.
#[derive(Debug, Clone, Copy)]
struct BlockPlan {
    max_draws: u64,
}

impl BlockPlan {
    fn new(max_draws: u64) -> Self {
        Self { max_draws }
    }

    /// The first draw of block b and its size (0 past the budget).
    fn block(&self, b: u64) -> (u64, usize) {
        let ramp = (REJECTION_BLOCK / FIRST_BLOCK).trailing_zeros() as u64;
        let (start, nominal) = if b < ramp {
            ((FIRST_BLOCK as u64) * ((1 << b) - 1), FIRST_BLOCK << b)
        } else {
            let before = (FIRST_BLOCK as u64) * ((1 << ramp) - 1);
            (
                before + (b - ramp) * REJECTION_BLOCK as u64,
                REJECTION_BLOCK,
            )
        };
        let left = self.max_draws.saturating_sub(start);
        (start, (nominal as u64).min(left) as usize)
    }
}

/// One thread: blocks in order until n acceptances or the budget's end.
fn run_serial<P: SampleBatch + ?Sized>(
    kernel: &BlockKernel<'_>,
    prior: &P,
    d: usize,
    n: usize,
    plan: &BlockPlan,
) -> Vec<BlockResult> {
    let mut scratch = Scratch::new(kernel, d);
    let mut results = Vec::new();
    let mut accepted = 0;
    for b in 0.. {
        let size = plan.block(b).1;
        if size == 0 || accepted >= n {
            break;
        }
        let block = kernel.run(prior, b, size, &mut scratch);
        accepted += block.positions.len();
        results.push(block);
    }
    results
}

/// The blocks finished so far by the workers of [`run_parallel`], by block number, and the
/// length and acceptances of their complete prefix.
struct Finished {
    blocks: Vec<Option<BlockResult>>,
    prefix: usize,
    prefix_accepted: usize,
}

/// Every thread of the current pool: each worker claims the next block number, runs it and
/// files the result; when the blocks 0..k finished so far hold n acceptances, workers stop
/// claiming. Blocks past k that were already running are finished and dropped. No rounds and
/// no barriers: a worker waits for nothing but the lock on the list of finished blocks (once
/// per block). The returned prefix is exactly the one [`run_serial`] returns, or longer.
fn run_parallel<P: SampleBatch + ?Sized>(
    kernel: &BlockKernel<'_>,
    prior: &P,
    d: usize,
    n: usize,
    plan: &BlockPlan,
) -> Vec<BlockResult> {
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let finished = Mutex::new(Finished {
        blocks: Vec::new(),
        prefix: 0,
        prefix_accepted: 0,
    });
    let worker = || {
        let mut scratch = Scratch::new(kernel, d);
        while !stop.load(Ordering::Acquire) {
            let b = next.fetch_add(1, Ordering::Relaxed);
            let size = plan.block(b).1;
            if size == 0 {
                break;
            }
            let block = kernel.run(prior, b, size, &mut scratch);
            let mut f = finished.lock().unwrap_or_else(PoisonError::into_inner);
            let i = b as usize;
            if f.blocks.len() <= i {
                f.blocks.resize_with(i + 1, || None);
            }
            f.blocks[i] = Some(block);
            while f.prefix < f.blocks.len() && f.prefix_accepted < n {
                let Some(done) = &f.blocks[f.prefix] else {
                    break;
                };
                let count = done.positions.len();
                f.prefix_accepted += count;
                f.prefix += 1;
            }
            if f.prefix_accepted >= n {
                stop.store(true, Ordering::Release);
            }
        }
    };
    rayon::scope(|s| {
        for _ in 0..rayon::current_num_threads() {
            s.spawn(|_| worker());
        }
    });
    let f = finished
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    // Every claimed block finished, so the list has no gaps.
    f.blocks
        .into_iter()
        .map(|b| b.expect("every claimed block finishes"))
        .collect()
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
        let mut rng = BlockRng::from_seed(self.key);
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
        rng: &mut BlockRng,
        result: &mut BlockResult,
    ) {
        for (i, point) in points.chunks_exact(d).enumerate() {
            let la = -self.c * residual2(point);
            if la < MIN_LOG_UNIFORM {
                // e^{la} < 2^{-53} ≤ u for every u the stream can give: rejected without
                // drawing u (most draws of a sharp likelihood end here).
                continue;
            }
            let u: f64 = 1.0 - rng.random::<f64>();
            if accepts(u, la) {
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
        rng: &mut BlockRng,
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
/// The logarithm is needed only between the bounds 1 − 1/u ≤ ln u ≤ u − 1. (Draws with
/// la < [`MIN_LOG_UNIFORM`] never get here: [`BlockKernel::scan`] rejects them without a u.)
#[inline]
fn accepts(u: f64, la: f64) -> bool {
    if u - 1.0 < la {
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
    fn the_peer_problem_gives_the_numbers_it_gave_when_blocks_stopped_waiting_for_rounds() {
        // Reference: the output when blocks became 64·2^b draws (capped at REJECTION_BLOCK)
        // claimed by free threads, drawn from ChaCha8 block streams, and draws below 2^{−53}
        // acceptance stopped drawing a uniform (round 4): the draw count and the sum of the
        // 20 000 samples, bit for bit.
        // It changes only when the stream layout does, which changes every rejection number
        // of the bench (regenerate its fixtures then).
        let (prior, m, y) = peer_problem();
        let mut rng = stream(2024, "peer/rejection", &[]);
        let out = rejection(&prior, &m, y.view(), 20_000, u64::MAX, &mut rng).unwrap();
        assert_eq!(out.stats.prior_draws, 448_356);
        assert_eq!(out.samples.sum(), -6.879_749_104_828_17e1);
    }

    #[test]
    fn blocks_ramp_up_then_stay_full_and_the_last_fits_the_budget() {
        let plan = BlockPlan::new(u64::MAX);
        let sizes: Vec<usize> = (0..9).map(|b| plan.block(b).1).collect();
        assert_eq!(sizes, [64, 128, 256, 512, 1024, 2048, 4096, 4096, 4096]);
        // Each block starts where the previous one ends.
        for b in 0..20 {
            let (start, size) = plan.block(b);
            assert_eq!(plan.block(b + 1).0, start + size as u64, "block {b}");
        }
        // A budget of 10 000 draws: 4032 in the ramp, one full block, then 1872, then none.
        let plan = BlockPlan::new(10_000);
        let sizes: Vec<usize> = (5..10).map(|b| plan.block(b).1).collect();
        assert_eq!(sizes, [2048, 4096, 1872, 0, 0]);
        assert_eq!(BlockPlan::new(10).block(0), (0, 10));
        assert_eq!(BlockPlan::new(10).block(1).1, 0);
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
            let mut r = BlockRng::from_seed(kernel.key);
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
