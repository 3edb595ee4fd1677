//! The experiments of `cargo xtask bench`, each a sweep over one size with trials per point:
//! one module per experiment, named by its id (`e2_rejection` is E2), plus [`common`] (what the
//! experiments on g̃ share) and [`pancake_learning`] (PL: learning the pancake score with and
//! without the secret).

pub mod common;
pub mod e1_unconditional;
pub mod e2_rejection;
pub mod e3_inversion;
pub mod e4_distinguish;
pub mod e5_tv_grid;
pub mod e6_network_sizes;
pub mod e7_sensitivity;
pub mod f1_figure;
pub mod k_kernels;
pub mod pancake_learning;

use crate::engine::DynExperiment;

/// Every experiment of the standard suite, in report order.
pub fn all() -> Vec<Box<dyn DynExperiment>> {
    vec![
        Box::new(e5_tv_grid::TvGrid),
        Box::new(f1_figure::Figure1),
        Box::new(k_kernels::Kernels),
        Box::new(e1_unconditional::UnconditionalSampling),
        Box::new(e2_rejection::RejectionScaling),
        Box::new(e3_inversion::Inversion),
        Box::new(e6_network_sizes::NetworkSizes),
        Box::new(e7_sensitivity::Sensitivity),
        Box::new(e4_distinguish::Distinguish),
        Box::new(pancake_learning::PancakeLearning),
    ]
}
