//! The fake over raw sockets: routing, auth schemes, scripts, counts, keep-alive, garbage,
//! and the faults a client can only see on the wire.

#![allow(
    clippy::expect_used,
    reason = "test helpers: a broken expectation fails the test loudly, as an assertion does"
)]

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use pat_verdict::Endpoint;
use pat_verdict_fake_github::{FakeGithub, Reply};

/// Turns a hang into a failure; never what a test measures, so generous.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// One parsed answer: status, head (lower-cased), body.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

/// Asserts that `stream` has no answer waiting (the fake holds it), without blocking.
fn assert_nothing_to_read(stream: &mut TcpStream) {
    stream.set_nonblocking(true).expect("non-blocking");
    let mut byte = [0_u8; 1];
    let early = stream.read(&mut byte);
    assert!(
        matches!(early, Err(ref error) if error.kind() == ErrorKind::WouldBlock),
        "{early:?}"
    );
    stream.set_nonblocking(false).expect("blocking");
}

/// Scripts `reply` (a held one) for `token` on `/user`, sends that request on a new
/// connection and waits until the fake has it; the connection, for the answer.
fn send_held(github: &FakeGithub, token: &str, reply: Reply) -> TcpStream {
    github.script(token, Endpoint::Identity, [reply]);
    let mut stream = connect(github);
    stream
        .write_all(get_user(&format!("token {token}")).as_bytes())
        .expect("send");
    assert!(github.wait_for_requests_for(token, Endpoint::Identity, 1, HANG_GUARD));
    stream
}

fn connect(github: &FakeGithub) -> TcpStream {
    let stream = TcpStream::connect(github.addr()).expect("connect to the fake");
    stream
        // A hang guard only: every read here has an answer or a close coming.
        .set_read_timeout(Some(HANG_GUARD))
        .expect("read timeout");
    stream
}

fn get_user(auth: &str) -> String {
    format!("GET /user HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\r\n")
}

