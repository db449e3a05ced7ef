//! The server: an accept thread, a thread per connection, and the state they share with
//! [`FakeGithub`](crate::FakeGithub).
//!
//! Every blocking operation ends when the server stops: reads and writes because `Drop`
//! shuts every live socket down, latencies because they wait on a condition variable that
//! `Drop` signals, and `accept` because `Drop` connects to it once. So dropping the fake
//! joins every thread it started.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use pat_verdict::Endpoint;
use serde_json::json;

use crate::request::{ReadError, Request, read_request};
use crate::{Echo, Layout, RecordedRequest};
use pat_verdict::TransportErrorKind;
use pat_verdict::testing::{Answer, Hold, Reply, reason_phrase};

/// A keep-alive connection with no request for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// A write blocked this long (a client that neither reads nor hangs up) ends the connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Oversized bodies are written in chunks of this size.
const CHUNK: usize = 64 * 1024;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Requests are counted by endpoint and by the credential sent (any scheme); `None` when
/// there was no `Authorization` header.
pub(crate) type CountKey = (Endpoint, Option<String>);

/// What the accept thread, the connection threads and the handle share.
pub(crate) struct Shared {
    pub(crate) scripts: Mutex<HashMap<(String, Endpoint), VecDeque<Reply>>>,
    pub(crate) counts: Mutex<HashMap<CountKey, usize>>,
    /// Signalled on every count, for tests that wait for a request to arrive.
    pub(crate) arrived: Condvar,
    pub(crate) latency: Mutex<Duration>,
    pub(crate) last: Mutex<HashMap<Endpoint, RecordedRequest>>,
    pub(crate) connections: AtomicUsize,
    /// Which paths the two endpoints answer on.
    pub(crate) layout: Layout,
    /// Reflect the credential of unscripted requests (see [`Echo`]).
    pub(crate) echo: Mutex<Option<Echo>>,
    /// Serve TLS with this configuration; plain HTTP when `None`.
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<Arc<rustls::ServerConfig>>,
    /// TLS handshakes that failed (a client that refused the certificate).
    pub(crate) failed_handshakes: AtomicUsize,
    control: Mutex<Control>,
    /// Signalled when the server stops or a gate opens.
    stop_signal: Condvar,
    /// A clone of every live connection, so `stop` can shut them down.
    live: Mutex<HashMap<u64, TcpStream>>,
}

/// What waits (latencies, held answers) wait for: the server stopping, or a gate opening.
#[derive(Default)]
pub(crate) struct Control {
    stopping: bool,
    open_gates: HashSet<String>,
    /// Answers that have waited at each gate, for holds that open on arrivals.
    arrived_at: HashMap<String, usize>,
}

impl Shared {
    /// Fresh state for a server of this layout (and, with `tls`, this TLS configuration).
    pub(crate) fn new(
        layout: Layout,
        #[cfg(feature = "tls")] tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Self {
        Self {
            scripts: Mutex::default(),
            counts: Mutex::default(),
            latency: Mutex::default(),
            last: Mutex::default(),
            connections: AtomicUsize::new(0),
            layout,
            echo: Mutex::new(None),
            #[cfg(feature = "tls")]
            tls,
            failed_handshakes: AtomicUsize::new(0),
            control: Mutex::default(),
            arrived: Condvar::new(),
            stop_signal: Condvar::new(),
            live: Mutex::default(),
        }
    }

    fn is_stopping(&self) -> bool {
        lock(&self.control).stopping
    }

    /// Waits `duration`, or less if the server stops; `false` when it is stopping.
    fn pause(&self, duration: Duration) -> bool {
        let control = lock(&self.control);
        if duration.is_zero() {
            return !control.stopping;
        }
        let (control, _) = self
            .stop_signal
            .wait_timeout_while(control, duration, |control| !control.stopping)
            .unwrap_or_else(PoisonError::into_inner);
        !control.stopping
    }

    /// Waits until `hold`'s gate is open — by the test, or once `hold.arrivals` answers have
    /// waited at it; `false` when the server stopped first.
    fn pass(&self, hold: &Hold) -> bool {
        let mut control = lock(&self.control);
        if let Some(arrivals) = hold.arrivals {
            let arrived = control.arrived_at.entry(hold.gate.clone()).or_insert(0);
            *arrived += 1;
            if *arrived >= arrivals {
                control.open_gates.insert(hold.gate.clone());
                self.stop_signal.notify_all();
            }
        }
        let control = self
            .stop_signal
            .wait_while(control, |control| {
                !control.stopping && !control.open_gates.contains(&hold.gate)
            })
            .unwrap_or_else(PoisonError::into_inner);
        !control.stopping
    }

