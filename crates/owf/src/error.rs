//! The crate-wide error type: everything a caller of `hardiff-owf` can get wrong, with the
//! offending value, so that a constructed function, circuit or inverter is always valid.

use thiserror::Error;

/// Errors of `hardiff-owf`. Non-exhaustive: new variants may be added without a breaking
/// change, so matches need a wildcard arm.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A size (number of input or output bits) that must be ≥ 1 was 0.
    #[error("{what} must be at least 1, got 0")]
    ZeroBits {
        /// Which size (`"n (input bits)"`, `"m (output bits)"`, …).
        what: &'static str,
    },
    /// The number of input bits is outside what this candidate supports.
    #[error("{candidate}: n = {input_bits} input bits is not supported (supported: {supported})")]
    InputBitsUnsupported {
        /// The candidate's name.
        candidate: String,
        /// The number of input bits given.
        input_bits: usize,
        /// The supported range, in words.
        supported: String,
    },
    /// The number of output bits is outside what this candidate supports.
    #[error(
        "{candidate}: m = {output_bits} output bits is not supported (supported: {supported})"
    )]
    OutputBitsUnsupported {
        /// The candidate's name.
        candidate: String,
        /// The number of output bits given.
        output_bits: usize,
        /// The supported range, in words.
        supported: String,
    },
    /// A bit vector (or slice of bits / lanes) has the wrong length.
    #[error("{what}: expected length {expected}, got {got}")]
    LengthMismatch {
        /// What was being checked.
        what: &'static str,
        /// The expected length.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A packed bit vector has a 1 in a position at or beyond its length.
    #[error("bits beyond the length {len} must be zero (found a 1 at bit {bit})")]
    StrayBits {
        /// The declared length in bits.
        len: usize,
        /// The first offending bit position.
        bit: usize,
    },
    /// A hexadecimal string could not be parsed.
    #[error("invalid hex for {len} bits: {why}")]
    BadHex {
        /// The declared length in bits.
        len: usize,
        /// What is wrong.
        why: String,
    },
    /// A name that is not one of the built-in candidates ([`crate::Candidate`]).
    #[error("unknown one-way function candidate {name:?} (valid names: {valid})")]
    UnknownCandidate {
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// A circuit gate reads a wire that is not driven before it (circuits are topologically
    /// ordered: gate i drives wire n_inputs + i and may read only lower wires).
    #[error("gate {gate} reads wire {wire}, but only wires below {limit} exist before it")]
    ForwardReference {
        /// Index of the offending gate.
        gate: usize,
        /// The wire it reads.
        wire: usize,
        /// First wire that is not yet driven (n_inputs + gate).
        limit: usize,
    },
    /// A circuit output names a wire that does not exist.
    #[error("output {output} names wire {wire}, but the circuit has only {wires} wires")]
    OutputOutOfRange {
        /// Index of the offending output.
        output: usize,
        /// The wire it names.
        wire: usize,
        /// Number of wires (inputs + gates).
        wires: usize,
    },
    /// A circuit is too large for its wire index type (u32).
    #[error("circuit too large: {wires} wires exceed the u32 wire index")]
    CircuitTooLarge {
        /// Number of wires requested.
        wires: usize,
    },
    /// A brute-force routine was asked for a size beyond its configured limit.
    #[error(
        "{what}: n = {input_bits} input bits exceeds the brute-force limit {limit} \
         (worst-case work 2^{input_bits} ≈ {work:.3e} evaluations)"
    )]
    TooLarge {
        /// The routine.
        what: &'static str,
        /// Requested number of input bits.
        input_bits: usize,
        /// The configured limit.
        limit: usize,
        /// 2^n, the work that would be needed.
        work: f64,
    },
    /// An inverter that needs a GF(2)-affine function was given another one.
    #[error("{inverter} inverts only GF(2)-affine functions (linear, identity); got {function}")]
    NotAffine {
        /// The inverter.
        inverter: &'static str,
        /// The function's name ([`crate::OneWayFunction::name`]).
        function: String,
    },
    /// Any other invalid parameter, described in words.
    #[error("invalid parameter: {0}")]
    Invalid(String),
}

/// `Result` with [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
