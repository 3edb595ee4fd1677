//! Dense matrices over GF(2): the linear control's map, its full-rank check, and the Gaussian
//! elimination that inverts it (docs/math.md §4 "Easy controls").

use crate::bits::{words_for, Bits};
use crate::error::{Error, Result};
use rand::Rng;

/// An m×n matrix over GF(2), stored as packed rows (row r is a [`Bits`] of length n).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gf2Matrix {
    rows: usize,
    cols: usize,
    data: Vec<Vec<u64>>,
}

/// A solution of M x = y found by elimination, with its cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gf2Solution {
    /// One solution (free variables set to 0), or `None` if y is not in the image of M.
    pub x: Option<Bits>,
    /// Row operations performed (each an XOR of two packed rows).
    pub row_operations: u64,
}

impl Gf2Matrix {
    /// The zero matrix.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![vec![0; words_for(cols)]; rows],
        }
    }

    /// A uniformly random matrix.
    pub fn random<R: Rng + ?Sized>(rng: &mut R, rows: usize, cols: usize) -> Self {
        let mut m = Self::zeros(rows, cols);
        for row in &mut m.data {
            for w in row.iter_mut() {
                *w = rng.random();
            }
            if let Some(last) = row.last_mut() {
                if cols % 64 != 0 {
                    *last &= (1u64 << (cols % 64)) - 1;
                }
            }
        }
        m
    }

    /// From rows (each of length `cols`).
    pub fn from_rows(rows: &[Bits], cols: usize) -> Result<Self> {
        if let Some(r) = rows.iter().find(|r| r.len() != cols) {
            return Err(Error::LengthMismatch {
                what: "GF(2) matrix row length",
                expected: cols,
                got: r.len(),
            });
        }
        Ok(Self {
            rows: rows.len(),
            cols,
            data: rows.iter().map(|r| r.words().to_vec()).collect(),
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Entry (r, c).
    ///
    /// # Panics
    /// If r or c is out of range.
    pub fn get(&self, r: usize, c: usize) -> bool {
        assert!(c < self.cols, "column {c} out of range");
        (self.data[r][c / 64] >> (c % 64)) & 1 == 1
    }

    /// Sets entry (r, c).
    ///
    /// # Panics
    /// If r or c is out of range.
    pub fn set(&mut self, r: usize, c: usize, v: bool) {
        assert!(c < self.cols, "column {c} out of range");
        let mask = 1u64 << (c % 64);
        if v {
            self.data[r][c / 64] |= mask;
        } else {
            self.data[r][c / 64] &= !mask;
        }
    }

    /// Row r as [`Bits`].
    pub fn row(&self, r: usize) -> Bits {
        Bits::from_words_unchecked(self.data[r].clone(), self.cols)
    }

    /// M x over GF(2).
    pub fn mul_vec(&self, x: &Bits) -> Result<Bits> {
        if x.len() != self.cols {
            return Err(Error::LengthMismatch {
                what: "GF(2) matrix-vector operand",
                expected: self.cols,
                got: x.len(),
            });
        }
        let mut words = vec![0u64; words_for(self.rows)];
        for (r, row) in self.data.iter().enumerate() {
            let parity = row
                .iter()
                .zip(x.words())
                .fold(0u64, |p, (a, b)| p ^ (a & b))
                .count_ones()
                & 1;
            words[r / 64] |= u64::from(parity) << (r % 64);
        }
        Ok(Bits::from_words_unchecked(words, self.rows))
    }

    /// The rank over GF(2).
    pub fn rank(&self) -> usize {
        self.eliminate(None).rank
    }

    /// Solves M x = y by Gauss–Jordan elimination: returns one solution (free variables 0) or
    /// `None` if y is outside the image, with the number of row operations.
    pub fn solve(&self, y: &Bits) -> Result<Gf2Solution> {
        if y.len() != self.rows {
            return Err(Error::LengthMismatch {
                what: "GF(2) right-hand side",
                expected: self.rows,
                got: y.len(),
            });
        }
        let Echelon {
            rhs,
            rank,
            pivots,
            row_operations,
        } = self.eliminate(Some(y));
        // Rows below the rank are zero; a 1 on their right-hand side is inconsistent.
        if rhs[rank..].iter().any(|&b| b) {
            return Ok(Gf2Solution {
                x: None,
                row_operations,
            });
        }
        let mut x = Bits::zeros(self.cols);
        for (i, &c) in pivots.iter().enumerate() {
            x.set(c, rhs[i]);
        }
        Ok(Gf2Solution {
            x: Some(x),
            row_operations,
        })
    }

    /// Gauss–Jordan elimination to reduced row echelon form, carrying a right-hand side.
    fn eliminate(&self, y: Option<&Bits>) -> Echelon {
        let mut rows = self.data.clone();
        let mut rhs: Vec<bool> = match y {
            Some(y) => y.iter().collect(),
            None => vec![false; self.rows],
        };
        let mut rank = 0;
        let mut pivots = Vec::new();
        let mut ops = 0u64;
        for c in 0..self.cols {
            if rank == self.rows {
                break;
            }
            let (w, mask) = (c / 64, 1u64 << (c % 64));
            let Some(p) = (rank..self.rows).find(|&r| rows[r][w] & mask != 0) else {
                continue;
            };
            rows.swap(rank, p);
            rhs.swap(rank, p);
            for r in 0..self.rows {
                if r != rank && rows[r][w] & mask != 0 {
                    let (pivot_row, pivot_rhs) = (rows[rank].clone(), rhs[rank]);
                    for (a, b) in rows[r].iter_mut().zip(&pivot_row) {
                        *a ^= b;
                    }
                    rhs[r] ^= pivot_rhs;
                    ops += 1;
                }
            }
            pivots.push(c);
            rank += 1;
        }
        Echelon {
            rhs,
            rank,
            pivots,
            row_operations: ops,
        }
    }
}

/// The result of [`Gf2Matrix::eliminate`]: rows `0..rank` have pivots in `pivots` (reduced
/// form), rows `rank..` are zero.
struct Echelon {
    rhs: Vec<bool>,
    rank: usize,
    pivots: Vec<usize>,
    row_operations: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn solve_recovers_a_preimage_and_detects_inconsistency() {
        let mut rng = rand_chacha::ChaCha12Rng::seed_from_u64(3);
        for (rows, cols) in [(5, 5), (9, 4), (4, 9), (70, 66)] {
            let m = Gf2Matrix::random(&mut rng, rows, cols);
            for trial in 0..20u64 {
                let x = Bits::from_bools(
                    &(0..cols)
                        .map(|i| ((trial * 0x9E37_79B9) >> (i % 31)) & 1 == 1)
                        .collect::<Vec<_>>(),
                );
                let y = m.mul_vec(&x).unwrap();
                let sol = m.solve(&y).unwrap().x.expect("y is in the image");
                assert_eq!(m.mul_vec(&sol).unwrap(), y);
            }
        }
        // A 3×2 matrix of rank 2: the image has 4 of the 8 vectors; brute-force the rest.
        let m = Gf2Matrix::from_rows(
            &[
                Bits::from_u64(0b01, 2).unwrap(),
                Bits::from_u64(0b10, 2).unwrap(),
                Bits::from_u64(0b11, 2).unwrap(),
            ],
            2,
        )
        .unwrap();
        assert_eq!(m.rank(), 2);
        for v in 0..8u64 {
            let y = Bits::from_u64(v, 3).unwrap();
            let in_image =
                (0..4u64).any(|x| m.mul_vec(&Bits::from_u64(x, 2).unwrap()).unwrap() == y);
            assert_eq!(m.solve(&y).unwrap().x.is_some(), in_image, "y = {v:03b}");
        }
    }
}
