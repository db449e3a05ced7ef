//! The store reader (docs/contract.md §7) over any file contents, through the JSON store's public API:
//! never a panic; an answer or a "store unavailable" error.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pat_verdict::PatStore;
use pat_verdict_json_store::JsonStore;

struct Scratch {
    runtime: tokio::runtime::Runtime,
    path: PathBuf,
}

fn scratch() -> &'static Scratch {
    static SCRATCH: OnceLock<Scratch> = OnceLock::new();
    SCRATCH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("pat-verdict-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        Scratch {
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a runtime"),
            path: dir.join("miner_pats.json"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let scratch = scratch();
    std::fs::write(&scratch.path, data).expect("write the store file");
    let store = JsonStore::new(&scratch.path);
    let all = scratch.runtime.block_on(store.all());
    if let Ok(entries) = all {
        // Every entry read is also found by its uid.
        for entry in entries.iter().take(4) {
            let got = scratch.runtime.block_on(store.get(entry.uid));
            assert!(got.is_ok(), "an entry listed by all() could not be read by uid");
        }
    }
});
