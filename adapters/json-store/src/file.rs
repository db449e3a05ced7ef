//! The blocking file work: the lock, the read, the atomic replace. Every function here runs on
//! tokio's blocking pool (see `lib.rs`), never on the async runtime.
//!
//! Files, all in the real store file's folder (for `miner_pats.json`; when the store path is a
//! symbolic link, the folder of the file it names):
//!
//! - `miner_pats.json` — the store; only ever replaced whole, by `rename`.
//! - `miner_pats.json.lock` — empty; the advisory lock (`flock` via fs4). It is never deleted:
//!   deleting a lock file lets two writers lock two different files.
//! - `.miner_pats.json.tmp.<pid>.<n>` — a write in progress. Only a lock holder writes one,
//!   so any found by the next lock holder belongs to a writer that died: it is removed.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pat_verdict::{StoreError, StoreFailure};

use crate::format::{self, Entries, Keep};
use crate::{JsonStoreError, MAX_STORE_BYTES};

/// Temp file names are unique within the process by this counter and across processes by pid.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// How many symbolic links the store path may go through before it is refused (as the kernel's
/// own limit, `ELOOP`).
const MAX_LINKS: usize = 40;

/// The longest pause between two attempts at a lock someone else holds.
const MAX_LOCK_PAUSE: Duration = Duration::from_millis(25);

/// The store's paths, worked out once per operation. `file` is the real file: a symlinked
/// store path is followed to its target, so that the lock sits beside the file that is
/// replaced, the temp file is in the target's folder (a rename cannot cross file systems), and
/// the link itself stays.
struct Layout {
    file: PathBuf,
    folder: PathBuf,
    lock: PathBuf,
    temp_prefix: OsString,
}

impl Layout {
    fn new(path: &Path) -> io::Result<Self> {
        let file = resolve_links(path)?;
        let name = file.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the store path names no file")
        })?;
        let mut lock_name = name.to_owned();
        lock_name.push(".lock");
        let lock = file.with_file_name(lock_name);
        let folder = match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            Some(_) | None => PathBuf::from("."),
        };
        let mut temp_prefix = OsString::from(".");
        temp_prefix.push(name);
        temp_prefix.push(".tmp.");
        Ok(Self {
            lock,
            file,
            folder,
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

/// `path` with symbolic links in its last component followed to the file they name (which
/// may not exist yet: a link to a store not written yet is written through on the first
/// save). Links in the folders above are the kernel's business.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut file = path.to_owned();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&file) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&file)?;
                file = match file.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    Some(_) | None => target,
                };
            }
            Ok(_) => return Ok(file),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(file),
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "too many levels of symbolic links",
    ))
}

fn io_error(
    wrap: fn(StoreFailure) -> StoreError,
    doing: &'static str,
    path: &Path,
) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.to_owned();
    move |source| {
        wrap(
            JsonStoreError::Io {
                doing,
                path,
                source,
            }
            .into(),
        )
    }
}

/// What is at the store's path.
enum Found {
    /// Nothing: an empty store (the OS's "not found", for a caller to whom that is an answer).
    Missing(io::Error),
    /// A regular file.
    File,
}

/// Looks at the store file without opening it: a missing file is an empty store; anything but
/// a regular file (a directory, a FIFO that would block an open, a device) is unavailable at
/// once; every other failure to look is unavailable too (docs/contract.md §7).
fn look(layout: &Layout, wrap: fn(StoreFailure) -> StoreError) -> Result<Found, StoreError> {
    match fs::metadata(&layout.file) {
        Ok(meta) if meta.is_file() => Ok(Found::File),
        Ok(meta) => Err(wrap(not_a_file(&layout.file, &meta.file_type()))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Found::Missing(error)),
        Err(error) => Err(io_error(wrap, "cannot look at", &layout.file)(error)),
    }
}

/// `Ok` when the store file exists (or cannot be looked at: the read says why), decided as
/// every read decides "missing" (symbolic links followed); else [`StoreError::Read`] of kind
/// [`Missing`](pat_verdict::StoreFailureKind::Missing), with the path and the OS's error
/// number.
pub(crate) fn exists(path: &Path) -> Result<(), StoreError> {
    let Ok(layout) = Layout::new(path) else {
        return Ok(());
    };
    match look(&layout, StoreError::Read) {
        Ok(Found::Missing(error)) => Err(StoreError::Read(
            JsonStoreError::Missing {
                path: layout.file,
                source: error,
            }
            .into(),
        )),
        Ok(Found::File) | Err(_) => Ok(()),
    }
}

