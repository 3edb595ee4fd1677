//! The CLI's own value parsers: comma-separated lists (`--secret -0.7,0.7`, `--y=-0.5`,
//! `--hidden 128,128`). Each returns a value or a typed [`ListError`] naming the entry at fault;
//! none panics, whatever the input (a property test holds them to it).

use std::str::FromStr;

/// Why a comma-separated list was refused. Entries are numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    /// No entries at all.
    #[error("expected a comma-separated list, got an empty value")]
    Empty,
    /// An entry between two commas (or at an end) is blank.
    #[error("entry {index} is empty")]
    EmptyEntry {
        /// 1-based position of the entry.
        index: usize,
    },
    /// An entry does not parse as a number.
    #[error("entry {index} ({entry:?}) is not a number")]
    NotANumber {
        /// 1-based position of the entry.
        index: usize,
        /// The entry as given.
        entry: String,
    },
    /// An entry is NaN or infinite.
    #[error("entry {index} ({entry}) is not finite")]
    NotFinite {
        /// 1-based position of the entry.
        index: usize,
        /// The entry as given.
        entry: String,
    },
    /// An entry is not a whole number ≥ 1.
    #[error("entry {index} ({entry:?}) is not a whole number ≥ 1")]
    NotACount {
        /// 1-based position of the entry.
        index: usize,
        /// The entry as given.
        entry: String,
    },
}

/// Splits on commas, trimming spaces; refuses an empty value and blank entries.
fn entries(s: &str) -> Result<Vec<(usize, &str)>, ListError> {
    if s.trim().is_empty() {
        return Err(ListError::Empty);
    }
    s.split(',')
        .map(str::trim)
        .enumerate()
        .map(|(i, e)| {
            if e.is_empty() {
                Err(ListError::EmptyEntry { index: i + 1 })
            } else {
                Ok((i + 1, e))
            }
        })
        .collect()
}

/// A non-empty comma-separated list of finite numbers (`-0.7071067811865476,0.7071067811865476`).
#[derive(Debug, Clone, PartialEq)]
pub struct FloatList(pub Vec<f64>);

impl FromStr for FloatList {
    type Err = ListError;
    fn from_str(s: &str) -> Result<Self, ListError> {
        entries(s)?
            .into_iter()
            .map(|(index, entry)| match entry.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                Ok(_) => Err(ListError::NotFinite {
                    index,
                    entry: entry.to_string(),
                }),
                Err(_) => Err(ListError::NotANumber {
                    index,
                    entry: entry.to_string(),
                }),
            })
            .collect::<Result<_, _>>()
            .map(FloatList)
    }
}

/// A non-empty comma-separated list of whole numbers ≥ 1 (`--hidden 128,128`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountList(pub Vec<usize>);

impl FromStr for CountList {
    type Err = ListError;
    fn from_str(s: &str) -> Result<Self, ListError> {
        entries(s)?
            .into_iter()
            .map(|(index, entry)| match entry.parse::<usize>() {
                Ok(v) if v >= 1 => Ok(v),
                _ => Err(ListError::NotACount {
                    index,
                    entry: entry.to_string(),
                }),
            })
            .collect::<Result<_, _>>()
            .map(CountList)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_name_the_bad_entry() {
        assert_eq!(
            "-0.5, 2,1e-3".parse::<FloatList>(),
            Ok(FloatList(vec![-0.5, 2.0, 1e-3]))
        );
        assert_eq!("".parse::<FloatList>(), Err(ListError::Empty));
        assert_eq!(
            "1,,2".parse::<FloatList>(),
            Err(ListError::EmptyEntry { index: 2 })
        );
        assert!(matches!(
            "1,abc".parse::<FloatList>(),
            Err(ListError::NotANumber { index: 2, .. })
        ));
        assert!(matches!(
            "NaN".parse::<FloatList>(),
            Err(ListError::NotFinite { index: 1, .. })
        ));
        assert_eq!("128,64".parse::<CountList>(), Ok(CountList(vec![128, 64])));
        assert!(matches!(
            "128,0".parse::<CountList>(),
            Err(ListError::NotACount { index: 2, .. })
        ));
        assert!(matches!(
            "-1".parse::<CountList>(),
            Err(ListError::NotACount { index: 1, .. })
        ));
    }
}
