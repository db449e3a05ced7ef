//! Which certificate authorities a client trusts (docs/contract.md §8): the operating
//! system's trust store, the bundled Mozilla roots, and the operator's `--ca-file`s, all of
//! them, always.
//!
//! Why this shape, and not ureq's `RootCerts::PlatformVerifier`: ureq 3's platform verifier
//! (rustls-platform-verifier) is built with `Verifier::new` and nothing else, so through
//! ureq it cannot be given extra roots — neither the bundled ones, which a container with no
//! CA bundle needs, nor `--ca-file`. So, as many Rust tools do, the system's store is read
//! with rustls-native-certs (the certificates git and curl trust: the distribution's bundle
//! found by openssl-probe on Linux, the keychain on macOS, the system store on Windows; when
//! `SSL_CERT_FILE` or `SSL_CERT_DIR` is set, those instead, as OpenSSL reads them), and
//! merged with webpki-root-certs and the CA files into one set of trust anchors that rustls
//! verifies against. What this gives up against a platform verifier: the OS's own policy
//! beyond its roots (revocation checks, distrust settings, Apple's and Microsoft's
//! constraints); what it keeps: one verifier, the same on every platform, and the three
//! sources together.
//!
//! The store is read once per client (a few hundred KiB on Linux), when it is built, not per
//! call. A store that cannot be read, wholly or in part (no bundle in a minimal container, a
//! broken file), takes nothing away: what could be read is used, and the bundled roots are
//! always there. An untrusted certificate is then a TLS failure, which is inconclusive.

use std::collections::HashSet;

use ureq::tls::Certificate;

/// The system's trusted roots as rustls-native-certs finds them, or as many as could be
/// read (its errors leave the bundled roots in charge, see the module's doc).
pub(crate) fn system_roots() -> Vec<Certificate<'static>> {
    rustls_native_certs::load_native_certs()
        .certs
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect()
}

/// The bundled Mozilla roots (webpki-root-certs), as certificates.
pub(crate) fn bundled_roots() -> impl Iterator<Item = Certificate<'static>> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
}

/// One set of trust anchors from every source, in order (bundled, system, the operator's),
/// each certificate once: a system bundle repeats most of Mozilla's roots.
pub(crate) fn merge(
    sources: impl IntoIterator<Item = Certificate<'static>>,
) -> Vec<Certificate<'static>> {
    let mut seen = HashSet::new();
    sources
        .into_iter()
        .filter(|cert| seen.insert(cert.der().to_vec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_root_is_kept_once_with_the_others_after_it() {
        let bundled: Vec<_> = bundled_roots().collect();
        assert!(bundled.len() > 100, "Mozilla's roots: {}", bundled.len());
        let extra =
            Certificate::from_der(b"not a real certificate, only distinct bytes").to_owned();
        // A system store repeating two bundled roots, plus one of its own.
        let system = vec![bundled[0].clone(), bundled[5].clone(), extra.clone()];
        let merged = merge(
            bundled
                .iter()
                .cloned()
                .chain(system)
                .chain([extra.clone(), bundled[1].clone()]),
        );
        let der = |certs: &[Certificate<'static>]| -> Vec<Vec<u8>> {
            certs.iter().map(|cert| cert.der().to_vec()).collect()
        };
        assert_eq!(merged.len(), bundled.len() + 1);
        assert_eq!(der(&merged[..bundled.len()]), der(&bundled));
        assert_eq!(der(&merged[bundled.len()..]), der(&[extra]));
    }
}