/// The failure of a store path that is not a regular file, with the OS's `EISDIR` for a
/// directory (what opening it to write would answer), so hosts that read error numbers see
/// what they would see from `open()`.
fn not_a_file(path: &Path, kind: &fs::FileType) -> StoreFailure {
    let failure = StoreFailure::from(JsonStoreError::NotAFile {
        path: path.to_owned(),
        found: file_kind(kind),
    });
    #[cfg(unix)]
    if kind.is_dir() {
        return failure.with_errno(libc::EISDIR);
    }
    failure
}

/// Every entry, read under a shared lock waited for at most `wait`.
///
/// Only a store file that does not exist (or whose folder does not) is an empty store. When
/// this user may not create the lock file (a read-only audit of a store whose lock file does
/// not exist yet) the file is read without the lock: writers replace the file by `rename`, so
/// a reader sees a whole old or a whole new file either way; the lock only orders a read after
/// a write in progress. Any other failure to open the lock is an error, never "empty".
pub(crate) fn read(path: &Path, wait: Duration) -> Result<Entries, StoreError> {
    let layout = Layout::new(path).map_err(io_error(StoreError::Read, "cannot resolve", path))?;
    if let Found::Missing(_) = look(&layout, StoreError::Read)? {
        return Ok(Entries::default());
    }
    let lock = match open_lock(&layout.lock, true) {
        Ok(lock) => Some(lock),
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            match open_lock(&layout.lock, false) {
                Ok(lock) => Some(lock),
                Err(error) if error.kind() == io::ErrorKind::NotFound => None,
                Err(error) => return Err(lock_open_error(StoreError::Read, &layout.lock, error)),
            }
        }
        Err(error) => return Err(lock_open_error(StoreError::Read, &layout.lock, error)),
    };
    let held = match &lock {
        Some(lock) => Some(lock_within(
            lock,
            Mode::Shared,
            wait,
            &layout.lock,
            StoreError::Read,
        )?),
        None => None,
    };
    let entries = load(&layout, Keep::Entries);
    drop(held);
    entries
}

/// Reads the store under an exclusive lock (waited for at most `wait`), lets `change` decide,
/// and writes the result back atomically when `change` says so — all under the one lock, so no
/// other writer (thread or process) can come between the read and the write. An unreadable
/// store is never written.
pub(crate) fn update<R>(
    path: &Path,
    wait: Duration,
    change: impl FnOnce(&mut Entries) -> (R, bool),
) -> Result<R, StoreError> {
    let layout = Layout::new(path).map_err(io_error(StoreError::Write, "cannot resolve", path))?;
    look(&layout, StoreError::Read)?;
    create_folder(&layout.folder)?;
    let lock = open_lock(&layout.lock, true)
        .map_err(|error| lock_open_error(StoreError::Write, &layout.lock, error))?;
    let held = lock_within(
        &lock,
        Mode::Exclusive,
        wait,
        &layout.lock,
        StoreError::Write,
    )?;
    remove_stale_temp_files(&layout);
    let mut entries = load(&layout, Keep::AsRead)?;
    let (result, write) = change(&mut entries);
    if write {
        replace(&layout, &entries)?;
    }
    drop(held);
    Ok(result)
}

/// Opens the lock file, creating it (mode 0600) when `write`. A symbolic link in the lock's
/// place is not followed: following it would create or lock a file elsewhere.
fn open_lock(path: &Path, write: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    if write {
        options.write(true).create(true).truncate(false);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path)
}

fn lock_open_error(
    wrap: fn(StoreFailure) -> StoreError,
    lock: &Path,
    error: io::Error,
) -> StoreError {
    #[cfg(unix)]
    if error.raw_os_error() == Some(libc::ELOOP) {
        return io_error(
            wrap,
            "will not follow the symbolic link in place of the lock file",
            lock,
        )(error);
    }
    io_error(wrap, "cannot open the lock file", lock)(error)
}

#[derive(Clone, Copy)]
enum Mode {
    Shared,
    Exclusive,
}

/// The lock, held until this is dropped, which lets go of it explicitly (`LOCK_UN`) rather
/// than by closing the file.
///
/// `flock` belongs to the open file, which a child forked meanwhile shares through its copy
/// of the descriptor — a copy nothing in the child will ever close, since the thread that
/// owns it does not exist there. Released by closing alone, the lock would stay held for as
/// long as such a child lives, and every later write would wait out its deadline and answer
/// "store unavailable". Unlocking releases it for every copy at once (docs/contract.md §16).
struct Held<'a>(&'a File);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // An unlock that fails leaves the lock to the close that follows: nothing better to do.
        let _ = fs4::FileExt::unlock(self.0);
    }
}

