"""pat_verdict: is this GitHub PAT valid, invalid, or impossible to judge right now?

The decision core of pat-verdict and its real adapters (HTTP client, ``miner_pats.json``
store, clock) as a Python extension, for Bittensor validators written in Python.

Only evidence about the PAT makes it ``invalid``: a GitHub outage (5xx, DNS, reset, timeout)
is ``inconclusive`` -- "retry later" -- and never tells a miner to rotate a working token.

- :func:`classify_test_query`, :func:`classify_identity`: pure, no I/O. For hosts that keep
  their own HTTP client (``requests``, ``aiohttp``) and only borrow the decision.
- :class:`Verification`: the whole verification (pre-check, identity, pin point, test query,
  retries inside one deadline) as a step-by-step machine that your own HTTP client drives.
- :class:`Verifier`: makes the two GitHub calls itself (``verify`` in a thread, ``averify``
  on asyncio), with retries inside one deadline; ``one_call=True`` makes it one GraphQL call.
- :class:`Validator`: the validator's ``check`` and ``broadcast`` endpoints and the ``audit``
  of every stored PAT, over the ``miner_pats.json`` file validators already keep.

Both keep an outage guard (after ``outage_threshold`` GitHub failures in a row every call is
answered inconclusive at once, until one probe after ``outage_cooldown`` seconds finds GitHub
back; :attr:`Verifier.outage`) and counters (:meth:`Verifier.metrics`,
:meth:`Verifier.metrics_text`, :mod:`pat_verdict.prometheus`).
"""

from __future__ import annotations

import asyncio
import collections.abc
import functools
import itertools
import logging
import os
import threading
import weakref
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
    cast,
)

from . import _pat_verdict
from ._pat_verdict import (
    DEFAULT_API_URL,
    DEFAULT_OUTAGE_COOLDOWN,
    DEFAULT_OUTAGE_THRESHOLD,
    DEFAULT_TIMEOUT,
    MAX_ATTEMPTS,
    AuditRow,
    BroadcastResponse,
    CheckResponse,
    DoneStep,
    HaltedStep,
    IdentityStep,
    OutageState,
    SendStep,
    StoreUnavailableError,
    Verdict,
    Verification,
    WaitStep,
    __version__,
    _classify,
)

if TYPE_CHECKING:
    from ._pat_verdict import Body

_logger = logging.getLogger("pat_verdict")
_logger.addHandler(logging.NullHandler())


StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
"""A file name: ``str``, ``bytes`` or any ``os.PathLike``."""

def _type_name(value: object) -> str:
    return "None" if value is None else type(value).__name__


def _str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"argument '{name}' must be str, not {_type_name(value)}")
    return value


def _opt_str(name: str, value: object) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"argument '{name}' must be str or None, not {_type_name(value)}")
    return value


def _number(name: str, value: object) -> float:
    # Passed on as given: an int too large for a float is the extension's to refuse, with
    # the ValueError and the words of any other value out of range.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"argument '{name}' must be a number, not {_type_name(value)}")
    return value


def _int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"argument '{name}' must be int, not {_type_name(value)}")
    return value


def _bool(name: str, value: object) -> bool:
    # `1` or `"yes"` for a flag is a mistake to say, not a truth value to guess.
    if not isinstance(value, bool):
        raise TypeError(f"argument '{name}' must be bool, not {_type_name(value)}")
    return value


def _path(name: str, value: object) -> str:
    if not isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(
            f"argument '{name}' must be str, bytes or os.PathLike, not {_type_name(value)}"
        )
    return os.fsdecode(value)


def _opt_path(name: str, value: object) -> Optional[str]:
    return None if value is None else _path(name, value)


def _hotkeys(value: object) -> List[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, collections.abc.Sequence):
        raise TypeError(f"argument 'hotkeys' must be a sequence of str, not {_type_name(value)}")
    hotkeys = list(value)
    for index, hotkey in enumerate(hotkeys):
        if not isinstance(hotkey, str):
            raise TypeError(
                f"argument 'hotkeys' must be a sequence of str, not one holding "
                f"{_type_name(hotkey)} (at index {index})"
            )
    return hotkeys


def _settings(
    api_url: object,
    timeout: object,
    attempts: object,
    ca_file: object,
    outage_threshold: object,
    outage_cooldown: object,
    one_call: object,
) -> _pat_verdict._Settings:
    """The settings both engines take, each checked, in the order of the constructors'
    arguments (so the first bad one is the one named)."""
    return (
        _opt_str("api_url", api_url),
        _number("timeout", timeout),
        _int("attempts", attempts),
        _opt_path("ca_file", ca_file),
        _int("outage_threshold", outage_threshold),
        _number("outage_cooldown", outage_cooldown),
        _bool("one_call", one_call),
    )


