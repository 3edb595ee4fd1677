//! A time-conditioned score network ŝ(t, x) built on a dense ReLU [`Mlp`] (docs/math.md §8), its
//! [`Score`]/[`ScoreVjp`] implementations and its versioned JSON checkpoint.
//!
//! **Input**: the row `[x, embed(t)]` where embed(t) (see [`TimeEmbedding`]) is
//! `[τ, sin(kπτ/2), cos(kπτ/2) for k = 1..K]` with τ = 2·(ln t − ln t_min)/(ln t_max − ln t_min) − 1,
//! i.e. log-time rescaled to [−1, 1] on the training range (and extrapolated linearly outside).
//!
//! **Output**: the network output n(x, t) ∈ R^d predicts −z (the DSM target with weighting
//! λ(t) = v_t, docs/math.md §8) and the score is ŝ(t, x) = base(x) + n(x, t)/√v_t with
//! base = 0 ([`Parameterization::Noise`]) or base = −x, the score of the stationary N(0, I)
//! ([`Parameterization::GaussianResidual`]); the latter only changes what the network must learn,
//! not what it can represent (−x is itself a two-ReLU-per-coordinate function).

use crate::error::{count, positive, Error, Result};
use crate::mlp::{Mlp, Workspace};
use hardiff_dist::ou_time;
use hardiff_dist::rng::stream;
use hardiff_dist::score::check_shapes;
use hardiff_dist::{Dimension, Score, ScoreVjp};
use ndarray::{Array2, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis, Slice, Zip};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Embedding of the OU time t as network input features (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeEmbedding {
    t_min: f64,
    t_max: f64,
    frequencies: usize,
}

impl TimeEmbedding {
    /// An embedding whose log-time is rescaled to [−1, 1] on `[t_min, t_max]`, with `frequencies`
    /// sine/cosine pairs. Requires 0 < t_min < t_max.
    pub fn new(t_min: f64, t_max: f64, frequencies: usize) -> Result<Self> {
        positive("t_min", t_min)?;
        positive("t_max", t_max)?;
        if t_max <= t_min {
            return Err(Error::Invalid(format!(
                "t_max must exceed t_min, got t_min = {t_min}, t_max = {t_max}"
            )));
        }
        if frequencies > 64 {
            return Err(Error::Invalid(format!(
                "at most 64 time frequencies, got {frequencies}"
            )));
        }
        Ok(Self {
            t_min,
            t_max,
            frequencies,
        })
    }
    /// Lower end of the embedding's range.
    pub fn t_min(&self) -> f64 {
        self.t_min
    }
    /// Upper end of the embedding's range.
    pub fn t_max(&self) -> f64 {
        self.t_max
    }
    /// Number of features, 1 + 2K.
    pub fn dim(&self) -> usize {
        1 + 2 * self.frequencies
    }
    /// Writes embed(t) into `out` (length [`TimeEmbedding::dim`]).
    pub fn write(&self, t: f64, mut out: ArrayViewMut1<f64>) {
        let tau = 2.0 * (t.ln() - self.t_min.ln()) / (self.t_max.ln() - self.t_min.ln()) - 1.0;
        out[0] = tau;
        for k in 1..=self.frequencies {
            let a = k as f64 * PI * tau / 2.0;
            out[2 * k - 1] = a.sin();
            out[2 * k] = a.cos();
        }
    }
}

/// How the network output becomes a score (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parameterization {
    /// ŝ = n(x, t)/√v_t.
    Noise,
    /// ŝ = −x + n(x, t)/√v_t.
    GaussianResidual,
}

/// A learned score ŝ(t, x) = base(x) + n([x, embed(t)])/√v_t (module docs; docs/math.md §8).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreMlp {
    dim: usize,
    embedding: TimeEmbedding,
    parameterization: Parameterization,
    net: Mlp,
}

/// The checkpoint format name.
pub const CHECKPOINT_FORMAT: &str = "hardiff-mlp";
/// The checkpoint version this code writes and reads.
pub const CHECKPOINT_VERSION: u64 = 1;

/// One layer in a checkpoint: `weights` row-major with shape `(inputs, outputs)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerV1 {
    inputs: usize,
    outputs: usize,
    weights: Vec<f64>,
    bias: Vec<f64>,
}

/// The version-1 checkpoint (`{"format":"hardiff-mlp","version":1,...}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointV1 {
    format: String,
    version: u64,
    dim: usize,
    parameterization: Parameterization,
    embedding: TimeEmbedding,
    layers: Vec<LayerV1>,
}

