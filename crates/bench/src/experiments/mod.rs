//! The experiments of `cargo xtask bench`, each a sweep over one size with trials per point.

pub mod distinguish;
pub mod pancakes;
pub mod posterior;
pub mod unconditional;

use crate::engine::Experiment;

/// Every experiment of the standard suite, in report order.
pub fn all() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(pancakes::TvGrid),
        Box::new(pancakes::Figure1),
        Box::new(pancakes::Kernels),
        Box::new(unconditional::UnconditionalSampling),
        Box::new(posterior::RejectionScaling),
        Box::new(posterior::Inversion),
        Box::new(unconditional::NetworkSizes),
        Box::new(posterior::Sensitivity),
        Box::new(distinguish::Distinguish),
    ]
}
