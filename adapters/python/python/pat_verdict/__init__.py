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
  on asyncio), with retries inside one deadline.
- :class:`Validator`: the validator's ``check`` and ``broadcast`` endpoints and the ``audit``
  of every stored PAT, over the ``miner_pats.json`` file validators already keep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Union

from ._pat_verdict import (
    AuditRow,
    BroadcastResponse,
    CheckResponse,
    DoneStep,
    HaltedStep,
    IdentityStep,
    SendStep,
    StoreUnavailableError,
    Validator,
    Verdict,
    Verification,
    Verifier,
    WaitStep,
    __version__,
    _classify_identity,
    _classify_test_query,
)

if TYPE_CHECKING:
    from ._pat_verdict import Body

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
    return _classify_test_query(status, body, headers, transport_error, now)


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
    return _classify_identity(status, body, headers, transport_error, now)

__all__ = [
    "AuditRow",
    "BroadcastResponse",
    "CheckResponse",
    "DoneStep",
    "HaltedStep",
    "IdentityStep",
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
