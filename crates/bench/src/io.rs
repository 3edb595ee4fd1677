//! Table input and output for the CLI (CSV with a header row, or JSON), and atomic file writes.

use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView2};
use std::io::{Read, Write};
use std::path::Path;

/// Output format of a printed table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Comma-separated values with a header row.
    #[default]
    Csv,
    /// A JSON array of objects, one per row, keyed by column name.
    Json,
}

/// A column-named table of numbers, the CLI's unit of output.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows; each has `columns.len()` entries.
    pub rows: Vec<Vec<f64>>,
}

impl Table {
    /// A table from named columns and an `(n, k)` array.
    pub fn from_array(columns: Vec<String>, data: &Array2<f64>) -> Self {
        debug_assert_eq!(columns.len(), data.ncols());
        Self {
            columns,
            rows: data.rows().into_iter().map(|r| r.to_vec()).collect(),
        }
    }

    /// Columns `prefix0 … prefix{k−1}` for an `(n, k)` array.
    pub fn with_prefix(prefix: &str, data: &Array2<f64>) -> Self {
        Self::from_array(indexed_names(prefix, data.ncols()), data)
    }

    /// Writes the table in `format`. Numbers are printed with Rust's shortest round-trip
    /// representation, so parsing them back gives the same `f64` bits. The bytes are those of a
    /// [`TableWriter`] fed the same rows.
    pub fn write(&self, format: Format, out: impl Write) -> Result<()> {
        let mut w = TableWriter::new(format, self.columns.clone(), out)?;
        for row in &self.rows {
            w.write_row(row)?;
        }
        w.finish()?;
        Ok(())
    }
}

/// Writes a table row by row — CSV: the header, then one line per row; JSON: `[`, one object
/// per row, `]` — so that an output of any length needs memory for the rows at hand only
/// (`hardiff … --n 1000000000000 | head` streams). The bytes equal [`Table::write`]'s for the
/// same rows; an I/O error keeps its kind (a broken pipe stays recognisable as
/// [`Error::Io`] with [`std::io::ErrorKind::BrokenPipe`]).
pub struct TableWriter<W: Write> {
    columns: Vec<String>,
    sink: Sink<W>,
    rows: u64,
}

/// Where the rows go: the CSV writer (which quotes and buffers), or the raw JSON output.
enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Json(W),
}

impl<W: Write> TableWriter<W> {
    /// Starts a table with these columns on `out`: writes the CSV header row, or the opening
    /// `[` of the JSON array.
    pub fn new(format: Format, columns: Vec<String>, mut out: W) -> Result<Self> {
        let sink = match format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&columns).map_err(write_error)?;
                Sink::Csv(Box::new(w))
            }
            Format::Json => {
                out.write_all(b"[").map_err(output_error)?;
                Sink::Json(out)
            }
        };
        Ok(Self {
            columns,
            sink,
            rows: 0,
        })
    }

    /// Rows written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Writes one row; errors if its length is not the number of columns.
    pub fn write_row(&mut self, row: &[f64]) -> Result<()> {
        if row.len() != self.columns.len() {
            return Err(Error::Invalid(format!(
                "a row of {} values for a table of {} columns",
                row.len(),
                self.columns.len()
            )));
        }
        match &mut self.sink {
            Sink::Csv(w) => w
                .write_record(row.iter().map(|v| format_f64(*v)))
                .map_err(write_error)?,
            Sink::Json(out) => {
                if self.rows > 0 {
                    out.write_all(b",").map_err(output_error)?;
                }
                let object: serde_json::Map<String, serde_json::Value> = self
                    .columns
                    .iter()
                    .cloned()
                    .zip(row.iter().map(|v| json_number(*v)))
                    .collect();
                serde_json::to_writer(&mut *out, &object).map_err(|e| {
                    if e.is_io() {
                        output_error(e.into())
                    } else {
                        Error::json("writing JSON output", e)
                    }
                })?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Writes every row of `rows` (shape `(k, columns)`).
    pub fn write_rows(&mut self, rows: ArrayView2<f64>) -> Result<()> {
        let mut buf = Vec::with_capacity(rows.ncols());
        for row in rows.rows() {
            buf.clear();
            buf.extend(row.iter().copied());
            self.write_row(&buf)?;
        }
        Ok(())
    }

    /// Ends the table (the closing `]` and newline of JSON), flushes, and returns the writer.
    pub fn finish(self) -> Result<W> {
        match self.sink {
            Sink::Csv(w) => w.into_inner().map_err(|e| output_error(e.into_error())),
            Sink::Json(mut out) => {
                out.write_all(b"]\n").map_err(output_error)?;
                out.flush().map_err(output_error)?;
                Ok(out)
            }
        }
    }
}

fn output_error(e: std::io::Error) -> Error {
    Error::io("writing output", e)
}

/// Keeps the I/O kind of a CSV write error (a broken pipe must stay recognisable).
fn write_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io("writing output", io),
        other => Error::Csv(format!("{other:?}")),
    }
}

