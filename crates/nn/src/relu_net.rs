//! ReLU networks built by construction (docs/math.md §5 "As a ReLU network"): a graph builder in
//! which every value is an affine form over inputs and ReLU neurons, and its compilation to a
//! strictly layered sparse network whose size can be counted honestly.
//!
//! **Model.** A [`ReluNetwork`] is a sequence of affine maps A_1, …, A_L with ReLU after each
//! but the last: h_0 = x, h_k = ReLU(A_k h_{k−1}) for k < L, output A_L h_{L−1}. Its
//! **depth** is L (the number of affine maps), its **neurons** are the hidden units
//! Σ_{k<L} dim h_k, and its **weights** are the nonzero entries of all A_k (biases not counted).
//! Connections only join consecutive layers: no skip connections.
//!
//! **Building.** A [`ReluGraph`] holds neurons N_j = ReLU(form_j) where a form ([`Affine`]) is
//! Σ c·(input or neuron) + constant; gadgets ([`crate::gadgets`]) combine forms. Compilation
//! ([`ReluGraph::compile`]) keeps only neurons the outputs need, places each at depth
//! 1 + (depth of its deepest source) and carries values across layers by pass-through neurons:
//! a neuron (≥ 0) is carried by ReLU(N) = N, one unit per layer; an input coordinate that may be
//! negative is split once into ReLU(x) and ReLU(−x) and those are carried (two units per layer),
//! unless the graph was told the input is ≥ 0. Pass-throughs are counted as neurons: they are
//! the price of a plain layered ReLU network.
//!
//! Simplifications that keep the graph small and are exact for every input: ReLU of a form that
//! is ≥ 0 for all inputs (nonnegative combination of neurons and nonnegative inputs with a
//! nonnegative constant) is the form itself; ReLU of a form that is ≤ 0 everywhere is 0;
//! identical forms share one neuron (structural hashing).

use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::{Add, Mul, Neg, Sub};

/// A source of an affine form: an input coordinate or a neuron of a [`ReluGraph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    /// Input coordinate i.
    Input(usize),
    /// Neuron j of the graph.
    Neuron(usize),
}

/// An affine form Σ c·node + constant (terms sorted by node, no zero coefficients).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Affine {
    terms: Vec<(Node, f64)>,
    constant: f64,
}

impl Affine {
    /// The constant form c.
    pub fn constant(c: f64) -> Self {
        Self {
            terms: Vec::new(),
            constant: c,
        }
    }
    /// The form 1·node.
    pub fn node(node: Node) -> Self {
        Self {
            terms: vec![(node, 1.0)],
            constant: 0.0,
        }
    }
    /// The terms (node, coefficient), sorted by node.
    pub fn terms(&self) -> &[(Node, f64)] {
        &self.terms
    }
    /// The constant part.
    pub fn constant_part(&self) -> f64 {
        self.constant
    }
    /// Whether the form has no node terms.
    pub fn is_constant(&self) -> bool {
        self.terms.is_empty()
    }
    /// Σ a·x + b·y + constants, merged and cleaned.
    fn combine(a: f64, x: &Affine, b: f64, y: &Affine) -> Affine {
        let mut terms = Vec::with_capacity(x.terms.len() + y.terms.len());
        let (mut i, mut j) = (0, 0);
        while i < x.terms.len() || j < y.terms.len() {
            let take_x = j >= y.terms.len() || (i < x.terms.len() && x.terms[i].0 < y.terms[j].0);
            let take_y = i >= x.terms.len() || (j < y.terms.len() && y.terms[j].0 < x.terms[i].0);
            let (node, c) = if take_x {
                i += 1;
                (x.terms[i - 1].0, a * x.terms[i - 1].1)
            } else if take_y {
                j += 1;
                (y.terms[j - 1].0, b * y.terms[j - 1].1)
            } else {
                i += 1;
                j += 1;
                (
                    x.terms[i - 1].0,
                    a * x.terms[i - 1].1 + b * y.terms[j - 1].1,
                )
            };
            if c != 0.0 {
                terms.push((node, c));
            }
        }
        Affine {
            terms,
            constant: a * x.constant + b * y.constant,
        }
    }
    /// Σ_k c_k·form_k, merged once: O(T log T) for T terms in all. Folding the sum pairwise
    /// (`acc = &acc + &(form * c)`) re-merges the accumulator at every step, O(T²) for a long
    /// sum such as a piecewise-linear function with 10⁵ knots — the cost that dominated
    /// building g̃'s score network. The coefficients of a node are added in the order the forms
    /// are given and zeros are dropped, so the result equals the pairwise fold exactly.
    pub fn sum_scaled<'a>(parts: impl IntoIterator<Item = (f64, &'a Affine)>) -> Affine {
        let mut terms: Vec<(Node, f64)> = Vec::new();
        let mut constant = 0.0;
        for (c, form) in parts {
            constant += c * form.constant;
            terms.extend(form.terms.iter().map(|&(node, v)| (node, c * v)));
        }
        // Stable: equal nodes keep the order of the parts, so their sums are the fold's.
        terms.sort_by_key(|&(node, _)| node);
        let mut merged: Vec<(Node, f64)> = Vec::with_capacity(terms.len());
        for (node, c) in terms {
            match merged.last_mut() {
                Some((last, acc)) if *last == node => *acc += c,
                _ => merged.push((node, c)),
            }
        }
        merged.retain(|&(_, c)| c != 0.0);
        Affine {
            terms: merged,
            constant,
        }
    }
    /// c·self.
    pub fn scale(&self, c: f64) -> Affine {
        Affine::combine(c, self, 0.0, &Affine::default())
    }
    /// Evaluates the form given input values and neuron values.
    pub fn eval(&self, inputs: &[f64], neurons: &[f64]) -> f64 {
        self.constant
            + self
                .terms
                .iter()
                .map(|&(n, c)| {
                    c * match n {
                        Node::Input(i) => inputs[i],
                        Node::Neuron(j) => neurons[j],
                    }
                })
                .sum::<f64>()
    }
    /// A hashable key (exact bit patterns).
    fn key(&self) -> FormKey {
        (
            self.terms.iter().map(|&(n, c)| (n, c.to_bits())).collect(),
            self.constant.to_bits(),
        )
    }
}

