//! Compiling boolean circuits (hardiff-owf's {AND, XOR, NOT, constant} IR, docs/math.md §4) into
//! ReLU networks with the gadgets of docs/math.md §5: NOT a = 1 − a, AND a b = ReLU(a + b − 1), and
//! XOR either as a + b − 2·ReLU(a + b − 1) ([`XorGadget::Affine`], one neuron) or as
//! ReLU(a − b) + ReLU(b − a) ([`XorGadget::AbsDiff`], two neurons). The network is exact on
//! every input in {0,1}^n; on inputs in \[0,1\]^n every wire stays in \[0,1\].
//!
//! With the affine XOR a wire's form can accumulate terms from many layers (a chain of k XORs
//! is a sum of k + 1 inputs and k neurons), each of which must then be carried by pass-through
//! neurons; the compiler therefore *materialises* a wire — replaces its form w by the neuron
//! ReLU(w) = w, exact since w ∈ \[0,1\] — once its form has more than [`MAX_WIRE_TERMS`] terms,
//! and a gate that reads a multi-term wire produced two or more layers earlier reads its
//! materialised copy (one pass-through per layer instead of one per term).

use crate::error::{Error, Result};
use crate::gadgets;
use crate::relu_net::{Affine, NetworkSize, ReluGraph, ReluNetwork};
use hardiff_owf::{Circuit, Gate};
use serde::{Deserialize, Serialize};

/// How XOR gates become ReLUs (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum XorGadget {
    /// a + b − 2·ReLU(a + b − 1): one neuron, but the form keeps a and b.
    Affine,
    /// ReLU(a − b) + ReLU(b − a): two neurons, the form refers to one layer only.
    AbsDiff,
}

/// Wires whose affine form has more terms than this are materialised (module docs).
pub const MAX_WIRE_TERMS: usize = 4;

/// Emits `circuit` into `g` with the given input forms (one per circuit input, values in \[0,1\])
/// and returns the forms of the circuit outputs.
pub fn emit_circuit(
    g: &mut ReluGraph,
    circuit: &Circuit,
    inputs: &[Affine],
    xor: XorGadget,
) -> Result<Vec<Affine>> {
    if inputs.len() != circuit.n_inputs() {
        return Err(Error::DimensionMismatch {
            what: "circuit input forms",
            expected: circuit.n_inputs(),
            got: inputs.len(),
        });
    }
    let mut wires: Vec<Affine> = inputs.to_vec();
    wires.reserve(circuit.size());
    // materialised[w] = ReLU(wire w), a single neuron carrying the wire (exact: w ∈ [0,1]).
    let mut materialised: Vec<Option<Affine>> = vec![None; inputs.len() + circuit.size()];
    for gate in circuit.gates() {
        let w = match *gate {
            Gate::And(a, b) | Gate::Xor(a, b) => {
                let (fa, fb) = operands(g, &wires, &mut materialised, a.index(), b.index());
                match gate {
                    Gate::And(..) => gadgets::and(g, &fa, &fb),
                    _ => match xor {
                        XorGadget::Affine => gadgets::xor(g, &fa, &fb),
                        XorGadget::AbsDiff => gadgets::xor_abs(g, &fa, &fb),
                    },
                }
            }
            Gate::Not(a) => gadgets::not(&wires[a.index()]),
            Gate::Const(c) => Affine::constant(if c { 1.0 } else { 0.0 }),
        };
        let w = if w.terms().len() > MAX_WIRE_TERMS {
            g.materialise(&w)
        } else {
            w
        };
        wires.push(w);
    }
    Ok(circuit
        .outputs()
        .iter()
        .map(|w| wires[w.index()].clone())
        .collect())
}

/// The forms a two-input gate reads. An operand available two or more layers before the gate
/// would have each of its terms carried layer by layer; if it has several terms it is replaced
/// by its materialised copy ReLU(w) = w, which costs one carry per layer instead.
fn operands(
    g: &mut ReluGraph,
    wires: &[Affine],
    materialised: &mut [Option<Affine>],
    a: usize,
    b: usize,
) -> (Affine, Affine) {
    let gate_depth = 1 + g.depth(&wires[a]).max(g.depth(&wires[b]));
    let mut pick = |g: &mut ReluGraph, w: usize| -> Affine {
        let f = &wires[w];
        if f.terms().len() > 1 && g.depth(f) + 2 <= gate_depth {
            materialised[w]
                .get_or_insert_with(|| g.materialise(f))
                .clone()
        } else {
            f.clone()
        }
    };
    let fa = pick(g, a);
    let fb = pick(g, b);
    (fa, fb)
}

/// The ReLU network computing `circuit` on bit inputs in {0,1}^n (inputs declared ≥ 0, so they
/// are carried by one unit per layer).
pub fn compile_circuit(circuit: &Circuit, xor: XorGadget) -> Result<ReluNetwork> {
    let mut g = ReluGraph::with_nonnegative_inputs(circuit.n_inputs());
    let inputs: Vec<Affine> = (0..circuit.n_inputs())
        .map(|i| g.input(i))
        .collect::<Result<_>>()?;
    let outs = emit_circuit(&mut g, circuit, &inputs, xor)?;
    g.compile(&outs)
}

/// Circuit size against the size of its ReLU network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitCompileReport {
    /// Input bits n.
    pub n_inputs: usize,
    /// Output bits m.
    pub n_outputs: usize,
    /// Gates of the circuit (constants included).
    pub circuit_gates: usize,
    /// AND gates.
    pub and_gates: usize,
    /// XOR gates.
    pub xor_gates: usize,
    /// Circuit depth (AND/XOR/NOT gates on the longest path).
    pub circuit_depth: usize,
    /// The XOR gadget used.
    pub xor: XorGadget,
    /// The network's size.
    pub network: NetworkSize,
}

/// Compiles `circuit` with `xor` and reports both sizes.
pub fn circuit_compile_report(
    circuit: &Circuit,
    xor: XorGadget,
) -> Result<(ReluNetwork, CircuitCompileReport)> {
    let net = compile_circuit(circuit, xor)?;
    let counts = circuit.gate_counts();
    let report = CircuitCompileReport {
        n_inputs: circuit.n_inputs(),
        n_outputs: circuit.n_outputs(),
        circuit_gates: circuit.size(),
        and_gates: counts.and,
        xor_gates: counts.xor,
        circuit_depth: circuit.depth(),
        xor,
        network: net.size(),
    };
    Ok((net, report))
}
