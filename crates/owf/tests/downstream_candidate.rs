//! A candidate defined outside hardiff-owf, as a downstream crate would: it implements
//! [`OneWayFunction`] with public API only (the counter, `Bits`, the circuit builder), and the
//! crate's inverters work on it unchanged.

use hardiff_owf::{
    Bits, BruteForce, CallCounter, Circuit, CircuitBuilder, Elimination, Inverter, OneWayFunction,
    Wire,
};

/// A keyed XOR-rotate toy on `width`-bit words: f(x) = rotl(x ⊕ key, rotation). A bijection,
/// and GF(2)-affine (f(x) = rotl(x) ⊕ rotl(key)), so both brute force and elimination invert it
/// and the preimage is unique.
#[derive(Debug, Clone)]
struct XorRotate {
    width: usize,
    key: u64,
    rotation: u32,
    counter: CallCounter,
}

impl XorRotate {
    fn new(width: usize, key: u64, rotation: u32) -> Self {
        assert!((1..=64).contains(&width) && key >> width == 0 && (rotation as usize) < width);
        Self {
            width,
            key,
            rotation,
            counter: CallCounter::new(),
        }
    }

    /// rotl on `width`-bit words.
    fn rotl(&self, v: u64) -> u64 {
        let (w, r) = (self.width as u32, self.rotation);
        let mask = if w == 64 { u64::MAX } else { (1 << w) - 1 };
        if r == 0 {
            v
        } else {
            ((v << r) | (v >> (w - r))) & mask
        }
    }
}

impl OneWayFunction for XorRotate {
    fn name(&self) -> &str {
        "xor-rotate"
    }
    fn input_bits(&self) -> usize {
        self.width
    }
    fn output_bits(&self) -> usize {
        self.width
    }
    fn counter(&self) -> &CallCounter {
        &self.counter
    }
    fn eval_uncounted(&self, x: &Bits) -> Bits {
        let v = x.to_u64().expect("width ≤ 64");
        Bits::from_u64(self.rotl(v ^ self.key), self.width).expect("rotl keeps width bits")
    }
    fn compile(&self) -> Circuit {
        let mut b = CircuitBuilder::new(self.width);
        let x = b.inputs(0, self.width);
        let key = b.constant_word(self.key, self.width);
        let xored = b.xor_words(&x, &key).expect("equal widths");
        // rotl by r is rotr by width − r (rotation is rewiring, no gates).
        let r = (self.width - self.rotation as usize) % self.width;
        let outputs: Vec<Wire> = CircuitBuilder::rotr(&xored, r);
        b.finish(outputs).expect("builder wires are valid")
    }
    fn fresh_copy(&self) -> Box<dyn OneWayFunction> {
        Box::new(Self {
            counter: CallCounter::new(),
            ..self.clone()
        })
    }
    fn is_gf2_affine(&self) -> bool {
        true
    }
}

#[test]
fn brute_force_inverts_a_downstream_candidate_with_counted_cost() {
    let f = XorRotate::new(12, 0xA5C, 5);
    assert_eq!(f.describe(), "xor-rotate(n=12, m=12)");
    let secret = 0x3B7u64; // 951
    let y = f.eval(&Bits::from_u64(secret, 12).unwrap()).unwrap();
    // Hand-computed: 0x3B7 ⊕ 0xA5C = 0x9EB = 1001_1110_1011; rotl 5 → 1101_0111_0011 = 0xD73.
    assert_eq!(y.to_u64(), Some(0xD73));

    let inversion = BruteForce::new().invert(&f, &y).unwrap();
    // f is a bijection, so the preimage is the secret, and brute force, trying 0, 1, 2, …,
    // needs exactly secret + 1 evaluations, all counted on f too (after the one above).
    assert_eq!(
        inversion.preimage,
        Some(Bits::from_u64(secret, 12).unwrap())
    );
    assert_eq!(inversion.evaluations, secret + 1);
    assert_eq!(f.evaluations(), 1 + secret + 1);

    // Elimination needs n + 1 = 13 oracle calls, since the toy declares itself affine.
    let before = f.evaluations();
    let inversion = Elimination.invert(&f, &y).unwrap();
    assert_eq!(
        inversion.preimage,
        Some(Bits::from_u64(secret, 12).unwrap())
    );
    assert_eq!(inversion.evaluations, 13);
    assert_eq!(f.evaluations() - before, 13);
}

#[test]
fn a_downstream_circuit_matches_its_evaluation() {
    // Exhaustively over all 2^10 inputs; the circuit needs only NOTs (XOR with key bit 1).
    let f = XorRotate::new(10, 0b10_0110_1001, 3);
    let circuit = f.compile();
    assert_eq!(circuit.gate_counts().and, 0);
    let xs: Vec<Bits> = (0..1u64 << 10)
        .map(|v| Bits::from_u64(v, 10).unwrap())
        .collect();
    assert_eq!(circuit.eval_batch(&xs).unwrap(), f.eval_batch(&xs).unwrap());
    // A fresh copy is the same function with its own counter.
    let g = f.fresh_copy();
    assert_eq!(g.eval(&xs[77]).unwrap(), f.eval_uncounted(&xs[77]));
    assert_eq!((g.evaluations(), f.evaluations()), (1, 1 << 10));
}