fn post_graphql(auth: &str) -> String {
    let body = pat_verdict::Endpoint::TestQuery.body().unwrap_or_default();
    format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Sends `request` and reads one answer framed by its Content-Length.
fn exchange(stream: &mut TcpStream, request: &str) -> Answer {
    stream.write_all(request.as_bytes()).expect("send");
    let mut bytes = Vec::new();
    let mut byte = [0_u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("read head");
        assert_eq!(
            n,
            1,
            "closed mid-head: {:?}",
            String::from_utf8_lossy(&bytes)
        );
        bytes.push(byte[0]);
    }
    let head = String::from_utf8(bytes)
        .expect("UTF-8 head")
        .to_ascii_lowercase();
    let status = head[9..12].parse().expect("a status");
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .map_or(0, |length| length.trim().parse().expect("a length"));
    let mut body = vec![0_u8; length];
    stream.read_exact(&mut body).expect("read body");
    Answer {
        status,
        head,
        body: String::from_utf8(body).expect("UTF-8 body"),
    }
}

#[test]
fn schemes_scripts_and_counts() {
    let github = FakeGithub::start().expect("start");
    github.valid("ghp_alice", 42, "alice");
    github.script(
        "ghp_flaky",
        Endpoint::TestQuery,
        [
            Reply::status(502),
            Reply::viewer("bob").header("X-OAuth-Scopes", "repo"),
        ],
    );
    let mut stream = connect(&github);

    // Right schemes: 200s, the /user body is GitHub-sized and JSON.
    let user = exchange(&mut stream, &get_user("token ghp_alice"));
    assert_eq!(user.status, 200);
    assert!(user.head.contains("content-type: application/json"));
    let json: serde_json::Value = serde_json::from_str(&user.body).expect("JSON");
    assert_eq!(json["id"], 42);
    assert_eq!(json["login"], "alice");
    assert!(user.body.len() > 1000);
    let viewer = exchange(&mut stream, &post_graphql("Bearer ghp_alice"));
    assert_eq!(viewer.status, 200);
    assert_eq!(viewer.body, r#"{"data":{"viewer":{"login":"alice"}}}"#);

    // Wrong scheme, no token, unscripted token: GitHub's 401, on the same connection.
    for request in [
        get_user("Bearer ghp_alice"),
        post_graphql("token ghp_alice"),
        get_user("token ghp_nobody"),
        "GET /user HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(),
    ] {
        let answer = exchange(&mut stream, &request);
        assert_eq!(answer.status, 401, "{request}");
        assert!(answer.body.contains("Bad credentials"));
    }

    // Steps in order, the last repeating, with its headers.
    let statuses: Vec<u16> = (0..3)
        .map(|_| exchange(&mut stream, &post_graphql("Bearer ghp_flaky")).status)
        .collect();
    assert_eq!(statuses, [502, 200, 200]);
    let last = exchange(&mut stream, &post_graphql("Bearer ghp_flaky"));
    assert!(last.head.contains("x-oauth-scopes: repo"));

    assert_eq!(github.requests_for("ghp_alice", Endpoint::Identity), 2);
    assert_eq!(github.requests_for("ghp_alice", Endpoint::TestQuery), 2);
    assert_eq!(github.requests_for("ghp_nobody", Endpoint::Identity), 1);
    assert_eq!(github.requests_for("ghp_flaky", Endpoint::TestQuery), 4);
    assert_eq!(github.requests(Endpoint::Identity), 4);
    assert_eq!(github.requests(Endpoint::TestQuery), 6);
    github.reset_counts();
    assert_eq!(github.requests(Endpoint::Identity), 0);
}

#[test]
fn unknown_paths_and_garbage_never_take_the_server_down() {
    let github = FakeGithub::start().expect("start");
    github.valid("ghp_alice", 1, "alice");
    let mut stream = connect(&github);
    let answer = exchange(&mut stream, "GET /repos HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(answer.status, 404);
    let answer = exchange(&mut stream, "GET /graphql HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(answer.status, 404);

    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"[..],
        b"GET / SPDY/9\r\n\r\n",
        b"POST /graphql HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
        b"POST /graphql HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    ] {
        let mut stream = connect(&github);
        stream.write_all(garbage).expect("send garbage");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    }
    let mut huge = connect(&github);
    let _ = huge.write_all(&vec![b'A'; 64 * 1024]);
    let mut answer = String::new();
    let _ = huge.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

    let mut stream = connect(&github);
    assert_eq!(
        exchange(&mut stream, &get_user("token ghp_alice")).status,
        200
    );
}

#[test]
fn answers_held_until_enough_arrive_go_on_together() {
    let github = FakeGithub::start().expect("start");
    let wave = Reply::user(7, "wave").held_until("wave", 2);
    let mut first = send_held(&github, "ghp_wave", wave);
    // One of two: still held.
    assert_nothing_to_read(&mut first);
    // The second arrival opens the gate for both.
    let mut second = connect(&github);
    assert_eq!(
        exchange(&mut second, &get_user("token ghp_wave")).status,
        200
    );
    assert_eq!(exchange(&mut first, "").status, 200);
}

#[test]
fn a_held_answer_waits_for_its_gate_and_arrivals_can_be_awaited() {
    let github = FakeGithub::start().expect("start");
    github.valid("ghp_free", 8, "free");
    let arrivals = github.arrivals();
    let mut held = send_held(&github, "ghp_held", Reply::user(7, "held").held("gate"));
    // Counted on arrival, before the answer: waiting for it from another thread returns.
    let waiter = std::thread::spawn(move || {
        arrivals.wait(Endpoint::Identity, Some("ghp_held"), 1, HANG_GUARD)
    });
    assert!(waiter.join().expect("the waiting thread"), "arrived");
    // Held: nothing to read yet, and the server goes on answering everyone else.
    assert_nothing_to_read(&mut held);
    let mut other = connect(&github);
    assert_eq!(
        exchange(&mut other, &get_user("token ghp_free")).status,
        200
    );
    // Opened: the held answer comes, and later ones are not held.
    github.open_gate("gate");
    let answer = exchange(&mut held, "");
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains(r#""login":"held""#), "{}", answer.body);
    let again = exchange(&mut held, &get_user("token ghp_held"));
    assert_eq!(again.status, 200);
    assert_eq!(github.requests_for("ghp_held", Endpoint::Identity), 2);
    // A wait for a request that never comes ends at its limit, false.
    assert!(!github.wait_for_requests_for("ghp_none", Endpoint::Identity, 1, Duration::ZERO));
}

#[test]
fn a_reset_is_a_reset_on_the_wire() {
    let github = FakeGithub::start().expect("start");
    github.script("ghp_r", Endpoint::Identity, [Reply::reset()]);
    let mut stream = connect(&github);
    stream
        .write_all(get_user("token ghp_r").as_bytes())
        .expect("send");
    let mut buffer = [0_u8; 16];
    let error = stream
        .read(&mut buffer)
        .expect_err("a reset, not an answer");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);
    assert_eq!(github.requests_for("ghp_r", Endpoint::Identity), 1);
}

#[test]
fn truncated_bodies_close_short_of_their_length() {
    let github = FakeGithub::start().expect("start");
    github.script(
        "ghp_t",
        Endpoint::Identity,
        [Reply::truncated(200, 100, r#"{"id": 4"#)],
    );
    let mut stream = connect(&github);
    stream
        .write_all(get_user("token ghp_t").as_bytes())
        .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("a clean close");
    assert!(answer.contains("Content-Length: 100\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\n{\"id\": 4"), "{answer}");
}

#[test]
fn dropping_the_server_ends_stalls_latency_and_held_answers_at_once() {
    let github = FakeGithub::start().expect("start");
    github.script("ghp_s", Endpoint::Identity, [Reply::stall()]);
    github.script(
        "ghp_slow",
        Endpoint::Identity,
        [Reply::status(200).after(Duration::from_secs(60))],
    );
    let mut stalled = connect(&github);
    stalled
        .write_all(get_user("token ghp_s").as_bytes())
        .expect("send");
    let mut slow = connect(&github);
    slow.write_all(get_user("token ghp_slow").as_bytes())
        .expect("send");
    github.script(
        "ghp_held",
        Endpoint::Identity,
        [Reply::user(1, "held").held("shut")],
    );
    let mut held = connect(&github);
    held.write_all(get_user("token ghp_held").as_bytes())
        .expect("send");
    // Both requests are in; nothing will answer them.
    assert!(
        github.wait_for_requests(Endpoint::Identity, 3, HANG_GUARD),
        "both requests reach the fake"
    );
    drop(github); // joins every thread: this test would hang for a minute if it did not
    for mut stream in [stalled, slow, held] {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        assert!(answer.is_empty());
    }
}

#[test]
fn oversized_bodies_stream_their_exact_length() {
    let github = FakeGithub::start().expect("start");
    github.script(
        "ghp_o",
        Endpoint::TestQuery,
        [Reply::oversized(200, 3 * 65_536 + 17)],
    );
    let mut stream = connect(&github);
    let answer = exchange(&mut stream, &post_graphql("Bearer ghp_o"));
    assert_eq!(answer.body.len(), 3 * 65_536 + 17);
    assert!(answer.body.starts_with(r#"{"data":{"viewer""#));
    assert!(answer.body.ends_with(r#"aaa"}"#));
    let json: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON-looking");
    assert_eq!(json["data"]["viewer"]["login"], "oversized");
}

fn request(method: &str, path: &str, auth: &str) -> String {
    let body = if method == "POST" {
        pat_verdict::Endpoint::TestQuery.body().unwrap_or_default()
    } else {
        ""
    };
    format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn the_enterprise_layout_serves_api_v3_user_and_api_graphql_only() {
    let github = FakeGithub::builder().enterprise().start().expect("starts");
    assert!(github.url().ends_with("/api/v3"));
    github.valid("ghp_e", 7, "ent");
    let mut stream = connect(&github);
    let user = exchange(&mut stream, &request("GET", "/api/v3/user", "token ghp_e"));
    assert_eq!(user.status, 200, "{}", user.body);
    let graphql = exchange(
        &mut stream,
        &request("POST", "/api/graphql", "Bearer ghp_e"),
    );
    assert_eq!(graphql.status, 200, "{}", graphql.body);
    // What github.com serves, and the path a client that ignores the layout would try.
    for (method, path) in [
        ("POST", "/api/v3/graphql"),
        ("GET", "/user"),
        ("POST", "/graphql"),
    ] {
        let answer = exchange(&mut stream, &request(method, path, "Bearer ghp_e"));
        assert_eq!(answer.status, 404, "{method} {path}");
    }
    assert_eq!(github.requests(Endpoint::TestQuery), 1);
}

#[test]
fn echo_mode_reflects_the_credential_into_every_string() {
    let github = FakeGithub::start().expect("starts");
    let mut stream = connect(&github);
    // Off by default: an unscripted token is refused.
    assert_eq!(
        exchange(&mut stream, &get_user("token ghp_echo")).status,
        401
    );
    github.set_echo(Some(pat_verdict_fake_github::Echo {
        in_id: true,
        message_padding: 3,
        rate_limited: false,
    }));
    let user = exchange(&mut stream, &get_user("token ghp_echo"));
    assert_eq!(user.status, 200);
    assert!(user.body.contains(r#""id":"ghp_echo""#), "{}", user.body);
    assert!(user.body.contains(r#""login":"ghp_echo""#), "{}", user.body);
    assert!(
        user.head.contains("x-oauth-scopes: repo, ghp_echo"),
        "{}",
        user.head
    );
    let graphql = exchange(&mut stream, &post_graphql("Bearer ghp_echo"));
    assert!(
        graphql.body.contains("xxxghp_echo cannot"),
        "{}",
        graphql.body
    );
}

/// Every shape of docs/contract.md §2's two dated rules can be scripted and arrives as
/// written: HTML, plain-text and empty 4xx bodies, GitHub's own failure in a 200, and a 401
/// followed by a 200 (GitHub contradicting itself, §4).
#[test]
fn githubs_failure_shapes_arrive_as_scripted() {
    let github = FakeGithub::start().expect("start");
    github.script(
        "ghp_shapes",
        Endpoint::TestQuery,
        [
            Reply::not_json(404),
            Reply::text(403, "Request blocked by the firewall.\n"),
            Reply::status(401),
            Reply::github_failure(),
            Reply::bad_credentials(),
            Reply::viewer("octocat"),
        ],
    );
    let mut stream = connect(&github);
    let mut next = || exchange(&mut stream, &post_graphql("Bearer ghp_shapes"));

    let html = next();
    assert_eq!(html.status, 404);
    assert!(
        html.head.contains("content-type: text/html"),
        "{}",
        html.head
    );
    assert!(html.body.starts_with("<!DOCTYPE html>"));
    let text = next();
    assert_eq!(
        (text.status, text.body.as_str()),
        (403, "Request blocked by the firewall.\n")
    );
    assert!(
        text.head.contains("content-type: text/plain"),
        "{}",
        text.head
    );
    let empty = next();
    assert_eq!((empty.status, empty.body.as_str()), (401, ""));
    let failure = next();
    assert_eq!(failure.status, 200);
    let json: serde_json::Value = serde_json::from_str(&failure.body).expect("JSON");
    assert_eq!(json["data"], serde_json::Value::Null);
    assert_eq!(
        json["errors"][0]["message"],
        pat_verdict_fake_github::SOMETHING_WENT_WRONG
    );
    let denied = next();
    assert_eq!(denied.status, 401);
    assert!(denied.body.contains("Bad credentials"));
    assert!(denied.head.contains("content-type: application/json"));
    let viewer = next();
    assert_eq!(viewer.status, 200);
    assert_eq!(viewer.body, r#"{"data":{"viewer":{"login":"octocat"}}}"#);
}
