//! [`CallCounter`]: the one counter of oracle calls in hardiff.
//!
//! DESIGN.md "cost is counted, not only timed": every oracle — a one-way-function evaluation
//! here, a score evaluation, a VJP or a prior draw in hardiff-dist and hardiff-sde — adds to a
//! `CallCounter`, so a scaling curve is measured in calls, which are deterministic, beside
//! seconds, which are not. hardiff-dist re-exports this type, so there is one counter type in
//! the workspace and a count can be shared between oracles of different kinds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A shared, thread-safe count of oracle calls of any kind. Clones share the count, so every
/// holder of an oracle (a function, a distribution, a score, an inverter) adds to the same
/// number; [`CallCounter::new`] starts an independent one.
///
/// Relaxed atomics suffice: the count is a sum, read after the work that produced it has been
/// joined, and no other memory is published through it.
///
/// ```
/// use hardiff_owf::CallCounter;
/// let a = CallCounter::new();
/// let b = a.clone();
/// a.add(2);
/// b.add(3);
/// assert_eq!(a.get(), 5);
/// assert_eq!(b.take(), 5);
/// assert_eq!(a.get(), 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallCounter(Arc<AtomicU64>);

impl CallCounter {
    /// A new, independent counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `calls` calls.
    pub fn add(&self, calls: u64) {
        self.0.fetch_add(calls, Ordering::Relaxed);
    }

    /// The count so far (over all clones).
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Resets the shared count to zero and returns the previous count.
    pub fn take(&self) -> u64 {
        self.0.swap(0, Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_and_new_counters_are_independent() {
        let a = CallCounter::new();
        let b = a.clone();
        let c = CallCounter::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                let b = b.clone();
                s.spawn(move || (0..1000).for_each(|_| b.add(1)));
            }
        });
        // 4 threads × 1000 calls, all on clones of `a`; `c` saw none.
        assert_eq!(a.get(), 4000);
        assert_eq!(c.get(), 0);
        assert_eq!(b.take(), 4000);
        assert_eq!(a.get(), 0);
    }
}
