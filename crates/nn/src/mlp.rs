//! Dense ReLU multilayer perceptrons with batched forward and backward passes (docs/math.md §8).
//!
//! This module is the arithmetic of a plain MLP and nothing else: it knows neither time nor
//! scores (see [`crate::score_mlp`]). Every pass is a sequence of matrix products over the whole
//! batch (`ndarray`'s `general_mat_mul`, no per-sample loops), writing into a reusable
//! [`Workspace`] so a training step allocates nothing once warmed up.
//!
//! Shapes: a batch is `(batch, in)`; layer l maps `(batch, in_l) → (batch, out_l)` by
//! `a W_l + b_l` with `W_l` of shape `(in_l, out_l)`; hidden layers apply ReLU, the last layer is
//! linear.

use crate::error::{count, Error, Result};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, Zip};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// One affine layer `a ↦ a W + b`, `W` of shape `(in, out)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    w: Array2<f64>,
    b: Array1<f64>,
}

impl Dense {
    /// A layer from its weights `(in, out)` and bias `(out)`; errors if the shapes disagree,
    /// a size is zero, or an entry is not finite.
    pub fn new(w: Array2<f64>, b: Array1<f64>) -> Result<Self> {
        count("layer input size", w.nrows())?;
        count("layer output size", w.ncols())?;
        if b.len() != w.ncols() {
            return Err(Error::DimensionMismatch {
                what: "bias length vs weight columns",
                expected: w.ncols(),
                got: b.len(),
            });
        }
        if w.iter().chain(b.iter()).any(|v| !v.is_finite()) {
            return Err(Error::Invalid("layer has a non-finite parameter".into()));
        }
        Ok(Self { w, b })
    }
    /// Weights, shape `(in, out)`.
    pub fn weights(&self) -> ArrayView2<'_, f64> {
        self.w.view()
    }
    /// Bias, shape `(out)`.
    pub fn bias(&self) -> ArrayView1<'_, f64> {
        self.b.view()
    }
    /// Input size.
    pub fn input_dim(&self) -> usize {
        self.w.nrows()
    }
    /// Output size.
    pub fn output_dim(&self) -> usize {
        self.w.ncols()
    }
}

/// A dense ReLU MLP: affine layers with ReLU between them and a linear last layer.
///
/// Invariant: at least one layer, consecutive sizes agree, all parameters finite.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    layers: Vec<Dense>,
}

/// Gradients of a scalar loss with respect to every parameter of an [`Mlp`] (same shapes).
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// ∂loss/∂W_l, shape `(in_l, out_l)`.
    pub w: Vec<Array2<f64>>,
    /// ∂loss/∂b_l, shape `(out_l)`.
    pub b: Vec<Array1<f64>>,
}

impl Gradients {
    /// Zero gradients shaped like `mlp`.
    pub fn zeros_like(mlp: &Mlp) -> Self {
        Self {
            w: mlp
                .layers
                .iter()
                .map(|l| Array2::zeros(l.w.raw_dim()))
                .collect(),
            b: mlp
                .layers
                .iter()
                .map(|l| Array1::zeros(l.b.raw_dim()))
                .collect(),
        }
    }
    /// Euclidean norm of all gradients together.
    pub fn norm(&self) -> f64 {
        let s: f64 = self
            .w
            .iter()
            .map(|a| a.iter().map(|v| v * v).sum::<f64>())
            .chain(self.b.iter().map(|a| a.iter().map(|v| v * v).sum::<f64>()))
            .sum();
        s.sqrt()
    }
    /// Multiplies every gradient by `c`.
    pub fn scale(&mut self, c: f64) {
        self.w.iter_mut().for_each(|a| a.mapv_inplace(|v| v * c));
        self.b.iter_mut().for_each(|a| a.mapv_inplace(|v| v * c));
    }
}

/// Buffers for one batch size: the activations of every layer (kept for the backward pass) and
/// the back-propagated deltas. Reused across steps; resized when the batch size changes.
///
/// A new workspace holds an empty `(0, 0)` batch: its accessors return empty views, and
/// [`Mlp::forward_ws`] refuses it with a typed error until [`Workspace::prepare`] has sized it.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// `acts[0]` = input, `acts[l]` = ReLU output of hidden layer l, `acts[L]` = linear output.
    /// Never empty.
    acts: Vec<Array2<f64>>,
    /// `deltas[l]` = ∂loss/∂(input of layer l) (before masking), same shape as `acts[l]`.
    /// Never empty.
    deltas: Vec<Array2<f64>>,
}