/// `prefix0, prefix1, …, prefix{k−1}`.
pub fn indexed_names(prefix: &str, k: usize) -> Vec<String> {
    (0..k).map(|i| format!("{prefix}{i}")).collect()
}

/// Shortest round-trip decimal form of `v` (`NaN`, `inf`, `-inf` for non-finite values).
pub fn format_f64(v: f64) -> String {
    if v.is_finite() {
        format!("{v:?}")
    } else if v.is_nan() {
        "NaN".into()
    } else if v > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// A JSON number, or a string for non-finite values (JSON has no NaN/∞).
pub fn json_number(v: f64) -> serde_json::Value {
    serde_json::Number::from_f64(v)
        .map(serde_json::Value::Number)
        .unwrap_or_else(|| serde_json::Value::String(format_f64(v)))
}

/// Reads points as CSV with header `x0,x1,…,x{d−1}` (exactly these names in this order).
/// Returns a `(n, d)` array. `expected_dim`, when given, must equal d.
pub fn read_points(input: impl Read, expected_dim: Option<usize>) -> Result<Array2<f64>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let header = reader
        .headers()
        .map_err(|e| Error::Csv(e.to_string()))?
        .clone();
    if header.is_empty() || header.iter().all(|h| h.is_empty()) {
        return Err(Error::Csv(
            "empty input: expected a header row x0,x1,… and one row per point".into(),
        ));
    }
    for (i, name) in header.iter().enumerate() {
        if name != format!("x{i}") {
            return Err(Error::Csv(format!(
                "header column {} is {name:?}, expected \"x{i}\" (header must be x0,x1,…)",
                i + 1
            )));
        }
    }
    let dim = header.len();
    if let Some(d) = expected_dim {
        if d != dim {
            return Err(Error::Csv(format!(
                "points have {dim} coordinates but the distribution has dimension {d}"
            )));
        }
    }
    let mut values = Vec::new();
    let mut n = 0usize;
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::Csv(e.to_string()))?;
        if record.len() != dim {
            return Err(Error::Csv(format!(
                "row {} has {} fields, expected {dim}",
                line + 1,
                record.len()
            )));
        }
        for (j, field) in record.iter().enumerate() {
            let v: f64 = field.parse().map_err(|_| {
                Error::Csv(format!(
                    "row {} column x{j}: {field:?} is not a number",
                    line + 1
                ))
            })?;
            if !v.is_finite() {
                return Err(Error::Csv(format!(
                    "row {} column x{j}: {field} is not finite",
                    line + 1
                )));
            }
            values.push(v);
        }
        n += 1;
    }
    Array2::from_shape_vec((n, dim), values).map_err(|e| Error::Csv(e.to_string()))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename, so
/// a reader (or an interrupted run) never sees a half-written file.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("renaming to {}", path.display()), e))
}

/// Serialises `value` as pretty JSON into `path` atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::json(format!("serialising {}", path.display()), e))?;
    bytes.push(b'\n');
    atomic_write(path, &bytes)
}

