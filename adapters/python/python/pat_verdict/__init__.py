"""pat_verdict: is this GitHub PAT valid, invalid, or impossible to judge right now?

The decision core of pat-verdict and its real adapters (HTTP client, ``miner_pats.json``
store, clock) as a Python extension, for Bittensor validators written in Python.

Only evidence about the PAT makes it ``invalid``: a GitHub outage (5xx, DNS, reset, timeout)
is ``inconclusive`` -- "retry later" -- and never tells a miner to rotate a working token.

- :func:`classify_test_query`, :func:`classify_identity`: pure, no I/O. For hosts that keep
  their own HTTP client (``requests``, ``aiohttp``) and only borrow the decision.
- :class:`Verifier`: makes the two GitHub calls itself (``verify`` in a thread, ``averify``
  on asyncio), with retries inside one deadline.
- :class:`Validator`: the validator's ``check`` and ``broadcast`` endpoints and the ``audit``
  of every stored PAT, over the ``miner_pats.json`` file validators already keep.
"""

from ._pat_verdict import (
    AuditRow,
    BroadcastResponse,
    CheckResponse,
    StoreUnavailableError,
    Validator,
    Verdict,
    Verifier,
    __version__,
    classify_identity,
    classify_test_query,
)

__all__ = [
    "AuditRow",
    "BroadcastResponse",
    "CheckResponse",
    "StoreUnavailableError",
    "Validator",
    "Verdict",
    "Verifier",
    "__version__",
    "classify_identity",
    "classify_test_query",
]
