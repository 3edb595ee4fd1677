//! The NumPy peer: the same pancake score and rejection-sampling loop, vectorised in NumPy,
//! timed beside hardiff on the same inputs.

use crate::error::{Error, Result};
use std::path::Path;

/// Runs the peer comparison from the workspace root.
pub fn run(_root: &Path) -> Result<()> {
    Err(Error::Invalid("the NumPy peer is not built yet".into()))
}
