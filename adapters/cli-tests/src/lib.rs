//! The programs under test: `pat-verdict` (adapters/cli, the command operators install) and
//! `pat-verdict-demo` (adapters/demo), built from this workspace's sources for the end-to-end
//! tests in `tests/`, which run them as processes against a fake GitHub on loopback.
//!
//! The tests are a package of their own, never published, because they need the fake GitHub
//! in-process: as a dev-dependency of the command's package it would stand in that package's
//! tree, and the command must carry no test fakes (docs/contract.md §15).
//!
//! Why [`path`] builds the program rather than looking for it: a test can name only its own
//! package's binaries (`CARGO_BIN_EXE_*`), and a binary merely found in the target folder may
//! be stale — left by a build of older sources, it would let these tests pass on code that no
//! longer exists (`cargo test -p pat-verdict-cli-tests` alone builds no other package's
//! binary). So each test binary asks cargo, once, to build the program exactly as
//! `cargo build -p PACKAGE` does — with that package's own features, so the core without its
//! `testing` feature, as operators get it — in the profile and target folder this test was
//! built in, and runs the executable cargo reports. When the program is up to date that build
//! is a no-op of a fraction of a second. When it cannot be built, the test fails with the
//! command to run by hand.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;
use thiserror::Error;

/// A program of this workspace that the end-to-end tests run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Program {
    /// `pat-verdict`, the command (package `pat-verdict-cli`).
    PatVerdict,
    /// `pat-verdict-demo`, the README's first command (package `pat-verdict-demo`).
    Demo,
}

impl Program {
    /// The package that builds it.
    #[must_use]
    pub const fn package(self) -> &'static str {
        match self {
            Self::PatVerdict => "pat-verdict-cli",
            Self::Demo => "pat-verdict-demo",
        }
    }

    /// The binary's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::PatVerdict => "pat-verdict",
            Self::Demo => "pat-verdict-demo",
        }
    }
}

/// Why the program under test could not be had. Every message names the command that builds
/// it, so a person can run that command and read cargo's own words.
#[derive(Debug, Error)]
pub enum BuildError {
    /// This test does not run from cargo's target folder (`…/PROFILE/deps/`), so neither its
    /// profile nor its target folder is known.
    #[error(
        "cannot tell the profile of this test ({exe}: not in a target folder's PROFILE/deps/); \
         build the program with `cargo build -p {package}` and run the tests with `cargo test`"
    )]
    NotInTarget {
        /// This test's executable.
        exe: String,
        /// The package to build.
        package: &'static str,
    },
    /// cargo could not be started.
    #[error("cannot run `{command}`: {source}")]
    Spawn {
        /// The build command.
        command: String,
        /// Why it did not start.
        source: std::io::Error,
    },
    /// cargo ran and failed.
    #[error("`{command}` failed ({status}); run it to see why:\n{stderr}")]
    Failed {
        /// The build command.
        command: String,
        /// How it ended.
        status: std::process::ExitStatus,
        /// What it said.
        stderr: String,
    },
    /// cargo succeeded but named no executable of that name.
    #[error("`{command}` reported no executable named {name}")]
    NoExecutable {
        /// The build command.
        command: String,
        /// The binary looked for.
        name: &'static str,
    },
}

/// The executable of `program`, built (once per test binary) from the sources as they are now.
///
/// # Errors
///
/// A [`BuildError`] naming the command to run when it cannot be built.
pub fn path(program: Program) -> Result<&'static Path, &'static BuildError> {
    static BUILT: [OnceLock<Result<PathBuf, BuildError>>; 2] = [OnceLock::new(), OnceLock::new()];
    let slot = match program {
        Program::PatVerdict => &BUILT[0],
        Program::Demo => &BUILT[1],
    };
    slot.get_or_init(|| build(program)).as_deref()
}

/// `cargo build -p PACKAGE --bin NAME`, in this test's profile and target folder.
fn build(program: Program) -> Result<PathBuf, BuildError> {
    let (profile, target_dir) = where_this_test_was_built(program)?;
    // `CARGO` is the cargo that runs this test; the one that built it otherwise.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from(env!("CARGO")));
    let args: Vec<OsString> = [
        "build",
        "--quiet",
        "--message-format=json-render-diagnostics",
        "--package",
        program.package(),
        "--bin",
        program.name(),
        "--profile",
        &profile,
        "--target-dir",
    ]
    .into_iter()
    .map(OsString::from)
    .chain([target_dir.into_os_string()])
    .collect();
    let command = format!(
        "cargo {}",
        args.iter()
            .map(|arg| arg.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = Command::new(cargo)
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .map_err(|source| BuildError::Spawn {
            command: command.clone(),
            source,
        })?;
    if !output.status.success() {
        return Err(BuildError::Failed {
            command,
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find_map(|message| executable_of(&message, program.name()))
        .ok_or(BuildError::NoExecutable {
            command,
            name: program.name(),
        })
}

/// The executable a `compiler-artifact` message reports for the binary `name`, if it is one.
fn executable_of(message: &Value, name: &str) -> Option<PathBuf> {
    let is_it = message["reason"] == "compiler-artifact"
        && message["target"]["name"] == name
        && message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"));
    is_it
        .then(|| message["executable"].as_str().map(PathBuf::from))
        .flatten()
}

/// The profile (`dev` for the `debug` folder) and the target folder of this test's executable,
/// `TARGET/PROFILE/deps/TEST-HASH`.
fn where_this_test_was_built(program: Program) -> Result<(String, PathBuf), BuildError> {
    let exe = std::env::current_exe().unwrap_or_default();
    let not_in_target = || BuildError::NotInTarget {
        exe: exe.display().to_string(),
        package: program.package(),
    };
    let deps = exe.parent().ok_or_else(not_in_target)?;
    if deps.file_name().is_none_or(|name| name != "deps") {
        return Err(not_in_target());
    }
    let profile_dir = deps.parent().ok_or_else(not_in_target)?;
    let target_dir = profile_dir.parent().ok_or_else(not_in_target)?;
    let profile = match profile_dir.file_name().and_then(|name| name.to_str()) {
        Some("debug") => "dev".to_owned(),
        Some(other) => other.to_owned(),
        None => return Err(not_in_target()),
    };
    Ok((profile, target_dir.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_executable_is_taken_from_the_binary_s_artifact_only() {
        let artifact = |name: &str, kind: &str, executable: Value| {
            json!({
                "reason": "compiler-artifact",
                "target": {"name": name, "kind": [kind]},
                "executable": executable,
            })
        };
        assert_eq!(
            executable_of(
                &artifact("pat-verdict", "bin", json!("/t/debug/pat-verdict")),
                "pat-verdict"
            ),
            Some(PathBuf::from("/t/debug/pat-verdict"))
        );
        // The library of the same package, another binary, a message of another kind.
        assert_eq!(
            executable_of(&artifact("pat-verdict", "lib", Value::Null), "pat-verdict"),
            None
        );
        assert_eq!(
            executable_of(
                &artifact(
                    "pat-verdict-demo",
                    "bin",
                    json!("/t/debug/pat-verdict-demo")
                ),
                "pat-verdict"
            ),
            None
        );
        assert_eq!(
            executable_of(&json!({"reason": "build-finished"}), "pat-verdict"),
            None
        );
    }
}
