//! The efficient score of g̃ (docs/math.md §5) as **one ReLU network per time step**.
//!
//! At OU time t with VE level σ = √(e^{2t} − 1) the network maps a point (x, u) ∈ R^{n+m}
//! (OU coordinates) to its score s_t = e^t s_σ(e^t ·) (docs/math.md §0), built from the gadgets of
//! [`crate::gadgets`]:
//!
//! - **x-part** (both regimes): score_x_i = G(x_i) with G a 1-D function turned into a
//!   piecewise-linear interpolant (one ReLU per knot, curvature-adaptive knots on
//!   [−X, X], X = (k_env·√(R² + σ²) + α)·e^{−t}, linear extension beyond):
//!   - rounding regime (σ ≤ σ_c): G(x) = e^t (log h^{1\[x>0\]}_σ)′(e^t x) — the x-part of the
//!     rounding score is a function of x_i alone, odd, with a jump at 0 that the interpolant
//!     crosses by one steep segment on (−δ, δ);
//!   - large-noise regime: G(x) = e^t (log g_σ)′(e^t x) (smooth).
//!
//!   The interpolation tolerance is `pl_tolerance/(√v_t·√n)` in OU units, so the x-part adds
//!   at most `pl_tolerance` to the normalised error σ·√E‖ŝ − s‖² (as a sup-norm bound, up to
//!   the check-point caveat of [`crate::gadgets::PiecewiseLinear::adaptive`]).
//! - **u-part**, rounding regime: ŝ_i = sign ramp of x_i (exact outside (−δ, δ)), the circuit of
//!   f compiled on ŝ ([`crate::circuit_net`]), then score_u_j = (e^t β/σ²)(2 f_j(ŝ) − 1) −
//!   (e^{2t}/σ²) u_j; large-noise regime: score_u_j = −(e^{2t}/σ²) u_j.
//!
//! The ramp half-width is δ = `ramp_fraction`·min(σ, α/2) in VE units (δ·e^{−t} in OU units).
//! **Why δ ≪ σ** (docs/math.md §5 "As a ReLU network", and its corrections appendix): an
//! earlier draft said the ramp may be "exact outside (−α/2, α/2), where g̃_σ has vanishing mass
//! at small σ". That is not so: the innermost lattice points are ±α/2 themselves,
//! so about half of their mass (≈ P(±α/2) ≈ 0.2 per coordinate for R = 1, α = 0.5) lies inside
//! (−α/2, α/2) at every σ. The ramp must be exact outside (−δ, δ) with δ ≪ σ: the mass of g̃_σ
//! in (−δ, δ) is ≈ 4δ·P(α/2)·φ_σ(α/2), negligible for δ = 10⁻³σ.
//!
//! **Times.** A network is built for each time of a fixed grid (the regime is a fixed choice per
//! step). [`OwfScoreNetwork`]'s `score(t, …)` accepts exactly the grid times (relative tolerance
//! 1e−9) and returns an error for any other t; there is no interpolation between grid times.

