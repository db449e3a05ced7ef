"""gittensor's two PAT handlers, answered by pat_verdict: the whole change is one line.

In gittensor's ``neurons/validator.py``, after its own imports of the handlers::

    from pat_verdict.gittensor import handle_pat_broadcast, handle_pat_check

The axon keeps attaching them as before (``forward_fn=partial(handle_pat_broadcast, self)``,
beside gittensor's own blacklist and priority functions), and gittensor's scoring loop keeps
reading the same store with ``pat_storage.load_all_pats()``. What changes is the answer a miner
gets: a GitHub outage is "retry later", never "your PAT is invalid", and the identity pin, the
race rule and the fail-closed store are pat_verdict's (docs/contract.md §6, §7, §14).

- :func:`handle_pat_broadcast`, :func:`handle_pat_check`: gittensor's signatures, return
  values and synapse fields, §6's messages word for word. Their ``synapse`` parameter and
  return are annotated, at runtime, with gittensor's own ``PatBroadcastSynapse`` /
  ``PatCheckSynapse`` (from ``gittensor.synapses``), which bittensor's ``axon.attach``
  requires. Without gittensor importable, build handlers for your own synapse classes with
  :func:`handlers_for`.
- The store is gittensor's: ``gittensor.validator.pat_storage.PATS_FILE`` read at every call
  when that module imports, else ``$GITTENSOR_MINER_PATS_FILE``, else
  ``data/miner_pats.json``.
- One :class:`pat_verdict.Validator` per process and store, built on first use and shared
  by every call (one outage guard, one set of counters): :func:`validator` returns it, for
  ``.metrics_text()`` or :func:`pat_verdict.prometheus.register`. :func:`configure` sets it
  up before that; the ``PAT_VERDICT_*`` environment variables are the defaults.
- The ``pat_verdict`` logger joins bittensor's logging (``bt.logging``) as a primary logger,
  at bittensor's level, whichever package was imported first; each handler logs its outcome
  as gittensor's handlers do. Never the token.

Neither bittensor nor gittensor is a dependency: everything here is duck-typed, and the
:class:`Neuron`, :class:`BroadcastSynapse` and :class:`CheckSynapse` protocols let a caller
passing gittensor's objects type-check under ``mypy --strict``.
"""

# No `from __future__ import annotations`: bittensor's `axon.attach` reads the handlers'
# annotations at runtime and needs classes there, not strings.