impl Add<&Affine> for &Affine {
    type Output = Affine;
    fn add(self, rhs: &Affine) -> Affine {
        Affine::combine(1.0, self, 1.0, rhs)
    }
}
impl Sub<&Affine> for &Affine {
    type Output = Affine;
    fn sub(self, rhs: &Affine) -> Affine {
        Affine::combine(1.0, self, -1.0, rhs)
    }
}
impl Add<f64> for &Affine {
    type Output = Affine;
    fn add(self, rhs: f64) -> Affine {
        let mut a = self.clone();
        a.constant += rhs;
        a
    }
}
impl Mul<f64> for &Affine {
    type Output = Affine;
    fn mul(self, rhs: f64) -> Affine {
        self.scale(rhs)
    }
}
impl Neg for &Affine {
    type Output = Affine;
    fn neg(self) -> Affine {
        self.scale(-1.0)
    }
}

/// A ReLU network under construction (see the module docs).
#[derive(Debug, Clone)]
pub struct ReluGraph {
    n_inputs: usize,
    nonneg_input: Vec<bool>,
    neurons: Vec<Affine>,
    /// depth[j] = 1 + the largest depth among neuron j's sources (inputs have depth 0).
    depths: Vec<usize>,
    dedup: FastMap<FormKey, usize>,
}

impl ReluGraph {
    /// A graph over `n_inputs` real inputs.
    pub fn new(n_inputs: usize) -> Self {
        Self {
            n_inputs,
            nonneg_input: vec![false; n_inputs],
            neurons: Vec::new(),
            depths: Vec::new(),
            dedup: FastMap::default(),
        }
    }

    /// A graph whose inputs are declared ≥ 0 on the domain of interest (e.g. bits in {0, 1}):
    /// they are carried across layers by one unit, ReLU(x) = x, instead of two. The compiled
    /// network equals the graph only on inputs that satisfy the declaration.
    pub fn with_nonnegative_inputs(n_inputs: usize) -> Self {
        Self {
            nonneg_input: vec![true; n_inputs],
            ..Self::new(n_inputs)
        }
    }

    /// Number of inputs.
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// The form of neuron `j` (the neuron is ReLU of it).
    pub(crate) fn neuron_form(&self, j: usize) -> &Affine {
        &self.neurons[j]
    }

    /// Number of neurons created so far (before pruning and layering).
    pub fn n_graph_neurons(&self) -> usize {
        self.neurons.len()
    }

    /// The form x_i; errors if `i` is out of range.
    pub fn input(&self, i: usize) -> Result<Affine> {
        if i >= self.n_inputs {
            return Err(Error::DimensionMismatch {
                what: "input index (must be < number of inputs)",
                expected: self.n_inputs,
                got: i,
            });
        }
        Ok(Affine::node(Node::Input(i)))
    }

