//! Sample files of a challenge: NumPy `.npy` (float32 or float64, shape (n, d), C or Fortran
//! order) or CSV with the header `x0,…,x{d−1}`; `.npy` is recognised by its magic bytes, so the
//! extension does not matter when reading.

use crate::error::{Error, Result};
use crate::io::{self, Table};
use ndarray::Array2;
use ndarray_npy::{ReadNpyError, ReadNpyExt, WriteNpyExt};
use std::path::Path;

/// The first bytes of every `.npy` file.
const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// Reads samples of dimension `dim` from `path` (module docs). Errors: [`Error::Io`] when the
/// file cannot be read; [`Error::Invalid`] / [`Error::Csv`] for a malformed file, another
/// dtype, another shape or a non-finite entry.
pub fn read_samples(path: &Path, dim: usize) -> Result<Array2<f64>> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let x = if bytes.starts_with(NPY_MAGIC) {
        read_npy(&bytes).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?
    } else {
        io::read_points(bytes.as_slice(), Some(dim))
            .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?
    };
    if x.ncols() != dim {
        return Err(Error::Invalid(format!(
            "{}: samples must have shape (n, {dim}), got ({}, {})",
            path.display(),
            x.nrows(),
            x.ncols()
        )));
    }
    if let Some(bad) = x.iter().find(|v| !v.is_finite()) {
        return Err(Error::Invalid(format!(
            "{}: samples must be finite, found {bad}",
            path.display()
        )));
    }
    Ok(x)
}

/// A 2-D float64 or float32 `.npy` as float64.
fn read_npy(bytes: &[u8]) -> std::result::Result<Array2<f64>, String> {
    match Array2::<f64>::read_npy(bytes) {
        Ok(x) => Ok(x),
        Err(ReadNpyError::WrongDescriptor(_)) => Array2::<f32>::read_npy(bytes)
            .map(|x| x.mapv(f64::from))
            .map_err(|e| match e {
                ReadNpyError::WrongDescriptor(d) => {
                    format!("dtype {d} is not supported (float32 or float64)")
                }
                other => other.to_string(),
            }),
        Err(e) => Err(e.to_string()),
    }
}

/// Writes samples to `path` atomically: `.npy` (float64) when the path ends in `.npy`, else CSV
/// with the header `x0,…`.
pub fn write_samples(path: &Path, x: &Array2<f64>) -> Result<()> {
    let mut bytes = Vec::new();
    if path.extension().is_some_and(|e| e == "npy") {
        x.write_npy(&mut bytes)
            .map_err(|e| Error::Invalid(format!("encoding {}: {e}", path.display())))?;
    } else {
        Table::with_prefix("x", x).write(io::Format::Csv, &mut bytes)?;
    }
    io::atomic_write(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn npy_and_csv_round_trip_and_float32_is_read() {
        let dir = std::env::temp_dir().join(format!("hardiff-samples-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let x = array![[0.1, -2.5], [3.0, 1e-300]];
        for name in ["a.npy", "a.csv"] {
            let p = dir.join(name);
            write_samples(&p, &x).unwrap();
            assert_eq!(read_samples(&p, 2).unwrap(), x);
            assert!(matches!(read_samples(&p, 3), Err(Error::Invalid(_))));
        }
        let mut bytes = Vec::new();
        x.mapv(|v| v as f32).write_npy(&mut bytes).unwrap();
        let p = dir.join("f32.npy");
        std::fs::write(&p, &bytes).unwrap();
        assert_eq!(
            read_samples(&p, 2).unwrap(),
            x.mapv(|v| f64::from(v as f32))
        );
        let mut ints = Vec::new();
        array![[1i64, 2]].write_npy(&mut ints).unwrap();
        std::fs::write(&p, &ints).unwrap();
        let e = read_samples(&p, 2).unwrap_err().to_string();
        assert!(e.contains("dtype"), "{e}");
        assert!(matches!(
            read_samples(&dir.join("missing.npy"), 2),
            Err(Error::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