impl ScoreMlp {
    /// A freshly initialised score network for dimension `dim` with the given hidden widths
    /// (He initialisation from `rng::stream(seed, "hardiff-nn score-mlp init", [])`; output
    /// layer scaled by 0.1 so the initial score is close to `base`).
    pub fn new(
        dim: usize,
        hidden: &[usize],
        embedding: TimeEmbedding,
        parameterization: Parameterization,
        seed: u64,
    ) -> Result<Self> {
        count("dim", dim)?;
        let sizes: Vec<usize> = std::iter::once(dim + embedding.dim())
            .chain(hidden.iter().copied())
            .chain(std::iter::once(dim))
            .collect();
        let mut rng = stream(seed, "hardiff-nn score-mlp init", &[]);
        let net = Mlp::random(&sizes, 0.1, &mut rng)?;
        Ok(Self {
            dim,
            embedding,
            parameterization,
            net,
        })
    }

    /// A score network from an existing MLP; its input must be `dim + embedding.dim()` wide and
    /// its output `dim`.
    pub fn from_parts(
        dim: usize,
        embedding: TimeEmbedding,
        parameterization: Parameterization,
        net: Mlp,
    ) -> Result<Self> {
        count("dim", dim)?;
        if net.input_dim() != dim + embedding.dim() {
            return Err(Error::DimensionMismatch {
                what: "network input width (dim + time features)",
                expected: dim + embedding.dim(),
                got: net.input_dim(),
            });
        }
        if net.output_dim() != dim {
            return Err(Error::DimensionMismatch {
                what: "network output width",
                expected: dim,
                got: net.output_dim(),
            });
        }
        Ok(Self {
            dim,
            embedding,
            parameterization,
            net,
        })
    }

    /// The underlying MLP.
    pub fn net(&self) -> &Mlp {
        &self.net
    }
    /// Mutable access to the underlying MLP (its shape cannot change through this).
    pub fn net_mut(&mut self) -> &mut Mlp {
        &mut self.net
    }
    /// The time embedding.
    pub fn embedding(&self) -> TimeEmbedding {
        self.embedding
    }
    /// The parameterization.
    pub fn parameterization(&self) -> Parameterization {
        self.parameterization
    }

    /// Writes the network input rows `[x_b, embed(t_b)]` into `buf` (shape `(batch, dim + E)`).
    pub(crate) fn write_input(&self, x: ArrayView2<f64>, ts: &[f64], mut buf: ArrayViewMut2<f64>) {
        buf.slice_axis_mut(Axis(1), Slice::from(..self.dim))
            .assign(&x);
        for (b, &t) in ts.iter().enumerate() {
            let mut row = buf.row_mut(b);
            self.embedding
                .write(t, row.slice_axis_mut(Axis(0), Slice::from(self.dim..)));
        }
    }

    fn check_time(t: f64) -> hardiff_dist::Result<f64> {
        ou_time::validate_positive(t, "the network divides by √v_t")
    }

    /// Serialises to the version-1 JSON checkpoint.
    pub fn to_json(&self) -> String {
        let layers = self
            .net
            .layers()
            .iter()
            .map(|l| LayerV1 {
                inputs: l.input_dim(),
                outputs: l.output_dim(),
                weights: l.weights().iter().copied().collect(),
                bias: l.bias().to_vec(),
            })
            .collect();
        let ck = CheckpointV1 {
            format: CHECKPOINT_FORMAT.into(),
            version: CHECKPOINT_VERSION,
            dim: self.dim,
            parameterization: self.parameterization,
            embedding: self.embedding,
            layers,
        };
        serde_json::to_string(&ck).expect("checkpoint serialises")
    }

