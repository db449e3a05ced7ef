//! The blocking file work: the lock, the read, the atomic replace. Every function here runs on
//! tokio's blocking pool (see `lib.rs`), never on the async runtime.
//!
//! Files, all in the store's folder (for `miner_pats.json`):
//!
//! - `miner_pats.json` — the store; only ever replaced whole, by `rename`.
//! - `miner_pats.json.lock` — empty; the advisory lock (`flock` via fs4). It is never deleted:
//!   deleting a lock file lets two writers lock two different files.
//! - `.miner_pats.json.tmp.<pid>.<n>` — a write in progress. Only a lock holder writes one,
//!   so any found by the next lock holder belongs to a writer that died: it is removed.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use pat_verdict::StoreError;

use crate::JsonStoreError;
use crate::format::{self, Entries};

/// Temp file names are unique within the process by this counter and across processes by pid.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The store's paths, worked out once per operation.
struct Layout<'a> {
    file: &'a Path,
    folder: &'a Path,
    lock: PathBuf,
    temp_prefix: OsString,
}

impl<'a> Layout<'a> {
    fn new(file: &'a Path) -> io::Result<Self> {
        let name = file.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the store path names no file")
        })?;
        let folder = match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            Some(_) | None => Path::new("."),
        };
        let mut lock = name.to_owned();
        lock.push(".lock");
        let mut temp_prefix = OsString::from(".");
        temp_prefix.push(name);
        temp_prefix.push(".tmp.");
        Ok(Self {
            file,
            folder,
            lock: folder.join(lock),
            temp_prefix,
        })
    }

    fn temp_path(&self) -> PathBuf {
        let mut name = self.temp_prefix.clone();
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        name.push(format!("{}.{n}", std::process::id()));
        self.folder.join(name)
    }
}

fn io_error(
    wrap: fn(pat_verdict::BoxError) -> StoreError,
    doing: &'static str,
    path: &Path,
) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.to_owned();
    move |source| {
        wrap(Box::new(JsonStoreError::Io {
            doing,
            path,
            source,
        }))
    }
}

/// Every entry, read under a shared lock.
///
/// A missing file, or a missing folder, is an empty store. When this user may not write the
/// folder or the lock file (a read-only audit), the lock file is opened read-only, or, if it
/// does not exist, the file is read without the lock: writers replace the file by `rename`, so
/// a reader sees a whole old or a whole new file either way; the lock only orders a read after
/// a write in progress.
pub(crate) fn read(path: &Path) -> Result<Entries, StoreError> {
    let layout = Layout::new(path).map_err(io_error(StoreError::Read, "cannot use", path))?;
    let lock = match open_lock(&layout.lock) {
        Ok(lock) => Some(lock),
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Entries::new()),
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            File::open(&layout.lock).ok()
        }
        Err(error) => {
            return Err(io_error(
                StoreError::Read,
                "cannot open the lock file",
                &layout.lock,
            )(error));
        }
    };
    if let Some(lock) = &lock {
        fs4::FileExt::lock_shared(lock).map_err(io_error(
            StoreError::Read,
            "cannot take a shared lock on",
            &layout.lock,
        ))?;
    }
    let entries = load(&layout);
    drop(lock);
    entries
}

/// Reads the store under an exclusive lock, lets `change` decide, and writes the result back
/// atomically when `change` says so — all under the one lock, so no other writer (thread or
/// process) can come between the read and the write. An unreadable store is never written.
pub(crate) fn update<R>(
    path: &Path,
    change: impl FnOnce(&mut Entries) -> (R, bool),
) -> Result<R, StoreError> {
    let layout = Layout::new(path).map_err(io_error(StoreError::Write, "cannot use", path))?;
    create_folder(layout.folder)?;
    let lock = open_lock(&layout.lock).map_err(io_error(
        StoreError::Write,
        "cannot open the lock file",
        &layout.lock,
    ))?;
    fs4::FileExt::lock(&lock).map_err(io_error(
        StoreError::Write,
        "cannot take an exclusive lock on",
        &layout.lock,
    ))?;
    remove_stale_temp_files(&layout);
    let mut entries = load(&layout)?;
    let (result, write) = change(&mut entries);
    if write {
        replace(&layout, &mut entries)?;
    }
    drop(lock);
    Ok(result)
}

fn open_lock(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn load(layout: &Layout<'_>) -> Result<Entries, StoreError> {
    let bytes = match fs::read(layout.file) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Entries::new()),
        Err(error) => {
            return Err(io_error(StoreError::Read, "cannot read", layout.file)(
                error,
            ));
        }
    };
    format::decode(&bytes).map_err(|problem| {
        StoreError::Corrupt(Box::new(JsonStoreError::Corrupt {
            path: layout.file.to_owned(),
            problem,
        }))
    })
}

/// Creates the store's folder (owner-only, as it holds PATs) when it is missing.
fn create_folder(folder: &Path) -> Result<(), StoreError> {
    if folder.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder).map_err(io_error(
        StoreError::Write,
        "cannot create the folder",
        folder,
    ))?;
    // Make the new folder's own entry durable too.
    if let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_folder(parent).map_err(io_error(StoreError::Write, "cannot sync", parent))?;
    }
    Ok(())
}

/// Removes the temp files of writers that died mid-write. Called under the exclusive lock, so
/// no live writer has one. Best effort: a leftover that cannot be removed harms nothing.
fn remove_stale_temp_files(layout: &Layout<'_>) {
    let Ok(listing) = fs::read_dir(layout.folder) else {
        return;
    };
    let prefix = layout.temp_prefix.as_encoded_bytes();
    for item in listing.flatten() {
        if item.file_name().as_encoded_bytes().starts_with(prefix) {
            let _ = fs::remove_file(item.path());
        }
    }
}

/// Writes `entries` to a temp file (mode 0600 from creation), syncs it, renames it over the
/// store and syncs the folder, so a crash at any point leaves the old or the new store whole.
fn replace(layout: &Layout<'_>, entries: &mut Entries) -> Result<(), StoreError> {
    let bytes = format::encode(entries).map_err(|_| {
        StoreError::Write(Box::new(JsonStoreError::Encode {
            path: layout.file.to_owned(),
        }))
    })?;
    let temp = layout.temp_path();
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&temp).map_err(io_error(
        StoreError::Write,
        "cannot create the temporary file",
        &temp,
    ))?;
    let written = write_and_rename(file, &bytes, &temp, layout.file);
    if let Err(error) = written {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    // The new store is in place; an error here means it may not survive a power cut, and the
    // caller is told so (a retried save writes the same entry again).
    sync_folder(layout.folder).map_err(io_error(StoreError::Write, "cannot sync", layout.folder))
}

fn write_and_rename(
    mut file: File,
    bytes: &[u8],
    temp: &Path,
    target: &Path,
) -> Result<(), StoreError> {
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_error(StoreError::Write, "cannot write", temp))?;
    drop(file);
    fs::rename(temp, target).map_err(io_error(
        StoreError::Write,
        "cannot rename the temporary file over",
        target,
    ))
}

/// Makes a rename in `folder` durable. Windows offers no folder handle to sync: there the
/// rename is as durable as the system makes it.
fn sync_folder(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(folder)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}
