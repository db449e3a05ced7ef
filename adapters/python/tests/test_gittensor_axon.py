"""`pat_verdict.gittensor` as a miner reaches it (docs/contract.md §14): a real
`bittensor.Axon` on 127.0.0.1 with the handlers attached as gittensor's validator attaches its
own, a real `bittensor.Dendrite` per miner, fake-github behind.

Each run is a child process (`gittensor_axon_child.py`): importing bittensor rewires the
logging of the whole process (it silences every logger it finds), which must not leak into
the other tests. Two runs: with a `gittensor` package importable and bittensor imported first
(the one import line, gittensor's own synapse classes, its `pat_storage.PATS_FILE`), and
without gittensor with `pat_verdict` imported before bittensor (`handlers_for`,
`$GITTENSOR_MINER_PATS_FILE`). Each asserts the answers, the token's absence from every
response and every line of output, and the handlers' log lines in bittensor's own output.

Needs `bittensor` (10.3.1; scripts/test-all.sh installs it): skipped where it is not
installed, a failure where `$CI` is set.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple

import pytest

from conftest import FakeGithub, LOCKED, new_token

if importlib.util.find_spec("bittensor") is None:
    if os.environ.get("CI"):
        pytest.fail(
            "bittensor is not installed, and CI must run the gittensor tests: "
            "pip install bittensor==10.3.1 (scripts/test-all.sh does)",
            pytrace=False,
        )
    pytest.skip("bittensor is not installed (pip install bittensor==10.3.1)",
                allow_module_level=True)

TESTS = Path(__file__).resolve().parent
CHILD = TESTS / "gittensor_axon_child.py"

NOT_REGISTERED = "Hotkey not registered on subnet"
NO_PAT = "No PAT stored for this miner"
GITHUB_UNAVAILABLE_CHECK = "GitHub API temporarily unavailable; retry the check in a few minutes."
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Where the fake `gittensor` package reads its PATS_FILE from.
PATS_FILE_VARIABLE = "FAKE_GITTENSOR_PATS_FILE"


class Run(NamedTuple):
    mode: str
    results: Dict[str, Any]
    output: str
    tokens: Dict[str, str]

    def call(self, name: str) -> Dict[str, Any]:
        return next(call for call in self.results["calls"] if call["name"] == name)

    def hotkey(self, miner: str) -> str:
        hotkey: str = self.results["hotkeys"][miner]
        return hotkey


def _fake_gittensor(folder: Path) -> Path:
    """A package named `gittensor` with gittensor's two modules the adapter reads: the
    synapse classes (the test fixture's, which declare gittensor's fields) and the store's
    `PATS_FILE`."""
    package = folder / "gittensor"
    (package / "validator").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "synapses.py").write_text(
        "from gittensor_synapses import PatBroadcastSynapse, PatCheckSynapse\n", encoding="utf-8"
    )
    (package / "validator" / "__init__.py").write_text("", encoding="utf-8")
    (package / "validator" / "pat_storage.py").write_text(
        "import os\nfrom pathlib import Path\n\n"
        f"PATS_FILE = Path(os.environ[{PATS_FILE_VARIABLE!r}])\n",
        encoding="utf-8",
    )
    return folder


def _plan(fake: FakeGithub, tokens: Dict[str, str]) -> Dict[str, Any]:
    # uids: validator 0, A 1, B 2, C 3, D 4; E is not registered.
    fake.valid(tokens["seed"], 42, "seed-miner")
    fake.script(tokens["seed"], "graphql", [{"status": 503}])  # the seed's outage
    fake.valid(tokens["b"], 77, "miner-b")
    fake.valid(tokens["b_other_account"], 78, "someone-else")
    fake.valid(tokens["e"], 79, "unregistered")
    # tokens["revoked"] and tokens["revoked_sent"] stay unscripted: the fake answers 401.
    return {
        "api_url": fake.url,
        "stored": [
            {"miner": "A", "token": tokens["seed"], "github_id": "42"},
            {"miner": "C", "token": tokens["revoked"], "github_id": "43"},
        ],
        "calls": [
            {"name": "seed", "kind": "check", "miner": "A"},
            {"name": "accepted", "kind": "broadcast", "miner": "B", "token": tokens["b"]},
            {"name": "accepted_check", "kind": "check", "miner": "B"},
            {"name": "pinned", "kind": "broadcast", "miner": "B",
             "token": tokens["b_other_account"]},
            {"name": "revoked_check", "kind": "check", "miner": "C"},
            {"name": "revoked_broadcast", "kind": "broadcast", "miner": "D",
             "token": tokens["revoked_sent"]},
            {"name": "no_pat", "kind": "check", "miner": "D"},
            {"name": "unregistered_check", "kind": "check", "miner": "E"},
            {"name": "unregistered_broadcast", "kind": "broadcast", "miner": "E",
             "token": tokens["e"]},
            {"name": "left_check", "kind": "check", "miner": "A", "leaves": True},
            {"name": "left_broadcast", "kind": "broadcast", "miner": "B", "token": tokens["b"],
             "leaves": True},
        ],
    }


@pytest.fixture(scope="module", params=["gittensor", "pat_verdict_first"])
def run(request: pytest.FixtureRequest, fake: FakeGithub,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    mode: str = request.param
    folder = tmp_path_factory.mktemp(f"gittensor-{mode}")
    tokens = {name: new_token() for name in
              ("seed", "b", "b_other_account", "revoked", "revoked_sent", "e")}
    plan = folder / "plan.json"
    plan.write_text(json.dumps(_plan(fake, tokens)), encoding="utf-8")
    results = folder / "results.json"

    env = {key: value for key, value in os.environ.items() if not key.startswith("PAT_VERDICT_")}
    env["HOME"] = str(folder)  # bittensor's ~/.bittensor, away from the user's
    path: List[str] = [str(TESTS)]
    if mode == "gittensor":
        path.insert(0, str(_fake_gittensor(folder / "site")))
        env[PATS_FILE_VARIABLE] = str(folder / "gittensor_pats.json")
        # gittensor's PATS_FILE wins over the variable when gittensor is importable.
        env["GITTENSOR_MINER_PATS_FILE"] = str(folder / "decoy.json")
    else:
        env["GITTENSOR_MINER_PATS_FILE"] = str(folder / "miner_pats.json")
    env["PYTHONPATH"] = os.pathsep.join(path)
    done = subprocess.run(
        [sys.executable, str(CHILD), mode, str(plan), str(results)],
        cwd=folder, env=env, capture_output=True, text=True, timeout=600,
    )
    output = ANSI.sub("", done.stdout + done.stderr)
    assert done.returncode == 0, output
    loaded = json.loads(results.read_text(encoding="utf-8"))
    if mode == "gittensor":
        assert loaded["store"] == env[PATS_FILE_VARIABLE]
        assert not (folder / "decoy.json").exists()
    else:
        assert loaded["store"] == env["GITTENSOR_MINER_PATS_FILE"]
    yield Run(mode, loaded, output, tokens)


def test_the_seeds_outage_is_retry_later_not_invalid(run: Run) -> None:
    # The seed: a stored PAT whose test query answers 503 was reported invalid.
    call = run.call("seed")
    assert call["status"] == 200
    assert call["fields"] == {
        "has_pat": True,
        "pat_valid": None,
        "rejection_reason": GITHUB_UNAVAILABLE_CHECK,
    }


def test_the_handlers_carry_gittensors_synapse_classes(run: Run) -> None:
    assert run.results["annotations"] == {
        "broadcast": "PatBroadcastSynapse",
        "check": "PatCheckSynapse",
    }


def test_broadcast_accepted_is_stored_and_checks_valid(run: Run) -> None:
    assert run.call("accepted")["fields"] == {
        "accepted": True,
        "rejection_reason": None,
        "github_access_token": "",
    }
    assert run.call("accepted_check")["fields"] == {
        "has_pat": True,
        "pat_valid": True,
        "rejection_reason": None,
    }
    saved = [item for item in run.results["stored_after"] if item["uid"] == 2]
    assert len(saved) == 1
    assert saved[0]["hotkey"] == run.hotkey("B")
    assert saved[0]["github_id"] == "77"
    assert saved[0]["pat"] == run.tokens["b"]


def test_identity_pin_refuses_another_account(run: Run) -> None:
    assert run.call("pinned")["fields"] == {
        "accepted": False,
        "rejection_reason": LOCKED,
        "github_access_token": "",
    }
    saved = [item for item in run.results["stored_after"] if item["uid"] == 2]
    assert saved[0]["pat"] == run.tokens["b"]  # the first account's PAT stays


def test_revoked_pat_is_invalid(run: Run) -> None:
    assert run.call("revoked_check")["fields"] == {
        "has_pat": True,
        "pat_valid": False,
        "rejection_reason": "No Github id found for miner 3's PAT",
    }
    assert run.call("revoked_broadcast")["fields"] == {
        "accepted": False,
        "rejection_reason": "No Github id found for miner 4's PAT",
        "github_access_token": "",
    }


def test_no_pat_stored(run: Run) -> None:
    assert run.call("no_pat")["fields"] == {
        "has_pat": False,
        "pat_valid": False,
        "rejection_reason": NO_PAT,
    }


def test_unregistered_hotkey_is_gittensors_blacklist(run: Run) -> None:
    # gittensor's blacklist stays in front: the handler is never reached.
    check = run.call("unregistered_check")
    assert check["status"] != 200
    assert check["fields"] == {"has_pat": None, "pat_valid": None, "rejection_reason": None}
    broadcast = run.call("unregistered_broadcast")
    assert broadcast["status"] != 200
    assert broadcast["fields"]["accepted"] is None


def test_hotkey_that_left_after_the_blacklist_is_not_registered(run: Run) -> None:
    # The metagraph resynced between the blacklist and the handler (gittensor's #1297): the
    # handler reads it again and answers "not registered", without a crash.
    assert run.call("left_check")["fields"] == {
        "has_pat": None,
        "pat_valid": None,
        "rejection_reason": NOT_REGISTERED,
    }
    assert run.call("left_broadcast")["fields"] == {
        "accepted": False,
        "rejection_reason": NOT_REGISTERED,
        "github_access_token": "",
    }


def test_one_validator_counts_every_answer(run: Run) -> None:
    answers = run.results["handler_answers"]
    # Nine calls reached a handler (two were blacklisted): five checks, four broadcasts.
    assert sum(answers["check"].values()) == 5
    assert sum(answers["broadcast"].values()) == 4
    assert answers["check"]["inconclusive"] == 1
    assert answers["check"]["valid"] == 1


def test_the_token_never_comes_back_nor_is_logged(run: Run) -> None:
    for call in run.results["calls"]:
        for raw in call["raw"]:
            for token in run.tokens.values():
                assert token not in raw, call["name"]
    for token in run.tokens.values():
        assert token not in run.output
    assert "ghp_" not in run.output


def _line(run: Run, level: str, message: str) -> None:
    """A line of bittensor's stream format, `time | LEVEL | message`."""
    pattern = re.compile(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \|\s*" + level + r"\s*\|\s*" + re.escape(message)
        + r"\s*$",
        re.MULTILINE,
    )
    assert pattern.search(run.output), f"no {level} line {message!r} in:\n{run.output}"


