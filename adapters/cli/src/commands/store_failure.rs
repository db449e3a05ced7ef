//! What people are told about the store, decided from its failure's kind (docs/contract.md
//! §13): the one place the CLI turns a missing, corrupt or unavailable store into words and
//! an exit status. The kind is the store's own ([`StoreFailureKind`]); no text is read here.

use std::path::Path;

use pat_verdict::{StoreError, StoreFailureKind, error_chain};
use pat_verdict_json_store::ENV_VAR;

use crate::exit::Failure;

/// What a person must do about a corrupt store: retrying will not help.
const FIX_OR_RESTORE: &str = "fix or restore it (retrying does not help a corrupt file)";

/// Whether a failure of `kind` needs a person rather than a retry.
const fn needs_a_person(kind: StoreFailureKind) -> bool {
    matches!(kind, StoreFailureKind::Corrupt)
}

/// A store failure's detail (its text with causes) for people: as it is, and for a corrupt
/// store what to do.
#[must_use]
pub fn detail(detail: &str, kind: StoreFailureKind) -> String {
    if needs_a_person(kind) {
        format!("{detail}: {FIX_OR_RESTORE}")
    } else {
        detail.to_owned()
    }
}

/// The `why` a refused broadcast adds for people when the store failure behind it needs a
/// person; `None` for a failure a retry may fix.
#[must_use]
pub fn broadcast_why(kind: StoreFailureKind, store: &Path) -> Option<String> {
    needs_a_person(kind).then(|| format!("{} is corrupt: {FIX_OR_RESTORE}", store.display()))
}

/// The failure of an audit whose store could not be listed: a store file that does not
/// exist is exit 66 (a typo in `--store` must not look like an audit that found nothing);
/// any other failure is exit 75 (nothing was audited, and "try again later" is the truth —
/// the answer `check` gives for a store outage), with what to do when a retry cannot help.
#[must_use]
pub fn audit_failure(error: &StoreError, store: &Path) -> Failure {
    match error.kind() {
        StoreFailureKind::Missing => Failure::NoInput(format!(
            "cannot audit: {} does not exist (check --store or ${ENV_VAR})",
            store.display()
        )),
        StoreFailureKind::Corrupt => Failure::Unavailable(format!(
            "cannot audit: {}: {FIX_OR_RESTORE}",
            error_chain(error)
        )),
        StoreFailureKind::NotAFile
        | StoreFailureKind::LockHeld
        | StoreFailureKind::Permission
        | StoreFailureKind::TooLarge
        | StoreFailureKind::Io
        | StoreFailureKind::Other => Failure::Unavailable(format!(
            "cannot audit: the PAT store is unavailable ({})",
            error_chain(error)
        )),
    }
}

#[cfg(test)]
mod tests {
    use pat_verdict::StoreFailure;

    use super::*;

    fn failure(kind: StoreFailureKind) -> StoreError {
        StoreError::Read(StoreFailure::new(
            kind,
            "data/miner_pats.json: what went wrong",
        ))
    }

    #[test]
    fn the_kind_decides_the_words_and_the_exit_status() {
        let store = Path::new("data/miner_pats.json");
        let missing = audit_failure(&failure(StoreFailureKind::Missing), store);
        assert_eq!(missing.exit().code(), 66);
        assert_eq!(
            missing.to_string(),
            "cannot audit: data/miner_pats.json does not exist (check --store or $GITTENSOR_MINER_PATS_FILE)"
        );
        // A text that says "corrupt" decides nothing; the kind does.
        let corrupt_kind = StoreError::Read(StoreFailure::new(StoreFailureKind::Corrupt, "x"));
        let corrupt = audit_failure(&corrupt_kind, store);
        assert_eq!(corrupt.exit().code(), 75);
        assert!(corrupt.to_string().ends_with(FIX_OR_RESTORE), "{corrupt}");
        let worded = StoreError::Read(StoreFailure::new(
            StoreFailureKind::LockHeld,
            "the PAT store is corrupt",
        ));
        let held = audit_failure(&worded, store);
        assert_eq!(held.exit().code(), 75);
        assert_eq!(
            held.to_string(),
            "cannot audit: the PAT store is unavailable (cannot read the PAT store: the PAT store is corrupt)"
        );

        assert_eq!(detail("d", StoreFailureKind::NotAFile), "d");
        assert_eq!(
            detail("d", StoreFailureKind::Corrupt),
            format!("d: {FIX_OR_RESTORE}")
        );
        assert_eq!(
            broadcast_why(StoreFailureKind::Corrupt, store).as_deref(),
            Some(
                "data/miner_pats.json is corrupt: fix or restore it (retrying does not help a corrupt file)"
            )
        );
        assert_eq!(broadcast_why(StoreFailureKind::Permission, store), None);
    }
}
