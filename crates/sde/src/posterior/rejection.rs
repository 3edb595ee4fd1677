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
//! points ([`SampleBatch::fill_batch`], into a reused buffer) and then one uniform per point from
//! its own ChaCha12 stream: the key is 32 bytes drawn once from the caller's generator, the
//! stream number is b. All log-acceptances of a block come from one matrix product X Aᵀ. Blocks
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
            let blocks: Vec<BlockResult> = sizes
                .par_iter()
                .enumerate()
                .map_init(
                    || Scratch::new(d, kernel.a.nrows()),
                    |scratch, (i, &size)| kernel.run(prior, first + i as u64, size, scratch),
                )
                .collect();
            for block in blocks {
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

/// A worker's reused buffers: the block's points and their images A x.
struct Scratch {
    x: Array2<f64>,
    ax: Array2<f64>,
}

impl Scratch {
    fn new(d: usize, m: usize) -> Self {
        Self {
            x: Array2::zeros((REJECTION_BLOCK, d)),
            ax: Array2::zeros((REJECTION_BLOCK, m)),
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
        prior.fill_batch(&mut rng, x.view_mut());
        let mut ax = scratch.ax.slice_mut(s![..size, ..]);
        general_mat_mul(1.0, &x, &self.a.t(), 0.0, &mut ax);
        let mut result = BlockResult {
            size,
            positions: vec![],
            rows: vec![],
        };
        let (d, m) = (x.ncols(), ax.ncols());
        let y = self.y.to_vec();
        let images = ax.as_slice().expect("standard-layout scratch");
        let points = x.as_slice().expect("standard-layout scratch");
        for i in 0..size {
            let image = &images[i * m..(i + 1) * m];
            let mut r2 = 0.0;
            for (yj, v) in y.iter().zip(image) {
                r2 += (yj - v) * (yj - v);
            }
            let u: f64 = 1.0 - rng.random::<f64>();
            if accepts(u, -self.c * r2) {
                result.positions.push(i);
                result.rows.extend_from_slice(&points[i * d..(i + 1) * d]);
            }
        }
        result
    }
}

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
