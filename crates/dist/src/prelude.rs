//! The names a downstream user of hardiff-dist needs in nearly every file:
//! `use hardiff_dist::prelude::*;` brings the traits into scope (so `law.score_owned(t, x)`,
//! `law.sample_batch(&mut rng, n)` and `law.dim()` resolve), the laws, the error type, the
//! seeded streams, and the `ndarray` / `rand` items the APIs take and return.

pub use crate::error::{Error, Result};
pub use crate::ou_time::{self, OuMarginal};
pub use crate::rng;
pub use crate::score::{Dimension, LogDensity, SampleBatch, Score, ScoreVjp};
pub use crate::score_error::{l2_score_error, ScoreError};
pub use crate::{
    DiscreteGaussian, Gaussian, GaussianMixture, GaussianPancakes, OwfDistribution, OwfParams,
    PancakeProfile, SmoothedDiscreteGaussian, StandardGaussian,
};
pub use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};
pub use rand::{Rng as _, RngCore};