impl Default for Workspace {
    fn default() -> Self {
        Self {
            acts: vec![Array2::zeros((0, 0))],
            deltas: vec![Array2::zeros((0, 0))],
        }
    }
}

impl Workspace {
    /// An empty workspace (buffers are allocated on first use).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether every buffer has the shape `(batch, size)` for the layer sizes of `mlp`.
    fn fits(&self, mlp: &Mlp, batch: usize) -> bool {
        let sizes = mlp.sizes();
        self.acts.len() == sizes.len()
            && self.deltas.len() == sizes.len()
            && self
                .acts
                .iter()
                .chain(&self.deltas)
                .zip(sizes.iter().chain(&sizes))
                .all(|(a, &s)| a.nrows() == batch && a.ncols() == s)
    }

    fn ensure(&mut self, mlp: &Mlp, batch: usize) {
        if !self.fits(mlp, batch) {
            let sizes = mlp.sizes();
            self.acts = sizes.iter().map(|&s| Array2::zeros((batch, s))).collect();
            self.deltas = sizes.iter().map(|&s| Array2::zeros((batch, s))).collect();
        }
    }

    /// Mutable view of the input buffer of the last [`Workspace::prepare`]d batch (empty for a
    /// new workspace).
    pub fn input_mut(&mut self) -> ArrayViewMut2<'_, f64> {
        self.acts[0].view_mut()
    }

    /// Sizes the buffers for `batch` rows of `mlp` and returns the input buffer to fill.
    pub fn prepare(&mut self, mlp: &Mlp, batch: usize) -> ArrayViewMut2<'_, f64> {
        self.ensure(mlp, batch);
        self.acts[0].view_mut()
    }

    /// The batch size of the input buffer.
    pub fn batch(&self) -> usize {
        self.acts[0].nrows()
    }

    /// The network output of the last forward pass, `(batch, out)` (empty for a new workspace).
    pub fn output(&self) -> ArrayView2<'_, f64> {
        self.acts[self.acts.len() - 1].view()
    }

    /// ∂loss/∂input of the last backward pass, `(batch, in)` (empty for a new workspace).
    pub fn input_gradient(&self) -> ArrayView2<'_, f64> {
        self.deltas[0].view()
    }
}

impl Mlp {
    /// A network with layer sizes `sizes = [in, h_1, …, h_k, out]` (k ≥ 0 hidden layers),
    /// He-initialised: hidden weights ~ N(0, 2/fan_in), last-layer weights ~ N(0, 1/fan_in)
    /// scaled by `output_scale`, biases 0.
    pub fn random<R: Rng + ?Sized>(
        sizes: &[usize],
        output_scale: f64,
        rng: &mut R,
    ) -> Result<Self> {
        if sizes.len() < 2 {
            return Err(Error::Invalid(format!(
                "an MLP needs at least input and output sizes, got {sizes:?}"
            )));
        }
        for &s in sizes {
            count("layer size", s)?;
        }
        if !output_scale.is_finite() {
            return Err(Error::Invalid(format!(
                "output_scale must be finite, got {output_scale}"
            )));
        }
        let n = sizes.len() - 1;
        let layers = (0..n)
            .map(|l| {
                let (fan_in, fan_out) = (sizes[l], sizes[l + 1]);
                let std = if l + 1 == n {
                    output_scale / (fan_in as f64).sqrt()
                } else {
                    (2.0 / fan_in as f64).sqrt()
                };
                let w = Array2::from_shape_simple_fn((fan_in, fan_out), || {
                    let z: f64 = StandardNormal.sample(rng);
                    std * z
                });
                Dense {
                    w,
                    b: Array1::zeros(fan_out),
                }
            })
            .collect();
        Ok(Self { layers })
    }

