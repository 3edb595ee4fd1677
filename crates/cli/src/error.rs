//! [`CliError`]: an error that carries its exit code, decided where the error is raised.
//!
//! Modelled on cargo's `CliError { error, exit_code }`: a call site knows whether what failed
//! was the caller's input (a parameter, a flag, a malformed file: exit 2) or the work itself
//! (a numerical failure, an exhausted work or budget limit, I/O: exit 1), so it says so with
//! [`ExitCode::or_usage`] / [`ExitCode::or_failure`]. There is deliberately no
//! `From<anyhow::Error>`: `?` on an undecided error does not compile.

use std::fmt;

/// An error and the process exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong (its chain is printed joined by ": ").
    pub error: anyhow::Error,
    /// 2: bad usage or parameters; 1: failure; 0: the reader of stdout left (nothing printed).
    pub exit_code: i32,
}

/// `Result` with [`CliError`].
pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    /// Exit code for bad usage or parameters.
    pub const USAGE: i32 = 2;
    /// Exit code for a failure of the work itself.
    pub const FAILURE: i32 = 1;

    /// Bad usage or parameters (exit 2).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self {
            error: error.into(),
            exit_code: Self::USAGE,
        }
    }

    /// A failure: numerical, a work or budget limit, I/O (exit 1).
    pub fn failure(error: impl Into<anyhow::Error>) -> Self {
        Self {
            error: error.into(),
            exit_code: Self::FAILURE,
        }
    }

    /// The reader of stdout went away (`hardiff … | head`): not a failure (exit 0, silent).
    pub fn reader_left(error: impl Into<anyhow::Error>) -> Self {
        Self {
            error: error.into(),
            exit_code: 0,
        }
    }

    /// Adds context to the error, keeping its exit code.
    pub fn context(self, context: impl fmt::Display + Send + Sync + 'static) -> Self {
        Self {
            error: self.error.context(context),
            exit_code: self.exit_code,
        }
    }

    /// The error chain as one line, joined by ": ".
    pub fn one_line(&self) -> String {
        format!("{:#}", self.error).replace('\n', " ")
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.one_line())
    }
}

/// Decides the exit code of a `Result`'s error at the call site.
pub trait ExitCode<T> {
    /// The error is bad usage or parameters (exit 2).
    fn or_usage(self) -> CliResult<T>;
    /// The error is a failure (exit 1).
    fn or_failure(self) -> CliResult<T>;
}

impl<T, E: Into<anyhow::Error>> ExitCode<T> for Result<T, E> {
    fn or_usage(self) -> CliResult<T> {
        self.map_err(CliError::usage)
    }
    fn or_failure(self) -> CliResult<T> {
        self.map_err(CliError::failure)
    }
}

/// An error reading a user-supplied input (stdin points, a prior or measurement file): I/O is a
/// failure (exit 1); malformed content is bad input (exit 2).
pub(crate) fn input_error(error: hardiff_bench::Error) -> CliError {
    match error {
        e @ hardiff_bench::Error::Io { .. } => CliError::failure(e),
        e => CliError::usage(e),
    }
}

/// Shorthand for a usage error with a message.
pub(crate) fn usage(message: impl fmt::Display) -> CliError {
    CliError::usage(anyhow::anyhow!("{message}"))
}