/// Reads and parses a JSON file, with the path in any error.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    serde_json::from_str(&text).map_err(|e| Error::json(format!("parsing {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn csv_round_trip_is_bit_exact() {
        let data = array![[0.1, -1.0 / 3.0], [1e-300, 6.02e23]];
        let table = Table::with_prefix("x", &data);
        let mut buf = Vec::new();
        table.write(Format::Csv, &mut buf).unwrap();
        let back = read_points(buf.as_slice(), Some(2)).unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn malformed_points_are_errors() {
        let bad = |s: &str| read_points(s.as_bytes(), None).unwrap_err().to_string();
        assert!(bad("y0,y1\n1,2\n").contains("expected \"x0\""));
        assert!(bad("x0,x1\n1\n").contains("fields"));
        assert!(bad("x0\nabc\n").contains("not a number"));
        assert!(bad("").contains("empty input"));
        let wrong_dim = read_points("x0\n1\n".as_bytes(), Some(3)).unwrap_err();
        assert!(wrong_dim.to_string().contains("dimension 3"));
    }

    #[test]
    fn json_output_is_an_array_of_objects() {
        let table = Table::with_prefix("s", &array![[1.5, 2.0]]);
        let mut buf = Vec::new();
        table.write(Format::Json, &mut buf).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v[0]["s0"], 1.5);
        assert_eq!(v[0]["s1"], 2.0);
    }

    #[test]
    fn table_writer_streams_the_bytes_of_table_write() {
        let data = array![[0.1, f64::NAN], [-2.5, f64::INFINITY], [3.0, -0.0]];
        for format in [Format::Csv, Format::Json] {
            let mut whole = Vec::new();
            Table::with_prefix("x", &data)
                .write(format, &mut whole)
                .unwrap();
            let mut w = TableWriter::new(format, indexed_names("x", 2), Vec::new()).unwrap();
            w.write_rows(data.slice(ndarray::s![..1, ..])).unwrap();
            w.write_rows(data.slice(ndarray::s![1.., ..])).unwrap();
            assert_eq!(w.rows_written(), 3);
            assert_eq!(w.finish().unwrap(), whole, "{format:?}");
            assert!(rejects_a_short_row(format));
        }
        // No rows: the header alone, or an empty JSON array.
        let empty = |format| {
            let w = TableWriter::new(format, indexed_names("x", 2), Vec::new()).unwrap();
            String::from_utf8(w.finish().unwrap()).unwrap()
        };
        assert_eq!(empty(Format::Csv), "x0,x1\n");
        assert_eq!(empty(Format::Json), "[]\n");
    }

    fn rejects_a_short_row(format: Format) -> bool {
        let mut w = TableWriter::new(format, indexed_names("x", 2), Vec::new()).unwrap();
        w.write_row(&[1.0]).is_err()
    }

    #[test]
    fn a_broken_pipe_keeps_its_kind() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
        }
        let is_broken_pipe = |e: Error| matches!(e, Error::Io { cause, .. } if cause.kind() == std::io::ErrorKind::BrokenPipe);
        // JSON writes at once; CSV buffers, so the error comes at the latest from finish.
        let json = TableWriter::new(Format::Json, vec!["x0".into()], Closed);
        assert!(is_broken_pipe(json.err().unwrap()));
        let csv = TableWriter::new(Format::Csv, vec!["x0".into()], Closed).unwrap();
        assert!(is_broken_pipe(csv.finish().err().unwrap()));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Arbitrary bytes, with or without an expected dimension: Ok or a typed error, never
        /// a panic; and an Ok result has the dimension asked for.
        #[test]
        fn read_points_never_panics_on_bytes(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
            dim in proptest::option::of(0usize..6),
        ) {
            if let Ok(x) = read_points(bytes.as_slice(), dim) {
                if let Some(d) = dim {
                    proptest::prop_assert_eq!(x.ncols(), d);
                }
                proptest::prop_assert!(x.iter().all(|v| v.is_finite()));
            }
        }

        /// Text shaped like the input (headers, numbers, separators, quotes, odd words), with
        /// huge expected dimensions too.
        #[test]
        fn read_points_never_panics_on_csv_like_text(
            text in "(x[0-9]{0,2}|[0-9eE+.-]{0,6}|NaN|inf|\"|,|\n|\r| ){0,40}",
            dim in proptest::prelude::any::<Option<usize>>(),
        ) {
            let _ = read_points(text.as_bytes(), dim);
        }

        /// Written tables read back bit for bit, for any finite values and chunking.
        #[test]
        fn written_points_read_back_exactly(
            values in proptest::collection::vec(-1e300f64..1e300, 1..40),
            dim in 1usize..5,
        ) {
            let rows = values.len() / dim;
            let data = Array2::from_shape_vec((rows, dim), values[..rows * dim].to_vec()).unwrap();
            let mut buf = Vec::new();
            Table::with_prefix("x", &data).write(Format::Csv, &mut buf).unwrap();
            proptest::prop_assert_eq!(read_points(buf.as_slice(), Some(dim)).unwrap(), data);
        }
    }
}