    /// Parses a checkpoint; typed errors for a wrong format ([`Error::WrongFormat`]), version
    /// ([`Error::UnsupportedVersion`]) or anything malformed ([`Error::Malformed`]).
    pub fn from_json(text: &str) -> Result<Self> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| Error::Malformed(format!("not JSON: {e}")))?;
        let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
        if format != CHECKPOINT_FORMAT {
            return Err(Error::WrongFormat {
                found: format.to_string(),
                expected: CHECKPOINT_FORMAT,
            });
        }
        let version = value
            .get("version")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| Error::Malformed("missing or non-integer \"version\"".into()))?;
        if version != CHECKPOINT_VERSION {
            return Err(Error::UnsupportedVersion {
                found: version,
                supported: CHECKPOINT_VERSION,
            });
        }
        let ck: CheckpointV1 =
            serde_json::from_value(value).map_err(|e| Error::Malformed(e.to_string()))?;
        let embedding = TimeEmbedding::new(
            ck.embedding.t_min,
            ck.embedding.t_max,
            ck.embedding.frequencies,
        )
        .map_err(|e| Error::Malformed(format!("embedding: {e}")))?;
        let mut layers = Vec::with_capacity(ck.layers.len());
        for (i, l) in ck.layers.into_iter().enumerate() {
            let w = Array2::from_shape_vec((l.inputs, l.outputs), l.weights)
                .map_err(|e| Error::Malformed(format!("layer {i} weights: {e}")))?;
            let layer = crate::mlp::Dense::new(w, ndarray::Array1::from(l.bias))
                .map_err(|e| Error::Malformed(format!("layer {i}: {e}")))?;
            layers.push(layer);
        }
        let net = Mlp::from_layers(layers).map_err(|e| Error::Malformed(e.to_string()))?;
        Self::from_parts(ck.dim, embedding, ck.parameterization, net)
            .map_err(|e| Error::Malformed(e.to_string()))
    }

    /// Runs the network at time `t` on `x`; returns the workspace holding the activations.
    fn run(&self, t: f64, x: ArrayView2<f64>) -> Result<Workspace> {
        let mut ws = Workspace::new();
        let ts = vec![t; x.nrows()];
        let buf = ws.prepare(&self.net, x.nrows());
        self.write_input(x, &ts, buf);
        self.net.forward_ws(&mut ws)?;
        Ok(ws)
    }
}

impl Dimension for ScoreMlp {
    fn dim(&self) -> usize {
        self.dim
    }
}

impl Score for ScoreMlp {
    /// ŝ(t, x) for any t > 0 (outside the training range the time embedding extrapolates;
    /// accuracy there is whatever the network learned).
    fn score(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        check_shapes(self.dim, &x, &out)?;
        let t = Self::check_time(t)?;
        let inv_sd = 1.0 / ou_time::noise_std(t);
        let ws = self.run(t, x)?;
        match self.parameterization {
            Parameterization::Noise => Zip::from(&mut out)
                .and(&ws.output())
                .for_each(|o, &n| *o = n * inv_sd),
            Parameterization::GaussianResidual => Zip::from(&mut out)
                .and(&ws.output())
                .and(&x)
                .for_each(|o, &n, &xv| *o = n * inv_sd - xv),
        }
        Ok(())
    }
}

