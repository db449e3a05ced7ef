"""Type stubs for the extension module ``pat_verdict._pat_verdict`` (written by hand)."""

import datetime
import os
from typing_extensions import final
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Tuple, Union

__version__: str
BLOCKING_THREADS: int
"""Threads of the shared runtime's blocking pool that carry the HTTP calls and store work."""
DEFAULT_API_URL: str
"""The GitHub API root when none is given: ``https://api.github.com``."""
DEFAULT_TIMEOUT: float
"""Seconds a whole verification may take by default, retries included (12.0)."""
MAX_ATTEMPTS: int
"""Tries per call at most, and by default (3)."""
DEFAULT_OUTAGE_THRESHOLD: int
"""GitHub-side failures in a row that open the outage guard by default (6)."""
DEFAULT_OUTAGE_COOLDOWN: float
"""Seconds the open guard waits before its probe by default (30.0)."""

VerdictKind = Literal["valid", "invalid", "inconclusive"]
Stage = Literal["token", "identity", "test_query"]
Category = Literal["valid", "no_pat", "invalid_pat", "inconclusive", "no_response"]
VerdictCause = Literal[
    # valid
    "ok",
    # invalid: GitHub's evidence against the PAT
    "malformed_token", "bad_credentials", "forbidden", "graphql_error", "no_viewer",
    # inconclusive: GitHub could not be asked, or did not answer for the PAT
    "rate_limited", "github_down", "github_failure", "not_github", "request_refused",
    "no_account_id", "transport", "contradicted", "deadline", "short_circuited",
    "store_unavailable",
]
"""Why a verdict is what it is (docs/contract.md §13); ``store_unavailable`` only for an audit
row whose entry the store cannot use."""
AnswerCause = Literal[VerdictCause, "no_pat", "not_registered", "identity_locked"]
"""Why a check or broadcast answer is what it is: a verification's cause, or the handler's own
word (``no_pat``, ``not_registered``, ``identity_locked``, ``store_unavailable``)."""

JsonValue = Union[None, bool, int, float, str, List[Any], Dict[str, Any]]
"""What ``json.loads`` (and ``requests``' ``response.json()``) returns."""

Body = Union[bytes, bytearray, str, List[Any], Dict[str, Any], None, bool, int, float]
"""A body as sent (``bytes``, ``bytearray``, ``str``) or already parsed (``JsonValue``)."""

class StoreUnavailableError(OSError):
    """``Validator.audit`` could not read the PAT store at all; retry later."""

@final
class Verdict:
    """The verdict on a PAT. Frozen; compares and hashes by value; picklable; its repr never
    holds a token."""

    def __new__(
        cls,
        kind: VerdictKind,
        error: Optional[str] = None,
        rate_limited: bool = False,
        retry_after: Optional[float] = None,
        stage: Optional[Stage] = None,
        github_id: Optional[str] = None,
        login: Optional[str] = None,
        expires_at: Optional[str] = None,
        scopes: Optional[List[str]] = None,
        requests: int = 0,
        cause: Optional[VerdictCause] = None,
    ) -> Verdict: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

    @property
    def kind(self) -> VerdictKind: ...
    @property
    def error(self) -> Optional[str]:
        """gittensor's ``error``: why not valid; ``None`` when valid."""
    @property
    def transient_failure(self) -> bool:
        """gittensor's ``transient_failure``: true exactly when inconclusive."""
    @property
    def rate_limited(self) -> bool:
        """Exactly when ``cause`` is ``"rate_limited"``."""
    @property
    def cause(self) -> VerdictCause:
        """Why, as one word: ``"ok"`` when valid."""
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
        rounded up), ``scopes``, ``expires_at``, ``cause``, ``requests``."""

@final
class CheckResponse:
    """The check endpoint's answer. Frozen; compares and hashes by value; picklable."""

    def __new__(
        cls,
        category: Category,
        has_pat: Optional[bool] = None,
        pat_valid: Optional[bool] = None,
        rejection_reason: Optional[str] = None,
        detail: Optional[str] = None,
        cause: Optional[AnswerCause] = None,
    ) -> CheckResponse: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def to_dict(self) -> Dict[str, Any]:
        """``has_pat``, ``pat_valid``, ``rejection_reason``, ``category``, ``cause`` (and
        ``detail`` when there is one)."""

    @property
    def has_pat(self) -> Optional[bool]: ...
    @property
    def pat_valid(self) -> Optional[bool]: ...
    @property
    def rejection_reason(self) -> Optional[str]: ...
    @property
    def category(self) -> Category: ...
    @property
    def cause(self) -> AnswerCause:
        """Why, as one word: the verification's cause, or the handler's own."""
    @property
    def detail(self) -> Optional[str]:
        """Only when the store was unavailable: why (its path and the OS error); or, with
        ``no_pat``, that the store file does not exist yet."""