def _log(records: List[Tuple[int, str]]) -> None:
    for level, message in records:
        _logger.log(level, message)


def _settle(future: "asyncio.Future[Any]", ok: bool, value: Any) -> None:
    if future.done():  # cancelled meanwhile
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class _Mailbox:
    """The awaited calls of one event loop: their futures by key, and the inbox the runtime
    puts their answers in. One wake-up of the loop settles every call that finished since
    the last, and the runtime never waits for the GIL to hand over an answer."""

    __slots__ = ("loop", "inbox", "futures", "keys", "__weakref__")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.futures: Dict[int, "asyncio.Future[Any]"] = {}
        self.keys = itertools.count()
        # The inbox holds the mailbox weakly: no cycle through the Rust object.
        self.inbox = _pat_verdict._Inbox(functools.partial(_wake, loop, weakref.ref(self)))

    def take(self) -> None:
        """On the loop: settles every answer that arrived."""
        for key, ok, value in self.inbox.take():
            future = self.futures.pop(key, None)
            if future is not None:
                _settle(future, ok, value)


def _wake(loop: asyncio.AbstractEventLoop, mailbox: "weakref.ref[_Mailbox]") -> None:
    # Called on a runtime thread when an answer finds the inbox empty.
    alive = mailbox()
    if alive is None:  # nobody waits any more
        return
    try:
        loop.call_soon_threadsafe(alive.take)
    except RuntimeError:  # the loop is closed: nobody waits any more
        pass


_mailboxes = threading.local()


def _mailbox(loop: asyncio.AbstractEventLoop) -> _Mailbox:
    """This thread's mailbox for `loop` (a thread runs one loop at a time)."""
    mailbox: Optional[_Mailbox] = getattr(_mailboxes, "current", None)
    if mailbox is None or mailbox.loop is not loop:
        mailbox = _mailboxes.current = _Mailbox(loop)
    return mailbox


def _after_fork_in_child() -> None:
    # A child forked after first use (multiprocessing's `fork`, gunicorn's pre-fork) gets a
    # runtime of its own on its next call, never the parent's without its threads, and no
    # mailbox: the parent's inbox may be locked by a thread the child does not have. Each
    # Verifier's and Validator's core, client and hotkey registry are rebuilt there on first
    # use (the extension checks the process id), so no lock of the parent's is ever taken.
    _pat_verdict._after_fork_in_child()
    _mailboxes.__dict__.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


async def _awaited(start: Callable[..., Any], *args: Any) -> Any:
    """Starts the call only now (on first await) and aborts it if the awaiting task is
    cancelled: no request and no store write starts after that."""
    loop = asyncio.get_running_loop()
    mailbox = _mailbox(loop)
    future: asyncio.Future[Any] = loop.create_future()
    key = next(mailbox.keys)
    call = start(*args, (mailbox.inbox, key))
    # Registered after the start, safely: the answer is taken on this loop's thread, which
    # cannot run `take` before this coroutine's next await.
    mailbox.futures[key] = future
    try:
        return await future
    finally:
        call.cancel()
        mailbox.futures.pop(key, None)


def _repr(wrapper: "Union[Verifier, Validator]") -> str:
    # An object whose __init__ raised has no engine; its repr must still work (a traceback
    # that shows locals calls it).
    core = getattr(wrapper, "_core", None)
    if core is None:
        return f"<{type(wrapper).__module__}.{type(wrapper).__qualname__} object at {id(wrapper):#x}, not initialized>"
    return repr(core)


class _Observed:
    """What :class:`Verifier` and :class:`Validator` show of the outage guard and the
    counters their calls share (docs/contract.md §10)."""

    _core: Union[_pat_verdict._Verifier, _pat_verdict._Validator]

    @property
    def outage(self) -> Optional[OutageState]:
        """The outage guard: ``None`` while it is closed (requests go), else an
        :class:`OutageState` saying since when GitHub has been failing, how many failures in a
        row it counted and when the next probe may go. A snapshot, read now."""
        return self._core.outage()

    def metrics(self) -> Dict[str, Any]:
        """The counters as a plain dict: ``verdicts`` (by verdict, then cause),
        ``github_requests`` (by endpoint, then outcome), ``github_request_seconds`` (by
        endpoint: ``count``, ``sum``, cumulative ``buckets``), ``outage_guard_open`` (0 or 1),
        ``outage_guard_opened`` and ``handler_answers`` (by endpoint, then category). A new
        dict every call; every series is there from zero."""
        return self._core.metrics()

    def metrics_text(self) -> str:
        """The same counters in Prometheus text format 0.0.4 (``pat_verdict_*`` families), for
        a textfile collector or an HTTP handler; :func:`pat_verdict.prometheus.register`
        serves them through ``prometheus_client``."""
        return self._core.metrics_text()


