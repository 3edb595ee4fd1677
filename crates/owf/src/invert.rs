//! Inverters: given f and y, find some x with f(x) = y, and count what it cost.
//!
//! The [`Inverter`] trait is the plug-in point for every attack hardiff compares: generic brute
//! force (work ~2^n, the baseline a one-way function forces), Gaussian elimination for the
//! GF(2)-affine controls (polynomial), and — in hardiff-harness — the reduction that inverts f
//! by posterior sampling on g̃ (docs/math.md §6). Costs are counted in f-evaluations, which go
//! through f's shared counter as well as into the returned [`Inversion`].

use crate::bits::Bits;
use crate::error::{Error, Result};
use crate::gf2::Gf2Matrix;
use crate::owf::OneWayFunction;

/// The outcome of one inversion attempt, with its counted cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inversion {
    /// A preimage x with f(x) = y, or `None` if the inverter found none (for the exhaustive and
    /// exact inverters here, `None` proves y has no preimage).
    pub preimage: Option<Bits>,
    /// f-evaluations this attempt made (also added to f's shared counter).
    pub evaluations: u64,
    /// Other elementary work: GF(2) row operations for elimination, 0 for brute force.
    pub operations: u64,
}

/// An algorithm that tries to invert a [`OneWayFunction`].
pub trait Inverter: Send + Sync {
    /// A short name for reports (`brute-force`, `elimination`, …).
    fn name(&self) -> &str;

    /// Tries to find x with f(x) = y. Errors: `y.len() != m`, or f outside what the inverter
    /// handles (too many input bits for brute force, a non-affine f for elimination).
    fn invert(&self, f: &dyn OneWayFunction, y: &Bits) -> Result<Inversion>;
}

fn check_output(f: &dyn OneWayFunction, y: &Bits) -> Result<()> {
    if y.len() == f.output_bits() {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what: "target output bits",
            expected: f.output_bits(),
            got: y.len(),
        })
    }
}

/// Exhaustive search: evaluates f on x = 0, 1, 2, … (as integers, bit i = coefficient of 2^i,
/// see [`Bits::from_u64`]) and returns the first x with f(x) = y. Its cost is exactly
/// (smallest preimage + 1) evaluations, or 2^n if there is none. Refuses n beyond its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BruteForce {
    limit: usize,
}

impl BruteForce {
    /// The default limit on n (2^24 ≈ 1.7e7 evaluations: seconds for BLAKE3).
    pub const DEFAULT_LIMIT: usize = 24;
    /// The largest limit that can be configured (seeds are enumerated as `u64`).
    pub const MAX_LIMIT: usize = 63;

    /// Brute force with the default limit n ≤ 24.
    pub fn new() -> Self {
        Self {
            limit: Self::DEFAULT_LIMIT,
        }
    }

    /// Brute force refusing n > `limit` (`limit ≤ 63`).
    pub fn with_limit(limit: usize) -> Result<Self> {
        if limit > Self::MAX_LIMIT {
            return Err(Error::Invalid(format!(
                "brute-force limit must be ≤ {}, got {limit}",
                Self::MAX_LIMIT
            )));
        }
        Ok(Self { limit })
    }

    /// The configured limit on n.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl Default for BruteForce {
    fn default() -> Self {
        Self::new()
    }
}

impl Inverter for BruteForce {
    fn name(&self) -> &str {
        "brute-force"
    }

    fn invert(&self, f: &dyn OneWayFunction, y: &Bits) -> Result<Inversion> {
        check_output(f, y)?;
        let n = f.input_bits();
        if n > self.limit {
            return Err(Error::TooLarge {
                what: "brute-force inversion",
                input_bits: n,
                limit: self.limit,
                work: 2f64.powi(n as i32),
            });
        }
        let mut evaluations = 0;
        for v in 0..1u64 << n {
            let x = Bits::from_u64(v, n)?;
            evaluations += 1;
            if f.eval(&x)? == *y {
                return Ok(Inversion {
                    preimage: Some(x),
                    evaluations,
                    operations: 0,
                });
            }
        }
        Ok(Inversion {
            preimage: None,
            evaluations,
            operations: 0,
        })
    }
}

/// Gaussian elimination over GF(2) for GF(2)-affine f (the linear and identity controls).
///
/// It uses f only as an oracle: n + 1 counted evaluations (f(0) and f(e_i) for each unit
/// vector e_i) recover f(x) = M x ⊕ c, then M x = y ⊕ c is solved by Gauss–Jordan elimination
/// (≤ m·n row operations). The answer is exact: `None` means y is outside the image (possible
/// when m > n). Refuses f that does not declare itself affine
/// ([`OneWayFunction::is_gf2_affine`]), since on other f the recovered map would be wrong.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Elimination;

impl Inverter for Elimination {
    fn name(&self) -> &str {
        "elimination"
    }

    fn invert(&self, f: &dyn OneWayFunction, y: &Bits) -> Result<Inversion> {
        check_output(f, y)?;
        if !f.is_gf2_affine() {
            return Err(Error::NotAffine {
                inverter: "elimination",
                function: f.name().to_string(),
            });
        }
        let n = f.input_bits();
        let c = f.eval(&Bits::zeros(n))?;
        // Column i of M is f(e_i) ⊕ f(0); build M row by row from the columns.
        let mut matrix = Gf2Matrix::zeros(f.output_bits(), n);
        for i in 0..n {
            let mut e = Bits::zeros(n);
            e.set(i, true);
            let col = f.eval(&e)?.xor(&c)?;
            for j in 0..f.output_bits() {
                if col.bit(j) {
                    matrix.set(j, i, true);
                }
            }
        }
        let sol = matrix.solve(&y.xor(&c)?)?;
        Ok(Inversion {
            preimage: sol.x,
            evaluations: n as u64 + 1,
            operations: sol.row_operations,
        })
    }
}
