"""Synapse classes with the fields gittensor declares (`gittensor/synapses.py`), as subclasses
of bittensor's `Synapse`: the classes gittensor's validator attaches its PAT handlers with.

Only the fields are gittensor's; the repr masks the token as gittensor's does (bittensor logs
synapses at trace level), in this module's own words. Needs `bittensor` (the gittensor tests
run it in child processes: `gittensor_axon_child.py`).
"""

from typing import Optional

import bittensor as bt
from pydantic import Field


class PatBroadcastSynapse(bt.Synapse):
    """A miner pushes its GitHub PAT; the validator answers accepted or why not."""

    github_access_token: str = Field(repr=False)
    accepted: Optional[bool] = None
    rejection_reason: Optional[str] = None

    def __repr__(self) -> str:
        return (
            f"PatBroadcastSynapse(github_access_token=<redacted>, accepted={self.accepted!r}, "
            f"rejection_reason={self.rejection_reason!r})"
        )

    __str__ = __repr__


class PatCheckSynapse(bt.Synapse):
    """A miner asks whether the validator holds its PAT and whether it still works."""

    has_pat: Optional[bool] = None
    pat_valid: Optional[bool] = None
    rejection_reason: Optional[str] = None
