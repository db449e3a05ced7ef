"""A gittensor validator's axon and its miners' dendrites, in one process of their own, for
`test_gittensor_axon.py`.

    python gittensor_axon_child.py MODE PLAN RESULTS

MODE `gittensor`: a package named `gittensor` is importable (the test puts one on the path:
`gittensor.synapses` with gittensor's synapse classes, `gittensor.validator.pat_storage` with
its `PATS_FILE`); bittensor is imported first, as gittensor's `neurons/validator.py` does, then
the one line `from pat_verdict.gittensor import handle_pat_broadcast, handle_pat_check`.
MODE `pat_verdict_first`: no gittensor; `pat_verdict.gittensor` is imported before bittensor
(so the `pat_verdict` logger exists when bittensor silences the loggers it finds) and the
handlers come from `handlers_for(PatBroadcastSynapse, PatCheckSynapse)`.

Either way: a real `bittensor.Axon` on 127.0.0.1 with the handlers attached as gittensor
attaches its own (`partial(handler, self)` beside blacklist and priority functions annotated
with the same synapse classes), wallets in a temporary folder, one `bittensor.Dendrite` per
miner, all its calls on one event loop. PLAN (JSON) names the API root (fake-github), the
entries to store and the calls to make; RESULTS gets what each call answered, the raw JSON
the axon sent back, the hotkeys and the counters. bittensor's log lines go to stdout at INFO.
"""

import sys

MODE = sys.argv[1]

if MODE == "pat_verdict_first":
    import pat_verdict.gittensor as pv_gittensor
    import bittensor as bt
else:
    import bittensor as bt
    import pat_verdict.gittensor as pv_gittensor

import asyncio
import json
import os
import socket
import tempfile
import time
from functools import partial
from typing import Any, Callable, Coroutine, Dict, List, Optional, Tuple
from unittest import mock

import bittensor.utils.networking as networking
from bittensor.utils.btlogging import logging as bt_logging

from gittensor_synapses import PatBroadcastSynapse, PatCheckSynapse

BroadcastHandler = Callable[[Any, PatBroadcastSynapse], Coroutine[Any, Any, PatBroadcastSynapse]]
CheckHandler = Callable[[Any, PatCheckSynapse], Coroutine[Any, Any, PatCheckSynapse]]

broadcast_handler: BroadcastHandler
check_handler: CheckHandler
if MODE == "gittensor":
    from pat_verdict.gittensor import handle_pat_broadcast, handle_pat_check

    broadcast_handler, check_handler = handle_pat_broadcast, handle_pat_check
else:
    broadcast_handler, check_handler = pv_gittensor.handlers_for(
        PatBroadcastSynapse, PatCheckSynapse
    )

REGISTERED = ["validator", "A", "B", "C", "D"]
"""Wallet names in uid order; "E" is not registered."""
EVERYONE = REGISTERED + ["E"]


class Metagraph:
    """The metagraph as gittensor's handlers read it: hotkeys in uid order, stake by uid."""

    def __init__(self, hotkeys: List[str]) -> None:
        self.hotkeys = hotkeys
        self.S = [float(10 * uid) for uid in range(len(hotkeys))]


class GittensorValidator:
    """gittensor's validator as its axon's functions see it (`self.metagraph`).
    `leaves_after_blacklist`: a hotkey whose uid goes to a new miner right after the axon's
    blacklist check let it through (the metagraph resyncs meanwhile: gittensor's #1297)."""

    def __init__(self, hotkeys: List[str]) -> None:
        self.metagraph = Metagraph(hotkeys)
        self.leaves_after_blacklist: Optional[str] = None

    def blacklist(self, hotkey: Optional[str]) -> Tuple[bool, str]:
        if hotkey is None or hotkey not in self.metagraph.hotkeys:
            return True, f"Hotkey {(hotkey or '')[:16]}... not registered"
        if hotkey == self.leaves_after_blacklist:
            self.metagraph.hotkeys = [
                "5NewMinerOnThisUid" if known == hotkey else known
                for known in self.metagraph.hotkeys
            ]
        return False, "Hotkey recognized"

    def priority(self, hotkey: Optional[str]) -> float:
        if hotkey is None or hotkey not in self.metagraph.hotkeys:
            return 0.0
        return float(self.metagraph.S[self.metagraph.hotkeys.index(hotkey)])


def _sender(synapse: bt.Synapse) -> Optional[str]:
    return synapse.dendrite.hotkey if synapse.dendrite is not None else None


# gittensor's blacklist and priority functions stay gittensor's; these take the same classes.
async def blacklist_pat_broadcast(
    validator: GittensorValidator, synapse: PatBroadcastSynapse
) -> Tuple[bool, str]:
    return validator.blacklist(_sender(synapse))


async def priority_pat_broadcast(
    validator: GittensorValidator, synapse: PatBroadcastSynapse
) -> float:
    return validator.priority(_sender(synapse))


async def blacklist_pat_check(
    validator: GittensorValidator, synapse: PatCheckSynapse
) -> Tuple[bool, str]:
    return validator.blacklist(_sender(synapse))


async def priority_pat_check(validator: GittensorValidator, synapse: PatCheckSynapse) -> float:
    return validator.priority(_sender(synapse))


