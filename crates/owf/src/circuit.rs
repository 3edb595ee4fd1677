//! Boolean circuits over {AND, XOR, NOT, constants} (docs/math.md §4 "Circuits").
//!
//! Every one-way-function candidate compiles to a [`Circuit`], which is what hardiff-nn turns
//! into a ReLU network (docs/math.md §5 "As a ReLU network": NOT a = 1 − a, AND a b = ReLU(a + b − 1),
//! XOR a b = a + b − 2·ReLU(a + b − 1)). The IR is deliberately tiny:
//!
//! - wires `0..n_inputs` are the inputs; gate `i` drives wire `n_inputs + i`;
//! - gates are in topological order: a gate reads only wires below the one it drives
//!   (checked by [`Circuit::new`], which returns [`Error::ForwardReference`] otherwise);
//! - outputs name any wires (inputs, constants and gates alike).
//!
//! [`CircuitBuilder`] builds circuits with constant folding, structural hashing and dead-gate
//! pruning, plus word-level helpers (ripple-carry adders mod 2^w, rotations, XOR trees) used by
//! the BLAKE3 and subset-sum compilers. Evaluation is bit-sliced: [`Circuit::eval_lanes`] runs
//! 64 independent inputs at once, one per bit of a `u64`.

use crate::bits::{words_for, Bits};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// A wire of a [`Circuit`]: `0..n_inputs` are the inputs, `n_inputs + i` is driven by gate `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Wire(pub u32);

impl Wire {
    /// The wire's index as a `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A gate over {AND, XOR, NOT, constants}; it drives exactly one wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gate {
    /// a ∧ b.
    And(Wire, Wire),
    /// a ⊕ b.
    Xor(Wire, Wire),
    /// ¬a.
    Not(Wire),
    /// A constant bit.
    Const(bool),
}

impl Gate {
    /// The wires this gate reads (0, 1 or 2 of them).
    pub fn operands(&self) -> impl Iterator<Item = Wire> {
        let (a, b) = match *self {
            Gate::And(a, b) | Gate::Xor(a, b) => (Some(a), Some(b)),
            Gate::Not(a) => (Some(a), None),
            Gate::Const(_) => (None, None),
        };
        a.into_iter().chain(b)
    }
}

/// Gate counts by type (see [`Circuit::gate_counts`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GateCounts {
    /// Number of AND gates.
    pub and: usize,
    /// Number of XOR gates.
    pub xor: usize,
    /// Number of NOT gates.
    pub not: usize,
    /// Number of constant gates.
    pub constant: usize,
}

/// A validated boolean circuit: `n_inputs` input wires, gates in topological order, outputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Circuit {
    n_inputs: usize,
    gates: Vec<Gate>,
    outputs: Vec<Wire>,
}

impl Circuit {
    /// Validates and builds a circuit: every gate `i` may read only wires `< n_inputs + i`
    /// ([`Error::ForwardReference`] otherwise), every output must name an existing wire
    /// ([`Error::OutputOutOfRange`]), and the wire count must fit in `u32`.
    pub fn new(n_inputs: usize, gates: Vec<Gate>, outputs: Vec<Wire>) -> Result<Self> {
        let wires = n_inputs + gates.len();
        if wires > u32::MAX as usize {
            return Err(Error::CircuitTooLarge { wires });
        }
        for (g, gate) in gates.iter().enumerate() {
            let limit = n_inputs + g;
            if let Some(w) = gate.operands().find(|w| w.index() >= limit) {
                return Err(Error::ForwardReference {
                    gate: g,
                    wire: w.index(),
                    limit,
                });
            }
        }
        if let Some((o, w)) = outputs.iter().enumerate().find(|(_, w)| w.index() >= wires) {
            return Err(Error::OutputOutOfRange {
                output: o,
                wire: w.index(),
                wires,
            });
        }
        Ok(Self {
            n_inputs,
            gates,
            outputs,
        })
    }

    /// Number of input wires.
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// Number of outputs.
    pub fn n_outputs(&self) -> usize {
        self.outputs.len()
    }

    /// The gates, in topological order (gate `i` drives wire `n_inputs + i`).
    pub fn gates(&self) -> &[Gate] {
        &self.gates
    }

    /// The output wires, output 0 first.
    pub fn outputs(&self) -> &[Wire] {
        &self.outputs
    }

    /// Size: the number of gates (constants included).
    pub fn size(&self) -> usize {
        self.gates.len()
    }

    /// Number of wires: inputs plus gates.
    pub fn n_wires(&self) -> usize {
        self.n_inputs + self.gates.len()
    }

