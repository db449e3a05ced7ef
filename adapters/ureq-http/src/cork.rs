//! One write per request: the head and the body of a call leave in the same segment.
//!
//! ureq writes a request's head, then its body, each with a write of its own (and a socket
//! timeout set before each). For the test query and the one call — a `POST` with a
//! few-hundred-byte body — that is two segments, two wake-ups of the server and a second
//! system call pair for every verdict, where the `GET /user` needs one. Measured on loopback,
//! that made a `POST` cost about a quarter more than a `GET`, which is most of the gap between
//! one call and half of two (docs/contract.md §11).
//!
//! [`Corked`] holds what ureq transmits until ureq starts waiting for the answer, then sends
//! it all at once, through the transport it wraps (TCP, or TLS over TCP). Nothing is held past
//! that point, so a pooled connection never carries a half-sent request, and a large body
//! still streams: once half the buffer is used, what is held is sent.

use std::fmt;

use ureq::Error;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport,
};

/// The outermost connector of the chain: wraps whatever transport the chain opened in
/// [`Corked`].
#[derive(Debug, Default)]
pub(crate) struct Cork;

impl<In: Transport> Connector<In> for Cork {
    type Out = Corked<In>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        Ok(chained.map(|inner| {
            Corked::new(
                inner,
                details.config.input_buffer_size(),
                details.config.output_buffer_size(),
            )
        }))
    }
}

/// A transport that sends what ureq writes only when ureq waits for input (or the held bytes
/// reach half the buffer). It keeps buffers of its own — ureq's [`Buffers`] reads input
/// through `&self`, which a wrapped transport's buffers cannot give — and moves each answer's
/// bytes across from the wrapped transport as they arrive.
pub(crate) struct Corked<T> {
    inner: T,
    buffers: HeldBuffers,
}

impl<T> fmt::Debug for Corked<T> {
    // The held bytes are a request, its `Authorization` header among them: never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Corked")
            .field("held", &self.buffers.held)
            .finish_non_exhaustive()
    }
}

/// ureq's buffers, with the first `held` bytes of the output written but not yet sent.
struct HeldBuffers {
    lazy: LazyBuffers,
    held: usize,
}

impl<T: Transport> Corked<T> {
    fn new(inner: T, input_size: usize, output_size: usize) -> Self {
        Self {
            inner,
            buffers: HeldBuffers {
                lazy: LazyBuffers::new(input_size.max(1), output_size.max(MIN_OUTPUT)),
                held: 0,
            },
        }
    }

    /// Sends every held byte through the wrapped transport, in pieces its buffer can take.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        let held = std::mem::take(&mut self.buffers.held);
        let mut sent = 0;
        while sent < held {
            let room = self.inner.buffers().output();
            let piece = room.len().min(held - sent);
            if piece == 0 {
                return Err(Error::Io(std::io::Error::other(
                    "the connection's output buffer has no room",
                )));
            }
            room[..piece].copy_from_slice(&self.buffers.lazy.output()[sent..sent + piece]);
            self.inner.transmit_output(piece, timeout)?;
            sent += piece;
        }
        Ok(())
    }
}

/// The smallest output buffer a corked transport keeps, whatever the configuration says: a
/// request head must fit in half of it.
const MIN_OUTPUT: usize = 16 * 1024;

