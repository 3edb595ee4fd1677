//! The parameters of g̃ (docs/math.md §5) and their default rule.

use crate::discrete_gaussian::DiscreteGaussian;
use crate::error::{positive, Error, Result};
use crate::ou_time;
use serde::Serialize;

/// Parameters of g̃ (docs/math.md §5). Construct by the default rule ([`OwfParams::default_rule`],
/// [`OwfParams::from_rule`]) or explicitly ([`OwfParams::new`]); every constructor validates,
/// so a value is always usable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OwfParams {
    envelope: f64,
    spacing: f64,
    amplitude: f64,
    crossover: f64,
    noise: f64,
}

impl OwfParams {
    /// Default envelope R (docs/math.md §5).
    pub const DEFAULT_ENVELOPE: f64 = 1.0;
    /// Default lattice spacing α (docs/math.md §5).
    pub const DEFAULT_SPACING: f64 = 0.5;
    /// Default target accuracy ε of the efficient score (docs/math.md §5).
    pub const DEFAULT_EPSILON: f64 = 0.05;

    /// The default rule for n = `input_bits` and m = `output_bits`: R = 1, α = 0.5,
    /// ε = 0.05, hence σ_c = α/(2√(2 ln(n/ε²))), β = ε σ_c/√m, η = β/4 (docs/math.md §5). For
    /// n = m = 4: σ_c ≈ 0.0651, β ≈ 0.00163.
    pub fn default_rule(input_bits: usize, output_bits: usize) -> Result<Self> {
        Self::from_rule(
            input_bits,
            output_bits,
            Self::DEFAULT_ENVELOPE,
            Self::DEFAULT_SPACING,
            Self::DEFAULT_EPSILON,
        )
    }

    /// The rule of docs/math.md §5 for n = `input_bits`, m = `output_bits` and given R, α and
    /// ε ∈ (0, 1): σ_c = α/(2√(2 ln(n/ε²))), β = ε σ_c/√m, η = β/4.
    pub fn from_rule(
        input_bits: usize,
        output_bits: usize,
        envelope: f64,
        spacing: f64,
        epsilon: f64,
    ) -> Result<Self> {
        let (n, m) = (input_bits, output_bits);
        if n == 0 || m == 0 {
            return Err(Error::Invalid(format!(
                "g̃ needs n ≥ 1 input and m ≥ 1 output bits, got n = {n}, m = {m}"
            )));
        }
        let epsilon = positive("epsilon", epsilon)?;
        if epsilon >= 1.0 {
            return Err(Error::OutOfRange {
                name: "epsilon",
                value: epsilon,
                range: "(0, 1)",
            });
        }
        let spacing = positive("alpha (spacing)", spacing)?;
        // n/ε² > 1 because ε < 1 ≤ n, so the logarithm is positive.
        let crossover = spacing / (2.0 * (2.0 * (n as f64 / (epsilon * epsilon)).ln()).sqrt());
        let amplitude = epsilon * crossover / (m as f64).sqrt();
        Self::new(envelope, spacing, amplitude, crossover, amplitude / 4.0)
    }

    /// Explicit parameters: envelope R, spacing α, amplitude β, crossover σ_c, noise η, all
    /// finite and > 0, with R/α ∈ [1e−6, 1e9] (the exact sampler's range) and β < α/2 (the
    /// f-part must be small against the lattice, docs/math.md §5 "β ≪ α").
    pub fn new(
        envelope: f64,
        spacing: f64,
        amplitude: f64,
        crossover: f64,
        noise: f64,
    ) -> Result<Self> {
        let envelope = positive("R (envelope)", envelope)?;
        let spacing = positive("alpha (spacing)", spacing)?;
        let amplitude = positive("beta (amplitude)", amplitude)?;
        let crossover = positive("sigma_c (crossover)", crossover)?;
        let noise = positive("eta (measurement noise)", noise)?;
        if amplitude >= spacing / 2.0 {
            return Err(Error::OutOfRange {
                name: "beta (amplitude)",
                value: amplitude,
                range: "(0, alpha/2)",
            });
        }
        // Validates R/α against the discrete Gaussian sampler's supported range.
        DiscreteGaussian::new(spacing / 2.0, spacing, envelope)?;
        Ok(Self {
            envelope,
            spacing,
            amplitude,
            crossover,
            noise,
        })
    }

    /// The same parameters with amplitude β, and the measurement noise reset to its default
    /// η = β/4 (call [`OwfParams::with_noise`] afterwards to override it).
    pub fn with_amplitude(self, amplitude: f64) -> Result<Self> {
        Self::new(
            self.envelope,
            self.spacing,
            amplitude,
            self.crossover,
            amplitude / 4.0,
        )
    }

    /// The same parameters with crossover σ_c.
    pub fn with_crossover(self, crossover: f64) -> Result<Self> {
        Self::new(
            self.envelope,
            self.spacing,
            self.amplitude,
            crossover,
            self.noise,
        )
    }

    /// The same parameters with measurement noise η.
    pub fn with_noise(self, noise: f64) -> Result<Self> {
        Self::new(
            self.envelope,
            self.spacing,
            self.amplitude,
            self.crossover,
            noise,
        )
    }

    /// R, the envelope std of the discretized Gaussian.
    pub fn envelope(&self) -> f64 {
        self.envelope
    }
    /// α, the lattice spacing (the lattice is α(Z + ½)).
    pub fn spacing(&self) -> f64 {
        self.spacing
    }
    /// β, the amplitude of the f-part u = β(2f(s) − 1).
    pub fn amplitude(&self) -> f64 {
        self.amplitude
    }
    /// σ_c, the VE level at which the efficient score switches regime.
    pub fn crossover(&self) -> f64 {
        self.crossover
    }
    /// t_c = ½ ln(1 + σ_c²), the crossover as an OU time.
    pub fn crossover_time(&self) -> f64 {
        ou_time::ve_sigma_to_ou_time(self.crossover)
    }
    /// η, the default measurement noise for posterior experiments (docs/math.md §6).
    pub fn noise(&self) -> f64 {
        self.noise
    }
}
