use hardiff_dist::rng::stream;
use hardiff_dist::score_error::l2_score_error;
use hardiff_dist::{GaussianPancakes, OuMarginal, SampleBatch};
use hardiff_nn::dsm::{train_score_network, Dataset, DsmConfig};
use hardiff_nn::projected::ProjectedScore;
use hardiff_nn::score_mlp::Parameterization;
use ndarray::Axis;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let d: usize = args[0].parse().unwrap();
    let steps: usize = args[1].parse().unwrap();
    let spd: usize = args[2].parse().unwrap();
    let informed: bool = args[3] == "i";
    let lr: f64 = args.get(4).map_or(3e-3, |s| s.parse().unwrap());
    let tmin: f64 = args.get(5).map_or(0.04, |s| s.parse().unwrap());
    let law = GaussianPancakes::with_random_secret(d, 2.0, 0.1, 5).unwrap();
    let rows = law.sample_batch(&mut stream(1, "x", &[]), spd * d);
    let data = if informed {
        Dataset::new(rows.dot(&law.secret()).insert_axis(Axis(1))).unwrap()
    } else {
        Dataset::new(rows).unwrap()
    };
    let cfg = DsmConfig {
        steps,
        batch_size: 128,
        learning_rate: lr,
        final_lr_fraction: 0.05,
        t_min: tmin,
        t_max: 0.25,
        grad_clip: Some(10.0),
        seed: 3,
    };
    let t0 = std::time::Instant::now();
    let (m, _) = train_score_network(
        &data,
        &[64, 64],
        Parameterization::GaussianResidual,
        3,
        &cfg,
    )
    .unwrap();
    let el = t0.elapsed().as_secs_f64();
    let score: Box<dyn hardiff_dist::Score> = if informed {
        Box::new(ProjectedScore::new(law.secret().to_owned(), m).unwrap())
    } else {
        Box::new(m)
    };
    for t in [0.05, 0.1, 0.2] {
        let pts = OuMarginal::new(&law, t)
            .unwrap()
            .sample_batch(&mut stream(2, "e", &[]), 4000);
        let e = l2_score_error(score.as_ref(), &law, t, pts.view()).unwrap();
        let f = law
            .profile()
            .at_time(t)
            .unwrap()
            .mean_squared_excess_score_under_profile();
        print!(
            "t={t}: {:.3}±{:.3}  ",
            e.mean_squared_error / f,
            e.std_error / f
        );
    }
    println!(" [{el:.1}s] d={d} steps={steps} spd={spd} inf={informed} lr={lr}");
}
