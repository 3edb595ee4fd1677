//! # hardiff-sde
//!
//! The forward OU process, time grids, unconditional diffusion samplers, linear measurements
//! and posterior samplers (MATH.md §6–§7).
//!
//! **Architecture invariant:** this crate never depends on `hardiff-nn`; samplers see scores
//! only through the `Score` / `ScoreVjp` traits of `hardiff-dist`.