/// Takes the lock, waiting at most `wait` for another holder to let go (polling with a short
/// backoff, since `flock` has no timeout), then gives up with [`JsonStoreError::LockTimeout`]:
/// a held lock makes the store unavailable, never a hang (docs/contract.md §7).
fn lock_within<'a>(
    lock: &'a File,
    mode: Mode,
    wait: Duration,
    path: &Path,
    wrap: fn(StoreFailure) -> StoreError,
) -> Result<Held<'a>, StoreError> {
    #[expect(
        clippy::disallowed_methods,
        reason = "the store adapter bounds a blocking lock wait with the machine's clock"
    )]
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        let attempt = match mode {
            Mode::Shared => fs4::FileExt::try_lock_shared(lock),
            Mode::Exclusive => fs4::FileExt::try_lock(lock),
        };
        match attempt {
            Ok(()) => return Ok(Held(lock)),
            Err(fs4::TryLockError::WouldBlock) => {}
            Err(fs4::TryLockError::Error(error)) => {
                return Err(io_error(wrap, "cannot lock", path)(error));
            }
        }
        let waited = started.elapsed();
        if waited >= wait {
            return Err(wrap(
                JsonStoreError::LockTimeout {
                    path: path.to_owned(),
                    waited: wait,
                }
                .into(),
            ));
        }
        std::thread::sleep(pause.min(wait - waited));
        pause = (pause * 2).min(MAX_LOCK_PAUSE);
    }
}

/// Reads and decodes the store file. It is opened without blocking (a FIFO swapped in after
/// [`look`] cannot hang the read) and checked again to be a regular file through the handle.
/// `keep` says whether the entries' text is kept for a write ([`Keep::AsRead`]).
fn load(layout: &Layout, keep: Keep) -> Result<Entries, StoreError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let mut file = match options.open(&layout.file) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Entries::default()),
        Err(error) => {
            return Err(io_error(StoreError::Read, "cannot open", &layout.file)(
                error,
            ));
        }
    };
    let meta =
        file.metadata()
            .map_err(io_error(StoreError::Read, "cannot look at", &layout.file))?;
    if !meta.is_file() {
        return Err(StoreError::Read(not_a_file(
            &layout.file,
            &meta.file_type(),
        )));
    }
    let too_large = |size| {
        StoreError::Read(
            JsonStoreError::TooLarge {
                path: layout.file.clone(),
                size,
            }
            .into(),
        )
    };
    if meta.len() > MAX_STORE_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte past the cap tells a file that grew since it was looked at.
    (&mut file)
        .take(MAX_STORE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(StoreError::Read, "cannot read", &layout.file))?;
    if bytes.len() as u64 > MAX_STORE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    format::decode(&bytes, keep).map_err(|problem| {
        StoreError::Corrupt(
            JsonStoreError::Corrupt {
                path: layout.file.clone(),
                problem,
            }
            .into(),
        )
    })
}

/// What a file that is not a regular file is, in words.
fn file_kind(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
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
fn remove_stale_temp_files(layout: &Layout) {
    let Ok(listing) = fs::read_dir(&layout.folder) else {
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
fn replace(layout: &Layout, entries: &Entries) -> Result<(), StoreError> {
    let bytes = format::encode(entries).map_err(|_| {
        StoreError::Write(
            JsonStoreError::Encode {
                path: layout.file.clone(),
            }
            .into(),
        )
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
    let written = write_and_rename(file, &bytes, &temp, &layout.file);
    if let Err(error) = written {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    // The new store is in place; an error here means it may not survive a power cut, and the
    // caller is told so (a retried save writes the same entry again).
    sync_folder(&layout.folder).map_err(io_error(StoreError::Write, "cannot sync", &layout.folder))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn no_wait<'a>(lock: &'a File, path: &Path) -> Result<Held<'a>, StoreError> {
        lock_within(
            lock,
            Mode::Exclusive,
            Duration::ZERO,
            path,
            StoreError::Write,
        )
    }

    /// A child forked while the lock is held keeps a copy of its descriptor that nothing
    /// closes; a copy made with `dup` (`try_clone`) is the same thing without a fork. Once the
    /// holder is done, the lock is free for everyone else although that copy stays open.
    #[test]
    fn the_lock_is_let_go_even_while_a_copy_of_its_descriptor_lives() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("miner_pats.json.lock");
        let lock = open_lock(&path, true)?;
        let held = no_wait(&lock, &path).map_err(io::Error::other)?;
        let inherited = lock.try_clone()?;
        let other = open_lock(&path, true)?;
        assert!(
            no_wait(&other, &path).is_err(),
            "held: another open file must wait"
        );
        drop(held);
        drop(lock);
        assert!(
            no_wait(&other, &path).is_ok(),
            "let go: the open copy of the holder's descriptor must not keep the lock"
        );
        drop(inherited);
        Ok(())
    }
}
