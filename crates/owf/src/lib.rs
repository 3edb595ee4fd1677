//! # hardiff-owf
//!
//! One-way function candidates (MATH.md §4), boolean circuits they compile to, and inverters.
//!
//! **Architecture invariant:** this crate *knows nothing about real numbers*: bits, circuits and
//! counted evaluations only. It depends on no other hardiff crate.
