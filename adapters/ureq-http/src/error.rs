//! ureq's errors as the core's [`TransportError`]: the kind decides nothing (every transport
//! failure is inconclusive) but tells people and tests what happened.

use std::io;

use pat_verdict::{TransportError, TransportErrorKind};

/// Where in a call an error happened. ureq reports a peer that hangs up the same way in both
/// phases (`io: Peer disconnected`, `UnexpectedEof`); only the phase tells a connection
/// dropped before any answer from a body cut short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Resolving, connecting, sending the request, reading the status line and headers.
    Exchange,
    /// Reading the body of a response whose head has arrived.
    Body,
}

/// Maps a ureq error to a [`TransportError`], with ureq's words as the detail.
///
/// | ureq says | kind |
/// |---|---|
/// | `Timeout(_)`, I/O `TimedOut` / `WouldBlock` | `Timeout` |
/// | `HostNotFound`, a failed name lookup | `Dns` |
/// | `ConnectionFailed`, I/O refused / unreachable / address unavailable | `Connect` |
/// | I/O reset / aborted / broken pipe; a peer that closed before answering | `ConnectionReset` |
/// | a peer that closed in the body (ureq 3 turns a short body *and* a reset there into `UnexpectedEof`) | `TruncatedBody` |
/// | rustls's `InvalidMessage` (the peer's bytes are not TLS: a plain-text server), directly or inside an I/O error | `NotTls` |
/// | `Tls`, `Rustls`, `Pem`, `TlsRequired`, an I/O error wrapping another `rustls::Error` | `Tls` |
/// | `Protocol`, `LargeResponseHeader`, `BodyStalled`, I/O `InvalidData` | `Protocol` |
/// | anything else | `Other` |
#[must_use]
pub fn transport_error(error: &ureq::Error, phase: Phase) -> TransportError {
    TransportError::new(kind_of(error, phase), error.to_string())
}

fn kind_of(error: &ureq::Error, phase: Phase) -> TransportErrorKind {
    use TransportErrorKind as Kind;
    use ureq::Error as E;

    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "ureq::Error is non_exhaustive: whatever it adds is `Other` until placed here"
    )]
    match error {
        E::Timeout(_) => Kind::Timeout,
        E::HostNotFound => Kind::Dns,
        E::ConnectionFailed => Kind::Connect,
        E::Io(io) => io_kind(io, phase),
        E::Rustls(error) => tls_kind(error),
        E::Tls(_) | E::Pem(_) | E::TlsRequired => Kind::Tls,
        E::Protocol(_) | E::LargeResponseHeader(..) | E::BodyStalled => Kind::Protocol,
        _ => Kind::Other,
    }
}

fn io_kind(error: &io::Error, phase: Phase) -> TransportErrorKind {
    use TransportErrorKind as Kind;
    use io::ErrorKind as Io;

    // rustls's errors (a bad certificate, a peer that does not speak TLS) reach ureq as I/O
    // errors wrapping them.
    if let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return tls_kind(tls);
    }

    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "io::ErrorKind is non_exhaustive and most kinds cannot come from a socket"
    )]
    match error.kind() {
        Io::TimedOut | Io::WouldBlock => Kind::Timeout,
        Io::ConnectionRefused
        | Io::HostUnreachable
        | Io::NetworkUnreachable
        | Io::NetworkDown
        | Io::AddrNotAvailable
        | Io::AddrInUse => Kind::Connect,
        Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe | Io::NotConnected => {
            match phase {
                Phase::Exchange => Kind::ConnectionReset,
                Phase::Body => Kind::TruncatedBody,
            }
        }
        Io::UnexpectedEof => match phase {
            Phase::Exchange => Kind::ConnectionReset,
            Phase::Body => Kind::TruncatedBody,
        },
        Io::InvalidData => Kind::Protocol,
        _ if is_failed_lookup(error) => Kind::Dns,
        _ => Kind::Other,
    }
}

/// A rustls failure's kind: a peer whose bytes are not TLS records (rustls:
/// `InvalidMessage`, "received corrupt message") is [`NotTls`](TransportErrorKind::NotTls),
/// the rest (a certificate, a protocol version, an alert) [`Tls`](TransportErrorKind::Tls).
fn tls_kind(error: &rustls::Error) -> TransportErrorKind {
    if matches!(error, rustls::Error::InvalidMessage(_)) {
        TransportErrorKind::NotTls
    } else {
        TransportErrorKind::Tls
    }
}

/// The standard library reports a failed `getaddrinfo` as an uncategorized I/O error whose
/// text is all there is to go on.
fn is_failed_lookup(error: &io::Error) -> bool {
    let text = error.to_string().to_ascii_lowercase();
    [
        "failed to lookup address",
        "name or service not known",
        "nodename nor servname",
        "no address associated",
        "temporary failure in name resolution",
        "no such host",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io_error(kind: io::ErrorKind, phase: Phase) -> TransportErrorKind {
        transport_error(&ureq::Error::Io(io::Error::new(kind, "x")), phase).kind
    }

    #[test]
    fn a_hang_up_is_a_reset_before_the_answer_and_a_truncation_after() {
        for kind in [io::ErrorKind::UnexpectedEof, io::ErrorKind::ConnectionReset] {
            assert_eq!(
                io_error(kind, Phase::Exchange),
                TransportErrorKind::ConnectionReset
            );
            assert_eq!(
                io_error(kind, Phase::Body),
                TransportErrorKind::TruncatedBody
            );
        }
    }

    #[test]
    fn each_failure_gets_its_kind() {
        use TransportErrorKind as Kind;
        let cases = [
            (ureq::Error::Timeout(ureq::Timeout::Global), Kind::Timeout),
            (ureq::Error::HostNotFound, Kind::Dns),
            (ureq::Error::ConnectionFailed, Kind::Connect),
            (ureq::Error::Tls("bad certificate"), Kind::Tls),
            (ureq::Error::BodyStalled, Kind::Protocol),
            (ureq::Error::RedirectFailed, Kind::Other),
            (
                ureq::Error::Io(io::Error::other(
                    "failed to lookup address information: Name or service not known",
                )),
                Kind::Dns,
            ),
            (
                ureq::Error::Io(io::ErrorKind::ConnectionRefused.into()),
                Kind::Connect,
            ),
            (
                ureq::Error::Io(io::ErrorKind::TimedOut.into()),
                Kind::Timeout,
            ),
            (
                ureq::Error::Io(io::Error::new(
                    io::ErrorKind::InvalidData,
                    rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType),
                )),
                Kind::NotTls,
            ),
            (
                ureq::Error::Rustls(rustls::Error::InvalidMessage(
                    rustls::InvalidMessage::InvalidContentType,
                )),
                Kind::NotTls,
            ),
            (
                ureq::Error::Io(io::Error::new(
                    io::ErrorKind::InvalidData,
                    rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
                )),
                Kind::Tls,
            ),
        ];
        for (error, kind) in cases {
            let mapped = transport_error(&error, Phase::Exchange);
            assert_eq!(mapped.kind, kind, "{error}");
            assert_eq!(mapped.detail, error.to_string());
        }
    }
}
