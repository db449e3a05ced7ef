"""Type stubs for the extension module ``pat_verdict._pat_verdict`` (written by hand)."""

import os
from typing import Any, Awaitable, Dict, List, Literal, Mapping, Optional, Union

__version__: str
BLOCKING_THREADS: int
"""Threads of the shared runtime's blocking pool that carry the HTTP calls and store work."""

VerdictKind = Literal["valid", "invalid", "inconclusive"]
Stage = Literal["token", "identity", "test_query"]
Category = Literal["valid", "no_pat", "invalid_pat", "inconclusive", "no_response"]

JsonValue = Union[None, bool, int, float, str, List[Any], Dict[str, Any]]
"""What ``json.loads`` (and ``requests``' ``response.json()``) returns."""

Body = Union[bytes, bytearray, str, List[Any], Dict[str, Any], None, bool, int, float]
"""A body as sent (``bytes``, ``bytearray``, ``str``) or already parsed (``JsonValue``)."""

class StoreUnavailableError(OSError):
    """``Validator.audit`` could not read the PAT store at all; retry later."""

class Verdict:
    """The verdict on a PAT. Frozen; compares by value; its repr never holds a token."""

    @property
    def kind(self) -> VerdictKind: ...
    @property
    def error(self) -> Optional[str]:
        """gittensor's ``error``: why not valid; ``None`` when valid."""
    @property
    def transient_failure(self) -> bool:
        """gittensor's ``transient_failure``: true exactly when inconclusive."""
    @property
    def rate_limited(self) -> bool: ...
    @property
    def retry_after(self) -> Optional[float]:
        """Seconds GitHub asked to wait, when it said."""
    @property
    def stage(self) -> Optional[Stage]:
        """Where verification stopped when not valid."""
    @property
    def github_id(self) -> Optional[str]: ...
    @property
    def login(self) -> Optional[str]: ...
    @property
    def expires_at(self) -> Optional[str]:
        """ISO-8601 UTC, from GitHub's token-expiration header."""
    @property
    def scopes(self) -> Optional[List[str]]: ...
    @property
    def requests(self) -> int:
        """HTTP requests made, retries included (0 for ``classify_*``)."""
    def to_dict(self) -> Dict[str, Any]:
        """The keys of ``pat-verdict verify --json`` plus ``"requests"``: ``verdict``,
        ``github_id``, ``login``, ``reason``, ``stage``, ``retry_after_secs`` (whole seconds,
        rounded up), ``scopes``, ``expires_at``, ``requests``."""

class CheckResponse:
    """The check endpoint's answer. Frozen."""

    @property
    def has_pat(self) -> Optional[bool]: ...
    @property
    def pat_valid(self) -> Optional[bool]: ...
    @property
    def rejection_reason(self) -> Optional[str]: ...
    @property
    def category(self) -> Category: ...
    @property
    def detail(self) -> Optional[str]:
        """Only when the store was unavailable: why (its path and the OS error)."""

class BroadcastResponse:
    """The broadcast endpoint's answer. Frozen; never echoes the PAT."""

    @property
    def accepted(self) -> bool: ...
    @property
    def rejection_reason(self) -> Optional[str]: ...
    @property
    def retryable(self) -> bool: ...

class AuditRow:
    """One stored PAT's verdict. Frozen."""

    @property
    def uid(self) -> int: ...
    @property
    def hotkey(self) -> str: ...
    @property
    def github_id(self) -> Optional[str]: ...
    @property
    def verdict(self) -> Verdict: ...

def _classify_test_query(
    status: Optional[int],
    body: Body,
    headers: Optional[Mapping[str, str]],
    transport_error: Optional[str],
    now: Optional[float],
    /,
) -> Verdict:
    """Positional form of ``pat_verdict.classify_test_query``."""

def _classify_identity(
    status: Optional[int],
    body: Body,
    headers: Optional[Mapping[str, str]],
    transport_error: Optional[str],
    now: Optional[float],
    /,
) -> Verdict:
    """Positional form of ``pat_verdict.classify_identity``."""

class Verifier:
    """Verifies PATs against GitHub (or ``api_url``): pre-check, ``GET /user``, ``POST
    /graphql``, retries inside one deadline of ``timeout`` seconds, ``attempts`` per call.
    Safe to share across threads and event loops."""

    def __init__(
        self,
        api_url: str = "https://api.github.com",
        *,
        timeout: float = 12.0,
        attempts: int = 3,
        ca_file: Optional[Union[str, "os.PathLike[str]"]] = None,
    ) -> None: ...
    def verify(self, token: str) -> Verdict:
        """Blocks the calling thread (not the interpreter) until the verdict."""
    def averify(self, token: str) -> Awaitable[Verdict]:
        """The same, awaitable; the event loop never waits on it."""

