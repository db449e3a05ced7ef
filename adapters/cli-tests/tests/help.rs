//! Issue 16, item 3: the help agrees with itself and with what each subcommand does.

mod common;

use common::{bare, run};

fn help(args: &[&str]) -> String {
    let out = run(bare().args(args).arg("--help"));
    assert_eq!(out.code, 0, "{args:?}: {out:?}");
    out.stdout
}

#[test]
fn audit_help_uses_one_wording_for_inconclusive_rows() {
    let text = help(&["audit"]);
    assert!(!text.contains("every entry was judged"), "{text}");
    assert!(text.contains("0 when the audit ran"), "{text}");
    assert!(text.contains("inconclusive rows were not judged"), "{text}");
    assert!(text.contains("completion order"), "{text}");
}

#[test]
fn the_top_level_help_lists_every_exit_status() {
    let text = help(&[]);
    for status in ["0 valid", "1 invalid", "2 usage", "66 ", "75 inconclusive"] {
        assert!(text.contains(status), "{status}: {text}");
    }
    assert!(text.contains("shell history"), "{text}");
}

#[test]
fn every_other_subcommand_shows_the_default_deadline_of_12_seconds() {
    for sub in ["verify", "check", "broadcast", "audit"] {
        let text = help(&[sub]);
        assert!(text.contains("[default: 12]"), "{sub}: {text}");
        assert!(!text.contains("demo: 2"), "{sub}: {text}");
        assert!(text.contains("--api-url <URL>"), "{sub}: {text}");
    }
}