impl<T: Transport> Transport for Corked<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        // ureq wrote `amount` bytes at the start of `output()`, which begins after the held.
        let size = self.buffers.lazy.output().len();
        self.buffers.held = (self.buffers.held + amount).min(size);
        if self.buffers.held * 2 >= size {
            self.flush(timeout)?;
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush(timeout)?;
        // What the wrapped transport already holds first (it may hold more than fitted last
        // time), else a read.
        if !self.inner.maybe_await_input(timeout)? {
            return Ok(false);
        }
        let arrived = self.inner.buffers().input();
        let room = self.buffers.lazy.input_append_buf();
        let moved = arrived.len().min(room.len());
        room[..moved].copy_from_slice(&arrived[..moved]);
        self.buffers.lazy.input_appended(moved);
        self.inner.buffers().input_consume(moved);
        Ok(moved > 0)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

impl Buffers for HeldBuffers {
    fn output(&mut self) -> &mut [u8] {
        let held = self.held;
        &mut self.lazy.output()[held..]
    }

    fn input(&self) -> &[u8] {
        self.lazy.input()
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        self.lazy.input_append_buf()
    }

    fn input_appended(&mut self, amount: usize) {
        self.lazy.input_appended(amount);
    }

    fn input_consume(&mut self, amount: usize) {
        self.lazy.input_consume(amount);
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        let held = self.held;
        let (tmp, output) = self.lazy.tmp_and_output();
        (tmp, &mut output[held..])
    }

    fn can_use_input(&self) -> bool {
        self.lazy.can_use_input()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::time::Duration;

    /// A wrapped transport that records each transmission and answers from a script.
    #[derive(Debug)]
    struct Recording {
        buffers: LazyBuffers,
        sent: Vec<Vec<u8>>,
        answer: Vec<u8>,
    }

    impl Recording {
        fn new(answer: &[u8]) -> Self {
            Self {
                buffers: LazyBuffers::new(64, 64),
                sent: Vec::new(),
                answer: answer.to_vec(),
            }
        }
    }

    impl Transport for Recording {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }

        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), Error> {
            let bytes = self.buffers.output()[..amount].to_vec();
            self.sent.push(bytes);
            Ok(())
        }

        fn await_input(&mut self, _: NextTimeout) -> Result<bool, Error> {
            let room = self.buffers.input_append_buf();
            let n = room.len().min(self.answer.len());
            room[..n].copy_from_slice(&self.answer[..n]);
            self.answer.drain(..n);
            self.buffers.input_appended(n);
            Ok(n > 0)
        }

        fn is_open(&mut self) -> bool {
            true
        }
    }

    fn timeout() -> NextTimeout {
        NextTimeout {
            after: Duration::from(std::time::Duration::from_secs(1)),
            ..NextTimeout::default()
        }
    }

    /// Writes `bytes` the way ureq does: into `output()`, then `transmit_output`.
    fn write(corked: &mut Corked<Recording>, bytes: &[u8]) {
        corked.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        corked
            .transmit_output(bytes.len(), timeout())
            .expect("held, not sent");
    }

    #[test]
    fn head_and_body_leave_in_one_transmission_when_the_answer_is_awaited() {
        let mut corked = Corked::new(Recording::new(b"HTTP/1.1 200 OK\r\n"), 64, 0);
        write(&mut corked, b"POST /graphql HTTP/1.1\r\n\r\n");
        write(&mut corked, b"{\"query\":\"{viewer{login}}\"}");
        assert!(
            corked.inner.sent.is_empty(),
            "nothing leaves before the answer is awaited"
        );
        assert!(corked.maybe_await_input(timeout()).expect("the answer"));
        assert_eq!(
            corked.inner.sent,
            [b"POST /graphql HTTP/1.1\r\n\r\n{\"query\":\"{viewer{login}}\"}".to_vec()],
            "one transmission, in order, in the wrapped transport's pieces"
        );
        assert_eq!(corked.buffers().input(), b"HTTP/1.1 200 OK\r\n");
        assert_eq!(format!("{corked:?}"), "Corked { held: 0, .. }");
    }

    #[test]
    fn a_large_body_streams_in_the_wrapped_transports_pieces() {
        let mut corked = Corked::new(Recording::new(b""), 64, 0);
        let size = corked.buffers().output().len();
        let body = vec![b'x'; size / 2];
        write(&mut corked, &body);
        // Half the buffer held: sent at once, in pieces of the wrapped buffer (64 bytes).
        let sent: Vec<u8> = corked.inner.sent.concat();
        assert_eq!(sent, body);
        assert!(corked.inner.sent.iter().all(|piece| piece.len() <= 64));
        assert_eq!(
            corked.buffers().output().len(),
            size,
            "nothing held any more"
        );
    }

    #[test]
    fn an_answer_larger_than_the_room_is_moved_across_in_turns() {
        let answer: Vec<u8> = (0..200u8).collect();
        let mut corked = Corked::new(Recording::new(&answer), 64, 0);
        let mut read = Vec::new();
        while corked.await_input(timeout()).expect("more of the answer") {
            let input = corked.buffers().input().to_vec();
            corked.buffers().input_consume(input.len());
            read.extend(input);
        }
        assert_eq!(read, answer, "every byte, once, in order");
    }
}