@final
class BroadcastResponse:
    """The broadcast endpoint's answer. Frozen; compares and hashes by value; picklable;
    never echoes the PAT."""

    def __new__(
        cls,
        accepted: bool,
        rejection_reason: Optional[str] = None,
        retryable: bool = False,
        cause: Optional[AnswerCause] = None,
    ) -> BroadcastResponse: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def to_dict(self) -> Dict[str, Any]:
        """``accepted``, ``rejection_reason``, ``retryable``, ``cause``."""

    @property
    def accepted(self) -> bool: ...
    @property
    def rejection_reason(self) -> Optional[str]: ...
    @property
    def retryable(self) -> bool: ...
    @property
    def cause(self) -> AnswerCause:
        """Why, as one word: the verification's cause, or the handler's own."""

@final
class AuditRow:
    """One stored PAT's verdict. Frozen; compares and hashes by value; picklable."""

    def __new__(
        cls, uid: int, hotkey: str, github_id: Optional[str], verdict: Verdict
    ) -> AuditRow: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def to_dict(self) -> Dict[str, Any]:
        """``uid``, ``hotkey``, ``github_id`` and ``verdict`` (the verdict's ``to_dict()``)."""

    @property
    def uid(self) -> int: ...
    @property
    def hotkey(self) -> str: ...
    @property
    def github_id(self) -> Optional[str]: ...
    @property
    def verdict(self) -> Verdict: ...

@final
class OutageState:
    """The outage guard while open: since when GitHub has been failing, when the next probe
    may go, the failures in a row it counted and whether the probe is in flight. Frozen;
    compares and hashes by value; picklable."""

    def __new__(
        cls,
        opened_at: datetime.datetime,
        retry_at: datetime.datetime,
        failures: int,
        probing: bool = False,
    ) -> OutageState: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def to_dict(self) -> Dict[str, Any]:
        """``opened_at`` and ``retry_at`` as ISO-8601 UTC text, ``failures``, ``probing``."""

    @property
    def opened_at(self) -> datetime.datetime:
        """When the guard opened (timezone-aware UTC, to the second)."""
    @property
    def retry_at(self) -> datetime.datetime:
        """When the next probe may go (timezone-aware UTC, rounded up to the second)."""
    @property
    def failures(self) -> int:
        """GitHub-side failures in a row counted so far."""
    @property
    def probing(self) -> bool:
        """Whether the one probe is in flight."""

def _classify(
    identity: bool,
    status: Optional[int],
    body: Body,
    headers: Optional[Mapping[str, str]],
    transport_error: Optional[str],
    now: Optional[float],
    /,
) -> Verdict:
    """Positional form of ``pat_verdict.classify_identity`` (``identity``) and
    ``classify_test_query``."""

@final
class _Call:
    """A call running for an awaiting coroutine."""

    def cancel(self) -> None:
        """Abort it: no request and no store write starts after this."""

@final
class _Inbox:
    """The answers of one event loop's awaited calls, put there by the runtime."""

    def __new__(cls, wake: Callable[[], None]) -> _Inbox: ...
    def take(self) -> List[Tuple[int, bool, Any]]: ...

