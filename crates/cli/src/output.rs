//! Writing to stdout: whole tables, single lines, and streamed samples.
//!
//! Streamed samples are written chunk by chunk through one reused `(rows, dim)` buffer, so a
//! command's memory does not grow with `--n`. A chunk is filled by a *row-by-row* sampler
//! (each row's draws are consumed from the stream before the next row's), so the bytes for a
//! given seed do not depend on the chunk size; `--chunk-rows` (hidden) exists so that tests
//! can show it. A sampler whose samples interact within a batch (`hardiff sample`) is instead
//! run on fixed blocks with one stream per block, and the block size is part of what its output
//! means ([`Output::blocks`]).

use crate::error::{CliError, CliResult};
use hardiff_bench::io::{Format, Table, TableWriter};
use ndarray::{s, Array2, ArrayViewMut2};
use std::io::{BufWriter, StdoutLock, Write};

/// Entries (rows × dimension) per streamed chunk by default: 65536 `f64`, 512 KiB.
pub const CHUNK_ENTRIES: usize = 1 << 16;

/// Where and how a command prints.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    format: Format,
    chunk_rows: Option<usize>,
}

impl Output {
    /// `chunk_rows` overrides the rows per streamed chunk (≥ 1).
    pub fn new(format: Format, chunk_rows: Option<usize>) -> CliResult<Self> {
        if chunk_rows == Some(0) {
            return Err(crate::error::usage("--chunk-rows must be at least 1"));
        }
        Ok(Self { format, chunk_rows })
    }

    /// The output format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Rows per streamed chunk for points of dimension `dim`.
    pub fn chunk_rows(&self, dim: usize) -> usize {
        self.chunk_rows
            .unwrap_or((CHUNK_ENTRIES / dim.max(1)).max(1))
    }

    /// Prints a whole table.
    pub fn table(&self, table: &Table) -> CliResult {
        let out = stdout();
        let mut w =
            TableWriter::new(self.format, table.columns.clone(), out).map_err(write_error)?;
        for row in &table.rows {
            w.write_row(row).map_err(write_error)?;
        }
        w.finish().map_err(write_error)?;
        Ok(())
    }

    /// Prints one line of text (a scalar result).
    pub fn line(&self, text: &str) -> CliResult {
        let mut out = stdout();
        writeln!(out, "{text}")
            .and_then(|()| out.flush())
            .map_err(|e| write_error(hardiff_bench::Error::io("writing output", e)))
    }

    /// Streams `n` rows of the given columns: calls `fill` on consecutive chunks of at most
    /// [`Output::chunk_rows`] rows, in order, and writes each. `fill` must draw row by row, so
    /// that the result does not depend on the chunk size. `n = 0` prints the header only (or
    /// `[]`).
    pub fn samples(
        &self,
        columns: Vec<String>,
        n: usize,
        fill: impl FnMut(ArrayViewMut2<f64>) -> CliResult,
    ) -> CliResult {
        let rows = self.chunk_rows(columns.len());
        let mut fill = fill;
        self.write_chunks(columns, n, rows, |_, buf| fill(buf))
    }

    /// Streams `n` rows computed in blocks of exactly `block` rows (the last one shorter):
    /// `fill(b, buf)` computes block b. Unlike [`Output::samples`], the block size is part of
    /// the output's definition (the caller seeds block b with its own stream), so it is fixed
    /// by the caller and not by `--chunk-rows`.
    pub fn blocks(
        &self,
        columns: Vec<String>,
        n: usize,
        block: usize,
        fill: impl FnMut(u64, ArrayViewMut2<f64>) -> CliResult,
    ) -> CliResult {
        self.write_chunks(columns, n, block.max(1), fill)
    }

    fn write_chunks(
        &self,
        columns: Vec<String>,
        n: usize,
        rows: usize,
        mut fill: impl FnMut(u64, ArrayViewMut2<f64>) -> CliResult,
    ) -> CliResult {
        let dim = columns.len();
        let mut w = TableWriter::new(self.format, columns, stdout()).map_err(write_error)?;
        let mut buf = Array2::zeros((rows.min(n), dim));
        let (mut done, mut chunk) = (0usize, 0u64);
        while done < n {
            let k = rows.min(n - done);
            let mut view = buf.slice_mut(s![..k, ..]);
            fill(chunk, view.view_mut())?;
            w.write_rows(view.view()).map_err(write_error)?;
            done += k;
            chunk += 1;
        }
        w.finish().map_err(write_error)?;
        Ok(())
    }
}

/// Buffered stdout (stdout itself is line-buffered; streamed tables write many lines).
fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// An error writing stdout: the reader leaving (broken pipe) ends the command quietly with
/// exit 0; anything else is a failure.
fn write_error(e: hardiff_bench::Error) -> CliError {
    match &e {
        hardiff_bench::Error::Io { cause, .. }
            if cause.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            CliError::reader_left(e)
        }
        _ => CliError::failure(e),
    }
}