use crate::circuit_net::{emit_circuit, XorGadget};
use crate::error::{count, positive, Error, Result};
use crate::gadgets::{sign_ramp, Extension, PiecewiseLinear};
use crate::relu_net::{Affine, NetworkSize, ReluGraph, ReluNetwork};
use hardiff_dist::ou_time::{self, ou_time_to_ve_sigma};
use hardiff_dist::owf_dist::{HalfLatticeSums, OwfDistribution};
use hardiff_dist::rng::stream;
use hardiff_dist::score::check_shapes;
use hardiff_dist::score_error::l2_score_error;
use hardiff_dist::smoothed::SmoothedDiscreteGaussian;
use hardiff_dist::{Dimension, SampleBatch, Score};
use hardiff_owf::Candidate;
use ndarray::{ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How the per-time networks are built (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OwfNetConfig {
    /// XOR gadget for the circuit of f.
    pub xor: XorGadget,
    /// Budget of the x-part interpolation error, in normalised units (default 0.01).
    pub pl_tolerance: f64,
    /// Ramp half-width as a fraction of min(σ, α/2) (default 1e−3).
    pub ramp_fraction: f64,
    /// Interpolation interval half-width in envelope standard deviations k_env (default 8).
    pub envelope_sds: f64,
    /// Most knots per 1-D interpolant (default 200 000).
    pub max_knots: usize,
}

impl Default for OwfNetConfig {
    fn default() -> Self {
        Self {
            xor: XorGadget::AbsDiff,
            pl_tolerance: 0.01,
            ramp_fraction: 1e-3,
            envelope_sds: 8.0,
            max_knots: 200_000,
        }
    }
}

/// The network of one time step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwfTimeNetwork {
    /// OU time t.
    pub t: f64,
    /// VE level σ.
    pub sigma: f64,
    /// Whether this step uses the rounding (small-noise) regime.
    pub rounding: bool,
    /// Knots of the x-part interpolant (per coordinate).
    pub knots: usize,
    /// Largest checked interpolation error of the x-part (OU units).
    pub interpolation_error: f64,
    /// Ramp half-width in OU units (rounding regime; 0 otherwise).
    pub ramp_halfwidth: f64,
    /// The network: inputs (x, u), outputs the score at t.
    pub network: ReluNetwork,
}

/// g̃'s efficient score as one ReLU network per grid time (module docs).
#[derive(Debug, Clone)]
pub struct OwfScoreNetwork {
    n: usize,
    m: usize,
    steps: Vec<OwfTimeNetwork>,
}

impl OwfScoreNetwork {
    /// Builds a network for each time in `times` (each > 0).
    pub fn build(dist: &OwfDistribution, times: &[f64], config: &OwfNetConfig) -> Result<Self> {
        count("number of times", times.len())?;
        positive("pl_tolerance", config.pl_tolerance)?;
        positive("ramp_fraction", config.ramp_fraction)?;
        positive("envelope_sds", config.envelope_sds)?;
        let circuit = dist.function().compile();
        let steps = times
            .iter()
            .map(|&t| build_step(dist, &circuit, t, config))
            .collect::<Result<_>>()?;
        Ok(Self {
            n: dist.input_bits(),
            m: dist.output_bits(),
            steps,
        })
    }

    /// The per-time networks, in the order of the grid given.
    pub fn steps(&self) -> &[OwfTimeNetwork] {
        &self.steps
    }

    /// The grid times.
    pub fn times(&self) -> Vec<f64> {
        self.steps.iter().map(|s| s.t).collect()
    }

    /// The network for grid time `t` (relative tolerance 1e−9); [`Error::TimeNotOnGrid`]
    /// otherwise.
    pub fn step_at(&self, t: f64) -> Result<&OwfTimeNetwork> {
        self.steps
            .iter()
            .find(|s| (s.t - t).abs() <= 1e-9 * s.t.abs())
            .ok_or_else(|| Error::TimeNotOnGrid {
                t,
                grid: format!("{:?}", self.times()),
            })
    }

    /// The largest neurons, weights and depth over the grid (each maximised separately).
    pub fn max_size(&self) -> NetworkSize {
        let sizes: Vec<NetworkSize> = self.steps.iter().map(|s| s.network.size()).collect();
        NetworkSize {
            neurons: sizes.iter().map(|s| s.neurons).max().unwrap_or(0),
            weights: sizes.iter().map(|s| s.weights).max().unwrap_or(0),
            depth: sizes.iter().map(|s| s.depth).max().unwrap_or(0),
        }
    }
}

impl Dimension for OwfScoreNetwork {
    fn dim(&self) -> usize {
        self.n + self.m
    }
}

impl Score for OwfScoreNetwork {
    /// The score at a grid time; other times are an error (module docs).
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        check_shapes(self.n + self.m, &x, &out)?;
        let step = self.step_at(t)?;
        step.network.eval(x, out)?;
        Ok(())
    }
}