    /// Opens `gate` for good: every answer held on it goes on, now and later.
    pub(crate) fn open_gate(&self, gate: &str) {
        lock(&self.control).open_gates.insert(gate.to_owned());
        self.stop_signal.notify_all();
    }

    /// Marks the server stopping, wakes every pause and shuts every live socket down.
    pub(crate) fn stop(&self) {
        lock(&self.control).stopping = true;
        self.stop_signal.notify_all();
        for stream in lock(&self.live).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// Registers a live connection; refused once the server is stopping.
    fn register(&self, id: u64, stream: &TcpStream) -> bool {
        let mut live = lock(&self.live);
        if self.is_stopping() {
            return false;
        }
        match stream.try_clone() {
            Ok(clone) => {
                live.insert(id, clone);
                true
            }
            Err(_) => false,
        }
    }

    /// Drops the registry's clone, so closing the connection's own handle closes the socket.
    fn forget(&self, id: u64) {
        lock(&self.live).remove(&id);
    }

    fn count(&self, endpoint: Endpoint, credential: Option<&str>) {
        *lock(&self.counts)
            .entry((endpoint, credential.map(str::to_owned)))
            .or_insert(0) += 1;
        self.arrived.notify_all();
    }

    /// The next reply scripted for `token` on `endpoint`: played in order, the last repeating.
    fn next_reply(&self, token: &str, endpoint: Endpoint) -> Option<Reply> {
        let mut scripts = lock(&self.scripts);
        let replies = scripts.get_mut(&(token.to_owned(), endpoint))?;
        if replies.len() > 1 {
            replies.pop_front()
        } else {
            replies.front().cloned()
        }
    }
}

/// Accepts connections until the server stops, then joins every connection thread.
pub(crate) fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut connections: Vec<JoinHandle<()>> = Vec::new();
    let mut next_id: u64 = 0;
    for stream in listener.incoming() {
        if shared.is_stopping() {
            break;
        }
        let Ok(stream) = stream else {
            continue;
        };
        next_id += 1;
        let id = next_id;
        shared.connections.fetch_add(1, Ordering::SeqCst);
        if !shared.register(id, &stream) {
            break;
        }
        connections.retain(|handle| !handle.is_finished());
        let shared_for_thread = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("fake-github-conn".to_owned())
            .spawn(move || {
                serve_connection(stream, &shared_for_thread, id);
            });
        match spawned {
            Ok(handle) => connections.push(handle),
            Err(_) => shared.forget(id),
        }
    }
    for handle in connections {
        let _ = handle.join();
    }
}

/// Wakes the accept thread once `stop` has been called, by connecting to it.
pub(crate) fn wake_accept(addr: SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}

/// A connection the fake can serve: a plain socket, or TLS over one.
pub(crate) trait Wire: Read + Write {
    /// The socket underneath.
    fn tcp(&self) -> &TcpStream;
    /// Ends the sending half: after the answer, the client reads to the end.
    fn close_write(&mut self);
}

impl Wire for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }

    fn close_write(&mut self) {
        let _ = self.shutdown(Shutdown::Write);
    }
}

#[cfg(feature = "tls")]
impl Wire for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }

    fn close_write(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
        let _ = self.sock.shutdown(Shutdown::Write);
    }
}

/// Whether the connection can carry another request.
enum After {
    KeepAlive,
    Close,
}

fn serve_connection(mut stream: TcpStream, shared: &Shared, id: u64) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    #[cfg(feature = "tls")]
    if let Some(config) = &shared.tls {
        match rustls::ServerConnection::new(Arc::clone(config)) {
            Ok(mut connection) => {
                // The handshake completes before any request is read: a client that refuses
                // the certificate never gets to send one (and so never sends its token).
                let mut handshake_ok = true;
                while connection.is_handshaking() {
                    if connection.complete_io(&mut stream).is_err() {
                        handshake_ok = false;
                        break;
                    }
                }
                if handshake_ok {
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    serve(&mut tls, shared);
                } else {
                    shared.failed_handshakes.fetch_add(1, Ordering::SeqCst);
                    drop(stream);
                }
            }
            Err(_) => drop(stream),
        }
        shared.forget(id);
        return;
    }
    serve(&mut stream, shared);
    // The registry's clone goes first: only the last handle's close ends the socket (with
    // a FIN, or an RST when `Reply::reset` set SO_LINGER 0).
    shared.forget(id);
    drop(stream);
}

/// Serves requests on one connection until it closes or the server stops.
fn serve(stream: &mut impl Wire, shared: &Shared) {
    let mut buffered = Vec::new();
    loop {
        let after = match read_request(stream, &mut buffered) {
            Ok(request) => answer(stream, shared, &request),
            Err(ReadError::Closed) => After::Close,
            Err(ReadError::Malformed) => refuse(stream, 400),
            Err(ReadError::HeadTooLarge) => refuse(stream, 431),
            Err(ReadError::BodyTooLarge) => refuse(stream, 413),
            Err(ReadError::LengthRequired) => refuse(stream, 411),
        };
        if matches!(after, After::Close) || shared.is_stopping() {
            break;
        }
    }
}