    /// A network from its layers; errors if consecutive sizes disagree or there is none.
    pub fn from_layers(layers: Vec<Dense>) -> Result<Self> {
        if layers.is_empty() {
            return Err(Error::Invalid("an MLP needs at least one layer".into()));
        }
        for pair in layers.windows(2) {
            if pair[0].output_dim() != pair[1].input_dim() {
                return Err(Error::DimensionMismatch {
                    what: "consecutive layer sizes",
                    expected: pair[0].output_dim(),
                    got: pair[1].input_dim(),
                });
            }
        }
        Ok(Self { layers })
    }

    /// The layers, first to last.
    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }

    /// Layer sizes `[in, h_1, …, out]`.
    pub fn sizes(&self) -> Vec<usize> {
        std::iter::once(self.input_dim())
            .chain(self.layers.iter().map(Dense::output_dim))
            .collect()
    }

    /// Input size.
    pub fn input_dim(&self) -> usize {
        self.layers[0].input_dim()
    }

    /// Output size.
    pub fn output_dim(&self) -> usize {
        self.layers
            .last()
            .expect("invariant: ≥ 1 layer")
            .output_dim()
    }

    /// Number of trainable parameters.
    pub fn n_params(&self) -> usize {
        self.layers.iter().map(|l| l.w.len() + l.b.len()).sum()
    }

    /// Forward pass over the batch already written into `ws`'s input buffer (see
    /// [`Workspace::prepare`]); keeps every activation for [`Mlp::backward`].
    ///
    /// The hidden and output buffers grow to fit the input buffer's batch if they do not (for
    /// instance after [`Workspace::input_mut`] on a workspace sized for another network with
    /// the same input width). Errors with [`Error::DimensionMismatch`] if the input buffer is
    /// not `(batch, input_dim)` — in particular for a new workspace that was never prepared.
    pub fn forward_ws(&self, ws: &mut Workspace) -> Result<()> {
        let input_width = ws.acts[0].ncols();
        if input_width != self.input_dim() {
            return Err(Error::DimensionMismatch {
                what: "workspace input width (size it with Workspace::prepare for this network)",
                expected: self.input_dim(),
                got: input_width,
            });
        }
        let batch = ws.batch();
        if !ws.fits(self, batch) {
            // Keep the input, resize everything downstream of it.
            let input = std::mem::replace(&mut ws.acts[0], Array2::zeros((0, 0)));
            ws.ensure(self, batch);
            ws.acts[0] = input;
        }
        let n = self.layers.len();
        for (l, layer) in self.layers.iter().enumerate() {
            let (head, tail) = ws.acts.split_at_mut(l + 1);
            let a = &head[l];
            let z = &mut tail[0];
            // z = a W + 1 bᵀ
            z.assign(&layer.b);
            general_mat_mul(1.0, a, &layer.w, 1.0, z);
            if l + 1 < n {
                z.mapv_inplace(|v| v.max(0.0));
            }
        }
        Ok(())
    }

    /// Forward pass of a batch `x` `(batch, in)` into `out` `(batch, out)`.
    pub fn forward(&self, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> Result<()> {
        if x.ncols() != self.input_dim() {
            return Err(Error::DimensionMismatch {
                what: "MLP input width",
                expected: self.input_dim(),
                got: x.ncols(),
            });
        }
        if out.ncols() != self.output_dim() || out.nrows() != x.nrows() {
            return Err(Error::DimensionMismatch {
                what: "MLP output shape (columns)",
                expected: self.output_dim(),
                got: out.ncols(),
            });
        }
        let mut ws = Workspace::new();
        ws.prepare(self, x.nrows()).assign(&x);
        self.forward_ws(&mut ws)?;
        out.assign(&ws.output());
        Ok(())
    }

    /// Backward pass for the forward pass last run on `ws`: given ∂loss/∂output `d_out`
    /// `(batch, out)`, writes ∂loss/∂parameters into `grads` (overwriting) when given, and
    /// leaves ∂loss/∂input in [`Workspace::input_gradient`].
    ///
    /// Errors with [`Error::DimensionMismatch`] if `ws` was not run forward through this network,
    /// `d_out` is not `(batch, out)`, or `grads` is not shaped like this network.
    pub fn backward(
        &self,
        ws: &mut Workspace,
        d_out: ArrayView2<f64>,
        mut grads: Option<&mut Gradients>,
    ) -> Result<()> {
        let batch = ws.batch();
        if !ws.fits(self, batch) {
            return Err(Error::DimensionMismatch {
                what: "workspace input width (run Mlp::forward_ws with this network first)",
                expected: self.input_dim(),
                got: ws.acts[0].ncols(),
            });
        }
        if d_out.ncols() != self.output_dim() {
            return Err(Error::DimensionMismatch {
                what: "columns of d_out (network output size)",
                expected: self.output_dim(),
                got: d_out.ncols(),
            });
        }
        if d_out.nrows() != batch {
            return Err(Error::DimensionMismatch {
                what: "rows of d_out (batch of the forward pass)",
                expected: batch,
                got: d_out.nrows(),
            });
        }
        if let Some(g) = grads.as_deref() {
            let shaped = g.w.len() == self.layers.len()
                && g.b.len() == self.layers.len()
                && self
                    .layers
                    .iter()
                    .zip(g.w.iter().zip(&g.b))
                    .all(|(l, (w, b))| w.dim() == l.w.dim() && b.len() == l.b.len());
            if !shaped {
                return Err(Error::DimensionMismatch {
                    what: "gradient layers (Gradients::zeros_like this network)",
                    expected: self.layers.len(),
                    got: g.w.len(),
                });
            }
        }
        let n = self.layers.len();
        ws.deltas[n].assign(&d_out);
        for l in (0..n).rev() {
            let layer = &self.layers[l];
            let (head, tail) = ws.deltas.split_at_mut(l + 1);
            let delta = &tail[0];
            if let Some(g) = grads.as_deref_mut() {
                general_mat_mul(1.0, &ws.acts[l].t(), delta, 0.0, &mut g.w[l]);
                g.b[l].assign(&delta.sum_axis(Axis(0)));
            }
            let prev = &mut head[l];
            general_mat_mul(1.0, delta, &layer.w.t(), 0.0, prev);
            if l > 0 {
                // ReLU' = 1[pre-activation > 0] = 1[activation > 0].
                Zip::from(prev).and(&ws.acts[l]).for_each(|d, &a| {
                    if a <= 0.0 {
                        *d = 0.0
                    }
                });
            }
        }
        Ok(())
    }

    /// Applies `p ← p + c·g` to every parameter (used by optimisers and finite-difference tests).
    pub fn add_scaled(&mut self, c: f64, g: &Gradients) {
        for (l, layer) in self.layers.iter_mut().enumerate() {
            layer.w.scaled_add(c, &g.w[l]);
            layer.b.scaled_add(c, &g.b[l]);
        }
    }

    /// Mutable access to the parameters of layer `l` as `(W, b)` (shapes are fixed).
    pub fn params_mut(
        &mut self,
        l: usize,
    ) -> (ArrayViewMut2<'_, f64>, ndarray::ArrayViewMut1<'_, f64>) {
        let layer = &mut self.layers[l];
        (layer.w.view_mut(), layer.b.view_mut())
    }
}