import asyncio
import importlib
import json
import logging
import os
import sys
import threading
from logging.handlers import QueueHandler
from typing import (
    Any,
    Callable,
    Coroutine,
    Dict,
    List,
    NamedTuple,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from . import StrPath, Validator, Verifier

__all__ = [
    "BroadcastSynapse",
    "CheckSynapse",
    "Metagraph",
    "Neuron",
    "Settings",
    "Terminal",
    "configure",
    "handle_pat_broadcast",
    "handle_pat_check",
    "handlers_for",
    "settings",
    "store_path",
    "validator",
]


# --- What gittensor hands the handlers: protocols for type checkers -------------------------


class Metagraph(Protocol):
    """The part of a ``bittensor.Metagraph`` the handlers read: the subnet's hotkeys in uid
    order (index = uid)."""

    @property
    def hotkeys(self) -> Sequence[str]: ...


class Neuron(Protocol):
    """gittensor's validator (the ``self`` its axon's ``partial`` binds): only its metagraph
    is read, at every call, since it resyncs while the axon runs."""

    @property
    def metagraph(self) -> Metagraph: ...


class Terminal(Protocol):
    """A synapse's ``dendrite`` (bittensor's ``TerminalInfo``): who sent it. ``hotkey`` is
    ``None`` when the request did not say."""

    @property
    def hotkey(self) -> Optional[str]: ...


class BroadcastSynapse(Protocol):
    """The fields of gittensor's ``PatBroadcastSynapse``: the miner's PAT in, the verdict
    out."""

    @property
    def dendrite(self) -> Optional[Terminal]: ...

    github_access_token: str
    accepted: Optional[bool]
    rejection_reason: Optional[str]


class CheckSynapse(Protocol):
    """The fields of gittensor's ``PatCheckSynapse``: nothing in but the sender, the stored
    PAT's state out."""

    @property
    def dendrite(self) -> Optional[Terminal]: ...

    has_pat: Optional[bool]
    pat_valid: Optional[bool]
    rejection_reason: Optional[str]


B = TypeVar("B", bound=BroadcastSynapse)
C = TypeVar("C", bound=CheckSynapse)

BroadcastHandler = Callable[[Neuron, B], Coroutine[Any, Any, B]]
"""``async def (validator, synapse) -> synapse`` for a broadcast synapse class."""

CheckHandler = Callable[[Neuron, C], Coroutine[Any, Any, C]]
"""``async def (validator, synapse) -> synapse`` for a check synapse class."""


# --- Settings: configure() over the PAT_VERDICT_* environment ---------------------------------


class Settings(NamedTuple):
    """What the shared :class:`~pat_verdict.Validator` is built with (see :func:`configure`);
    ``None`` is the ``Validator``'s own default."""

    api_url: Optional[str]
    timeout: Optional[float]
    one_call: Optional[bool]
    outage_threshold: Optional[int]
    outage_cooldown: Optional[float]
    ca_file: Optional[str]


_ENV_PREFIX = "PAT_VERDICT_"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _env_float(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"${name} must be a number of seconds, not {value!r}") from None


def _env_int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"${name} must be a whole number, not {value!r}") from None


def _env_bool(name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"${name} must be one of {', '.join(_TRUE + _FALSE)}, not {value!r}")


def _from_environment() -> Settings:
    """The ``PAT_VERDICT_*`` variables; unset or empty ones are ``None``. Only their form is
    checked here (a number, a flag); the values are checked by the ``Validator``."""

    def read(field: str) -> Optional[str]:
        return os.environ.get(_ENV_PREFIX + field.upper()) or None

    api_url, ca_file = read("api_url"), read("ca_file")
    timeout, one_call = read("timeout"), read("one_call")
    threshold, cooldown = read("outage_threshold"), read("outage_cooldown")
    return Settings(
        api_url=api_url,
        timeout=None if timeout is None else _env_float("PAT_VERDICT_TIMEOUT", timeout),
        one_call=None if one_call is None else _env_bool("PAT_VERDICT_ONE_CALL", one_call),
        outage_threshold=(
            None if threshold is None else _env_int("PAT_VERDICT_OUTAGE_THRESHOLD", threshold)
        ),
        outage_cooldown=(
            None if cooldown is None else _env_float("PAT_VERDICT_OUTAGE_COOLDOWN", cooldown)
        ),
        ca_file=ca_file,
    )


def _keywords(chosen: Settings) -> Dict[str, Any]:
    """The settings that are not ``None``, as keyword arguments of ``Validator``."""
    return {name: value for name, value in chosen._asdict().items() if value is not None}


# --- The shared Validator, per process and store --------------------------------------------

_lock = threading.Lock()
_configured: Optional[Settings] = None
_validators: Dict[str, Validator] = {}
_inherited: List[Validator] = []
"""A parent's Validators in a forked child: kept, never used nor dropped there."""
_storage_module: Optional[Any] = None
_storage_looked_up = False

_DEFAULT_STORE = os.path.join("data", "miner_pats.json")