/// Answers a request the fake will not serve, then closes gracefully: the client may still
/// be sending (a huge head), and closing a socket with unread input sends an RST that can
/// destroy the answer before the client reads it.
fn refuse(stream: &mut impl Wire, status: u16) -> After {
    const MAX_DRAINED: usize = 1 << 20;
    let body = json!({ "message": reason_phrase(status) }).to_string();
    if write_response(stream, status, &[], body.as_bytes(), false).is_ok() {
        stream.close_write();
        let _ = stream
            .tcp()
            .set_read_timeout(Some(Duration::from_millis(200)));
        let mut sink = [0_u8; 8192];
        let mut drained = 0;
        // Bounded in bytes and in reads, so a client trickling bytes cannot hold the thread.
        for _ in 0..256 {
            match stream.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
            if drained >= MAX_DRAINED {
                break;
            }
        }
    }
    After::Close
}

fn answer(stream: &mut impl Wire, shared: &Shared, request: &Request) -> After {
    // `set_latency` delays every answer, the 401s and 404s included.
    let latency = *lock(&shared.latency);
    let endpoint = match shared
        .layout
        .endpoint_at(&request.method, &request.path, &request.body)
    {
        Some(endpoint) => endpoint,
        None => return github_error(stream, shared, latency, 404, request.keep_alive),
    };
    let (scheme, credential) = match request.authorization.as_deref() {
        Some(value) => match value.split_once(' ') {
            Some((scheme, credential)) => (Some(scheme), Some(credential.trim())),
            None => (None, Some(value)),
        },
        None => (None, None),
    };
    shared.count(endpoint, credential);
    lock(&shared.last).insert(
        endpoint,
        RecordedRequest {
            method: request.method.clone(),
            path: request.path.clone(),
            auth_scheme: scheme.map(str::to_owned),
            headers: request.headers.clone(),
            body: request.body.clone(),
        },
    );
    let wanted = match endpoint {
        Endpoint::Identity => "token",
        Endpoint::TestQuery | Endpoint::OneCall => "Bearer",
    };
    let reply = match (scheme, credential) {
        (Some(scheme), Some(token)) if scheme.eq_ignore_ascii_case(wanted) => shared
            .next_reply(token, endpoint)
            .or_else(|| lock(&shared.echo).map(|echo| echo.reply(endpoint, token))),
        _ => None,
    };
    let Some(reply) = reply else {
        return github_error(stream, shared, latency, 401, request.keep_alive);
    };
    if let Some(hold) = &reply.hold
        && !shared.pass(hold)
    {
        return After::Close;
    }
    if !shared.pause(latency.saturating_add(reply.latency)) {
        return After::Close;
    }
    play(stream, shared, reply, request.keep_alive)
}

/// GitHub's own error for a route it does not have (404 `Not Found`) or a credential it does
/// not know (401 `Bad credentials`), after the fake's latency.
fn github_error(
    stream: &mut impl Wire,
    shared: &Shared,
    latency: Duration,
    status: u16,
    keep_alive: bool,
) -> After {
    let message = if status == 404 {
        "Not Found"
    } else {
        "Bad credentials"
    };
    let body = json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": status.to_string(),
    });
    if !shared.pause(latency) {
        return After::Close;
    }
    respond(stream, status, &[], &body.to_string(), keep_alive)
}

fn respond(
    stream: &mut impl Wire,
    status: u16,
    headers: &[(String, String)],
    body: &str,
    keep_alive: bool,
) -> After {
    match write_response(stream, status, headers, body.as_bytes(), keep_alive) {
        Ok(()) if keep_alive => After::KeepAlive,
        Ok(()) | Err(_) => After::Close,
    }
}