class Validator:
    """A validator's check/broadcast endpoints and audit over ``miner_pats.json``.
    Safe to share across threads and event loops."""

    def __init__(
        self,
        store: Union[str, "os.PathLike[str]"],
        hotkeys: List[str],
        *,
        api_url: str = "https://api.github.com",
        timeout: float = 12.0,
        ca_file: Optional[Union[str, "os.PathLike[str]"]] = None,
    ) -> None: ...
    @property
    def hotkeys(self) -> List[str]:
        """The subnet's hotkeys in uid order; assign a new list when the metagraph changes."""
    @hotkeys.setter
    def hotkeys(self, hotkeys: List[str]) -> None: ...
    def check(self, hotkey: str) -> CheckResponse: ...
    def acheck(self, hotkey: str) -> Awaitable[CheckResponse]: ...
    def broadcast(self, hotkey: str, pat: str) -> BroadcastResponse: ...
    def abroadcast(self, hotkey: str, pat: str) -> Awaitable[BroadcastResponse]: ...
    def audit(self, concurrency: int = 16) -> List[AuditRow]:
        """Every stored PAT re-verified, rows in uid order. Raises StoreUnavailableError when
        the store cannot be read at all."""
    def aaudit(self, concurrency: int = 16) -> Awaitable[List[AuditRow]]: ...

class SendStep:
    """Send this request with your own HTTP client, then ``Verification.receive(...)`` what came
    back. ``headers["Authorization"]`` is the only place the token is exposed (by design: it
    must be sent); the repr shows ``[REDACTED]``. A snapshot: it does not change later."""

    @property
    def endpoint(self) -> Literal["identity", "test_query"]: ...
    @property
    def method(self) -> Literal["GET", "POST"]: ...
    @property
    def path(self) -> Literal["/user", "/graphql"]: ...
    def url(self, api_url: str = "https://api.github.com") -> str:
        """The full URL under ``api_url`` (GitHub Enterprise Server: ``…/api/v3`` →
        ``…/api/graphql`` for the test query). ``ValueError`` for an API URL the strict parse
        refuses."""
    @property
    def headers(self) -> Dict[str, str]:
        """``Authorization`` (holds the token), ``Accept``, and ``Content-Type`` for the POST.
        Your client adds its own ``User-Agent``."""
    @property
    def body(self) -> Optional[bytes]:
        """The JSON body of the test query; ``None`` for ``GET /user``."""
    @property
    def timeout(self) -> float:
        """Seconds the request may take: what is left of the deadline."""

class WaitStep:
    """Wait (a backoff, or GitHub's ``Retry-After``) until ``until``, then
    ``Verification.resume()``."""

    @property
    def until(self) -> float:
        """The monotonic reading (``time.monotonic()``'s scale) to wait for."""
    def seconds_from(self, now: Optional[float] = None) -> float:
        """Seconds from ``now`` (default ``time.monotonic()``) until then; 0 when past."""

class IdentityStep:
    """``GET /user`` was valid: pin the account here, then ``Verification.proceed()`` or
    ``Verification.stop(reason)``. The test query has not been sent."""

    @property
    def github_id(self) -> str: ...
    @property
    def login(self) -> Optional[str]: ...

class DoneStep:
    """The verification is over."""

    @property
    def verdict(self) -> Verdict:
        """What ``Verifier.verify`` would have answered; ``requests`` counts every request."""

class HaltedStep:
    """The host stopped the verification at the identity (its pin refused the account): no
    verdict on the PAT, no test query sent."""

    @property
    def reason(self) -> str: ...
    @property
    def github_id(self) -> str: ...
    @property
    def login(self) -> Optional[str]: ...
    @property
    def requests(self) -> int: ...

Step = Union[SendStep, WaitStep, IdentityStep, DoneStep, HaltedStep]
"""What ``Verification.step`` and every transition answer."""

class Verification:
    """One whole verification (token pre-check, ``GET /user``, the pin point, ``POST
    /graphql``, retries inside one deadline) driven by your own HTTP client: the core decides
    what to send, how long to wait and the verdict; you send and sleep. ``now`` values are
    monotonic seconds (default ``time.monotonic()``). A call that does not fit the current
    step raises ``RuntimeError`` and changes nothing. Safe to share across threads."""

    def __init__(
        self,
        token: str,
        *,
        timeout: float = 12.0,
        attempts: int = 3,
        now: Optional[float] = None,
    ) -> None: ...
    @property
    def step(self) -> Step:
        """What to do now."""
    @property
    def done(self) -> bool:
        """Whether the step is a ``DoneStep`` or a ``HaltedStep``."""
    def receive(
        self,
        status: Optional[int] = None,
        *,
        body: Body = None,
        headers: Optional[Mapping[str, str]] = None,
        transport_error: Optional[str] = None,
        now: Optional[float] = None,
        wall: Optional[float] = None,
    ) -> Step:
        """What the ``SendStep``'s request got, as ``classify_test_query`` takes it; ``wall``:
        epoch seconds for ``x-ratelimit-reset`` (default now)."""
    def resume(self, *, now: Optional[float] = None) -> Step:
        """After a ``WaitStep``: the next attempt, or the end if the deadline passed."""
    def proceed(self, *, now: Optional[float] = None) -> Step:
        """After an ``IdentityStep``: on to the test query, within the same deadline."""
    def stop(self, reason: str) -> HaltedStep:
        """After an ``IdentityStep``: end here with ``reason``; no test query is sent."""