    fn sign_known(&self, f: &Affine) -> Option<bool> {
        // Some(true): f ≥ 0 everywhere; Some(false): f ≤ 0 everywhere.
        let all = |pos: bool| {
            let c_ok = if pos {
                f.constant >= 0.0
            } else {
                f.constant <= 0.0
            };
            c_ok && f.terms.iter().all(|&(n, c)| {
                let nonneg_node = match n {
                    Node::Neuron(_) => true,
                    Node::Input(i) => self.nonneg_input[i],
                };
                nonneg_node && if pos { c >= 0.0 } else { c <= 0.0 }
            })
        };
        if all(true) {
            Some(true)
        } else if all(false) {
            Some(false)
        } else {
            None
        }
    }

    /// The layer at which `form` is first available: the largest depth of its neurons (0 for
    /// forms of inputs and constants). Compilation places every neuron at exactly this depth.
    pub fn depth(&self, form: &Affine) -> usize {
        form.terms
            .iter()
            .map(|&(n, _)| match n {
                Node::Input(_) => 0,
                Node::Neuron(j) => self.depths[j],
            })
            .max()
            .unwrap_or(0)
    }

    /// ReLU(form), as a form (a new neuron unless simplified; see the module docs).
    pub fn relu(&mut self, form: &Affine) -> Affine {
        match self.sign_known(form) {
            Some(true) => return form.clone(),
            Some(false) => return Affine::constant(0.0),
            None => {}
        }
        self.new_neuron(form)
    }

    /// ReLU(form) as a single neuron even when the form is known to be ≥ 0 (then the neuron
    /// equals the form): *materialises* a many-term form so that later layers carry one unit
    /// instead of one per term. Constants stay constants and a lone neuron is returned as is.
    pub fn materialise(&mut self, form: &Affine) -> Affine {
        if form.is_constant() {
            return Affine::constant(form.constant.max(0.0));
        }
        if form.constant == 0.0 && form.terms.len() == 1 {
            if let (Node::Neuron(_), c) = form.terms[0] {
                if c == 1.0 {
                    return form.clone();
                }
            }
        }
        self.new_neuron(form)
    }

    fn new_neuron(&mut self, form: &Affine) -> Affine {
        let key = form.key();
        let id = match self.dedup.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.neurons.len();
                self.depths.push(1 + self.depth(form));
                self.neurons.push(form.clone());
                self.dedup.insert(key, id);
                id
            }
        };
        Affine::node(Node::Neuron(id))
    }

    /// Evaluates the graph directly (no layering) on one input: the reference for tests of
    /// [`ReluGraph::compile`].
    pub fn eval_direct(&self, input: &[f64], outputs: &[Affine]) -> Vec<f64> {
        let mut vals = Vec::with_capacity(self.neurons.len());
        for f in &self.neurons {
            let v = f.eval(input, &vals).max(0.0);
            vals.push(v);
        }
        outputs.iter().map(|o| o.eval(input, &vals)).collect()
    }

    /// Compiles the forms `outputs` into a layered [`ReluNetwork`] (module docs).
    pub fn compile(&self, outputs: &[Affine]) -> Result<ReluNetwork> {
        for o in outputs {
            for &(n, _) in &o.terms {
                let ok = match n {
                    Node::Input(i) => i < self.n_inputs,
                    Node::Neuron(j) => j < self.neurons.len(),
                };
                if !ok {
                    return Err(Error::Invalid(format!(
                        "output form refers to {n:?}, which is not in this graph"
                    )));
                }
            }
        }
        // 1. Needed neurons (reverse reachability; neurons only refer to earlier neurons).
        let mut needed = vec![false; self.neurons.len()];
        for o in outputs {
            for &(n, _) in &o.terms {
                if let Node::Neuron(j) = n {
                    needed[j] = true;
                }
            }
        }
        for j in (0..self.neurons.len()).rev() {
            if needed[j] {
                for &(n, _) in &self.neurons[j].terms {
                    if let Node::Neuron(k) = n {
                        needed[k] = true;
                    }
                }
            }
        }
        // 2. Depths.
        let mut depth = vec![0usize; self.neurons.len()];
        let node_depth = |n: Node, depth: &[usize]| match n {
            Node::Input(_) => 0,
            Node::Neuron(j) => depth[j],
        };
        for j in 0..self.neurons.len() {
            if needed[j] {
                depth[j] = 1 + self.neurons[j]
                    .terms
                    .iter()
                    .map(|&(n, _)| node_depth(n, &depth))
                    .max()
                    .unwrap_or(0);
            }
        }
        let out_depth = 1 + outputs
            .iter()
            .flat_map(|o| o.terms.iter().map(|&(n, _)| node_depth(n, &depth)))
            .max()
            .unwrap_or(0);
        // 3. Layers: rows[k-1] holds the rows of hidden layer k (1-based), each a sparse row
        //    over layer k−1 (layer 0 = the inputs).
        let mut lay = Layering {
            rows: vec![Vec::new(); out_depth - 1],
            unit: FastMap::default(),
            row_ids: FastMap::default(),
        };
        for j in 0..self.neurons.len() {
            if needed[j] {
                let row = self.express(&self.neurons[j], depth[j], &mut lay);
                let idx = lay.push(depth[j], row);
                lay.unit.insert((Key::Neuron(j), depth[j]), idx);
            }
        }
        let out_rows: Vec<SparseRow> = outputs
            .iter()
            .map(|o| self.express(o, out_depth, &mut lay))
            .collect();
        let mut widths = vec![self.n_inputs];
        widths.extend(lay.rows.iter().map(Vec::len));
        let mut layers: Vec<SparseLayer> = lay
            .rows
            .into_iter()
            .zip(widths.iter())
            .map(|(rows, &n_in)| SparseLayer::from_rows(n_in, rows))
            .collect();
        layers.push(SparseLayer::from_rows(
            *widths.last().expect("≥ 1 width"),
            out_rows,
        ));
        ReluNetwork::new(self.n_inputs, layers)
    }

    /// The sparse row of `form` over the units of layer `layer − 1`, creating pass-throughs.
    fn express(&self, form: &Affine, layer: usize, lay: &mut Layering) -> SparseRow {
        let mut entries: Vec<(usize, f64)> = Vec::with_capacity(form.terms.len());
        for &(n, c) in &form.terms {
            match n {
                Node::Input(i) if layer == 1 => entries.push((i, c)),
                Node::Input(i) => {
                    let p = lay.get(Key::InputPos(i), layer - 1);
                    entries.push((p, c));
                    if !self.nonneg_input[i] {
                        let q = lay.get(Key::InputNeg(i), layer - 1);
                        entries.push((q, -c));
                    }
                }
                Node::Neuron(j) => entries.push((lay.get(Key::Neuron(j), layer - 1), c)),
            }
        }
        SparseRow::new(entries, form.constant)
    }
}

