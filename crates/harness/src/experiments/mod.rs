//! The experiments of `cargo xtask bench`, each a sweep over one size with trials per point.

use crate::bench::Experiment;

/// Every experiment of the standard suite, in report order.
pub fn all() -> Vec<Box<dyn Experiment>> {
    vec![]
}