def _after_fork_in_child() -> None:
    # One Validator per process: a forked child builds its own on first use. pat_verdict's
    # objects do rebuild their runtime, guard and counters in a child, but a lock the
    # parent's runtime threads held at the fork (the hotkeys', while a call was reading
    # them) would be held forever in the child, and every call sets the hotkeys. The
    # parent's objects are kept, unused: dropping them here could touch what the parent's
    # threads held. This module's own lock is made anew for the same reason.
    global _lock
    _lock = threading.Lock()
    _inherited.extend(_validators.values())
    _validators.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _pat_storage() -> Optional[Any]:
    """gittensor's ``pat_storage`` module, imported once, or ``None`` when gittensor is not
    importable. Its ``PATS_FILE`` is read at every call: gittensor's tests reassign it."""
    global _storage_module, _storage_looked_up
    if not _storage_looked_up:
        try:
            _storage_module = importlib.import_module("gittensor.validator.pat_storage")
        except ImportError:
            _storage_module = None
        _storage_looked_up = True
    return _storage_module


def store_path() -> str:
    """The store the handlers use now, as an absolute path: gittensor's
    ``pat_storage.PATS_FILE`` when gittensor is importable, else
    ``$GITTENSOR_MINER_PATS_FILE``, else ``data/miner_pats.json`` (under the current
    directory), as gittensor resolves it (docs/contract.md §7)."""
    storage = _pat_storage()
    chosen: Optional[StrPath] = getattr(storage, "PATS_FILE", None) if storage else None
    if chosen is None:
        chosen = os.environ.get("GITTENSOR_MINER_PATS_FILE") or _DEFAULT_STORE
    return os.path.abspath(os.fsdecode(chosen))


def settings() -> Settings:
    """What the shared ``Validator`` is (or will be) built with: :func:`configure`'s
    arguments over the ``PAT_VERDICT_*`` environment variables."""
    return _configured if _configured is not None else _from_environment()


def configure(
    *,
    api_url: Optional[str] = None,
    timeout: Optional[float] = None,
    one_call: Optional[bool] = None,
    outage_threshold: Optional[int] = None,
    outage_cooldown: Optional[float] = None,
    ca_file: Optional[StrPath] = None,
) -> Settings:
    """Set up the shared ``Validator`` before its first use (the first handler call or
    :func:`validator`); returns the settings it will be built with.

    Each argument is that of :class:`pat_verdict.Validator`; ``None`` (the default) takes the
    environment variable of the same name, upper-cased and prefixed ``PAT_VERDICT_``
    (``PAT_VERDICT_API_URL``, ``PAT_VERDICT_TIMEOUT``, ``PAT_VERDICT_ONE_CALL``,
    ``PAT_VERDICT_OUTAGE_THRESHOLD``, ``PAT_VERDICT_OUTAGE_COOLDOWN``,
    ``PAT_VERDICT_CA_FILE``), and an unset variable the ``Validator``'s default. Bad values
    raise ``ValueError`` or ``TypeError`` here, as the ``Validator`` would. Once a
    ``Validator`` is built, changing its settings would split the guard and the counters in
    two: that raises ``RuntimeError`` (calling again with the same settings does not).
    """
    global _configured
    environment = _from_environment()
    chosen = Settings(
        api_url=api_url if api_url is not None else environment.api_url,
        timeout=timeout if timeout is not None else environment.timeout,
        one_call=one_call if one_call is not None else environment.one_call,
        outage_threshold=(
            outage_threshold if outage_threshold is not None else environment.outage_threshold
        ),
        outage_cooldown=(
            outage_cooldown if outage_cooldown is not None else environment.outage_cooldown
        ),
        ca_file=os.fsdecode(ca_file) if ca_file is not None else environment.ca_file,
    )
    # The same checks and messages as the Validator's, now rather than at a miner's call.
    Verifier(**_keywords(chosen))
    with _lock:
        if _validators and chosen != settings():
            built = ", ".join(sorted(_validators))
            raise RuntimeError(
                "pat_verdict.gittensor.configure() must come before the first handler call "
                f"or validator(): the shared Validator of {built} is already built"
            )
        _configured = chosen
    return chosen