fn build_step(
    dist: &OwfDistribution,
    circuit: &hardiff_owf::Circuit,
    t: f64,
    config: &OwfNetConfig,
) -> Result<OwfTimeNetwork> {
    ou_time::validate_positive(t, "g̃ has atoms at t = 0: its score exists only for t > 0")?;
    let p = *dist.params();
    let (n, m) = (dist.input_bits(), dist.output_bits());
    let (alpha, r, beta) = (p.spacing(), p.envelope(), p.amplitude());
    let sigma = ou_time_to_ve_sigma(t);
    let sigma2 = sigma * sigma;
    let et = t.exp();
    let rounding = sigma <= p.crossover();
    let tol = config.pl_tolerance / (ou_time::noise_std(t) * (n as f64).sqrt());
    let x_max = (config.envelope_sds * (r * r + sigma2).sqrt() + alpha) / et;
    let delta = config.ramp_fraction * sigma.min(alpha / 2.0) / et;

    let pl = if rounding {
        let halves = HalfLatticeSums::new(&p, sigma)?;
        // G(x) = e^t (log h^+)'(e^t x) for x > 0; G is odd (h^−(y) = h^+(−y)).
        let right = PiecewiseLinear::adaptive(
            |x| et * halves.plus(et * x).1,
            delta,
            x_max,
            tol,
            config.max_knots,
            Extension::Linear,
        )?;
        let left = mirror_odd(&right)?;
        PiecewiseLinear::join(&left, &right)?
    } else {
        let g = SmoothedDiscreteGaussian::new(alpha / 2.0, alpha, r, sigma)?;
        PiecewiseLinear::adaptive(
            |x| et * g.score(et * x),
            -x_max,
            x_max,
            tol,
            config.max_knots,
            Extension::Linear,
        )?
    };

    let mut g = ReluGraph::new(n + m);
    let xs: Vec<Affine> = (0..n).map(|i| g.input(i)).collect::<Result<_>>()?;
    let us: Vec<Affine> = (n..n + m).map(|j| g.input(j)).collect::<Result<_>>()?;
    let mut outputs = Vec::with_capacity(n + m);
    for x in &xs {
        let v = pl.to_relu(&mut g, x);
        // The interpolant's form has one term per knot; when the output layer is deeper than
        // layer 2 (the circuit), carry it compactly as ReLU(v) − ReLU(−v) (exact for all v).
        let v = if rounding && circuit.depth() > 0 {
            let pos = g.relu(&v);
            let neg = g.relu(&(-&v));
            &pos - &neg
        } else {
            v
        };
        outputs.push(v);
    }
    let u_coef = -et * et / sigma2;
    if rounding {
        let bits: Vec<Affine> = xs
            .iter()
            .map(|x| sign_ramp(&mut g, x, delta))
            .collect::<Result<_>>()?;
        let fx = emit_circuit(&mut g, circuit, &bits, config.xor)?;
        let c = et * beta / sigma2;
        for (f, u) in fx.iter().zip(&us) {
            outputs.push(&(&(f * (2.0 * c)) + -c) + &(u * u_coef));
        }
    } else {
        for u in &us {
            outputs.push(u * u_coef);
        }
    }
    let network = g.compile(&outputs)?;
    Ok(OwfTimeNetwork {
        t,
        sigma,
        rounding,
        knots: pl.knots().len(),
        interpolation_error: pl.fit_error().unwrap_or(0.0),
        ramp_halfwidth: if rounding { delta } else { 0.0 },
        network,
    })
}

/// The interpolant of x ↦ −G(−x) from one of G (for odd G): knots and values negated and
/// reversed, end slopes swapped.
fn mirror_odd(p: &PiecewiseLinear) -> Result<PiecewiseLinear> {
    let knots: Vec<f64> = p.knots().iter().rev().map(|k| -k).collect();
    let values: Vec<f64> = p.values().iter().rev().map(|v| -v).collect();
    let n = p.knots().len();
    let slope =
        |i: usize, j: usize| (p.values()[j] - p.values()[i]) / (p.knots()[j] - p.knots()[i]);
    // The right interpolant's right extension is its last segment's slope (Extension::Linear),
    // and the derivative of an odd function is even: the mirror's left slope is the same.
    let left_slope = if n >= 2 { slope(n - 2, n - 1) } else { 0.0 };
    let mut m = PiecewiseLinear::new(knots, values, left_slope, 0.0)?;
    m.set_fit_error(p.fit_error());
    Ok(m)
}

/// The default time grid for the compile summary: t_c·{1/20, 1/5, 1/2, 1} (rounding regime,
/// up to the crossover) and 5 geometric times from 2t_c to 1 (large-noise regime).
pub fn default_time_grid(dist: &OwfDistribution) -> Vec<f64> {
    let tc = dist.params().crossover_time();
    let mut v: Vec<f64> = [0.05, 0.2, 0.5, 1.0].iter().map(|f| f * tc).collect();
    let (lo, hi) = ((2.0 * tc).ln(), 1f64.ln());
    v.extend((0..5).map(|i| (lo + (hi - lo) * i as f64 / 4.0).exp()));
    v
}

/// Options of [`owf_network_summary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwfSummaryOptions {
    /// Times (None: [`default_time_grid`]).
    pub times: Option<Vec<f64>>,
    /// Monte Carlo points per time for the errors.
    pub points: usize,
    /// Largest n for which the exact (brute-force) score is used as the reference.
    pub brute_force_max_n: usize,
    /// Seed of the error estimation streams.
    pub error_seed: u64,
    /// Network construction.
    pub config: OwfNetConfig,
}

impl Default for OwfSummaryOptions {
    fn default() -> Self {
        Self {
            times: None,
            points: 2000,
            brute_force_max_n: 16,
            error_seed: 0,
            config: OwfNetConfig::default(),
        }
    }
}

