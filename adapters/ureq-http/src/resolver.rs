//! Name resolution with a short cache.
//!
//! ureq resolves the host before it looks in its connection pool, on every request, and when
//! the request has a timeout (ours always do: the deadline's remainder) it resolves on a
//! freshly spawned thread so the lookup can be abandoned. An audit of 256 PATs would spawn
//! 512 threads and run 512 lookups of the same name. This resolver keeps each answer for
//! [`TTL`], short enough to follow GitHub's DNS changes, and otherwise defers to ureq's own.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a resolved address is reused.
pub(crate) const TTL: Duration = Duration::from_secs(30);

/// ureq's resolver behind a per-`scheme://authority` cache.
#[derive(Debug, Default)]
pub(crate) struct CachingResolver {
    inner: DefaultResolver,
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    #[expect(
        clippy::disallowed_methods,
        reason = "DNS cache expiry is I/O plumbing in this adapter, not a verdict decision"
    )]
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or(""),
            uri.authority().map_or("", |authority| authority.as_str())
        );
        let cached = {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            cache
                .get(&key)
                .filter(|(at, _)| at.elapsed() < TTL)
                .map(|(_, addrs)| addrs.clone())
        };
        if let Some(addrs) = cached {
            return Ok(addrs);
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, (Instant::now(), addrs.clone()));
        Ok(addrs)
    }
}