def validator() -> Validator:
    """The ``Validator`` the handlers share for the current store (:func:`store_path`): built
    on first use with :func:`settings`, then the same object for every call of this process
    (a forked child builds its own), so every miner's call shares one outage guard and one
    set of counters. For
    ``validator().metrics_text()`` and ``pat_verdict.prometheus.register(validator())``.
    Its ``hotkeys`` are set from the metagraph at every handler call."""
    path = store_path()
    with _lock:
        shared = _validators.get(path)
        if shared is None:
            shared = Validator(path, [], **_keywords(settings()))
            _validators[path] = shared
    _join_bittensor_logging()
    return shared


def _forget() -> None:
    """Drops the shared Validators and the settings (for tests: the next call builds anew)."""
    global _configured, _storage_looked_up, _storage_module
    with _lock:
        _validators.clear()
        _configured = None
        _storage_module = None
        _storage_looked_up = False


# --- Logging through bittensor's pipeline ---------------------------------------------------

_logger = logging.getLogger("pat_verdict")
_joined: Optional[object] = None
"""The ``bt.logging`` the ``pat_verdict`` logger is registered with."""


def _join_bittensor_logging() -> None:
    """Registers the ``pat_verdict`` logger with bittensor's logging, once per ``bt.logging``,
    and sets its level to bittensor's own.

    bittensor's logging (10.x) sets every logger that exists when it is imported to CRITICAL
    and removes its handlers; later it only leaves alone the loggers registered as primary,
    and registering one does not restore its level. So this registers it (a queue handler to
    bittensor's listener: its ``time | LEVEL | message`` lines, its log file) and copies
    ``bt.logging``'s level over, at import and at every handler call: whichever package was
    imported first, and whatever ``bt.logging(config)`` chose since. Without bittensor
    imported it does nothing (``bittensor`` is never imported here)."""
    global _joined
    machine: Any = getattr(sys.modules.get("bittensor"), "logging", None)
    if machine is None or not callable(getattr(machine, "register_primary_logger", None)):
        return  # bittensor not imported (or still importing): nothing to join yet
    try:
        if _joined is not machine:
            with _lock:
                if _joined is not machine:
                    queue = machine.get_queue()
                    # One queue handler only: a third-party one bittensor added goes first.
                    for handler in list(_logger.handlers):
                        if isinstance(handler, QueueHandler) and handler.queue is queue:
                            _logger.removeHandler(handler)
                    machine.register_primary_logger(_logger.name)
                    _joined = machine
        level = machine.get_level()
        if isinstance(level, int) and _logger.level != level:
            _logger.setLevel(level)
    except Exception as error:  # a bittensor whose logging differs: keep answering miners
        _logger.debug("pat_verdict could not join bittensor's logging: %r", error)


_SUCCESS = 21
"""bittensor's SUCCESS level (``bt.logging.success``), between INFO and WARNING."""


def _success_level() -> int:
    # The level gittensor logs an acceptance at, when bittensor named it; else INFO.
    return _SUCCESS if logging.getLevelName(_SUCCESS) == "SUCCESS" else logging.INFO


def _short(hotkey: Optional[str]) -> str:
    """A hotkey as gittensor's log lines show it: its first 16 characters."""
    return hotkey[:16] if hotkey else "(none)"


# --- The handlers -----------------------------------------------------------------------------


def _sender(synapse: Union[BroadcastSynapse, CheckSynapse]) -> Optional[str]:
    dendrite = getattr(synapse, "dendrite", None)
    hotkey = getattr(dendrite, "hotkey", None) if dendrite is not None else None
    return hotkey if isinstance(hotkey, str) else None


def _shared_for(neuron: Neuron) -> Tuple[Validator, List[str]]:
    """The shared Validator with the metagraph's hotkeys as they are now (the metagraph may
    have resynced since the axon's blacklist check: gittensor's issue #1297)."""
    hotkeys = list(neuron.metagraph.hotkeys)
    shared = validator()
    shared.hotkeys = hotkeys
    return shared, hotkeys