class Verifier(_Observed):
    """Verifies PATs against GitHub: the token pre-check, ``GET /user``, then ``POST
    /graphql``, with retries inside one deadline.

    ``api_url``: the API root; ``None`` means ``https://api.github.com`` (so
    ``os.environ.get("GITHUB_API_URL")`` can be passed straight in). ``timeout``: seconds for
    the whole verification, retries included (more than 0, at most 3600). ``attempts``: tries
    per call, 1 to 3. ``ca_file``: a PEM file of extra CA certificates (GitHub Enterprise
    Server), ``None`` for the system's. ``outage_threshold``: GitHub-side failures in a row
    (5xx, transport failures, answers that are not GitHub's) after which every verification
    is answered inconclusive at once, without a request, until a probe finds GitHub back; ``0``
    turns this guard off. ``outage_cooldown``: seconds before that probe (more than 0, at most
    600; doubled after each failed probe). ``one_call``: ask both questions in one GraphQL call,
    ``viewer { login databaseId }``, instead of ``GET /user`` then the test query -- half the
    latency and half the PAT's rate limit; a failure is then reported at the test query's
    stage and in its words. Bad values raise ``ValueError``, wrong types
    ``TypeError``. Safe to share across threads, event loops and forked children: every call
    of one object shares its guard and its counters (a forked child starts its own).
    """

    _core: _pat_verdict._Verifier

    __slots__ = ("_core",)

    def __init__(
        self,
        api_url: Optional[str] = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = MAX_ATTEMPTS,
        ca_file: Optional[StrPath] = None,
        outage_threshold: int = DEFAULT_OUTAGE_THRESHOLD,
        outage_cooldown: float = DEFAULT_OUTAGE_COOLDOWN,
        one_call: bool = False,
    ) -> None:
        self._core = _pat_verdict._Verifier(
            _settings(api_url, timeout, attempts, ca_file, outage_threshold, outage_cooldown,
                      one_call)
        )

    def verify(self, token: str) -> Verdict:
        """Verify ``token`` (a PAT) and return its :class:`Verdict`; never raises for an
        outage (that is an inconclusive verdict). Blocks the calling thread with the GIL
        released; Ctrl-C raises ``KeyboardInterrupt`` within about 0.2 s and abandons it."""
        verdict, records = self._core.verify(_str("token", token))
        _log(records)
        return verdict

    async def averify(self, token: str) -> Verdict:
        """:meth:`verify`, as a coroutine: nothing starts until awaited, the event loop never
        waits on it, and cancelling the awaiting task abandons it (no request after that)."""
        verdict, records = await _awaited(self._core.start_verify, _str("token", token))
        _log(records)
        return cast(Verdict, verdict)

    def __repr__(self) -> str:
        return _repr(self)