/// The Adam optimiser (Kingma & Ba 2015) with bias correction.
#[derive(Debug, Clone)]
pub struct Adam {
    /// Exponential decay of the first moment (default 0.9).
    pub beta1: f64,
    /// Exponential decay of the second moment (default 0.999).
    pub beta2: f64,
    /// Denominator guard (default 1e-8).
    pub eps: f64,
    step: u64,
    m: Gradients,
    v: Gradients,
}

impl Adam {
    /// Adam state for `mlp` with the usual defaults (β₁ = 0.9, β₂ = 0.999, ε = 1e−8).
    pub fn new(mlp: &Mlp) -> Self {
        Self {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            step: 0,
            m: Gradients::zeros_like(mlp),
            v: Gradients::zeros_like(mlp),
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// One Adam update of `mlp` with gradients `g` and learning rate `lr`.
    pub fn update(&mut self, mlp: &mut Mlp, g: &Gradients, lr: f64) {
        self.step += 1;
        let (b1, b2, eps) = (self.beta1, self.beta2, self.eps);
        let c1 = 1.0 - b1.powi(self.step.min(i32::MAX as u64) as i32);
        let c2 = 1.0 - b2.powi(self.step.min(i32::MAX as u64) as i32);
        let step_size = lr / c1;
        let c2s = c2.sqrt();
        for (l, layer) in mlp.layers.iter_mut().enumerate() {
            Zip::from(&mut layer.w)
                .and(&mut self.m.w[l])
                .and(&mut self.v.w[l])
                .and(&g.w[l])
                .for_each(|p, m, v, &gr| {
                    *m = b1 * *m + (1.0 - b1) * gr;
                    *v = b2 * *v + (1.0 - b2) * gr * gr;
                    *p -= step_size * *m / (v.sqrt() / c2s + eps);
                });
            Zip::from(&mut layer.b)
                .and(&mut self.m.b[l])
                .and(&mut self.v.b[l])
                .and(&g.b[l])
                .for_each(|p, m, v, &gr| {
                    *m = b1 * *m + (1.0 - b1) * gr;
                    *v = b2 * *v + (1.0 - b2) * gr * gr;
                    *p -= step_size * *m / (v.sqrt() / c2s + eps);
                });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardiff_dist::rng::stream;

    /// loss(θ) = Σ c ⊙ net(x) for fixed random x, c: its gradient is backward(c).
    fn loss(mlp: &Mlp, x: &Array2<f64>, c: &Array2<f64>) -> f64 {
        let mut out = Array2::zeros((x.nrows(), mlp.output_dim()));
        mlp.forward(x.view(), out.view_mut()).unwrap();
        (&out * c).sum()
    }

    fn random_array(rng: &mut hardiff_dist::rng::Rng, shape: (usize, usize)) -> Array2<f64> {
        Array2::from_shape_simple_fn(shape, || StandardNormal.sample(rng))
    }

    #[test]
    fn parameter_and_input_gradients_match_finite_differences() {
        let mut rng = stream(1, "nn-mlp-fd", &[]);
        let mut mlp = Mlp::random(&[3, 7, 5, 2], 1.0, &mut rng).unwrap();
        // Non-zero biases so that the kinks are not all at the same place.
        for l in 0..3 {
            let (_, mut b) = mlp.params_mut(l);
            b.mapv_inplace(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                0.3 * z
            });
        }
        let x = random_array(&mut rng, (6, 3));
        let c = random_array(&mut rng, (6, 2));
        let mut ws = Workspace::new();
        ws.prepare(&mlp, 6).assign(&x);
        mlp.forward_ws(&mut ws).unwrap();
        let mut g = Gradients::zeros_like(&mlp);
        mlp.backward(&mut ws, c.view(), Some(&mut g)).unwrap();
        let dx = ws.input_gradient().to_owned();
        // Central differences; the loss is piecewise linear in θ, so away from kinks the
        // difference quotient is exact up to rounding (~1e-10 at h = 1e-6).
        let h = 1e-6;
        for l in 0..3 {
            let shape = mlp.layers()[l].weights().dim();
            for i in 0..shape.0 {
                for j in 0..shape.1 {
                    let mut p = mlp.clone();
                    p.params_mut(l).0[[i, j]] += h;
                    let mut m = mlp.clone();
                    m.params_mut(l).0[[i, j]] -= h;
                    let fd = (loss(&p, &x, &c) - loss(&m, &x, &c)) / (2.0 * h);
                    assert!(
                        (fd - g.w[l][[i, j]]).abs() < 1e-6,
                        "W{l}[{i},{j}]: fd {fd} vs {}",
                        g.w[l][[i, j]]
                    );
                }
                let _ = i;
            }
            for j in 0..shape.1 {
                let mut p = mlp.clone();
                p.params_mut(l).1[j] += h;
                let mut m = mlp.clone();
                m.params_mut(l).1[j] -= h;
                let fd = (loss(&p, &x, &c) - loss(&m, &x, &c)) / (2.0 * h);
                assert!((fd - g.b[l][j]).abs() < 1e-6, "b{l}[{j}]");
            }
        }
        for r in 0..6 {
            for k in 0..3 {
                let mut xp = x.clone();
                xp[[r, k]] += h;
                let mut xm = x.clone();
                xm[[r, k]] -= h;
                let fd = (loss(&mlp, &xp, &c) - loss(&mlp, &xm, &c)) / (2.0 * h);
                assert!((fd - dx[[r, k]]).abs() < 1e-6, "dx[{r},{k}]");
            }
        }
    }

    #[test]
    fn adam_minimises_a_linear_regression() {
        // A linear net (no hidden layer) fitted to y = x A: Adam must reach the exact A
        // (least squares with noiseless targets has A as its unique minimiser).
        let mut rng = stream(2, "nn-mlp-adam", &[]);
        let a = random_array(&mut rng, (4, 2));
        let mut mlp = Mlp::random(&[4, 2], 1.0, &mut rng).unwrap();
        let mut adam = Adam::new(&mlp);
        let mut ws = Workspace::new();
        let mut g = Gradients::zeros_like(&mlp);
        for _ in 0..3000 {
            let x = random_array(&mut rng, (32, 4));
            let y = x.dot(&a);
            ws.prepare(&mlp, 32).assign(&x);
            mlp.forward_ws(&mut ws).unwrap();
            let d = (&ws.output() - &y) * (2.0 / 32.0);
            mlp.backward(&mut ws, d.view(), Some(&mut g)).unwrap();
            adam.update(&mut mlp, &g, 1e-2 * 0.999f64.powi(adam.steps() as i32));
        }
        let w = mlp.layers()[0].weights();
        let err = (&w - &a).iter().map(|v| v.abs()).fold(0.0, f64::max);
        assert!(err < 1e-3, "max |W - A| = {err}");
    }

    #[test]
    fn constructors_validate() {
        let mut rng = stream(3, "nn-mlp-ctor", &[]);
        assert!(Mlp::random(&[3], 1.0, &mut rng).is_err());
        assert!(Mlp::random(&[3, 0, 1], 1.0, &mut rng).is_err());
        assert!(Dense::new(Array2::zeros((2, 3)), Array1::zeros(2)).is_err());
        let l1 = Dense::new(Array2::zeros((2, 3)), Array1::zeros(3)).unwrap();
        let l2 = Dense::new(Array2::zeros((4, 1)), Array1::zeros(1)).unwrap();
        assert!(Mlp::from_layers(vec![l1, l2]).is_err());
    }

    #[test]
    fn unprepared_or_mismatched_workspaces_are_errors_not_panics() {
        let mut rng = stream(4, "nn-mlp-ws", &[]);
        let mlp = Mlp::random(&[3, 5, 2], 1.0, &mut rng).unwrap();
        // A new workspace holds no batch for this network: a typed error (was a panic).
        let mut ws = Workspace::new();
        assert_eq!(ws.output().dim(), (0, 0));
        assert_eq!(ws.input_gradient().dim(), (0, 0));
        let err = mlp.forward_ws(&mut ws).unwrap_err();
        assert!(
            matches!(
                err,
                Error::DimensionMismatch {
                    expected: 3,
                    got: 0,
                    ..
                }
            ),
            "{err}"
        );
        let d = Array2::zeros((4, 2));
        assert!(mlp.backward(&mut ws, d.view(), None).is_err());

        // Sized for another network with the same input width: the buffers downstream of the
        // input grow to fit, and the output equals `forward`'s.
        let other = Mlp::random(&[3, 7, 7, 4], 1.0, &mut rng).unwrap();
        let x = random_array(&mut rng, (4, 3));
        ws.prepare(&other, 4).assign(&x);
        mlp.forward_ws(&mut ws).unwrap();
        let mut expected = Array2::zeros((4, 2));
        mlp.forward(x.view(), expected.view_mut()).unwrap();
        assert_eq!(ws.output(), expected);

        // Wrong d_out or gradient shapes are errors too.
        assert!(mlp
            .backward(&mut ws, Array2::zeros((4, 3)).view(), None)
            .is_err());
        assert!(mlp
            .backward(&mut ws, Array2::zeros((5, 2)).view(), None)
            .is_err());
        let mut wrong = Gradients::zeros_like(&other);
        assert!(mlp.backward(&mut ws, d.view(), Some(&mut wrong)).is_err());
        let mut g = Gradients::zeros_like(&mlp);
        mlp.backward(&mut ws, d.view(), Some(&mut g)).unwrap();

        // An input buffer of the wrong width (prepared for a network with other inputs).
        let wide = Mlp::random(&[6, 2], 1.0, &mut rng).unwrap();
        ws.prepare(&wide, 4);
        assert!(mlp.forward_ws(&mut ws).is_err());
    }
}
