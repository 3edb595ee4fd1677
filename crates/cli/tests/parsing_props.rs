//! Property tests: the CLI's number and list parsing never panics on arbitrary input. Each
//! parser returns a value or a typed error; the command-line parser as a whole returns Ok or a
//! clap error for any value in any numeric or list position. (Random inputs, 256–1024 cases per
//! property; a failure is a real bug, not chance.)

use clap::Parser;
use hardiff_cli::values::{CountList, FloatList, ListError};
use hardiff_cli::Cli;
use proptest::prelude::*;

/// Strings shaped like what users type into list and number flags, plus noise.
fn list_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-+0-9eE., ]{0,30}",
        "(NaN|inf|-inf|1e999|-0|0x1|1_000|,| |\\t|[0-9]{1,25}){0,8}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn float_lists_parse_or_say_which_entry(s in list_like()) {
        match s.parse::<FloatList>() {
            Ok(FloatList(v)) => {
                prop_assert!(!v.is_empty());
                prop_assert!(v.iter().all(|x| x.is_finite()));
                prop_assert_eq!(v.len(), s.split(',').count());
            }
            Err(ListError::Empty) => prop_assert!(s.trim().is_empty()),
            Err(
                ListError::EmptyEntry { index }
                | ListError::NotANumber { index, .. }
                | ListError::NotFinite { index, .. }
                | ListError::NotACount { index, .. },
            ) => prop_assert!(index >= 1 && index <= s.split(',').count()),
            Err(e) => prop_assert!(false, "unexpected {e:?}"),
        }
    }

    #[test]
    fn count_lists_parse_or_say_which_entry(s in list_like()) {
        if let Ok(CountList(v)) = s.parse::<CountList>() {
            prop_assert!(v.iter().all(|&c| c >= 1));
        }
    }

    /// Round trip: finite numbers printed with `{:?}` and joined parse back exactly.
    #[test]
    fn printed_float_lists_read_back(v in prop::collection::vec(any::<f64>().prop_filter("finite", |x| x.is_finite()), 1..8)) {
        let text = v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(",");
        prop_assert_eq!(text.parse::<FloatList>(), Ok(FloatList(v)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary values in every numeric and list position of the sampling commands: clap
    /// returns Ok or an error, never panics.
    #[test]
    fn command_lines_with_arbitrary_values_never_panic(
        a in list_like(),
        b in list_like(),
        c in list_like(),
    ) {
        let lines: Vec<Vec<&str>> = vec![
            vec!["hardiff", "pancakes", "sample", "--dim", &a, "--gamma", &b, "--sigma", &c,
                 "--n", &a, "--seed", &b, "--secret", &c, "--t", &a],
            vec!["hardiff", "pancakes", "score", "--gamma", &a, "--sigma", &b, "--secret", &c],
            vec!["hardiff", "discrete-gaussian", "sample", "--std", &a, "--offset", &b,
                 "--spacing", &c, "--n", &a, "--seed", &b],
            vec!["hardiff", "posterior", "--prior", "p", "--measurement", "m", "--y", &a,
                 "--sampler", "smc", "--n", &b, "--seed", &c, "--particles", &a,
                 "--max-draws", &b, "--t-min", &c],
            vec!["hardiff", "nn", "train", "--prior", "p", "--hidden", &a, "--steps", &b,
                 "--learning-rate", &c, "--out", "o"],
            vec!["hardiff", "owf", "eval", "--kind", "blake3", "--input-bits", &a,
                 "--output-bits", &b, "--seed", "1", "--input", &c],
            vec!["hardiff", "--chunk-rows", &a, "owf-dist", "sample", "--kind", "linear",
                 "--input-bits", &b, "--output-bits", &c, "--n", &a, "--t", &b],
        ];
        for line in lines {
            let _ = Cli::try_parse_from(&line);
        }
    }

    /// The hex inputs of `owf eval --input` / `owf invert --output`: a value or a typed error.
    #[test]
    fn hex_inputs_never_panic(s in "[0-9a-fA-Fx -]{0,20}|\\PC{0,12}", bits in 0usize..80) {
        let _ = hardiff_owf::Bits::from_hex(&s, bits);
    }
}