def test_handler_outcomes_reach_bittensors_log(run: Run) -> None:
    a, b = run.hotkey("A")[:16], run.hotkey("B")[:16]
    c, d = run.hotkey("C")[:16], run.hotkey("D")[:16]
    _line(run, "INFO", f"PAT check request — UID: 1, hotkey: {a}...")
    _line(run, "WARNING", "PAT check result — UID: 1: GitHub API temporarily unavailable")
    _line(run, "SUCCESS", f"PAT broadcast accepted — UID: 2, hotkey: {b}..., github_id: 77")
    _line(run, "SUCCESS", "PAT check result — UID: 2: valid")
    _line(run, "WARNING", f"PAT broadcast rejected — hotkey: {b}... reason: {LOCKED}")
    _line(run, "INFO", f"PAT check request — UID: 3, hotkey: {c}...")
    _line(run, "WARNING",
          "PAT check result — UID: 3: validation failed: No Github id found for miner 3's PAT")
    _line(run, "WARNING", f"PAT broadcast rejected — hotkey: {d}... "
          "reason: No Github id found for miner 4's PAT")
    _line(run, "INFO", "PAT check result — UID: 4: no PAT stored")
    _line(run, "WARNING", f"PAT check rejected — hotkey: {a}... reason: {NOT_REGISTERED}")