/// One time step of [`OwfNetSummary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwfStepSummary {
    /// OU time t.
    pub t: f64,
    /// VE level σ.
    pub sigma: f64,
    /// Rounding regime?
    pub rounding: bool,
    /// Network size at this t.
    pub size: NetworkSize,
    /// Knots per coordinate of the x-part.
    pub knots: usize,
    /// Normalised L2 error σ·√E‖net − exact‖² (None when n is beyond brute force).
    pub error: Option<f64>,
    /// Its Monte Carlo standard error.
    pub error_std: Option<f64>,
    /// Normalised L2 error of the efficient score itself against the exact one (None when n is
    /// beyond brute force): the part of `error` that is not the network's doing.
    pub efficient_error: Option<f64>,
    /// Normalised L2 error of the network against the efficient score it implements.
    pub error_vs_efficient: f64,
}

/// What `hardiff nn compile --format json` prints: the network for g̃ of (kind, n, m, seed) at
/// the default instance (docs/math.md §5 default rule) over a time grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwfNetSummary {
    /// The candidate.
    pub kind: String,
    /// Input bits n.
    pub n: usize,
    /// Output bits m.
    pub m: usize,
    /// The candidate's seed.
    pub seed: u64,
    /// Gates of f's circuit.
    pub circuit_gates: usize,
    /// Depth of f's circuit.
    pub circuit_depth: usize,
    /// Largest neuron count over the grid.
    pub neurons: usize,
    /// Largest nonzero-weight count over the grid.
    pub weights: usize,
    /// Largest depth over the grid.
    pub depth: usize,
    /// Largest normalised L2 error against the exact score over the grid (None beyond brute
    /// force).
    pub max_error: Option<f64>,
    /// Largest normalised L2 error against the efficient score over the grid.
    pub max_error_vs_efficient: f64,
    /// Per time step.
    pub steps: Vec<OwfStepSummary>,
}

/// Builds g̃'s score network for candidate `kind` with n input bits, m output bits and `seed`,
/// at the default parameters, and measures its size and error (see [`OwfNetSummary`]).
pub fn owf_network_summary(
    kind: Candidate,
    n: usize,
    m: usize,
    seed: u64,
    options: &OwfSummaryOptions,
) -> Result<OwfNetSummary> {
    count("points", options.points.max(1))?;
    if options.points < 2 {
        return Err(Error::Invalid(format!(
            "need at least 2 error points, got {}",
            options.points
        )));
    }
    let f = kind.build_arc(n, m, seed)?;
    let dist = OwfDistribution::with_default_params(Arc::clone(&f))?;
    let times = options
        .times
        .clone()
        .unwrap_or_else(|| default_time_grid(&dist));
    let net = OwfScoreNetwork::build(&dist, &times, &options.config)?;
    let circuit = f.compile();
    let efficient = dist.efficient_score();
    let brute = n <= options.brute_force_max_n;
    let mut steps = Vec::with_capacity(times.len());
    for (k, step) in net.steps().iter().enumerate() {
        let t = step.t;
        let (error, error_std, efficient_error) = if brute {
            let mut rng = stream(options.error_seed, "hardiff-nn owf-net error", &[k as u64]);
            let e = dist.score_error(&net, t, options.points, &mut rng)?;
            let mut rng = stream(options.error_seed, "hardiff-nn owf-net error", &[k as u64]);
            let eff = dist.score_error(&efficient, t, options.points, &mut rng)?;
            (
                Some(e.error.normalised_error),
                Some(e.error.normalised_std_error),
                Some(eff.error.normalised_error),
            )
        } else {
            (None, None, None)
        };
        let mut rng = stream(
            options.error_seed,
            "hardiff-nn owf-net vs efficient",
            &[k as u64],
        );
        let pts = dist.at_time(t)?.sample_batch(&mut rng, options.points);
        let vs = l2_score_error(&net, &efficient, t, pts.view())?;
        steps.push(OwfStepSummary {
            t,
            sigma: step.sigma,
            rounding: step.rounding,
            size: step.network.size(),
            knots: step.knots,
            error,
            error_std,
            efficient_error,
            error_vs_efficient: vs.normalised_error,
        });
    }
    let size = net.max_size();
    let max_error = if brute {
        steps.iter().filter_map(|s| s.error).reduce(f64::max)
    } else {
        None
    };
    Ok(OwfNetSummary {
        kind: kind.name().to_string(),
        n,
        m,
        seed,
        circuit_gates: circuit.size(),
        circuit_depth: circuit.depth(),
        neurons: size.neurons,
        weights: size.weights,
        depth: size.depth,
        max_error,
        max_error_vs_efficient: steps
            .iter()
            .map(|s| s.error_vs_efficient)
            .fold(0.0, f64::max),
        steps,
    })
}