    /// Gate counts by type.
    pub fn gate_counts(&self) -> GateCounts {
        let mut c = GateCounts::default();
        for g in &self.gates {
            match g {
                Gate::And(..) => c.and += 1,
                Gate::Xor(..) => c.xor += 1,
                Gate::Not(_) => c.not += 1,
                Gate::Const(_) => c.constant += 1,
            }
        }
        c
    }

    /// Depth of every wire: inputs and constants have depth 0, an AND/XOR/NOT gate one more
    /// than its deepest operand.
    pub fn wire_depths(&self) -> Vec<usize> {
        let mut depth = vec![0usize; self.n_wires()];
        for (g, gate) in self.gates.iter().enumerate() {
            depth[self.n_inputs + g] = match gate {
                Gate::Const(_) => 0,
                _ => 1 + gate.operands().map(|w| depth[w.index()]).max().unwrap_or(0),
            };
        }
        depth
    }

    /// Depth: the longest input-to-output path, counted in AND/XOR/NOT gates.
    pub fn depth(&self) -> usize {
        let depth = self.wire_depths();
        self.outputs
            .iter()
            .map(|w| depth[w.index()])
            .max()
            .unwrap_or(0)
    }

    /// Bit-sliced evaluation of 64 inputs at once: `inputs[i]` holds input bit `i` of lane `l`
    /// in its bit `l`; output `j` of lane `l` is bit `l` of the returned word `j`.
    pub fn eval_lanes(&self, inputs: &[u64]) -> Result<Vec<u64>> {
        if inputs.len() != self.n_inputs {
            return Err(Error::LengthMismatch {
                what: "circuit inputs",
                expected: self.n_inputs,
                got: inputs.len(),
            });
        }
        let mut v = Vec::with_capacity(self.n_wires());
        v.extend_from_slice(inputs);
        for gate in &self.gates {
            // Validation guarantees operands index already-computed wires.
            let x = match *gate {
                Gate::And(a, b) => v[a.index()] & v[b.index()],
                Gate::Xor(a, b) => v[a.index()] ^ v[b.index()],
                Gate::Not(a) => !v[a.index()],
                Gate::Const(c) => {
                    if c {
                        u64::MAX
                    } else {
                        0
                    }
                }
            };
            v.push(x);
        }
        Ok(self.outputs.iter().map(|w| v[w.index()]).collect())
    }

    /// Evaluates on one input given as booleans (`input[i]` is input wire `i`).
    pub fn eval(&self, input: &[bool]) -> Result<Vec<bool>> {
        let lanes: Vec<u64> = input.iter().map(|&b| u64::from(b)).collect();
        Ok(self
            .eval_lanes(&lanes)?
            .into_iter()
            .map(|w| w & 1 == 1)
            .collect())
    }

    /// Evaluates on one packed input ([`Bits`] of length `n_inputs`).
    pub fn eval_bits(&self, x: &Bits) -> Result<Bits> {
        Ok(self
            .eval_batch(std::slice::from_ref(x))?
            .pop()
            .expect("one input gives one output"))
    }

    /// Evaluates on a batch of packed inputs, 64 at a time (bit-sliced).
    pub fn eval_batch(&self, xs: &[Bits]) -> Result<Vec<Bits>> {
        if let Some(x) = xs.iter().find(|x| x.len() != self.n_inputs) {
            return Err(Error::LengthMismatch {
                what: "circuit input bits",
                expected: self.n_inputs,
                got: x.len(),
            });
        }
        let m = self.n_outputs();
        let mut out = Vec::with_capacity(xs.len());
        let mut lanes = vec![0u64; self.n_inputs];
        for chunk in xs.chunks(64) {
            // Transpose: lanes[i] bit l = input bit i of chunk[l].
            lanes.iter_mut().for_each(|w| *w = 0);
            for (l, x) in chunk.iter().enumerate() {
                for (k, &word) in x.words().iter().enumerate() {
                    let mut w = word;
                    while w != 0 {
                        let b = w.trailing_zeros() as usize;
                        lanes[64 * k + b] |= 1 << l;
                        w &= w - 1;
                    }
                }
            }
            let y = self.eval_lanes(&lanes)?;
            for l in 0..chunk.len() {
                let mut words = vec![0u64; words_for(m)];
                for (j, &yj) in y.iter().enumerate() {
                    words[j / 64] |= ((yj >> l) & 1) << (j % 64);
                }
                out.push(Bits::from_words_unchecked(words, m));
            }
        }
        Ok(out)
    }
}

