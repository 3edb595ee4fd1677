//! One-way-function evaluation throughput (docs/math.md §4): evaluations per second of every
//! candidate through the counted [`OneWayFunction::eval`], the BLAKE3 candidate against the raw
//! `blake3` keyed hash of the same input size (their ratio is the cost of hardiff's wrapper:
//! packing, counting, truncation), and bit-sliced circuit evaluation.
//!
//! `cargo bench -p hardiff-benches --bench owf -- --warm-up-time 1 --measurement-time 2`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hardiff_owf::{Bits, Blake3Keyed, Candidate, OneWayFunction};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;
use std::hint::black_box;

const BATCH: usize = 256;

fn inputs(n: usize) -> Vec<Bits> {
    let mut rng = ChaCha12Rng::seed_from_u64(0);
    (0..BATCH)
        .map(|_| Bits::from_bools(&(0..n).map(|_| rng.random::<bool>()).collect::<Vec<_>>()))
        .collect()
}

/// Every candidate at n = m = 64 (subset sum: m = 64 is its maximum), one counted evaluation
/// per element.
fn eval_candidates(c: &mut Criterion) {
    let mut group = c.benchmark_group("owf/eval");
    group.throughput(Throughput::Elements(BATCH as u64));
    for kind in Candidate::ALL {
        for (n, m) in [(64, 64), (256, 256)] {
            let m = if kind == Candidate::SubsetSum {
                m.min(64)
            } else {
                m
            };
            let f = kind.build(n, m, 1).expect("valid sizes");
            let xs = inputs(n);
            group.bench_with_input(
                BenchmarkId::new(kind.name(), format!("n{n}_m{m}")),
                &xs,
                |b, xs| {
                    b.iter(|| {
                        for x in xs {
                            black_box(f.eval(black_box(x)).expect("n bits"));
                        }
                    })
                },
            );
        }
    }
    group.finish();
}

/// BLAKE3 candidate (one counted `eval` per input; one `eval_batch` per batch; one
/// `eval_batch_words` per batch into a reused buffer) vs the raw
/// keyed hash on the same bytes, n = 64, 256, 512 bits, m = 256.
fn blake3_vs_raw(c: &mut Criterion) {
    let mut group = c.benchmark_group("owf/blake3-vs-raw");
    group.throughput(Throughput::Elements(BATCH as u64));
    for n in [64usize, 256, 512] {
        let f = Blake3Keyed::new(n, 256, 1).expect("valid sizes");
        let xs = inputs(n);
        let bytes: Vec<Vec<u8>> = xs.iter().map(Bits::to_le_bytes).collect();
        group.bench_with_input(BenchmarkId::new("candidate", n), &xs, |b, xs| {
            b.iter(|| {
                for x in xs {
                    black_box(f.eval(black_box(x)).expect("n bits"));
                }
            })
        });
        // The batched API counts the batch with one atomic increment instead of one per
        // evaluation (about 5 ns, 8% of a 64-bit input's hash).
        group.bench_with_input(BenchmarkId::new("candidate-batch", n), &xs, |b, xs| {
            b.iter(|| black_box(f.eval_batch(black_box(xs)).expect("n bits")))
        });
        // The allocation-free batch: outputs as packed words in a reused buffer, the form
        // hardiff's own hot loops (g̃'s sampler) use.
        let mut words = vec![0u64; BATCH * 4];
        group.bench_with_input(BenchmarkId::new("candidate-words", n), &xs, |b, xs| {
            b.iter(|| {
                f.eval_batch_words(black_box(xs), &mut words)
                    .expect("n bits");
                black_box(&words);
            })
        });
        let key = *f.key();
        group.bench_with_input(BenchmarkId::new("raw-keyed-hash", n), &bytes, |b, bytes| {
            b.iter(|| {
                for x in bytes {
                    black_box(blake3::keyed_hash(&key, black_box(x)));
                }
            })
        });
    }
    group.finish();
}

/// Bit-sliced circuit evaluation (64 lanes per pass) of the compiled candidates.
fn circuit_eval(c: &mut Criterion) {
    let mut group = c.benchmark_group("owf/circuit");
    group.throughput(Throughput::Elements(BATCH as u64));
    for kind in [
        Candidate::Blake3,
        Candidate::Goldreich,
        Candidate::SubsetSum,
    ] {
        let f = kind.build(64, 64, 1).expect("valid sizes");
        let circuit = f.compile();
        let xs = inputs(64);
        group.bench_with_input(
            BenchmarkId::new(kind.name(), format!("n64_m64_gates{}", circuit.size())),
            &xs,
            |b, xs| b.iter(|| black_box(circuit.eval_batch(black_box(xs)).expect("n bits"))),
        );
    }
    group.finish();
}

/// criterion's generated group function carries no doc comment.
#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, eval_candidates, blake3_vs_raw, circuit_eval);
}
criterion_main!(group::benches);