def _stored_github_id(path: str, uid: int) -> str:
    """The github id stored for ``uid``, for the acceptance's log line only (the answer
    does not carry it); ``?`` when it cannot be read."""
    try:
        with open(path, "rb") as file:
            entries = json.load(file)
        for item in entries:
            if isinstance(item, dict) and item.get("uid") == uid:
                return str(item.get("github_id", "?"))
    except (OSError, ValueError, TypeError):
        pass
    return "?"


async def _broadcast(neuron: Neuron, synapse: B) -> B:
    token = synapse.github_access_token
    # Never echoed back, whatever happens below (a rejection, an error, a cancel).
    synapse.github_access_token = ""
    hotkey = _sender(synapse)
    shared, hotkeys = _shared_for(neuron)
    # A sender that did not say who it is cannot be registered: "" is never a hotkey.
    answer = await shared.abroadcast(hotkey or "", token if isinstance(token, str) else "")
    synapse.accepted = answer.accepted
    synapse.rejection_reason = answer.rejection_reason
    if answer.accepted and hotkey is not None and hotkey in hotkeys:
        level = _success_level()
        if _logger.isEnabledFor(level):
            uid = hotkeys.index(hotkey)
            github_id = await asyncio.to_thread(_stored_github_id, store_path(), uid)
            _logger.log(
                level,
                f"PAT broadcast accepted — UID: {uid}, hotkey: {_short(hotkey)}..., "
                f"github_id: {github_id}",
            )
    else:
        _logger.warning(
            f"PAT broadcast rejected — hotkey: {_short(hotkey)}... "
            f"reason: {answer.rejection_reason}"
        )
    return synapse


async def _check(neuron: Neuron, synapse: C) -> C:
    hotkey = _sender(synapse)
    shared, hotkeys = _shared_for(neuron)
    uid = hotkeys.index(hotkey) if hotkey is not None and hotkey in hotkeys else None
    if uid is not None:
        _logger.info(f"PAT check request — UID: {uid}, hotkey: {_short(hotkey)}...")
    answer = await shared.acheck(hotkey or "")
    synapse.has_pat = answer.has_pat
    synapse.pat_valid = answer.pat_valid
    synapse.rejection_reason = answer.rejection_reason
    category = answer.category
    if category == "no_response":  # not registered (any more)
        _logger.warning(
            f"PAT check rejected — hotkey: {_short(hotkey)}... reason: {answer.rejection_reason}"
        )
    elif category == "valid":
        _logger.log(_success_level(), f"PAT check result — UID: {uid}: valid")
    elif category == "no_pat":
        _logger.info(f"PAT check result — UID: {uid}: no PAT stored")
    elif category == "invalid_pat":
        _logger.warning(
            f"PAT check result — UID: {uid}: validation failed: {answer.rejection_reason}"
        )
    elif answer.cause != "store_unavailable":  # inconclusive: GitHub could not tell
        _logger.warning(f"PAT check result — UID: {uid}: GitHub API temporarily unavailable")
    else:  # inconclusive: the store could not be read
        _logger.warning(
            f"PAT check result — UID: {uid}: store temporarily unreadable: "
            f"{answer.detail or answer.rejection_reason}"
        )
    return synapse


def _annotate(function: Callable[..., Any], synapse_class: Any) -> None:
    # What `axon.attach` reads: the first parameter left after `partial(handler, validator)`
    # and the return, as the class itself (a `Synapse` subclass), and the route is its name.
    function.__annotations__ = {
        "validator": Neuron,
        "synapse": synapse_class,
        "return": synapse_class,
    }