impl ScoreVjp for ScoreMlp {
    /// Jᵀv with J = ∂ŝ/∂x = base' + (∂n/∂x)/√v_t, by back-propagating v through the ReLU net
    /// (exact almost everywhere: the net is piecewise linear in x).
    fn score_vjp(
        &self,
        t: f64,
        x: ArrayView2<f64>,
        v: ArrayView2<f64>,
        mut out: ArrayViewMut2<f64>,
    ) -> hardiff_dist::Result<()> {
        check_shapes(self.dim, &x, &out)?;
        if v.dim() != x.dim() {
            return Err(hardiff_dist::Error::DimensionMismatch {
                what: "vjp vector shape (columns)",
                expected: self.dim,
                got: v.ncols(),
            });
        }
        let t = Self::check_time(t)?;
        let inv_sd = 1.0 / ou_time::noise_std(t);
        let mut ws = self.run(t, x)?;
        self.net.backward(&mut ws, v, None)?;
        let gin = ws.input_gradient();
        let gx = gin.slice_axis(Axis(1), Slice::from(..self.dim));
        match self.parameterization {
            Parameterization::Noise => Zip::from(&mut out)
                .and(&gx)
                .for_each(|o, &g| *o = g * inv_sd),
            Parameterization::GaussianResidual => Zip::from(&mut out)
                .and(&gx)
                .and(&v)
                .for_each(|o, &g, &vv| *o = g * inv_sd - vv),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand_distr::{Distribution, StandardNormal};

    fn model(p: Parameterization) -> ScoreMlp {
        let emb = TimeEmbedding::new(0.01, 2.0, 3).unwrap();
        let mut m = ScoreMlp::new(3, &[16, 16], emb, p, 5).unwrap();
        // Make the output layer O(1) so the test is not dominated by `base`.
        let mut rng = stream(9, "nn-score-mlp-test", &[]);
        let (mut w, _) = m.net_mut().params_mut(2);
        w.mapv_inplace(|_| StandardNormal.sample(&mut rng));
        m
    }

    #[test]
    fn vjp_matches_finite_differences_of_the_score() {
        let mut rng = stream(4, "nn-score-mlp-vjp", &[]);
        for p in [Parameterization::Noise, Parameterization::GaussianResidual] {
            let m = model(p);
            let t = 0.3;
            let x = Array2::from_shape_simple_fn((5, 3), || StandardNormal.sample(&mut rng));
            let v = Array2::from_shape_simple_fn((5, 3), || StandardNormal.sample(&mut rng));
            let mut jtv = Array2::zeros((5, 3));
            m.score_vjp(t, x.view(), v.view(), jtv.view_mut()).unwrap();
            // (Jᵀv)_k = ∂/∂x_k ⟨v, ŝ(x)⟩, by central differences (exact up to rounding away
            // from ReLU kinks, which random points avoid almost surely at h = 1e-6).
            let h = 1e-6;
            let f = |x: &Array2<f64>| {
                let mut o = Array2::zeros((5, 3));
                m.score(t, x.view(), o.view_mut()).unwrap();
                (&o * &v).sum_axis(ndarray::Axis(1))
            };
            for k in 0..3 {
                let mut xp = x.clone();
                xp.column_mut(k).mapv_inplace(|a| a + h);
                let mut xm = x.clone();
                xm.column_mut(k).mapv_inplace(|a| a - h);
                let fd = (f(&xp) - f(&xm)) / (2.0 * h);
                for b in 0..5 {
                    assert!(
                        (fd[b] - jtv[[b, k]]).abs() < 1e-5 * (1.0 + fd[b].abs()),
                        "{p:?} row {b} coord {k}: fd {} vs vjp {}",
                        fd[b],
                        jtv[[b, k]]
                    );
                }
            }
        }
    }

    #[test]
    fn checkpoint_round_trips_and_rejects_bad_files() {
        let m = model(Parameterization::GaussianResidual);
        let json = m.to_json();
        let back = ScoreMlp::from_json(&json).unwrap();
        assert_eq!(
            back, m,
            "JSON round trip is exact (serde_json writes shortest round-trip floats)"
        );

        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["format"] = "something-else".into();
        assert!(matches!(
            ScoreMlp::from_json(&v.to_string()),
            Err(Error::WrongFormat { .. })
        ));
        v["format"] = CHECKPOINT_FORMAT.into();
        v["version"] = 2.into();
        assert!(matches!(
            ScoreMlp::from_json(&v.to_string()),
            Err(Error::UnsupportedVersion {
                found: 2,
                supported: 1
            })
        ));
        v["version"] = 1.into();
        v["layers"][0]["inputs"] = 4.into();
        assert!(matches!(
            ScoreMlp::from_json(&v.to_string()),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(
            ScoreMlp::from_json("{not json"),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(
            ScoreMlp::from_json("{\"version\":1}"),
            Err(Error::WrongFormat { .. })
        ));
    }

    #[test]
    fn checkpoint_json_round_trips_exactly() {
        // The checkpoint is the JSON text (files are the CLI's business, not this crate's);
        // a round trip must reproduce every weight bit for bit.
        for p in [Parameterization::Noise, Parameterization::GaussianResidual] {
            let m = model(p);
            assert_eq!(ScoreMlp::from_json(&m.to_json()).unwrap(), m);
        }
    }

    #[test]
    fn score_rejects_bad_time_and_shapes() {
        let m = model(Parameterization::Noise);
        let x = Array2::zeros((2, 3));
        let mut o = Array2::zeros((2, 3));
        assert!(m.score(0.0, x.view(), o.view_mut()).is_err());
        assert!(m.score(f64::NAN, x.view(), o.view_mut()).is_err());
        let mut bad = Array2::zeros((2, 2));
        assert!(m.score(0.1, x.view(), bad.view_mut()).is_err());
    }

    #[test]
    fn embedding_is_log_time_rescaled() {
        let e = TimeEmbedding::new(0.01, 1.0, 2).unwrap();
        let mut f = ndarray::Array1::zeros(5);
        e.write(0.1, f.view_mut());
        // ln 0.1 is the midpoint of [ln 0.01, ln 1] → τ = 0, sin 0 = 0, cos 0 = 1.
        assert!(f[0].abs() < 1e-15 && f[1].abs() < 1e-15 && (f[2] - 1.0).abs() < 1e-15);
        assert!(TimeEmbedding::new(1.0, 0.5, 1).is_err());
    }
}
