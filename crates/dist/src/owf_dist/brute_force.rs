//! The exact score of g̃ by brute force over all 2^n seeds (docs/math.md §5 "Exact score"), and the
//! shared kernel that also gives the brute-force log-density (module docs of
//! [`super`], "Brute force").

use super::check_time;
use super::half_lattice::HalfLatticeSums;
use super::law::{OwfDistribution, SeedTable};
use crate::error::Result;
use crate::ou_time;
use crate::score::{check_shapes, Dimension, Score};
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};
use std::f64::consts::PI;

/// Reusable buffers of the brute-force kernel.
#[derive(Default)]
pub(super) struct Workspace {
    a_lo: Vec<f64>,
    a_hi: Vec<f64>,
    b: Vec<f64>,
    lw: Vec<f64>,
    w_lo: Vec<f64>,
    w_hi: Vec<f64>,
    t: Vec<f64>,
}

impl OwfDistribution {
    /// Brute-force log-density and score at one VE point `y` (length n + m) and level σ.
    /// Writes σ-level scores into `score` if given and returns log p_σ(y).
    pub(super) fn brute_force_point(
        &self,
        table: &SeedTable,
        halves: &HalfLatticeSums,
        y: ArrayView1<f64>,
        score: Option<ArrayViewMut1<f64>>,
        work: &mut Workspace,
    ) -> f64 {
        let (n, m) = (self.input_bits(), self.output_bits());
        let beta = self.inner.params.amplitude();
        let sigma2 = halves.sigma2;
        let n_lo = n / 2;
        let n_hi = n - n_lo;
        let ob = table.out_bytes;
        // Per-coordinate log factors and log-derivatives for seed bit 1 (+) and 0 (−).
        let mut a = Vec::with_capacity(n);
        for i in 0..n {
            a.push((halves.plus(y[i]), halves.minus(y[i])));
        }
        let log_norm = -0.5 * (2.0 * PI * sigma2).ln();
        let b: Vec<(f64, f64)> = (0..m)
            .map(|j| {
                let u = y[n + j];
                (
                    log_norm - (u - beta) * (u - beta) / (2.0 * sigma2),
                    log_norm - (u + beta) * (u + beta) / (2.0 * sigma2),
                )
            })
            .collect();
        // Half tables over the low and high seed bits.
        let fill_half = |table: &mut Vec<f64>, bits: std::ops::Range<usize>| {
            let len = bits.len();
            table.clear();
            table.push(bits.clone().map(|i| a[i].1 .0).sum());
            for s in 1..1usize << len {
                let low = s.trailing_zeros() as usize;
                let i = bits.start + low;
                let prev = table[s & (s - 1)];
                table.push(prev + a[i].0 .0 - a[i].1 .0);
            }
        };
        fill_half(&mut work.a_lo, 0..n_lo);
        fill_half(&mut work.a_hi, n_lo..n);
        // Output byte tables: B_c[byte] = Σ_{j in byte c} b_j^{bit}.
        work.b.clear();
        for c in 0..ob {
            for byte in 0..256usize {
                let mut v = 0.0;
                for k in 0..8 {
                    let j = 8 * c + k;
                    if j < m {
                        v += if (byte >> k) & 1 == 1 { b[j].0 } else { b[j].1 };
                    }
                }
                work.b.push(v);
            }
        }
        let lo_mask = (1usize << n_lo) - 1;
        work.lw.clear();
        let mut max = f64::NEG_INFINITY;
        for s in 0..1usize << n {
            let mut v = work.a_lo[s & lo_mask] + work.a_hi[s >> n_lo];
            let row = &table.bytes[s * ob..(s + 1) * ob];
            for (c, &byte) in row.iter().enumerate() {
                v += work.b[256 * c + byte as usize];
            }
            max = max.max(v);
            work.lw.push(v);
        }
        let want_score = score.is_some();
        if want_score {
            work.w_lo.clear();
            work.w_lo.resize(1 << n_lo, 0.0);
            work.w_hi.clear();
            work.w_hi.resize(1 << n_hi, 0.0);
            work.t.clear();
            work.t.resize(256 * ob, 0.0);
        }
        let mut total = 0.0;
        for s in 0..1usize << n {
            let d = work.lw[s] - max;
            // Terms below e^{-60} of the largest cannot change any double-precision result.
            if d < -60.0 {
                continue;
            }
            let w = d.exp();
            total += w;
            if want_score {
                work.w_lo[s & lo_mask] += w;
                work.w_hi[s >> n_lo] += w;
                let row = &table.bytes[s * ob..(s + 1) * ob];
                for (c, &byte) in row.iter().enumerate() {
                    work.t[256 * c + byte as usize] += w;
                }
            }
        }
        if let Some(mut out) = score {
            // Posterior marginals P(s_i = 1) and P(f_j(s) = 1).
            for i in 0..n {
                let (tab, bit) = if i < n_lo {
                    (&work.w_lo, i)
                } else {
                    (&work.w_hi, i - n_lo)
                };
                let p: f64 = tab
                    .iter()
                    .enumerate()
                    .filter(|(s, _)| (s >> bit) & 1 == 1)
                    .map(|(_, w)| w)
                    .sum::<f64>()
                    / total;
                out[i] = p * a[i].0 .1 + (1.0 - p) * a[i].1 .1;
            }
            for j in 0..m {
                let (c, k) = (j / 8, j % 8);
                let q: f64 = (0..256usize)
                    .filter(|byte| (byte >> k) & 1 == 1)
                    .map(|byte| work.t[256 * c + byte])
                    .sum::<f64>()
                    / total;
                out[n + j] = (beta * (2.0 * q - 1.0) - y[n + j]) / sigma2;
            }
        }
        max + total.ln()
    }
}

/// The exact score of g̃ by brute force over all 2^n seeds (docs/math.md §5 "Exact score"): posterior
/// weights π_s over seeds, then ∂_{x_i} log g̃_σ = Σ_s π_s (log h^{s_i}_σ)′(x_i) and
/// ∇_u log g̃_σ = Σ_s π_s (v(s) − u)/σ², at OU time t through s_t(x) = e^t s_σ(e^t x).
///
/// Cost: the table of f on all seeds once (2^n counted evaluations, shared with the
/// distribution), then O(2^n ⌈m/8⌉) per point. Built by [`OwfDistribution::brute_force_score`].
#[derive(Debug, Clone)]
pub struct BruteForceOwfScore {
    pub(super) dist: OwfDistribution,
}

impl BruteForceOwfScore {
    /// The distribution.
    pub fn distribution(&self) -> &OwfDistribution {
        &self.dist
    }
}

impl Dimension for BruteForceOwfScore {
    /// d = n + m.
    fn dim(&self) -> usize {
        self.dist.input_bits() + self.dist.output_bits()
    }
}

impl Score for BruteForceOwfScore {
    /// Errors: t ≤ 0 (g̃ has atoms), shape mismatch.
    fn score(&self, t: f64, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> Result<()> {
        let t = check_time(t)?;
        check_shapes(self.dim(), &x, &out)?;
        let table = self.dist.seed_table()?;
        let sigma = ou_time::ou_time_to_ve_sigma(t);
        let halves = HalfLatticeSums::new(&self.dist.inner.params, sigma)?;
        let et = t.exp();
        let mut work = Workspace::default();
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            let y = row.mapv(|v| et * v);
            self.dist
                .brute_force_point(table, &halves, y.view(), Some(o.view_mut()), &mut work);
            o.mapv_inplace(|v| et * v);
        }
        Ok(())
    }
}