def handlers_for(
    broadcast_synapse: Type[B], check_synapse: Type[C]
) -> Tuple[BroadcastHandler[B], CheckHandler[C]]:
    """``(handle_pat_broadcast, handle_pat_check)`` annotated with these synapse classes.

    bittensor's ``axon.attach`` reads the ``synapse`` annotation at runtime: it must be a
    ``bittensor.Synapse`` subclass (the route is its name, ``/PatBroadcastSynapse``), the same
    class the blacklist and priority functions beside it take. The module's own handlers are
    annotated with ``gittensor.synapses``' classes when gittensor is importable; a validator
    with its own synapse classes of gittensor's shape (or a test without gittensor) gets its
    pair here::

        handle_pat_broadcast, handle_pat_check = handlers_for(PatBroadcastSynapse, PatCheckSynapse)
        axon.attach(forward_fn=partial(handle_pat_broadcast, self), ...)

    The handlers behave as the module's: same shared ``Validator``, same store, same logs.
    """

    async def handle_pat_broadcast(validator: Neuron, synapse: B) -> B:
        return await _broadcast(validator, synapse)

    async def handle_pat_check(validator: Neuron, synapse: C) -> C:
        return await _check(validator, synapse)

    handle_pat_broadcast.__doc__ = _BROADCAST_DOC
    handle_pat_check.__doc__ = _CHECK_DOC
    for function in (handle_pat_broadcast, handle_pat_check):
        function.__module__ = __name__
    _annotate(handle_pat_broadcast, broadcast_synapse)
    _annotate(handle_pat_check, check_synapse)
    return handle_pat_broadcast, handle_pat_check


_BROADCAST_DOC = """gittensor's broadcast handler: verify the PAT the miner sent, pin its GitHub
account and store it (docs/contract.md §6). Sets ``accepted`` and ``rejection_reason`` and
clears ``github_access_token`` to ``""`` whatever the outcome; returns the synapse. A sender
whose hotkey is not in ``validator.metagraph.hotkeys`` now, or is ``None``, is "not
registered"."""

_CHECK_DOC = """gittensor's check handler: does the validator hold the sender's PAT, and does
it still work (docs/contract.md §6)? Sets ``has_pat``, ``pat_valid`` (``None``: GitHub or the
store could not tell now; retry) and ``rejection_reason``; returns the synapse."""


def _gittensor_synapses() -> Tuple[Optional[type], Optional[type]]:
    """gittensor's own synapse classes, when gittensor is importable."""
    try:
        synapses = importlib.import_module("gittensor.synapses")
    except ImportError:
        return None, None
    broadcast = getattr(synapses, "PatBroadcastSynapse", None)
    check = getattr(synapses, "PatCheckSynapse", None)
    if isinstance(broadcast, type) and isinstance(check, type):
        return broadcast, check
    return None, None


async def handle_pat_broadcast(validator: Neuron, synapse: B) -> B:
    return await _broadcast(validator, synapse)


async def handle_pat_check(validator: Neuron, synapse: C) -> C:
    return await _check(validator, synapse)


handle_pat_broadcast.__doc__ = _BROADCAST_DOC + """

Annotated at runtime with ``gittensor.synapses.PatBroadcastSynapse`` when gittensor is
importable (what ``axon.attach`` needs); otherwise with the :class:`BroadcastSynapse` protocol,
which ``attach`` refuses: use :func:`handlers_for` then."""
handle_pat_check.__doc__ = _CHECK_DOC + """

Annotated at runtime with ``gittensor.synapses.PatCheckSynapse`` when gittensor is importable;
otherwise with the :class:`CheckSynapse` protocol: use :func:`handlers_for` then."""

_GITTENSOR_BROADCAST, _GITTENSOR_CHECK = _gittensor_synapses()
_annotate(handle_pat_broadcast, _GITTENSOR_BROADCAST or BroadcastSynapse)
_annotate(handle_pat_check, _GITTENSOR_CHECK or CheckSynapse)


def _check_environment() -> None:
    """Checks the ``PAT_VERDICT_*`` variables as the ``Validator`` will take them, so a bad
    one stops the validator at start (this import) rather than failing a miner's call."""
    chosen = _keywords(_from_environment())
    if not chosen:
        return
    try:
        Verifier(**chosen)
    except ValueError as error:
        names = ", ".join(f"${_ENV_PREFIX}{name.upper()}" for name in chosen)
        raise ValueError(f"pat_verdict.gittensor's settings from {names}: {error}") from None


_check_environment()
_join_bittensor_logging()
