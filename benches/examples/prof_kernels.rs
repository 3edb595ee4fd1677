//! A driver for instruction counts (`valgrind --tool=callgrind`) and quick timings of the
//! kernels the criterion benches time: `prof_kernels rej|owf|cand N|raw N|unc N|… [reps]`.
//! The BLAKE3 modes isolate the candidate's wrapper: `raw` (the keyed hash of a byte vector),
//! `hashonly` (of Bits' words in place), `conv` (plus the output words), `conv5` (plus a
//! one-word `Bits`), `unc` (`eval_uncounted`), `cand` (counted `eval`), `pack`/`pack32`
//! (copying the input first).

use hardiff_dist::rng::stream;
use hardiff_dist::{Gaussian, GaussianMixture, OwfDistribution};
use hardiff_owf::{Bits, Blake3Keyed, Candidate, OneWayFunction};
use hardiff_sde::posterior::rejection;
use hardiff_sde::LinearMeasurement;
use ndarray::{array, Array2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = args.get(3).map_or(1, |s| s.parse().expect("reps"));
    match args[1].as_str() {
        "rej" => {
            let prior = GaussianMixture::new(
                vec![0.35, 0.65],
                vec![
                    Gaussian::new(array![-1.5, 0.5], array![[0.6, 0.2], [0.2, 0.4]]).unwrap(),
                    Gaussian::new(array![1.0, -0.5], array![[0.3, -0.1], [-0.1, 0.8]]).unwrap(),
                ],
            )
            .unwrap();
            let meas = LinearMeasurement::new(array![[1.0, 0.5]], 0.05).unwrap();
            let y = array![0.3];
            let acc: usize = args.get(2).map_or(20_000, |s| s.parse().unwrap());
            let mut draws = 0;
            let start = std::time::Instant::now();
            for _ in 0..reps {
                let out = rejection(
                    &prior,
                    &meas,
                    y.view(),
                    acc,
                    u64::MAX,
                    &mut stream(2024, "peer/rejection", &[]),
                )
                .unwrap();
                draws = out.stats.prior_draws;
                black_box(&out.samples);
                println!("sum {:.17e}", out.samples.sum());
            }
            println!(
                "draws {draws} secs/rep {:.4}",
                start.elapsed().as_secs_f64() / reps as f64
            );
        }
        "owf" => {
            let (n, m) = (12, 12);
            let draws: u64 = args.get(2).map_or(1 << 16, |s| s.parse().unwrap());
            let f = Candidate::Blake3.build_arc(n, m, 1).unwrap();
            let dist = OwfDistribution::with_default_params(f).unwrap();
            let a = Array2::from_shape_fn((m, n + m), |(i, j)| if j == n + i { 1.0 } else { 0.0 });
            let meas = LinearMeasurement::new(a, dist.params().noise()).unwrap();
            let y = dist
                .vertex_value(&Bits::from_u64(0xa5c, n).unwrap())
                .unwrap();
            let start = std::time::Instant::now();
            for _ in 0..reps {
                let mut rng = stream(1, "K/owf-rejection", &[]);
                let r = rejection(&dist, &meas, y.view(), draws as usize, draws, &mut rng);
                println!("{:?}", r.err().map(|e| e.to_string()));
            }
            let s = start.elapsed().as_secs_f64() / reps as f64;
            println!(
                "draws/s {:.4e} us/draw {:.4}",
                draws as f64 / s,
                1e6 * s / draws as f64
            );
        }
        "cand" | "raw" | "unc" | "pack" | "pack32" | "hashonly" | "conv" | "conv5" => {
            let n: usize = args[2].parse().unwrap();
            let f = Blake3Keyed::new(n, 256, 1).unwrap();
            let mut rng = ChaCha12Rng::seed_from_u64(0);
            let xs: Vec<Bits> = (0..256)
                .map(|_| {
                    Bits::from_bools(&(0..n).map(|_| rng.random::<bool>()).collect::<Vec<_>>())
                })
                .collect();
            let bytes: Vec<Vec<u8>> = xs.iter().map(Bits::to_le_bytes).collect();
            let key = *f.key();
            let start = std::time::Instant::now();
            for _ in 0..reps {
                if args[1] == "cand" {
                    for x in &xs {
                        black_box(f.eval(black_box(x)).unwrap());
                    }
                } else if args[1] == "pack" {
                    let nb = n.div_ceil(8);
                    for x in &xs {
                        let x = black_box(x);
                        let mut block = [0u8; 64];
                        for (chunk, w) in block.chunks_exact_mut(8).zip(x.words()) {
                            chunk.copy_from_slice(&w.to_le_bytes());
                        }
                        black_box(blake3::keyed_hash(&key, &block[..nb]));
                    }
                } else if args[1] == "pack32" {
                    let nb = n.div_ceil(8);
                    for x in &xs {
                        let x = black_box(x);
                        let mut block = [0u64; 8];
                        block[..x.words().len()].copy_from_slice(x.words());
                        let mut bytes = [0u8; 64];
                        for (chunk, w) in bytes.chunks_exact_mut(32).zip(block.chunks_exact(4)) {
                            let v: [u8; 32] =
                                std::array::from_fn(|i| (w[i / 8] >> (8 * (i % 8))) as u8);
                            chunk.copy_from_slice(&v);
                        }
                        black_box(blake3::keyed_hash(&key, &bytes[..nb]));
                    }
                } else if matches!(args[1].as_str(), "hashonly" | "conv" | "conv5") {
                    // The keyed hash of Bits' words in place, then (conv) its output as words,
                    // then (conv5) a one-word Bits built from them.
                    let nb = n.div_ceil(8);
                    for x in &xs {
                        let all = zerocopy::IntoBytes::as_bytes(black_box(x).words());
                        let h = blake3::keyed_hash(&key, &all[..nb]);
                        if args[1] == "hashonly" {
                            black_box(h);
                            continue;
                        }
                        let mut w = [0u64; 4];
                        for (w, c) in w.iter_mut().zip(h.as_bytes().chunks_exact(8)) {
                            *w = u64::from_le_bytes(c.try_into().unwrap());
                        }
                        if args[1] == "conv" {
                            black_box(w);
                        } else {
                            black_box(Bits::from_u64(w[0], 64).unwrap());
                        }
                    }
                } else if args[1] == "unc" {
                    for x in &xs {
                        black_box(f.eval_uncounted(black_box(x)));
                    }
                } else {
                    for x in &bytes {
                        black_box(blake3::keyed_hash(&key, black_box(x)));
                    }
                }
            }
            println!(
                "ns/call {:.2}",
                1e9 * start.elapsed().as_secs_f64() / (256 * reps) as f64
            );
        }
        other => panic!("unknown kernel {other}"),
    }
}
