//! The command operators install carries no test fakes (docs/contract.md §15): neither the fake
//! GitHub nor the core's `testing` feature is anywhere in this package's dependency tree —
//! dev-dependencies included, which is why the command's end-to-end tests, which start a fake
//! GitHub, are a package of their own (adapters/cli-tests) and the demo another
//! (adapters/demo).

use std::process::Command;

#[test]
fn the_command_s_tree_holds_neither_the_fake_github_nor_the_testing_feature() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--package",
            "pat-verdict-cli",
            "--edges",
            "features",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The tree names the command and the core it stands on: it is the tree that was asked for.
    assert!(tree.contains("pat-verdict-cli v"), "{tree}");
    assert!(tree.contains("pat-verdict feature \"default\""), "{tree}");
    for line in tree.lines() {
        assert!(!line.contains("fake-github"), "{line}");
        assert!(!line.contains("feature \"testing\""), "{line}");
    }
}