/// What a hidden unit carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Neuron(usize),
    InputPos(usize),
    InputNeg(usize),
}

struct Layering {
    rows: Vec<Vec<SparseRow>>,
    /// (what, layer) → unit index in that hidden layer.
    unit: FastMap<(Key, usize), usize>,
    /// (layer, row) → unit index: identical rows in one layer are one unit.
    row_ids: FastMap<RowKey, usize>,
}

/// The multiply-rotate hash of rustc (FxHash): the graph's maps hash millions of small integer
/// keys while a g̃ network is built, where std's SipHash was a fifth of the build time. Keys are
/// the graph's own structure, not adversarial input, so HashDoS resistance is not needed; the
/// maps are only looked up, never iterated, so the hash cannot change any output.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// (layer, entries as exact bit patterns, bias bits): identifies a unit's row.
type RowKey = (usize, Vec<(usize, u64)>, u64);
/// A form's terms and constant as exact bit patterns (structural hashing).
type FormKey = (Vec<(Node, u64)>, u64);

impl Layering {
    /// Adds `row` to hidden layer `layer` (≥ 1), or returns the unit that already computes it.
    fn push(&mut self, layer: usize, row: SparseRow) -> usize {
        let key = (
            layer,
            row.entries.iter().map(|&(i, c)| (i, c.to_bits())).collect(),
            row.bias.to_bits(),
        );
        if let Some(&u) = self.row_ids.get(&key) {
            return u;
        }
        let idx = self.rows[layer - 1].len();
        self.rows[layer - 1].push(row);
        self.row_ids.insert(key, idx);
        idx
    }

    /// The unit carrying `key` in hidden layer `layer` (≥ 1), creating pass-throughs.
    fn get(&mut self, key: Key, layer: usize) -> usize {
        if let Some(&u) = self.unit.get(&(key, layer)) {
            return u;
        }
        let row = match key {
            Key::InputPos(i) if layer == 1 => SparseRow::new(vec![(i, 1.0)], 0.0),
            Key::InputNeg(i) if layer == 1 => SparseRow::new(vec![(i, -1.0)], 0.0),
            Key::Neuron(_) | Key::InputPos(_) | Key::InputNeg(_) => {
                // Neurons are placed before anything asks for them, so reaching here for a
                // neuron means layer > its depth: carry it from the previous layer.
                let prev = self.get(key, layer - 1);
                SparseRow::new(vec![(prev, 1.0)], 0.0)
            }
        };
        let idx = self.push(layer, row);
        self.unit.insert((key, layer), idx);
        idx
    }
}

