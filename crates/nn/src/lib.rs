//! # hardiff-nn
//!
//! ReLU score networks (MATH.md §5, §8): dense MLPs trained by denoising score matching, and
//! networks built by construction from boolean circuits and rounding gadgets.
//!
//! **Architecture invariant:** networks know distributions only through samples and the
//! `Score` trait of `hardiff-dist`. Depends on `hardiff-owf` (circuits) and `hardiff-dist`;
//! never on `hardiff-sde` or `hardiff-harness`.