def _wallet(name: str, folder: str) -> bt.Wallet:
    wallet = bt.Wallet(name=name, hotkey="default", path=folder)
    wallet.create_new_coldkey(use_password=False, overwrite=True, suppress=True)
    wallet.create_new_hotkey(use_password=False, overwrite=True, suppress=True)
    return wallet


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _wait_listening(port: int) -> None:
    """Gives the axon's server thread a moment to start listening."""
    for _ in range(400):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the axon never listened on 127.0.0.1:{port}")


def _fields(synapse: bt.Synapse, names: List[str]) -> Dict[str, Any]:
    return {name: getattr(synapse, name) for name in names}


def main() -> int:
    plan_path, results_path = sys.argv[2], sys.argv[3]
    with open(plan_path, encoding="utf-8") as file:
        plan: Dict[str, Any] = json.load(file)
    bt_logging.set_info(True)  # as a validator started with --logging.info

    with mock.patch.object(networking, "get_external_ip", return_value="127.0.0.1"), \
            tempfile.TemporaryDirectory() as folder:
        wallets = {name: _wallet(name, folder) for name in EVERYONE}
        hotkeys = {name: wallets[name].hotkey.ss58_address for name in EVERYONE}
        neuron = GittensorValidator([hotkeys[name] for name in REGISTERED])

        store = pv_gittensor.store_path()
        entries = [
            {
                "uid": REGISTERED.index(item["miner"]),
                "hotkey": hotkeys[item["miner"]],
                "pat": item["token"],
                "github_id": item["github_id"],
                "stored_at": "2026-12-01T00:00:00Z",
            }
            for item in plan["stored"]
        ]
        with open(store, "w", encoding="utf-8") as file:
            json.dump(entries, file)
        # The guard off: the rows below must not depend on each other's 503s.
        pv_gittensor.configure(api_url=plan["api_url"], timeout=10.0, outage_threshold=0)

        port = _free_port()
        axon = bt.Axon(wallet=wallets["validator"], ip="127.0.0.1", port=port,
                       external_ip="127.0.0.1")
        axon.fast_config.host = "127.0.0.1"  # bittensor binds 0.0.0.0; loopback only here
        # As gittensor's neurons/validator.py attaches its own handlers.
        axon.attach(
            forward_fn=partial(broadcast_handler, neuron),
            blacklist_fn=partial(blacklist_pat_broadcast, neuron),
            priority_fn=partial(priority_pat_broadcast, neuron),
        )
        axon.attach(
            forward_fn=partial(check_handler, neuron),
            blacklist_fn=partial(blacklist_pat_check, neuron),
            priority_fn=partial(priority_pat_check, neuron),
        )
        axon.start()
        _wait_listening(port)

        loop = asyncio.new_event_loop()
        dendrites: Dict[str, bt.Dendrite] = {}
        raw: List[str] = []

        def dendrite_of(name: str) -> bt.Dendrite:
            if name not in dendrites:
                dendrite = bt.Dendrite(wallet=wallets[name])
                answered = dendrite.process_server_response

                def spy(server_response: Any, json_response: Dict[str, Any],
                        local_synapse: bt.Synapse) -> None:
                    raw.append(json.dumps(json_response) + " " + str(dict(server_response.headers)))
                    answered(server_response, json_response, local_synapse)

                setattr(dendrite, "process_server_response", spy)
                dendrites[name] = dendrite
            return dendrites[name]

        results: List[Dict[str, Any]] = []
        for call in plan["calls"]:
            miner = call["miner"]
            neuron.metagraph.hotkeys = [hotkeys[name] for name in REGISTERED]
            neuron.leaves_after_blacklist = hotkeys[miner] if call.get("leaves") else None
            raw.clear()
            synapse: bt.Synapse
            if call["kind"] == "broadcast":
                synapse = PatBroadcastSynapse(github_access_token=call["token"])
                names = ["accepted", "rejection_reason", "github_access_token"]
            else:
                synapse = PatCheckSynapse()
                names = ["has_pat", "pat_valid", "rejection_reason"]
            answer = loop.run_until_complete(
                dendrite_of(miner).call(target_axon=axon.info(), synapse=synapse, timeout=30)
            )
            results.append({
                "name": call["name"],
                "status": answer.dendrite.status_code if answer.dendrite else None,
                "fields": _fields(answer, names),
                "raw": list(raw),
            })

        with open(store, encoding="utf-8") as file:
            stored_after = json.load(file)
        output = {
            "hotkeys": hotkeys,
            "store": store,
            "stored_after": stored_after,
            "calls": results,
            "handler_answers": pv_gittensor.validator().metrics()["handler_answers"],
            "annotations": {
                "broadcast": getattr(
                    broadcast_handler.__annotations__["synapse"], "__qualname__", None
                ),
                "check": getattr(check_handler.__annotations__["synapse"], "__qualname__", None),
            },
        }
        for dendrite in dendrites.values():
            close: Any = dendrite.aclose_session  # untyped in bittensor
            loop.run_until_complete(close())
        loop.close()
        axon.stop()
    with open(results_path, "w", encoding="utf-8") as file:
        json.dump(output, file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
