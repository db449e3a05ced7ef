"""A validator handing its two PAT endpoints to `pat_verdict.Validator`.

In gittensor these replace `handle_pat_broadcast` and `handle_pat_check` in
`gittensor/validator/pat_handler.py`: one `Validator` over the validator's own
`miner_pats.json`, its hotkeys refreshed from the metagraph on every request. Verification,
the identity pin, the race rule and the fail-closed store are pat_verdict's; the handler only
copies the answer into the synapse. The awaited forms never block the axon's event loop.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import List, Optional, Protocol

import example_cli
from pat_verdict import Validator


class Metagraph(Protocol):
    hotkeys: List[str]


class Neuron(Protocol):
    metagraph: Metagraph


class Dendrite(Protocol):
    hotkey: Optional[str]


class BroadcastSynapse(Protocol):
    dendrite: Optional[Dendrite]
    github_access_token: str
    accepted: Optional[bool]
    rejection_reason: Optional[str]


class CheckSynapse(Protocol):
    dendrite: Optional[Dendrite]
    has_pat: Optional[bool]
    pat_valid: Optional[bool]
    rejection_reason: Optional[str]


def pat_store_path() -> str:
    """Where gittensor keeps its PATs (docs/contract.md §7)."""
    return os.environ.get("GITTENSOR_MINER_PATS_FILE") or "data/miner_pats.json"


def make_pats(api_url: str = "https://api.github.com") -> Validator:
    return Validator(pat_store_path(), [], api_url=api_url)


def hotkey_of(synapse: BroadcastSynapse | CheckSynapse) -> str:
    dendrite = synapse.dendrite
    return (dendrite.hotkey or "") if dendrite is not None else ""


async def handle_pat_broadcast(
    pats: Validator, neuron: Neuron, synapse: BroadcastSynapse
) -> BroadcastSynapse:
    pats.hotkeys = list(neuron.metagraph.hotkeys)
    answer = await pats.abroadcast(hotkey_of(synapse), synapse.github_access_token)
    synapse.github_access_token = ""  # never echoed back
    synapse.accepted = answer.accepted
    synapse.rejection_reason = answer.rejection_reason
    return synapse


async def handle_pat_check(pats: Validator, neuron: Neuron, synapse: CheckSynapse) -> CheckSynapse:
    pats.hotkeys = list(neuron.metagraph.hotkeys)
    answer = await pats.acheck(hotkey_of(synapse))
    synapse.has_pat = answer.has_pat
    synapse.pat_valid = answer.pat_valid  # None: GitHub or the store could not tell; retry
    synapse.rejection_reason = answer.rejection_reason
    return synapse


async def _demo(api_url: Optional[str], token: str, folder: Path) -> None:
    pats = Validator(folder / "miner_pats.json", [], api_url=api_url)
    neuron = SimpleNamespace(metagraph=SimpleNamespace(hotkeys=["hotkey_0", "hotkey_1"]))
    dendrite = SimpleNamespace(hotkey="hotkey_1")
    broadcast = SimpleNamespace(dendrite=dendrite, github_access_token=token, accepted=None,
                                rejection_reason=None)
    await handle_pat_broadcast(pats, neuron, broadcast)
    print(f"broadcast from hotkey_1: accepted={broadcast.accepted}, "
          f"rejection_reason={broadcast.rejection_reason!r}")
    check = SimpleNamespace(dendrite=dendrite, has_pat=None, pat_valid=None, rejection_reason=None)
    await handle_pat_check(pats, neuron, check)
    print(f"check of hotkey_1: has_pat={check.has_pat}, pat_valid={check.pat_valid}, "
          f"rejection_reason={check.rejection_reason!r}")
    for row in await pats.aaudit():
        print(f"audit: uid {row.uid} {row.hotkey}: {row.verdict.kind}")


def _show(api_url: Optional[str], token: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_demo(api_url, token, Path(folder)))


def main() -> int:
    """Broadcast the PAT in $GITHUB_TOKEN to a validator whose store is in a temporary
    folder, check it and audit the store; print each answer."""
    return example_cli.run(__doc__, "a miner would broadcast", _show)


if __name__ == "__main__":
    sys.exit(main())
