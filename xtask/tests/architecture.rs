//! ARCHITECTURE.md's invariants, checked (after rust-analyzer's `tidy` tests), so the map
//! cannot drift from the code:
//!
//! 1. **Dependencies point one way**: `owf ← dist ← {nn, sde} ← reduce ← bench ← {cli, xtask}`
//!    (and `py` beside `cli`). A hardiff crate may depend (normally, for dev or build) only on
//!    hardiff crates of a strictly lower layer; `sde` never sees `nn` because they share a layer.
//!    Read from `cargo metadata`, so a new edge in any `Cargo.toml` is caught.
//! 2. **Only `bench`, `cli`, `py` and `xtask` touch the file system**: the library sources of
//!    owf, dist, nn, sde and reduce never name `std::fs` (nor `File`/`OpenOptions`). Tests,
//!    examples and benches of those crates may (they are not what a user links).
//! 3. **Every crate says what it is for**: each library crate's `lib.rs` opens with a `//!` doc
//!    that names its architecture invariant.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The layer of each hardiff package; a dependency must point to a strictly lower layer.
fn layer(package: &str) -> Option<u32> {
    Some(match package {
        "hardiff-owf" => 0,
        "hardiff-dist" => 1,
        "hardiff-nn" | "hardiff-sde" => 2,
        "hardiff-reduce" => 3,
        "hardiff-bench" => 4,
        "hardiff-cli" | "hardiff-py" | "xtask" | "hardiff-benches" => 5,
        _ => return None,
    })
}

/// Library crates whose `src/` must not touch the file system.
const NO_FILE_SYSTEM: &[&str] = &["owf", "dist", "nn", "sde", "reduce"];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace root")
        .to_path_buf()
}

fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// Every hardiff → hardiff dependency edge, `(from, to, kind)`.
fn hardiff_edges(meta: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut edges = Vec::new();
    for pkg in meta["packages"].as_array().expect("packages") {
        let from = pkg["name"].as_str().expect("name").to_string();
        for dep in pkg["dependencies"].as_array().expect("dependencies") {
            let to = dep["name"].as_str().expect("name").to_string();
            if layer(&to).is_some() {
                let kind = dep["kind"].as_str().unwrap_or("normal").to_string();
                edges.push((from.clone(), to, kind));
            }
        }
    }
    edges
}

#[test]
fn every_workspace_package_has_a_layer() {
    let meta = metadata();
    for pkg in meta["packages"].as_array().expect("packages") {
        let name = pkg["name"].as_str().expect("name");
        assert!(
            layer(name).is_some(),
            "package {name} is not on the architecture map: add it to ARCHITECTURE.md and to \
             `layer` in this test"
        );
    }
}

#[test]
fn dependencies_point_one_way() {
    let meta = metadata();
    let edges = hardiff_edges(&meta);
    assert!(
        edges
            .iter()
            .any(|(f, t, _)| f == "hardiff-dist" && t == "hardiff-owf"),
        "the metadata reader found no edges; the test would pass vacuously"
    );
    let mut violations = Vec::new();
    for (from, to, kind) in &edges {
        let (lf, lt) = (layer(from).unwrap(), layer(to).unwrap());
        if lt >= lf {
            violations.push(format!("{from} → {to} ({kind})"));
        }
    }
    assert!(
        violations.is_empty(),
        "dependencies must point down the layers owf ← dist ← {{nn, sde}} ← reduce ← bench ← \
         {{cli, xtask}}; these do not: {violations:?}"
    );
}

#[test]
fn sde_never_sees_nn() {
    let meta = metadata();
    let edges = hardiff_edges(&meta);
    assert!(
        !edges
            .iter()
            .any(|(f, t, _)| f == "hardiff-sde" && t == "hardiff-nn"),
        "hardiff-sde must see scores only through the Score trait, never hardiff-nn"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_bench_cli_and_xtask_touch_the_file_system() {
    let root = workspace_root();
    let forbidden = [
        "std::fs",
        "fs::File",
        "File::open",
        "File::create",
        "OpenOptions",
    ];
    let mut offenders: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut scanned = 0;
    for krate in NO_FILE_SYSTEM {
        let mut files = Vec::new();
        rust_files(&root.join("crates").join(krate).join("src"), &mut files);
        for file in files {
            scanned += 1;
            let text = std::fs::read_to_string(&file).expect("readable source");
            // Unit tests may use temporary files; only the library code is checked.
            let library = text.split("#[cfg(test)]").next().unwrap_or("");
            for (i, line) in library.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                if forbidden.iter().any(|f| line.contains(f)) {
                    offenders
                        .entry(file.strip_prefix(&root).unwrap().display().to_string())
                        .or_default()
                        .push(format!("{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(scanned > 20, "scanned only {scanned} files");
    assert!(
        offenders.is_empty(),
        "library crates {NO_FILE_SYSTEM:?} must not touch the file system (return values or take \
         readers/writers; hardiff-bench and the binaries do the I/O): {offenders:#?}"
    );
}

#[test]
fn every_library_crate_states_its_purpose_and_invariant() {
    let root = workspace_root();
    for krate in ["owf", "dist", "nn", "sde", "reduce", "bench", "cli"] {
        let lib = root.join("crates").join(krate).join("src").join("lib.rs");
        let text = std::fs::read_to_string(&lib).expect("lib.rs");
        assert!(
            text.trim_start().starts_with("//!"),
            "{} must open with a `//!` crate doc",
            lib.display()
        );
        let doc: String = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            doc.contains("invariant"),
            "{}'s crate doc must state its architecture invariant (what it must not depend on)",
            lib.display()
        );
    }
}
