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
//! **Compiled once.** f's circuit is emitted and layered once per distribution
//! ([`CompiledOwf`]); each grid time's network splices its own interpolant, ramps and output
//! coefficients into that template, and is weight for weight the network the whole graph
//! compiles to (tested), at a fraction of the cost: f's circuit is most of a BLAKE3 network.
//!
//! **Times.** A network is built for each time of a fixed grid (the regime is a fixed choice per
//! step). [`OwfScoreNetwork`]'s `score(t, …)` accepts exactly the grid times (relative tolerance
//! 1e−9) and returns an error for any other t; there is no interpolation between grid times.

use crate::circuit_net::{emit_circuit, XorGadget};
use crate::error::{count, positive, Error, Result};
use crate::gadgets::{sign_ramp, Extension, PiecewiseLinear};
use crate::relu_net::{Affine, NetworkSize, Node, ReluGraph, ReluNetwork, SparseLayer, SparseRow};
use hardiff_dist::ou_time::{self, ou_time_to_ve_sigma};
use hardiff_dist::owf_dist::{HalfLatticeSums, OwfDistribution};
use hardiff_dist::rng::stream;
use hardiff_dist::score::check_shapes;
use hardiff_dist::score_error::l2_score_error;
use hardiff_dist::smoothed::SmoothedDiscreteGaussian;
use hardiff_dist::{Dimension, SampleBatch, Score};
use hardiff_owf::{Candidate, Circuit};
use ndarray::{ArrayView2, ArrayViewMut2};
use rayon::prelude::*;
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
    /// Builds a network for each time in `times` (each > 0): compiles f once
    /// ([`CompiledOwf::new`]) and builds the per-time networks from it
    /// ([`OwfScoreNetwork::from_compiled`]).
    pub fn build(dist: &OwfDistribution, times: &[f64], config: &OwfNetConfig) -> Result<Self> {
        count("number of times", times.len())?;
        let compiled = CompiledOwf::new(dist, config)?;
        Self::from_compiled(&compiled, times)
    }

    /// The networks of the grid `times` from one compiled f, built in parallel on rayon's
    /// current pool (each time independently, collected in grid order: the result does not
    /// depend on the thread count).
    pub fn from_compiled(compiled: &CompiledOwf, times: &[f64]) -> Result<Self> {
        count("number of times", times.len())?;
        let steps = times
            .par_iter()
            .map(|&t| compiled.at_time(t))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            n: compiled.dist.input_bits(),
            m: compiled.dist.output_bits(),
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

/// f compiled once for every grid time (docs/math.md §5 "As a ReLU network").
///
/// Of a rounding-regime network only the first two layers (the x-part's interpolant units and
/// its ReLU(±v) carriers, the sign ramps' weights 1/(2δ)) and the output map's coefficients
/// (e^tβ/σ², e^{2t}/σ²) depend on t; f's circuit — sign-ramp bits through every gate, the
/// pass-throughs that carry values to the output layer, hundreds to thousands of layers for
/// BLAKE3 — does not. [`CompiledOwf::new`] therefore emits and layers f's circuit once, in a
/// *template* network whose x-part is one placeholder unit per coordinate, and
/// [`CompiledOwf::at_time`] splices the interpolant of time t into it: layer 1 gets the
/// interpolant's units (one per knot and coordinate) and the ramps of time t, layer 2 the
/// interpolant's carriers, later references into layer 1 are shifted, the deep layers are
/// copied, and the output rows are recomputed with time t's coefficients. The interpolant
/// itself is fitted once per time and its ReLU form built for one coordinate only.
///
/// **The result is the network [`ReluGraph::compile`] builds for the whole graph**, weight for
/// weight and in the same unit order (so its outputs are bit-identical): the splice reproduces
/// the compiler's layout (neurons in creation order, pass-throughs in the order they are first
/// needed) and its arithmetic on the coefficients. Where an assumption of the splice does not
/// hold — an interpolant whose carriers simplify away (sign known), a ramp slope of exactly 1
/// that could merge with an interpolant unit, output rows with merged entries — the time step
/// is built from the whole graph instead, with the same result. Tests compare both builds.
#[derive(Debug, Clone)]
pub struct CompiledOwf {
    dist: OwfDistribution,
    circuit: Arc<Circuit>,
    config: OwfNetConfig,
    template: Option<Arc<Template>>,
}

/// The rounding-regime network with a one-unit placeholder x-part (see [`CompiledOwf`]).
#[derive(Debug)]
struct Template {
    /// Whether f has gates (then the x-part is carried as ReLU(v) − ReLU(−v) from layer 2).
    deep: bool,
    /// Layers; the output layer's rows are x_0..x_{n−1}, then u_j and f_j alternately.
    layers: Vec<SparseLayer>,
    /// Terms of each f_j form (an output row with fewer entries had entries merged).
    f_terms: Vec<usize>,
}

/// Placeholder x-part unit ReLU(x_i + PLACEHOLDER_BIAS) of the template (any value that
/// is not ±½, the ramps' biases, keeps it distinct from the ramps).
const PLACEHOLDER_BIAS: f64 = 0.375;
/// Ramp half-width of the template (its ramp rows are replaced at each time): slope
/// 1/(2δ) = 4, which no other layer-1 unit of the template has.
const TEMPLATE_DELTA: f64 = 0.125;

impl CompiledOwf {
    /// Compiles f of `dist` (its circuit, and the template network when f has a circuit) for
    /// networks built with `config`.
    pub fn new(dist: &OwfDistribution, config: &OwfNetConfig) -> Result<Self> {
        positive("pl_tolerance", config.pl_tolerance)?;
        positive("ramp_fraction", config.ramp_fraction)?;
        positive("envelope_sds", config.envelope_sds)?;
        let circuit = Arc::new(dist.function().compile());
        let template = Template::build(dist, &circuit, config)?.map(Arc::new);
        Ok(Self {
            dist: dist.clone(),
            circuit,
            config: *config,
            template,
        })
    }

    /// The distribution.
    pub fn distribution(&self) -> &OwfDistribution {
        &self.dist
    }

    /// f's circuit (docs/math.md §4).
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// The construction settings.
    pub fn config(&self) -> &OwfNetConfig {
        &self.config
    }

    /// The network of OU time t > 0 (type docs): equal to the one built from the whole graph.
    pub fn at_time(&self, t: f64) -> Result<OwfTimeNetwork> {
        let step = StepParams::new(&self.dist, t, &self.config)?;
        let pl = step.interpolant(&self.dist, &self.config)?;
        if step.rounding {
            if let Some(tpl) = &self.template {
                if let Some(network) = tpl.splice(&self.dist, &step, &pl)? {
                    return Ok(step.finish(&pl, network));
                }
            }
        }
        let network = graph_network(&self.dist, &self.circuit, &step, &pl, &self.config)?;
        Ok(step.finish(&pl, network))
    }
}

impl Template {
    fn build(
        dist: &OwfDistribution,
        circuit: &Circuit,
        config: &OwfNetConfig,
    ) -> Result<Option<Self>> {
        let (n, m) = (dist.input_bits(), dist.output_bits());
        let deep = circuit.depth() > 0;
        let mut g = ReluGraph::new(n + m);
        let xs: Vec<Affine> = (0..n).map(|i| g.input(i)).collect::<Result<_>>()?;
        let us: Vec<Affine> = (n..n + m).map(|j| g.input(j)).collect::<Result<_>>()?;
        let mut outputs = Vec::with_capacity(n + 2 * m);
        for x in &xs {
            let p = g.relu(&(x + PLACEHOLDER_BIAS));
            if deep {
                let pos = g.relu(&(&p + -0.5));
                let neg = g.relu(&(&(-&p) + 0.5));
                outputs.push(&pos - &neg);
            } else {
                outputs.push(p);
            }
        }
        let bits: Vec<Affine> = xs
            .iter()
            .map(|x| sign_ramp(&mut g, x, TEMPLATE_DELTA))
            .collect::<Result<_>>()?;
        let fx = emit_circuit(&mut g, circuit, &bits, config.xor)?;
        for (f, u) in fx.iter().zip(&us) {
            outputs.push(u.clone());
            outputs.push(f.clone());
        }
        let net = g.compile(&outputs)?;
        let layers = net.layers().to_vec();
        // Check the layout the splice relies on: layer 1 starts with the n placeholders and
        // the 2n ramp units; layer 2 (when deep) with the 2n carriers.
        let l1 = &layers[0];
        // (The ramps of bits f does not read are pruned: the ramp units are found by their
        // rows, in `splice`.)
        let ok_l1 = l1.n_out() >= n
            && (0..n).all(|i| l1.row(i) == (&[i as u32][..], &[1.0][..], PLACEHOLDER_BIAS));
        let ok_l2 = !deep
            || (layers.len() >= 3
                && layers[1].n_out() >= 2 * n
                && (0..n).all(|i| {
                    layers[1].row(2 * i) == (&[i as u32][..], &[1.0][..], -0.5)
                        && layers[1].row(2 * i + 1) == (&[i as u32][..], &[-1.0][..], 0.5)
                })
                && (2 * n..layers[1].n_out())
                    .all(|u| layers[1].row(u).0.iter().all(|&i| i as usize >= n)));
        let ok_depth = deep || layers.len() == 2;
        if !(ok_l1 && ok_l2 && ok_depth) {
            return Ok(None);
        }
        Ok(Some(Self {
            deep,
            layers,
            f_terms: fx.iter().map(|f| f.terms().len()).collect(),
        }))
    }

    /// The network of one rounding-regime time (None where the splice does not apply).
    fn splice(
        &self,
        dist: &OwfDistribution,
        step: &StepParams,
        pl: &PiecewiseLinear,
    ) -> Result<Option<ReluNetwork>> {
        let (n, m) = (dist.input_bits(), dist.output_bits());
        let s = 1.0 / (2.0 * step.delta);
        if s == 1.0 {
            return Ok(None);
        }
        // The interpolant's ReLU form for one coordinate: P units, the form v over them and,
        // when deep, its carriers ReLU(v), ReLU(−v) as neurons P and P + 1.
        let mut g1 = ReluGraph::new(1);
        let x0 = g1.input(0)?;
        let v = pl.to_relu(&mut g1, &x0);
        let p_units = g1.n_graph_neurons();
        let v_ok = v.terms().len() == p_units
            && v.terms()
                .iter()
                .enumerate()
                .all(|(k, &(node, _))| node == Node::Neuron(k));
        if !v_ok || p_units == 0 {
            return Ok(None);
        }
        if self.deep {
            let pos = g1.relu(&v);
            let neg = g1.relu(&(-&v));
            if pos != Affine::node(Node::Neuron(p_units))
                || neg != Affine::node(Node::Neuron(p_units + 1))
            {
                return Ok(None);
            }
        }
        let unit_rows: Vec<(f64, f64)> = (0..p_units)
            .map(|k| {
                let f = g1.neuron_form(k);
                (f.terms()[0].1, f.constant_part())
            })
            .collect();
        let shift = n * p_units - n;
        let relabel = |i: usize| if i >= n { i + shift } else { i };
        let coord_row = |i: usize, form: &Affine| SparseRow {
            entries: form
                .terms()
                .iter()
                .map(|&(node, c)| match node {
                    Node::Neuron(k) => (i * p_units + k, c),
                    Node::Input(_) => unreachable!("checked: v is over the interpolant units"),
                })
                .collect(),
            bias: form.constant_part(),
        };
        // Layer 1: interpolant units, the ramps of time t, the template's remaining units.
        let l1 = &self.layers[0];
        let mut rows = Vec::with_capacity(n * p_units + l1.n_out() - n);
        for i in 0..n {
            rows.extend(unit_rows.iter().map(|&(c, b)| SparseRow {
                entries: vec![(i, c)],
                bias: b,
            }));
        }
        // The template's ramp units (a row x_i·4 ± ½) get time t's slope; the other units
        // (carriers of u) are copied.
        let s_tpl = 1.0 / (2.0 * TEMPLATE_DELTA);
        for u in n..l1.n_out() {
            let (idx, w, b) = l1.row(u);
            if idx.len() == 1 && (idx[0] as usize) < n && w[0] == s_tpl && b.abs() == 0.5 {
                let y = &Affine::node(Node::Input(idx[0] as usize)) * s;
                let a = &y + b;
                rows.push(SparseRow {
                    entries: vec![(idx[0] as usize, a.terms()[0].1)],
                    bias: a.constant_part(),
                });
            } else {
                rows.push(l1.row_mapped(u, |i| i));
            }
        }
        let width1 = rows.len();
        let mut layers = vec![SparseLayer::from_rows(l1.n_in(), rows)];
        let last = self.layers.len() - 1;
        if self.deep {
            // Layer 2: the carriers of time t, the template's rows with layer-1 references
            // shifted past the interpolant units.
            let l2 = &self.layers[1];
            let mut rows = Vec::with_capacity(l2.n_out());
            for i in 0..n {
                rows.push(coord_row(i, g1.neuron_form(p_units)));
                rows.push(coord_row(i, g1.neuron_form(p_units + 1)));
            }
            rows.extend((2 * n..l2.n_out()).map(|u| l2.row_mapped(u, relabel)));
            layers.push(SparseLayer::from_rows(width1, rows));
            layers.extend(self.layers[2..last].iter().cloned());
        }
        // Output map: x rows (deep: the template's carriers; else v itself), then u rows
        // with time t's coefficients, exactly as `build_step` forms them.
        let out = &self.layers[last];
        let in_map = |i: usize| if self.deep { i } else { relabel(i) };
        let mut rows = Vec::with_capacity(n + m);
        for i in 0..n {
            rows.push(if self.deep {
                out.row_mapped(i, |k| k)
            } else {
                coord_row(i, &v)
            });
        }
        let c = step.u_signal;
        let u_coef = step.u_coef;
        for j in 0..m {
            let u_row = out.row_mapped(n + 2 * j, in_map);
            let f_row = out.row_mapped(n + 2 * j + 1, in_map);
            if f_row.entries.len() != self.f_terms[j] || u_row.entries.len() != 2 {
                return Ok(None);
            }
            let mut entries = Vec::with_capacity(2 + f_row.entries.len());
            for &(k, w) in &u_row.entries {
                // The carriers ReLU(u) (+1) and ReLU(−u) (−1): express gives (p, c), (q, −c).
                entries.push((k, if w > 0.0 { u_coef } else { -u_coef }));
            }
            entries.extend(
                f_row
                    .entries
                    .iter()
                    .map(|&(k, w)| (k, 1.0 * ((2.0 * c) * w))),
            );
            // The constant of (f·2c + (−c)) + u·u_coef, term by term as Affine computes it.
            let f_const = (2.0 * c) * f_row.bias + 0.0 * 0.0;
            let bias = 1.0 * (f_const + -c) + 1.0 * (u_coef * 0.0 + 0.0 * 0.0);
            rows.push(SparseRow::new(entries, bias));
        }
        let n_in = if self.deep { out.n_in() } else { width1 };
        layers.push(SparseLayer::from_rows(n_in, rows));
        Ok(Some(ReluNetwork::new(n + m, layers)?))
    }
}

/// What one time step's network needs to know about t (see `build_step`).
struct StepParams {
    t: f64,
    sigma: f64,
    rounding: bool,
    tol: f64,
    x_max: f64,
    delta: f64,
    et: f64,
    /// e^tβ/σ² (the u-part's signal coefficient, rounding regime).
    u_signal: f64,
    /// −e^{2t}/σ².
    u_coef: f64,
}

impl StepParams {
    fn new(dist: &OwfDistribution, t: f64, config: &OwfNetConfig) -> Result<Self> {
        ou_time::validate_positive(t, "g̃ has atoms at t = 0: its score exists only for t > 0")?;
        let p = *dist.params();
        let n = dist.input_bits();
        let (alpha, r, beta) = (p.spacing(), p.envelope(), p.amplitude());
        let sigma = ou_time_to_ve_sigma(t);
        let sigma2 = sigma * sigma;
        let et = t.exp();
        Ok(Self {
            t,
            sigma,
            rounding: sigma <= p.crossover(),
            tol: config.pl_tolerance / (ou_time::noise_std(t) * (n as f64).sqrt()),
            x_max: (config.envelope_sds * (r * r + sigma2).sqrt() + alpha) / et,
            delta: config.ramp_fraction * sigma.min(alpha / 2.0) / et,
            et,
            u_signal: et * beta / sigma2,
            u_coef: -et * et / sigma2,
        })
    }

    /// The x-part's 1-D interpolant (module docs).
    fn interpolant(
        &self,
        dist: &OwfDistribution,
        config: &OwfNetConfig,
    ) -> Result<PiecewiseLinear> {
        let p = *dist.params();
        let et = self.et;
        if self.rounding {
            let halves = HalfLatticeSums::new(&p, self.sigma)?;
            // G(x) = e^t (log h^+)'(e^t x) for x > 0; G is odd (h^−(y) = h^+(−y)).
            let right = PiecewiseLinear::adaptive(
                |x| et * halves.plus(et * x).1,
                self.delta,
                self.x_max,
                self.tol,
                config.max_knots,
                Extension::Linear,
            )?;
            let left = mirror_odd(&right)?;
            PiecewiseLinear::join(&left, &right)
        } else {
            let g = SmoothedDiscreteGaussian::new(
                p.spacing() / 2.0,
                p.spacing(),
                p.envelope(),
                self.sigma,
            )?;
            PiecewiseLinear::adaptive(
                |x| et * g.score(et * x),
                -self.x_max,
                self.x_max,
                self.tol,
                config.max_knots,
                Extension::Linear,
            )
        }
    }

    fn finish(&self, pl: &PiecewiseLinear, network: ReluNetwork) -> OwfTimeNetwork {
        OwfTimeNetwork {
            t: self.t,
            sigma: self.sigma,
            rounding: self.rounding,
            knots: pl.knots().len(),
            interpolation_error: pl.fit_error().unwrap_or(0.0),
            ramp_halfwidth: if self.rounding { self.delta } else { 0.0 },
            network,
        }
    }
}

/// The network of one time step from the whole graph (the reference construction).
fn graph_network(
    dist: &OwfDistribution,
    circuit: &Circuit,
    step: &StepParams,
    pl: &PiecewiseLinear,
    config: &OwfNetConfig,
) -> Result<ReluNetwork> {
    let (n, m) = (dist.input_bits(), dist.output_bits());
    let rounding = step.rounding;
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
    let u_coef = step.u_coef;
    if rounding {
        let bits: Vec<Affine> = xs
            .iter()
            .map(|x| sign_ramp(&mut g, x, step.delta))
            .collect::<Result<_>>()?;
        let fx = emit_circuit(&mut g, circuit, &bits, config.xor)?;
        let c = step.u_signal;
        for (f, u) in fx.iter().zip(&us) {
            outputs.push(&(&(f * (2.0 * c)) + -c) + &(u * u_coef));
        }
    } else {
        for u in &us {
            outputs.push(u * u_coef);
        }
    }
    g.compile(&outputs)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The spliced network of every grid time equals, weight for weight, the one compiled from
    /// the whole graph (so their outputs are bit-identical), for candidates with and without
    /// a circuit and in both regimes.
    #[test]
    fn spliced_networks_equal_the_whole_graph_build() {
        let config = OwfNetConfig::default();
        for (kind, n, m) in [
            (Candidate::Goldreich, 6, 6),
            (Candidate::SubsetSum, 5, 4),
            (Candidate::Linear, 5, 5),
            (Candidate::Identity, 4, 4),
            (Candidate::Blake3, 4, 4),
        ] {
            let dist =
                OwfDistribution::with_default_params(kind.build_arc(n, m, 7).unwrap()).unwrap();
            let compiled = CompiledOwf::new(&dist, &config).unwrap();
            assert!(compiled.template.is_some(), "{kind}: template unusable");
            let mut times = default_time_grid(&dist);
            // Down to σ = β/8, where the interpolants are largest (E1's grid).
            times.push(ve_sigma_to_ou_time_for_test(
                dist.params().amplitude() / 8.0,
            ));
            for &t in &times {
                let step = StepParams::new(&dist, t, &config).unwrap();
                let pl = step.interpolant(&dist, &config).unwrap();
                let reference =
                    graph_network(&dist, &compiled.circuit, &step, &pl, &config).unwrap();
                let spliced = compiled.at_time(t).unwrap();
                if step.rounding {
                    let tpl = compiled.template.as_ref().unwrap();
                    assert!(
                        tpl.splice(&dist, &step, &pl).unwrap().is_some(),
                        "{kind} t = {t}: splice fell back"
                    );
                }
                assert_eq!(spliced.network, reference, "{kind} n = {n}, t = {t}");
            }
        }
    }

    fn ve_sigma_to_ou_time_for_test(sigma: f64) -> f64 {
        hardiff_dist::ou_time::ve_sigma_to_ou_time(sigma)
    }
}