/// One row of a sparse affine map.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SparseRow {
    pub(crate) entries: Vec<(usize, f64)>,
    pub(crate) bias: f64,
}

impl SparseRow {
    /// Sorts the entries by index, adds duplicates in the order given and drops zeros (the
    /// same normalisation as compilation, so rows built outside it compare equal).
    pub(crate) fn new(mut entries: Vec<(usize, f64)>, bias: f64) -> Self {
        entries.sort_by_key(|e| e.0);
        let mut merged: Vec<(usize, f64)> = Vec::with_capacity(entries.len());
        for (i, c) in entries {
            match merged.last_mut() {
                Some(last) if last.0 == i => last.1 += c,
                _ => merged.push((i, c)),
            }
        }
        merged.retain(|e| e.1 != 0.0);
        Self {
            entries: merged,
            bias,
        }
    }
}

/// A sparse affine map R^{n_in} → R^{n_out} in compressed-row form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparseLayer {
    n_in: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    weights: Vec<f64>,
    bias: Vec<f64>,
}

impl SparseLayer {
    /// The layer from its rows (each already normalised by [`SparseRow::new`]).
    pub(crate) fn from_rows(n_in: usize, rows: Vec<SparseRow>) -> Self {
        let mut indptr = vec![0];
        let mut indices = Vec::new();
        let mut weights = Vec::new();
        let mut bias = Vec::with_capacity(rows.len());
        for r in rows {
            for (i, c) in r.entries {
                indices.push(i as u32);
                weights.push(c);
            }
            indptr.push(indices.len());
            bias.push(r.bias);
        }
        Self {
            n_in,
            indptr,
            indices,
            weights,
            bias,
        }
    }
    /// Input width.
    pub fn n_in(&self) -> usize {
        self.n_in
    }
    /// Row `u` as (input indices, weights, bias).
    pub(crate) fn row(&self, u: usize) -> (&[u32], &[f64], f64) {
        let (lo, hi) = (self.indptr[u], self.indptr[u + 1]);
        (&self.indices[lo..hi], &self.weights[lo..hi], self.bias[u])
    }
    /// Row `u` as a [`SparseRow`], its input indices mapped by `map`.
    pub(crate) fn row_mapped(&self, u: usize, map: impl Fn(usize) -> usize) -> SparseRow {
        let (idx, w, b) = self.row(u);
        SparseRow {
            entries: idx
                .iter()
                .zip(w)
                .map(|(&i, &c)| (map(i as usize), c))
                .collect(),
            bias: b,
        }
    }
    /// Output width.
    pub fn n_out(&self) -> usize {
        self.bias.len()
    }
    /// Number of nonzero weights.
    pub fn nnz(&self) -> usize {
        self.weights.len()
    }
    /// Largest |weight| or |bias|.
    pub fn max_abs_parameter(&self) -> f64 {
        self.weights
            .iter()
            .chain(&self.bias)
            .fold(0.0, |m, v| m.max(v.abs()))
    }
    /// The dense matrix `(n_in, n_out)` of this layer (for export to a dense MLP).
    pub fn to_dense(&self) -> (Array2<f64>, ndarray::Array1<f64>) {
        let mut w = Array2::zeros((self.n_in, self.n_out()));
        for o in 0..self.n_out() {
            for k in self.indptr[o]..self.indptr[o + 1] {
                w[[self.indices[k] as usize, o]] += self.weights[k];
            }
        }
        (w, ndarray::Array1::from(self.bias.clone()))
    }
    fn apply_row(&self, inp: &[f64], out: &mut [f64], relu: bool) {
        for (u, o) in out.iter_mut().enumerate() {
            let (lo, hi) = (self.indptr[u], self.indptr[u + 1]);
            let mut acc = self.bias[u];
            for (&w, &i) in self.weights[lo..hi].iter().zip(&self.indices[lo..hi]) {
                acc += w * inp[i as usize];
            }
            *o = if relu { acc.max(0.0) } else { acc };
        }
    }
}

/// Size of a ReLU network (module docs for the definitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkSize {
    /// Hidden units (pass-throughs included).
    pub neurons: usize,
    /// Nonzero weights over all affine maps.
    pub weights: usize,
    /// Number of affine maps (hidden layers + 1).
    pub depth: usize,
}