_Records = List[Tuple[int, str]]
_Settings = Tuple[Optional[str], float, int, Optional[str], int, float, bool]
"""The engines' settings: ``(api_url, timeout, attempts, ca_file, outage_threshold,
outage_cooldown, one_call)``."""

@final
class _Verifier:
    """The engine of ``pat_verdict.Verifier``."""

    def __new__(cls, settings: _Settings, /) -> _Verifier: ...
    def verify(self, token: str) -> Tuple[Verdict, _Records]: ...
    def start_verify(self, token: str, reply: Tuple[_Inbox, int]) -> _Call: ...
    def outage(self) -> Optional[OutageState]: ...
    def metrics(self) -> Dict[str, Any]: ...
    def metrics_text(self) -> str: ...

@final
class _Validator:
    """The engine of ``pat_verdict.Validator``."""

    def __new__(cls, store: str, hotkeys: List[str], settings: _Settings, /) -> _Validator: ...
    def get_hotkeys(self) -> List[str]: ...
    def set_hotkeys(self, hotkeys: List[str]) -> None: ...
    def check(self, hotkey: str) -> Tuple[CheckResponse, _Records]: ...
    def start_check(self, hotkey: str, reply: Tuple[_Inbox, int]) -> _Call: ...
    def broadcast(self, hotkey: str, pat: str) -> Tuple[BroadcastResponse, _Records]: ...
    def start_broadcast(self, hotkey: str, pat: str, reply: Tuple[_Inbox, int]) -> _Call: ...
    def audit(self, concurrency: int) -> Tuple[List[AuditRow], _Records]: ...
    def start_audit(self, concurrency: int, reply: Tuple[_Inbox, int]) -> _Call: ...
    def outage(self) -> Optional[OutageState]: ...
    def metrics(self) -> Dict[str, Any]: ...
    def metrics_text(self) -> str: ...

def _after_fork_in_child() -> None:
    """Forget the parent's runtime in a forked child."""

@final
class SendStep:
    """Send this request with your own HTTP client, then ``Verification.receive(...)`` what came
    back. ``headers["Authorization"]`` is the only place the token is exposed (by design: it
    must be sent); the repr shows ``[REDACTED]``. A snapshot: it does not change later."""

    @property
    def endpoint(self) -> Literal["identity", "test_query", "one_call"]: ...
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
        """The JSON body of the GraphQL call; ``None`` for ``GET /user``."""
    @property
    def timeout(self) -> float:
        """Seconds the request may take: what is left of the deadline."""

@final
class WaitStep:
    """Wait (a backoff, or GitHub's ``Retry-After``) until ``until``, then
    ``Verification.resume()``."""

    @property
    def until(self) -> float:
        """The monotonic reading (``time.monotonic()``'s scale) to wait for."""
    def seconds_from(self, now: Optional[float] = None) -> float:
        """Seconds from ``now`` (default ``time.monotonic()``) until then; 0 when past."""

@final
class IdentityStep:
    """``GET /user`` was valid: pin the account here, then ``Verification.proceed()`` or
    ``Verification.stop(reason)``. The test query has not been sent."""

    @property
    def github_id(self) -> str: ...
    @property
    def login(self) -> Optional[str]: ...

@final
class DoneStep:
    """The verification is over."""

    @property
    def verdict(self) -> Verdict:
        """What ``Verifier.verify`` would have answered; ``requests`` counts every request."""

@final
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

@final
class Verification:
    """One whole verification (token pre-check, ``GET /user``, the pin point, ``POST
    /graphql``, retries inside one deadline) driven by your own HTTP client: the core decides
    what to send, how long to wait and the verdict; you send and sleep. ``now`` values are
    monotonic seconds (default ``time.monotonic()``). A call that does not fit the current
    step raises ``RuntimeError`` and changes nothing. Safe to share across threads.
    ``one_call=True`` makes it one GraphQL call, ``viewer { login databaseId }``, with no
    ``IdentityStep``: the account id comes with the answer."""

    def __new__(
        cls,
        token: str,
        *,
        timeout: float = ...,
        attempts: int = ...,
        now: Optional[float] = None,
        one_call: bool = False,
    ) -> Verification: ...
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