fn play(stream: &mut impl Wire, shared: &Shared, reply: Reply, keep_alive: bool) -> After {
    match reply.answer {
        Answer::Fail(kind) => {
            let fault = match kind {
                TransportErrorKind::Timeout => Answer::Stall,
                TransportErrorKind::TruncatedBody => Answer::Truncated {
                    status: 200,
                    declared: 64,
                    sent: b"{".to_vec(),
                },
                TransportErrorKind::Protocol => Answer::Raw(b"not HTTP at all\r\n\r\n".to_vec()),
                TransportErrorKind::Connect
                | TransportErrorKind::Dns
                | TransportErrorKind::ConnectionReset
                | TransportErrorKind::Tls
                | TransportErrorKind::NotTls
                | TransportErrorKind::Other => Answer::Reset,
            };
            play(
                stream,
                shared,
                Reply {
                    answer: fault,
                    ..reply
                },
                keep_alive,
            )
        }
        Answer::Respond { status, body } => {
            match write_response(stream, status, &reply.headers, &body, keep_alive) {
                Ok(()) if keep_alive => After::KeepAlive,
                Ok(()) | Err(_) => After::Close,
            }
        }
        Answer::Reset => {
            let _ = socket2::SockRef::from(stream.tcp()).set_linger(Some(Duration::ZERO));
            After::Close
        }
        Answer::Stall => {
            stall(stream, shared);
            After::Close
        }
        Answer::Truncated {
            status,
            declared,
            sent,
        } => {
            let mut head = status_line(status);
            push_headers(&mut head, &reply.headers);
            head.extend_from_slice(format!("Content-Length: {declared}\r\n\r\n").as_bytes());
            head.extend_from_slice(&sent);
            let _ = stream.write_all(&head).and_then(|()| stream.flush());
            stream.close_write();
            After::Close
        }
        Answer::Oversized {
            status,
            bytes,
            chunked,
        } => match stream_oversized(stream, status, &reply.headers, bytes, chunked) {
            Ok(()) if keep_alive => After::KeepAlive,
            Ok(()) | Err(_) => After::Close,
        },
        Answer::Raw(bytes) => {
            let _ = stream.write_all(&bytes).and_then(|()| stream.flush());
            stream.close_write();
            After::Close
        }
    }
}

/// Reads and discards until the client hangs up or the server stops.
fn stall(stream: &mut impl Wire, shared: &Shared) {
    let mut sink = [0_u8; 4096];
    loop {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return,
        }
        if shared.is_stopping() {
            return;
        }
    }
}

fn status_line(status: u16) -> Vec<u8> {
    format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status)).into_bytes()
}

/// The default `Content-Type` unless scripted, then the scripted headers.
fn push_headers(head: &mut Vec<u8>, headers: &[(String, String)]) {
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        head.extend_from_slice(b"Content-Type: application/json; charset=utf-8\r\n");
    }
    for (name, value) in headers {
        head.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
}

fn write_response(
    stream: &mut impl Wire,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    keep_alive: bool,
) -> io::Result<()> {
    let mut out = status_line(status);
    push_headers(&mut out, headers);
    // 1xx, 204 and 304 carry no body and no length (RFC 9110 §6.4.1).
    let bodiless = matches!(status, 100..=199 | 204 | 304);
    if !bodiless {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !bodiless {
        out.extend_from_slice(body);
    }
    stream.write_all(&out)?;
    stream.flush()
}

/// Writes a JSON-looking body of exactly `bytes` bytes, `CHUNK` at a time: a viewer, then a
/// long padding string. Fails (and so stops) as soon as the client hangs up.
fn stream_oversized<W: Wire>(
    stream: &mut W,
    status: u16,
    headers: &[(String, String)],
    bytes: u64,
    chunked: bool,
) -> io::Result<()> {
    const PREFIX: &[u8] = br#"{"data":{"viewer":{"login":"oversized"}},"padding":""#;
    const SUFFIX: &[u8] = br#""}"#;
    let mut head = status_line(status);
    push_headers(&mut head, headers);
    if chunked {
        head.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
    } else {
        head.extend_from_slice(format!("Content-Length: {bytes}\r\n\r\n").as_bytes());
    }
    stream.write_all(&head)?;

    let framed = (PREFIX.len() + SUFFIX.len()) as u64;
    let write_piece = |stream: &mut W, piece: &[u8]| -> io::Result<()> {
        if piece.is_empty() {
            return Ok(());
        }
        if chunked {
            stream.write_all(format!("{:x}\r\n", piece.len()).as_bytes())?;
            stream.write_all(piece)?;
            stream.write_all(b"\r\n")
        } else {
            stream.write_all(piece)
        }
    };
    if bytes < framed {
        // Too short to frame: the first `bytes` bytes of the frame.
        let frame = [PREFIX, SUFFIX].concat();
        let short = usize::try_from(bytes).map_or(frame.len(), |short| short.min(frame.len()));
        write_piece(stream, &frame[..short])?;
    } else {
        let padding = vec![b'a'; CHUNK];
        write_piece(stream, PREFIX)?;
        let mut fill = bytes - framed;
        while fill > 0 {
            let take = usize::try_from(fill).map_or(CHUNK, |fill| fill.min(CHUNK));
            write_piece(stream, &padding[..take])?;
            fill -= take as u64;
        }
        write_piece(stream, SUFFIX)?;
    }
    if chunked {
        stream.write_all(b"0\r\n\r\n")?;
    }
    stream.flush()
}
