//! The `--api-url` parser (docs/contract.md §1) over any text: never a panic; an accepted URL has a
//! real port, no credentials, query, fragment or control character, and reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pat_verdict::{ApiUrl, Endpoint};

fuzz_target!(|text: &str| {
    let Ok(url) = ApiUrl::parse(text) else {
        return;
    };
    let root = url.root();
    assert!(root.starts_with("http://") || root.starts_with("https://"));
    // `@` is fine in a path (`/users/@me`); in the authority it would be credentials.
    assert!(!url.origin().contains('@'), "{root:?}");
    assert!(!root.contains(['?', '#', '\\']), "{root:?}");
    assert!(root.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{root:?}");
    assert!(!root.ends_with('/'), "{root:?}");
    assert_ne!(url.port(), Some(0));
    assert_eq!(ApiUrl::parse(root).as_ref(), Ok(&url), "does not read back");
    for endpoint in [Endpoint::Identity, Endpoint::TestQuery] {
        let full = url.url_of(endpoint);
        assert!(full.starts_with(url.origin()), "{full:?}");
    }
});