/// Builds [`Circuit`]s gate by gate, with constant folding (x ∧ 0 = 0, x ⊕ 1 = ¬x, …), trivial
/// identities (x ∧ x = x, x ⊕ x = 0, ¬¬x = x), structural hashing (an identical gate is built
/// once) and, in [`CircuitBuilder::finish`], removal of gates no output depends on.
///
/// Word helpers treat a `&[Wire]` as an unsigned integer, least significant bit first.
#[derive(Clone, Debug)]
pub struct CircuitBuilder {
    n_inputs: usize,
    gates: Vec<Gate>,
    /// Known constant value of each wire (inputs: `None`).
    known: Vec<Option<bool>>,
    consts: [Option<Wire>; 2],
    hashed: HashMap<Gate, Wire>,
}

impl CircuitBuilder {
    /// A builder for a circuit with `n_inputs` inputs.
    pub fn new(n_inputs: usize) -> Self {
        Self {
            n_inputs,
            gates: Vec::new(),
            known: vec![None; n_inputs],
            consts: [None; 2],
            hashed: HashMap::new(),
        }
    }

    /// Number of inputs.
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// Number of gates built so far (before pruning).
    pub fn size(&self) -> usize {
        self.gates.len()
    }

    /// Input wire `i` (an index `≥ n_inputs` makes [`CircuitBuilder::finish`] fail).
    pub fn input(&self, i: usize) -> Wire {
        Wire(i as u32)
    }

    /// Input wires `start..start + len`, e.g. a 32-bit word of the input, LSB first.
    pub fn inputs(&self, start: usize, len: usize) -> Vec<Wire> {
        (start..start + len).map(|i| self.input(i)).collect()
    }

    fn known(&self, w: Wire) -> Option<bool> {
        self.known.get(w.index()).copied().flatten()
    }

    fn push(&mut self, gate: Gate) -> Wire {
        if let Some(&w) = self.hashed.get(&gate) {
            return w;
        }
        let w = Wire((self.n_inputs + self.gates.len()) as u32);
        self.known.push(match gate {
            Gate::Const(c) => Some(c),
            _ => None,
        });
        self.gates.push(gate);
        self.hashed.insert(gate, w);
        w
    }

    /// The constant `value` (built at most once).
    pub fn constant(&mut self, value: bool) -> Wire {
        if let Some(w) = self.consts[usize::from(value)] {
            return w;
        }
        let w = self.push(Gate::Const(value));
        self.consts[usize::from(value)] = Some(w);
        w
    }

    /// a ∧ b.
    pub fn and(&mut self, a: Wire, b: Wire) -> Wire {
        match (self.known(a), self.known(b)) {
            (Some(false), _) | (_, Some(false)) => self.constant(false),
            (Some(true), _) => b,
            (_, Some(true)) => a,
            _ if a == b => a,
            _ => self.push(Gate::And(a.min(b), a.max(b))),
        }
    }

    /// a ⊕ b.
    pub fn xor(&mut self, a: Wire, b: Wire) -> Wire {
        match (self.known(a), self.known(b)) {
            (Some(x), Some(y)) => self.constant(x ^ y),
            (Some(false), _) => b,
            (_, Some(false)) => a,
            (Some(true), _) => self.not(b),
            (_, Some(true)) => self.not(a),
            _ if a == b => self.constant(false),
            _ => self.push(Gate::Xor(a.min(b), a.max(b))),
        }
    }

    /// ¬a.
    pub fn not(&mut self, a: Wire) -> Wire {
        if let Some(x) = self.known(a) {
            return self.constant(!x);
        }
        if let Some(Gate::Not(inner)) = a
            .index()
            .checked_sub(self.n_inputs)
            .and_then(|g| self.gates.get(g))
        {
            return *inner;
        }
        self.push(Gate::Not(a))
    }

    /// a ∨ b = a ⊕ b ⊕ (a ∧ b) (three gates, depth 2).
    pub fn or(&mut self, a: Wire, b: Wire) -> Wire {
        let x = self.xor(a, b);
        let y = self.and(a, b);
        self.xor(x, y)
    }

    /// Majority(a, b, c) = (a ∧ b) ⊕ (c ∧ (a ⊕ b)), the carry of a full adder.
    pub fn majority(&mut self, a: Wire, b: Wire, c: Wire) -> Wire {
        let ab = self.and(a, b);
        let x = self.xor(a, b);
        let cx = self.and(c, x);
        self.xor(ab, cx)
    }

