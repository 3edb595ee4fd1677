use hardiff_dist::*;
#[test]
fn explore() {
    for (g, s) in [(6.0, 0.01), (6.0, 0.05), (6.0, 0.25), (2.0, 0.5)] {
        let p = PancakeProfile::new(g, s).unwrap();
        let t0 = std::time::Instant::now();
        let tv = p.tv_to_standard_gaussian();
        println!("{g} {s}: spacing {:.6} tau {:.7} b {:.4} tv {:.6} ({:?})", p.spacing(), p.width(), p.b(), tv, t0.elapsed());
    }
    let p = PancakeProfile::new(6.0, 0.05).unwrap();
    for z in [0.032586, 0.927452] { println!("{z} {:.7} {:.7}", p.score(z), p.eval_with(z, LatticeSumForm::Dual).score); }
    let p = PancakeProfile::new(2.0, 0.5).unwrap();
    for z in [-2.030369, 2.757291] { println!("{z} {:.7} {:.7}", p.score(z), p.eval_with(z, LatticeSumForm::Direct).score); }
    for (g, s, t) in [(2.0, 0.5, 0.0), (2.0, 0.5, 0.01), (2.0, 0.5, 0.1), (6.0, 0.05, 0.01), (6.0, 0.05, 0.1), (6.0,0.05,0.0)] {
        let p = PancakeProfile::new(g, s).unwrap().at_time(t).unwrap();
        let t0 = std::time::Instant::now();
        println!("E g^2 {g} {s} {t}: {:.7e} b_t {} ({:?})", p.mean_squared_excess_score(), p.b(), t0.elapsed());
    }
}
