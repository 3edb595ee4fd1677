//! The efficient score of g̃ (docs/math.md §5): one f-evaluation per point below the crossover,
//! none above it.

use super::check_time;
use super::half_lattice::HalfLatticeSums;
use super::law::OwfDistribution;
use crate::error::Result;
use crate::ou_time;
use crate::score::{check_shapes, Dimension, Score};
use crate::smoothed::SmoothedDiscreteGaussian;
use hardiff_owf::Bits;
use ndarray::{ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

/// The efficient score of g̃ (docs/math.md §5), at OU time t with VE level σ:
/// - σ ≤ σ_c: round ŝ = 1\[x > 0\], score_x_i = (log h^{ŝ_i}_σ)′(x_i),
///   score_u = (v(ŝ) − u)/σ² — one counted f-evaluation per point;
/// - σ > σ_c: drop the f-part, score_x_i = (log g_σ)′(x_i) with g_σ = h^+ + h^− the smoothed
///   full D_α ([`SmoothedDiscreteGaussian`]), score_u = −u/σ² — no f-evaluation.
///
/// Its normalised error is ≤ ε over the whole time grid under the default rule (measured:
/// [`OwfDistribution::efficient_score_error_table`]). Built by
/// [`OwfDistribution::efficient_score`].
#[derive(Debug, Clone)]
pub struct EfficientOwfScore {
    pub(super) dist: OwfDistribution,
}

impl EfficientOwfScore {
    /// The distribution.
    pub fn distribution(&self) -> &OwfDistribution {
        &self.dist
    }

    /// Whether OU time t is in the small-noise (rounding) regime σ ≤ σ_c.
    pub fn rounds_at(&self, t: f64) -> bool {
        ou_time::ou_time_to_ve_sigma(t) <= self.dist.inner.params.crossover()
    }
}

impl Dimension for EfficientOwfScore {
    /// d = n + m.
    fn dim(&self) -> usize {
        self.dist.input_bits() + self.dist.output_bits()
    }
}

/// Rows per block of [`EfficientOwfScore::score`]'s parallel loop: fixed, so the blocks (and
/// the batches f is evaluated on) do not depend on the thread count.
const ROWS_PER_BLOCK: usize = 256;

impl Score for EfficientOwfScore {
    /// Errors: t ≤ 0 (g̃ has atoms), shape mismatch. Rows are scored in fixed blocks spread
    /// over rayon's pool (the global pool unless the caller installs another); each row's
    /// arithmetic is independent of the blocking, so the output is the same on any number of
    /// threads, and f is counted once per row as before.
    fn score(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> Result<()> {
        let t = check_time(t)?;
        check_shapes(self.dim(), &x, &out)?;
        let params = &self.dist.inner.params;
        let sigma = ou_time::ou_time_to_ve_sigma(t);
        let regime = if sigma <= params.crossover() {
            Regime::Rounding(HalfLatticeSums::new(params, sigma)?)
        } else {
            Regime::DropF(Box::new(SmoothedDiscreteGaussian::new(
                params.spacing() / 2.0,
                params.spacing(),
                params.envelope(),
                sigma,
            )?))
        };
        let blocks: Vec<(ArrayView2<f64>, ArrayViewMut2<f64>)> = x
            .axis_chunks_iter(Axis(0), ROWS_PER_BLOCK)
            .zip(out.axis_chunks_iter_mut(Axis(0), ROWS_PER_BLOCK))
            .collect();
        blocks
            .into_par_iter()
            .try_for_each(|(xb, ob)| self.score_block(&regime, t, sigma, xb, ob))
    }
}

/// What the efficient score needs at one time: the half-lattice sums below σ_c, the smoothed
/// full D_α above it.
enum Regime {
    Rounding(HalfLatticeSums),
    // Boxed: the smoothed law carries its precomputed lattice constants (hundreds of bytes).
    DropF(Box<SmoothedDiscreteGaussian>),
}

impl EfficientOwfScore {
    fn score_block(
        &self,
        regime: &Regime,
        t: f64,
        sigma: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> Result<()> {
        let params = &self.dist.inner.params;
        let (n, m) = (self.dist.input_bits(), self.dist.output_bits());
        let sigma2 = sigma * sigma;
        let et = t.exp();
        match regime {
            Regime::Rounding(halves) => {
                let seeds: Vec<Bits> = x
                    .rows()
                    .into_iter()
                    .map(|r| Bits::from_bools(&(0..n).map(|i| r[i] > 0.0).collect::<Vec<_>>()))
                    .collect();
                let outputs = self.dist.inner.f.eval_batch(&seeds)?;
                let beta = params.amplitude();
                for ((row, mut o), fy) in x.rows().into_iter().zip(out.rows_mut()).zip(&outputs) {
                    for i in 0..n {
                        let y = et * row[i];
                        // ŝ_i = 1[y > 0] = 1[x > 0].
                        o[i] = et * halves.half(y > 0.0, y).1;
                    }
                    for j in 0..m {
                        let v = if fy.bit(j) { beta } else { -beta };
                        o[n + j] = et * (v - et * row[n + j]) / sigma2;
                    }
                }
            }
            Regime::DropF(g) => {
                for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
                    for i in 0..n {
                        o[i] = et * g.score(et * row[i]);
                    }
                    for j in 0..m {
                        o[n + j] = -et * et * row[n + j] / sigma2;
                    }
                }
            }
        }
        Ok(())
    }
}