    /// XOR of all wires as a balanced tree (depth ⌈log₂ len⌉); the empty XOR is constant 0.
    pub fn xor_many(&mut self, wires: &[Wire]) -> Wire {
        match wires.len() {
            0 => self.constant(false),
            1 => wires[0],
            len => {
                let (lo, hi) = wires.split_at(len / 2);
                let a = self.xor_many(lo);
                let b = self.xor_many(hi);
                self.xor(a, b)
            }
        }
    }

    /// The `width`-bit constant `value` (LSB first; bits of `value` at or beyond 64 are 0).
    pub fn constant_word(&mut self, value: u64, width: usize) -> Vec<Wire> {
        (0..width)
            .map(|i| self.constant(i < 64 && (value >> i) & 1 == 1))
            .collect()
    }

    fn same_width(a: &[Wire], b: &[Wire]) -> Result<()> {
        if a.len() == b.len() {
            Ok(())
        } else {
            Err(Error::LengthMismatch {
                what: "word width",
                expected: a.len(),
                got: b.len(),
            })
        }
    }

    /// Bitwise a ⊕ b of two words of equal width.
    pub fn xor_words(&mut self, a: &[Wire], b: &[Wire]) -> Result<Vec<Wire>> {
        Self::same_width(a, b)?;
        Ok(a.iter().zip(b).map(|(&x, &y)| self.xor(x, y)).collect())
    }

    /// Bitwise a ∧ b of two words of equal width.
    pub fn and_words(&mut self, a: &[Wire], b: &[Wire]) -> Result<Vec<Wire>> {
        Self::same_width(a, b)?;
        Ok(a.iter().zip(b).map(|(&x, &y)| self.and(x, y)).collect())
    }

    /// a + b mod 2^w for words of equal width w, by a ripple-carry adder: sum_i = a_i ⊕ b_i ⊕
    /// c_i, c_{i+1} = majority(a_i, b_i, c_i), c_0 = 0 (the final carry is dropped). At most
    /// 5 gates per bit; depth ≈ 2w.
    pub fn add_words(&mut self, a: &[Wire], b: &[Wire]) -> Result<Vec<Wire>> {
        Self::same_width(a, b)?;
        let mut carry = self.constant(false);
        let mut sum = Vec::with_capacity(a.len());
        for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
            let xy = self.xor(x, y);
            sum.push(self.xor(xy, carry));
            if i + 1 < a.len() {
                carry = self.majority(x, y, carry);
            }
        }
        Ok(sum)
    }

    /// Rotation right by `k` of a word (pure rewiring, no gates): bit i of the result is bit
    /// (i + k) mod w of the input.
    pub fn rotr(word: &[Wire], k: usize) -> Vec<Wire> {
        let w = word.len();
        (0..w).map(|i| word[(i + k) % w]).collect()
    }

    /// Finishes the circuit with the given outputs: validates (as [`Circuit::new`]) and removes
    /// the gates no output depends on, renumbering the rest.
    pub fn finish(self, outputs: Vec<Wire>) -> Result<Circuit> {
        let raw = Circuit::new(self.n_inputs, self.gates, outputs)?;
        Ok(prune(raw))
    }
}