class Validator(_Observed):
    """A validator's two PAT endpoints, *check* and *broadcast*, over its ``miner_pats.json``,
    plus the audit of every stored PAT.

    ``store``: the store file (``str``, ``bytes`` or ``os.PathLike``); one that does not exist
    yet is an empty store, created by the first accepted broadcast. ``hotkeys``: the
    subnet's hotkeys in uid order (any sequence of ``str``; index = uid). ``api_url``,
    ``timeout``, ``ca_file``, ``outage_threshold``, ``outage_cooldown``, ``one_call``: as
    :class:`Verifier`
    (``api_url=None`` is GitHub). Safe to share across threads, event loops and forked
    children; every call of one validator shares its outage guard and counters.
    """

    _core: _pat_verdict._Validator

    __slots__ = ("_core",)

    def __init__(
        self,
        store: StrPath,
        hotkeys: Sequence[str],
        *,
        api_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        ca_file: Optional[StrPath] = None,
        outage_threshold: int = DEFAULT_OUTAGE_THRESHOLD,
        outage_cooldown: float = DEFAULT_OUTAGE_COOLDOWN,
        one_call: bool = False,
    ) -> None:
        self._core = _pat_verdict._Validator(
            _path("store", store),
            _hotkeys(hotkeys),
            _settings(api_url, timeout, MAX_ATTEMPTS, ca_file, outage_threshold, outage_cooldown,
                      one_call),
        )

    @property
    def hotkeys(self) -> List[str]:
        """The subnet's hotkeys in uid order; assign any sequence of ``str`` when the
        metagraph changes (calls in flight keep the list they started with)."""
        return self._core.get_hotkeys()

    @hotkeys.setter
    def hotkeys(self, hotkeys: Sequence[str]) -> None:
        self._core.set_hotkeys(_hotkeys(hotkeys))

    def check(self, hotkey: str) -> CheckResponse:
        """*check*: does the validator hold the PAT of the miner with ``hotkey``, and does it
        still work? Returns a :class:`CheckResponse`; a store file that does not exist
        answers ``no_pat`` with ``detail`` saying so. Blocks as :meth:`Verifier.verify`."""
        answer, records = self._core.check(_str("hotkey", hotkey))
        _log(records)
        return answer

    async def acheck(self, hotkey: str) -> CheckResponse:
        """:meth:`check`, as a coroutine (starts on await, abandoned on cancel)."""
        answer, records = await _awaited(self._core.start_check, _str("hotkey", hotkey))
        _log(records)
        return cast(CheckResponse, answer)

    def broadcast(self, hotkey: str, pat: str) -> BroadcastResponse:
        """*broadcast*: verify ``pat`` sent by the miner with ``hotkey``, pin its GitHub
        account and store it. Returns a :class:`BroadcastResponse` (never the PAT). Blocks as
        :meth:`Verifier.verify`; interrupted, it writes nothing it had not started."""
        answer, records = self._core.broadcast(_str("hotkey", hotkey), _str("pat", pat))
        _log(records)
        return answer

    async def abroadcast(self, hotkey: str, pat: str) -> BroadcastResponse:
        """:meth:`broadcast`, as a coroutine: an un-awaited or cancelled one starts no store
        write."""
        answer, records = await _awaited(
            self._core.start_broadcast, _str("hotkey", hotkey), _str("pat", pat)
        )
        _log(records)
        return cast(BroadcastResponse, answer)

    def audit(self, concurrency: int = 16) -> List[AuditRow]:
        """Re-verify every stored PAT, ``concurrency`` (at least 1) at a time; one
        :class:`AuditRow` per entry, in uid order. Raises ``FileNotFoundError`` when the store
        file does not exist and :class:`StoreUnavailableError` when it cannot be read."""
        rows, records = self._core.audit(_int("concurrency", concurrency))
        _log(records)
        return rows

    async def aaudit(self, concurrency: int = 16) -> List[AuditRow]:
        """:meth:`audit`, as a coroutine (starts on await, abandoned on cancel)."""
        rows, records = await _awaited(self._core.start_audit, _int("concurrency", concurrency))
        _log(records)
        return cast(List[AuditRow], rows)

    def __repr__(self) -> str:
        return _repr(self)


Step = Union[SendStep, WaitStep, IdentityStep, DoneStep, HaltedStep]
"""What :attr:`Verification.step` and each of its transitions answer."""

# The classifiers are called per request, so their keyword-only face is Python: keywords into
# the extension cost more than the classification itself on the stable ABI of CPython 3.9.


def classify_test_query(
    status: Optional[int] = None,
    *,
    body: Body = None,
    headers: Optional[Mapping[str, str]] = None,
    transport_error: Optional[str] = None,
    now: Optional[float] = None,
) -> Verdict:
    """Classify ``POST /graphql`` (docs/contract.md §2) from what your own HTTP client got back.

    Give exactly one of ``status`` or ``transport_error`` (else ``ValueError``).
    ``transport_error`` names the failure: ``"timeout"``, ``"connect"``, ``"dns"``,
    ``"reset"``, ``"tls"``, ``"truncated"``, ``"protocol"`` (optionally ``"kind: detail"``), or
    any other text for a generic transport failure -- all inconclusive. ``body`` is raw
    (``bytes``/``str``; over 1 MiB is treated as the HTTP client's cap) or parsed JSON as
    ``response.json()`` returns it. ``None`` (the default) is no body handed over: a 4xx is
    then judged by its status alone, a 200 reads as JSON ``null``. ``headers``: any mapping,
    names case-insensitive. ``now``: epoch seconds for ``x-ratelimit-reset`` (default: now).
    No I/O; the token is not needed and never seen.
    """
    return _classify(False, status, body, headers, transport_error, now)


def classify_identity(
    status: Optional[int] = None,
    *,
    body: Body = None,
    headers: Optional[Mapping[str, str]] = None,
    transport_error: Optional[str] = None,
    now: Optional[float] = None,
) -> Verdict:
    """Classify ``GET /user`` (docs/contract.md §3); arguments as :func:`classify_test_query`. A valid
    verdict carries ``github_id`` (a decimal string), ``login``, ``scopes`` and ``expires_at``.
    """
    return _classify(True, status, body, headers, transport_error, now)

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_OUTAGE_COOLDOWN",
    "DEFAULT_OUTAGE_THRESHOLD",
    "DEFAULT_TIMEOUT",
    "MAX_ATTEMPTS",
    "StrPath",
    "AuditRow",
    "BroadcastResponse",
    "CheckResponse",
    "DoneStep",
    "HaltedStep",
    "IdentityStep",
    "OutageState",
    "SendStep",
    "Step",
    "StoreUnavailableError",
    "Validator",
    "Verdict",
    "Verification",
    "Verifier",
    "WaitStep",
    "__version__",
    "classify_identity",
    "classify_test_query",
]