/// Activations per evaluation block and layer above which a layer is fused with the next (see
/// [`ReluNetwork::eval`]): 2 MiB of `f64`.
const ACTIVATIONS_PER_BLOCK: usize = 1 << 18;

/// A layered sparse ReLU network (module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReluNetwork {
    n_inputs: usize,
    layers: Vec<SparseLayer>,
}

impl ReluNetwork {
    /// The network from its layers (widths checked).
    pub(crate) fn new(n_inputs: usize, layers: Vec<SparseLayer>) -> Result<Self> {
        let mut width = n_inputs;
        for l in &layers {
            if l.n_in != width {
                return Err(Error::DimensionMismatch {
                    what: "sparse layer input width",
                    expected: width,
                    got: l.n_in,
                });
            }
            width = l.n_out();
        }
        if layers.is_empty() {
            return Err(Error::Invalid("a network needs at least one layer".into()));
        }
        Ok(Self { n_inputs, layers })
    }
    /// Input width.
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }
    /// Output width.
    pub fn n_outputs(&self) -> usize {
        self.layers.last().expect("≥ 1 layer").n_out()
    }
    /// The affine maps, first to last (ReLU after all but the last).
    pub fn layers(&self) -> &[SparseLayer] {
        &self.layers
    }
    /// Neurons, nonzero weights and depth.
    pub fn size(&self) -> NetworkSize {
        NetworkSize {
            neurons: self.layers[..self.layers.len() - 1]
                .iter()
                .map(SparseLayer::n_out)
                .sum(),
            weights: self.layers.iter().map(SparseLayer::nnz).sum(),
            depth: self.layers.len(),
        }
    }
    /// Evaluates on a batch `(batch, n_inputs)` into `out` `(batch, n_outputs)`.
    pub fn eval(&self, x: ArrayView2<f64>, mut out: ArrayViewMut2<f64>) -> Result<()> {
        if x.ncols() != self.n_inputs {
            return Err(Error::DimensionMismatch {
                what: "network input width",
                expected: self.n_inputs,
                got: x.ncols(),
            });
        }
        if out.ncols() != self.n_outputs() || out.nrows() != x.nrows() {
            return Err(Error::DimensionMismatch {
                what: "network output width",
                expected: self.n_outputs(),
                got: out.ncols(),
            });
        }
        // Rows are independent: run them through the layers in blocks of 16, so the activations
        // stay small and in cache instead of one (batch × width) array per layer, and spread
        // the blocks over rayon's pool (the global pool unless the caller installs another).
        // Each block's activation buffers are allocated once and reused layer after layer; a
        // layer too wide for 16 rows of it to stay in cache (g̃'s interpolants: 10⁵–10⁶ units)
        // is fused with the next one, one row at a time. Each row's arithmetic is the same
        // whatever the block, the fusion or the thread, so the output does not depend on the
        // thread count.
        const ROWS_PER_BLOCK: usize = 16;
        let blocks: Vec<(ArrayView2<f64>, ArrayViewMut2<f64>)> = x
            .axis_chunks_iter(Axis(0), ROWS_PER_BLOCK)
            .zip(out.axis_chunks_iter_mut(Axis(0), ROWS_PER_BLOCK))
            .collect();
        blocks
            .into_par_iter()
            .for_each(|(xb, ob)| self.eval_block(xb, ob));
        Ok(())
    }
    /// One block of rows through every layer (see [`ReluNetwork::eval`]).
    fn eval_block(&self, xb: ArrayView2<f64>, mut ob: ArrayViewMut2<f64>) {
        let b = xb.nrows();
        let last = self.layers.len() - 1;
        let narrow = |w: usize| b * w <= ACTIVATIONS_PER_BLOCK;
        let buf = self
            .layers
            .iter()
            .map(SparseLayer::n_out)
            .chain(std::iter::once(xb.ncols()))
            .filter(|&w| narrow(w))
            .max()
            .unwrap_or(1);
        let mut cur = vec![0.0; b * buf.max(xb.ncols())];
        let mut next = vec![0.0; b * buf];
        let mut scratch: Vec<f64> = Vec::new();
        let mut w_in = xb.ncols();
        for (r, row) in xb.rows().into_iter().enumerate() {
            for (k, v) in row.iter().enumerate() {
                cur[r * w_in + k] = *v;
            }
        }
        // The last map writes straight into the output rows.
        let mut write_out = |r: usize, f: &mut dyn FnMut(&mut [f64])| {
            let mut o = ob.row_mut(r);
            match o.as_slice_mut() {
                Some(o) => f(o),
                None => {
                    let mut tmp = vec![0.0; o.len()];
                    f(&mut tmp);
                    o.assign(&ndarray::ArrayView1::from(&tmp));
                }
            }
        };
        let mut k = 0;
        while k <= last {
            let l = &self.layers[k];
            let w_out = l.n_out();
            if k == last {
                for r in 0..b {
                    let inp = &cur[r * w_in..(r + 1) * w_in];
                    write_out(r, &mut |o| l.apply_row(inp, o, false));
                }
                k += 1;
            } else if !narrow(w_out) {
                // Fuse layers k and k + 1 row by row through one scratch row of layer k.
                let l2 = &self.layers[k + 1];
                let w2 = l2.n_out();
                scratch.resize(w_out, 0.0);
                for r in 0..b {
                    l.apply_row(&cur[r * w_in..(r + 1) * w_in], &mut scratch, true);
                    if k + 1 == last {
                        write_out(r, &mut |o| l2.apply_row(&scratch, o, false));
                    } else {
                        if next.len() < b * w2 {
                            next.resize(b * w2, 0.0);
                        }
                        l2.apply_row(&scratch, &mut next[r * w2..(r + 1) * w2], true);
                    }
                }
                if k + 1 < last {
                    std::mem::swap(&mut cur, &mut next);
                    w_in = w2;
                }
                k += 2;
            } else {
                for r in 0..b {
                    l.apply_row(
                        &cur[r * w_in..(r + 1) * w_in],
                        &mut next[r * w_out..(r + 1) * w_out],
                        true,
                    );
                }
                std::mem::swap(&mut cur, &mut next);
                w_in = w_out;
                k += 1;
            }
        }
    }
    /// The same network as a dense [`crate::mlp::Mlp`] (zeros filled in): for small networks
    /// that should run through dense matrix products.
    pub fn to_mlp(&self) -> Result<crate::mlp::Mlp> {
        let layers = self
            .layers
            .iter()
            .map(|l| {
                let (w, b) = l.to_dense();
                crate::mlp::Dense::new(w, b)
            })
            .collect::<Result<Vec<_>>>()?;
        crate::mlp::Mlp::from_layers(layers)
    }

    /// Evaluates on a batch, allocating the output.
    pub fn eval_owned(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), self.n_outputs()));
        self.eval(x, out.view_mut())?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardiff_dist::rng::stream;
    use rand::Rng;

    #[test]
    fn compiled_network_equals_the_graph() {
        // A random graph with long-range references (forcing pass-throughs of neurons and of
        // signed inputs) must evaluate identically after layering.
        let mut rng = stream(11, "nn-relu-graph", &[]);
        let mut g = ReluGraph::new(3);
        let mut forms: Vec<Affine> = (0..3).map(|i| g.input(i).unwrap()).collect();
        for _ in 0..40 {
            let a = &forms[rng.random_range(0..forms.len())];
            let b = &forms[rng.random_range(0..forms.len())];
            let f = &(&(a * rng.random_range(-1.5..1.5)) + &(b * rng.random_range(-1.5..1.5)))
                + rng.random_range(-0.5..0.5);
            let n = g.relu(&f);
            forms.push(n);
        }
        let outs = vec![
            &forms[5] - &forms[40],
            &(&forms[0] + &forms[42]) + 0.25,
            forms[1].clone(),
        ];
        let net = g.compile(&outs).unwrap();
        let size = net.size();
        assert!(size.depth >= 2);
        let dense = net.to_mlp().unwrap();
        for _ in 0..200 {
            let x: Vec<f64> = (0..3).map(|_| rng.random_range(-3.0..3.0)).collect();
            let direct = g.eval_direct(&x, &outs);
            let xa = ndarray::Array2::from_shape_vec((1, 3), x.clone()).unwrap();
            let layered = net.eval_owned(xa.view()).unwrap();
            // The dense export computes the same function.
            let mut dense_out = ndarray::Array2::zeros((1, 3));
            dense.forward(xa.view(), dense_out.view_mut()).unwrap();
            assert!((&dense_out - &layered).iter().all(|v| v.abs() < 1e-9));
            for k in 0..3 {
                // Same arithmetic up to summation order: agree to rounding.
                assert!(
                    (direct[k] - layered[[0, k]]).abs() <= 1e-9 * (1.0 + direct[k].abs()),
                    "output {k}: {} vs {}",
                    direct[k],
                    layered[[0, k]]
                );
            }
        }
    }

    #[test]
    fn batch_evaluation_is_row_exact_on_any_thread_count() {
        // A batch of 203 rows (not a multiple of the block size) through a random network:
        // every row equals its own one-row evaluation bit for bit, on 1 and on 3 threads, and
        // through a non-contiguous (transposed-layout) output buffer.
        let mut rng = stream(12, "nn-relu-graph-batch", &[]);
        let mut g = ReluGraph::new(4);
        let mut forms: Vec<Affine> = (0..4).map(|i| g.input(i).unwrap()).collect();
        for _ in 0..30 {
            let a = &forms[rng.random_range(0..forms.len())];
            let b = &forms[rng.random_range(0..forms.len())];
            let f = &(&(a * rng.random_range(-1.5..1.5)) + &(b * rng.random_range(-1.5..1.5)))
                + rng.random_range(-0.5..0.5);
            forms.push(g.relu(&f));
        }
        let outs = vec![&forms[7] - &forms[33], forms[30].clone()];
        let net = g.compile(&outs).unwrap();
        let x = ndarray::Array2::from_shape_fn((203, 4), |_| rng.random_range(-3.0..3.0));
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| net.eval_owned(x.view()).unwrap())
        };
        let (one, three) = (on(1), on(3));
        assert_eq!(one, three);
        let mut transposed = ndarray::Array2::zeros((2, 203));
        net.eval(x.view(), transposed.view_mut().reversed_axes())
            .unwrap();
        assert_eq!(transposed.t(), one);
        for (i, row) in x.rows().into_iter().enumerate() {
            let single = net.eval_owned(row.insert_axis(Axis(0))).unwrap();
            assert_eq!(single.row(0), one.row(i), "row {i}");
        }
    }

    #[test]
    fn wide_layers_are_fused_without_changing_a_bit() {
        // 20 000 units in layer 1: a block of 16 rows exceeds ACTIVATIONS_PER_BLOCK, so the
        // batch runs layers 1–2 fused row by row, while a single row runs them unfused; both
        // must give the same bits, and agree with the direct graph evaluation to rounding.
        let mut g = ReluGraph::new(2);
        let (x, y) = (g.input(0).unwrap(), g.input(1).unwrap());
        let units: Vec<Affine> = (0..20_000)
            .map(|k| g.relu(&(&x + -(k as f64) * 1e-4)))
            .collect();
        let parts: Vec<(f64, &Affine)> = units
            .iter()
            .enumerate()
            .map(|(k, u)| (((k % 7) as f64 - 3.0) * 0.5, u))
            .collect();
        let v = Affine::sum_scaled(parts);
        let pos = g.relu(&v);
        let out = vec![&pos + &y, v.clone()];
        let net = g.compile(&out).unwrap();
        assert!(16 * net.layers()[0].n_out() > ACTIVATIONS_PER_BLOCK);
        let mut rng = stream(13, "nn-relu-wide", &[]);
        let xs = ndarray::Array2::from_shape_fn((37, 2), |_| rng.random_range(-0.5..2.5));
        let batch = net.eval_owned(xs.view()).unwrap();
        for (i, row) in xs.rows().into_iter().enumerate() {
            let single = net.eval_owned(row.insert_axis(Axis(0))).unwrap();
            assert_eq!(single.row(0), batch.row(i), "row {i}");
            let direct = g.eval_direct(row.as_slice().unwrap(), &out);
            for k in 0..2 {
                assert!((direct[k] - batch[[i, k]]).abs() <= 1e-9 * (1.0 + direct[k].abs()));
            }
        }
    }

    #[test]
    fn simplifications_are_exact() {
        let mut g = ReluGraph::new(1);
        let x = g.input(0).unwrap();
        let n = g.relu(&x);
        assert_eq!(g.relu(&(&n * 2.0)), &n * 2.0, "ReLU(2N) = 2N since N ≥ 0");
        assert_eq!(g.relu(&(&(-&n) + -1.0)), Affine::constant(0.0));
        assert_eq!(g.relu(&x), n, "identical forms share a neuron");
        assert_eq!(g.n_graph_neurons(), 1);
        // Pass-through accounting: x needed at depth 3 costs 2 units in layers 1 and 2.
        let m = g.relu(&(&n + -1.0)); // depth 2
        let net = g.compile(&[&m + &x]).unwrap();
        // layer 1: ReLU(x) (one unit for the neuron n and the input carry: identical rows
        // are merged), ReLU(−x);
        // layer 2: m, carry of ReLU(x), carry of ReLU(−x).
        assert_eq!(
            net.size(),
            NetworkSize {
                neurons: 5,
                weights: 2 + 3 + 3,
                depth: 3
            }
        );
    }
}
