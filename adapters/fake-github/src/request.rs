//! Reading one HTTP/1.1 request off a connection, with every size bounded: whatever a client
//! sends gives a request or an error, never a panic or an unbounded buffer.

use std::io::{self, Read};

/// Longest request head (request line and headers) read; longer is answered 431.
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// Longest request body read; longer is answered 413. The test query is 34 bytes.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// The parts of a request the fake routes on.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path without its query string.
    pub(crate) path: String,
    pub(crate) authorization: Option<String>,
    /// Every header but `Authorization`, as sent.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Vec<u8>,
    /// Whether the connection may carry another request after this one.
    pub(crate) keep_alive: bool,
}

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client closed (or went idle, or the server is stopping) between requests.
    Closed,
    /// Not HTTP/1.x as the fake understands it: answer 400 and close.
    Malformed,
    /// The head is over [`MAX_HEAD`]: answer 431 and close.
    HeadTooLarge,
    /// The body is over [`MAX_BODY`]: answer 413 and close.
    BodyTooLarge,
    /// A chunked request body, which the fake does not read: answer 411 and close.
    LengthRequired,
}

/// Reads one request from `stream`. `buffered` holds bytes read past the previous request
/// (a pipelining client) and keeps those read past this one.
pub(crate) fn read_request(
    stream: &mut impl Read,
    buffered: &mut Vec<u8>,
) -> Result<Request, ReadError> {
    let head_end = loop {
        if let Some(end) = find(buffered, b"\r\n\r\n") {
            break end;
        }
        if buffered.len() > MAX_HEAD {
            return Err(ReadError::HeadTooLarge);
        }
        // A request starts with a method in capitals; anything else (a TLS ClientHello, an
        // SSH banner) is refused at once instead of waiting for a head that never comes.
        if buffered
            .first()
            .is_some_and(|first| !first.is_ascii_uppercase())
        {
            return Err(ReadError::Malformed);
        }
        if fill(stream, buffered)? == 0 {
            return Err(if buffered.is_empty() {
                ReadError::Closed
            } else {
                ReadError::Malformed
            });
        }
    };
    if head_end > MAX_HEAD {
        return Err(ReadError::HeadTooLarge);
    }
    let head = std::str::from_utf8(&buffered[..head_end]).map_err(|_| ReadError::Malformed)?;
    let (mut request, content_length) = parse_head(head)?;
    if content_length > MAX_BODY {
        return Err(ReadError::BodyTooLarge);
    }
    let body_start = head_end + 4;
    while buffered.len() < body_start + content_length {
        if fill(stream, buffered)? == 0 {
            return Err(ReadError::Malformed);
        }
    }
    request.body = buffered[body_start..body_start + content_length].to_vec();
    buffered.drain(..body_start + content_length);
    Ok(request)
}

fn parse_head(head: &str) -> Result<(Request, usize), ReadError> {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().ok_or(ReadError::Malformed)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed);
    };
    if method.is_empty() || !target.starts_with('/') {
        return Err(ReadError::Malformed);
    }
    let mut keep_alive = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(ReadError::Malformed),
    };
    let mut authorization = None;
    let mut headers = Vec::new();
    let mut content_length: Option<usize> = None;
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(ReadError::Malformed)?;
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(ReadError::Malformed);
        }
        let value = value.trim();
        if name.eq_ignore_ascii_case("authorization") {
            authorization = Some(value.to_owned());
            continue;
        }
        headers.push((name.to_owned(), value.to_owned()));
        if name.eq_ignore_ascii_case("content-length") {
            let length = value.parse().map_err(|_| ReadError::Malformed)?;
            if content_length.is_some_and(|seen| seen != length) {
                return Err(ReadError::Malformed);
            }
            content_length = Some(length);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(ReadError::LengthRequired);
        } else if name.eq_ignore_ascii_case("connection") {
            if value.eq_ignore_ascii_case("close") {
                keep_alive = false;
            } else if value.eq_ignore_ascii_case("keep-alive") {
                keep_alive = true;
            }
        }
    }
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    Ok((
        Request {
            method: method.to_owned(),
            path: path.to_owned(),
            authorization,
            headers,
            body: Vec::new(),
            keep_alive,
        },
        content_length.unwrap_or(0),
    ))
}

/// Reads what is available into `buffered`; `Ok(0)` when the client closed, went idle past
/// the socket's read timeout, or the server shut the socket down.
fn fill(stream: &mut impl Read, buffered: &mut Vec<u8>) -> Result<usize, ReadError> {
    let mut chunk = [0_u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(n) => {
                buffered.extend_from_slice(&chunk[..n]);
                return Ok(n);
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(ReadError::Closed),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<Request, ReadError> {
        read_request(&mut &bytes[..], &mut Vec::new())
    }

    #[test]
    fn reads_a_request_and_keeps_what_follows() {
        let mut input = &b"POST /graphql?x=1 HTTP/1.1\r\nAuthorization: Bearer t\r\nContent-Length: 2\r\n\r\n{}GET"[..];
        let mut buffered = Vec::new();
        let request = read_request(&mut input, &mut buffered).expect("a request");
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/graphql");
        assert_eq!(request.authorization.as_deref(), Some("Bearer t"));
        assert!(request.keep_alive);
        assert_eq!(request.body, b"{}");
        assert_eq!(request.headers.len(), 1, "{:?}", request.headers);
        assert_eq!(buffered, b"GET");
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        for input in [
            &b""[..],
            b"\r\n\r\n",
            b"GET\r\n\r\n",
            b"GET / HTTP/2\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab",
            b"GET / HTTP/1.1\r\n\xff\xfe: x\r\n\r\n",
            b"GET / HTTP/1.1",
        ] {
            assert!(read(input).is_err(), "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn sizes_are_bounded() {
        let huge_head = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert!(matches!(
            read(huge_head.as_bytes()),
            Err(ReadError::HeadTooLarge)
        ));
        let huge_body = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert!(matches!(
            read(huge_body.as_bytes()),
            Err(ReadError::BodyTooLarge)
        ));
        assert!(matches!(
            read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Err(ReadError::LengthRequired)
        ));
    }
}