/// Removes gates that no output depends on (keeps the topological order).
fn prune(c: Circuit) -> Circuit {
    let n = c.n_inputs;
    let mut live = vec![false; c.n_wires()];
    for w in &c.outputs {
        live[w.index()] = true;
    }
    for g in (0..c.gates.len()).rev() {
        if live[n + g] {
            for w in c.gates[g].operands() {
                live[w.index()] = true;
            }
        }
    }
    let mut new_index: Vec<u32> = (0..c.n_wires() as u32).collect();
    let mut gates = Vec::new();
    let map = |w: Wire, new_index: &[u32]| Wire(new_index[w.index()]);
    for (g, gate) in c.gates.iter().enumerate() {
        if !live[n + g] {
            continue;
        }
        new_index[n + g] = (n + gates.len()) as u32;
        gates.push(match *gate {
            Gate::And(a, b) => Gate::And(map(a, &new_index), map(b, &new_index)),
            Gate::Xor(a, b) => Gate::Xor(map(a, &new_index), map(b, &new_index)),
            Gate::Not(a) => Gate::Not(map(a, &new_index)),
            Gate::Const(v) => Gate::Const(v),
        });
    }
    let outputs = c.outputs.iter().map(|&w| map(w, &new_index)).collect();
    Circuit {
        n_inputs: n,
        gates,
        outputs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_references_and_bad_outputs_are_typed_errors() {
        // Gate 0 drives wire 2 and may read only wires 0 and 1.
        let e = Circuit::new(2, vec![Gate::And(Wire(0), Wire(2))], vec![Wire(2)]);
        assert_eq!(
            e,
            Err(Error::ForwardReference {
                gate: 0,
                wire: 2,
                limit: 2
            })
        );
        let e = Circuit::new(2, vec![Gate::Not(Wire(0))], vec![Wire(3)]);
        assert_eq!(
            e,
            Err(Error::OutputOutOfRange {
                output: 0,
                wire: 3,
                wires: 3
            })
        );
        let b = CircuitBuilder::new(1);
        let w = b.input(5);
        assert!(matches!(
            b.finish(vec![w]),
            Err(Error::OutputOutOfRange { .. })
        ));
    }

    #[test]
    fn gates_truth_tables_and_depth() {
        let mut b = CircuitBuilder::new(2);
        let (x, y) = (b.input(0), b.input(1));
        let outs = vec![b.and(x, y), b.xor(x, y), b.not(x), b.or(x, y)];
        let c = b.finish(outs).unwrap();
        for v in 0..4u8 {
            let (p, q) = (v & 1 == 1, v & 2 == 2);
            assert_eq!(c.eval(&[p, q]).unwrap(), vec![p & q, p ^ q, !p, p | q]);
        }
        // or = xor(xor(x,y), and(x,y)) reuses the and/xor gates: 4 gates, depth 2.
        assert_eq!(c.size(), 4);
        assert_eq!(c.depth(), 2);
        assert_eq!(
            c.eval(&[true]),
            Err(Error::LengthMismatch {
                what: "circuit inputs",
                expected: 2,
                got: 1
            })
        );
    }

    #[test]
    fn folding_and_pruning() {
        let mut b = CircuitBuilder::new(1);
        let x = b.input(0);
        let one = b.constant(true);
        let zero = b.constant(false);
        assert_eq!(b.and(x, one), x);
        assert_eq!(b.and(x, zero), zero);
        assert_eq!(b.xor(x, zero), x);
        assert_eq!(b.xor(x, x), zero);
        let nx = b.xor(x, one);
        assert_eq!(b.not(nx), x);
        let unused = b.and(x, nx);
        let _ = unused;
        let c = b.finish(vec![nx]).unwrap();
        // Only the NOT survives pruning.
        assert_eq!(c.gates(), &[Gate::Not(Wire(0))]);
        assert_eq!(c.eval(&[true]).unwrap(), vec![false]);
    }

    #[test]
    fn adder_is_addition_mod_2_to_the_w_exhaustively() {
        // 5-bit adder against integer addition mod 32 on all 1024 operand pairs.
        let w = 5;
        let mut b = CircuitBuilder::new(2 * w);
        let (x, y) = (b.inputs(0, w), b.inputs(w, w));
        let s = b.add_words(&x, &y).unwrap();
        let r = CircuitBuilder::rotr(&s, 2);
        let c = b.finish([s, r].concat()).unwrap();
        for v in 0..1u64 << (2 * w) {
            let input = Bits::from_u64(v, 2 * w).unwrap();
            let out = c.eval_bits(&input).unwrap().to_u64().unwrap();
            let sum = ((v & 31) + (v >> 5)) & 31;
            let rot = ((sum >> 2) | (sum << 3)) & 31;
            assert_eq!(out, sum | (rot << 5), "input {v:#x}");
        }
    }

    #[test]
    fn batch_equals_single() {
        let mut b = CircuitBuilder::new(70);
        let ins = b.inputs(0, 70);
        let p = b.xor_many(&ins);
        let q = b.and(ins[3], ins[69]);
        let c = b.finish(vec![p, q, ins[64]]).unwrap();
        let xs: Vec<Bits> = (0..150u64)
            .map(|i| {
                let bools: Vec<bool> = (0..70)
                    .map(|j| ((i * 2654435761) >> (j % 40)) & 1 == 1)
                    .collect();
                Bits::from_bools(&bools)
            })
            .collect();
        let batch = c.eval_batch(&xs).unwrap();
        for (x, y) in xs.iter().zip(&batch) {
            let single = c.eval(&x.to_bools()).unwrap();
            assert_eq!(y.to_bools(), single);
            let parity = x.count_ones() % 2 == 1;
            assert_eq!(single, vec![parity, x.bit(3) && x.bit(69), x.bit(64)]);
        }
    }
}
