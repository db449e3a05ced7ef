"""The command line every example shares: `--api-url`, and the PAT from $GITHUB_TOKEN.

Each example's `main()` hands `run` what to do with them; run an example from anywhere as
`python adapters/python/examples/<name>.py [--api-url URL]` (its folder is then on `sys.path`,
so this module is found).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Optional

from pat_verdict import DEFAULT_API_URL, Verdict


def run(doc: Optional[str], purpose: str, act: Callable[[Optional[str], str], None]) -> int:
    """Parse `--api-url` (described by `doc`'s first line) and call `act(api_url, token)` with
    the PAT in $GITHUB_TOKEN (`api_url` is `None` when not given); without one, say what it
    is for (`purpose`) and answer 2. The exit status."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--api-url", default=None,
                        help="the GitHub API root (default https://api.github.com)")
    api_url: Optional[str] = parser.parse_args().api_url
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        print(f"set GITHUB_TOKEN to the PAT {purpose}", file=sys.stderr)
        return 2
    act(api_url, token)
    return 0


def judge(doc: Optional[str], purpose: str, verify: Callable[[str, str], Optional[Verdict]],
          label: str, fields: str) -> int:
    """`run` for an example that judges the PAT: prints `label: kind (field=…, …)` with the
    verdict's attributes named in `fields` (separated by spaces) for the verdict
    `verify(token, api_url)` answers (`api_url` GitHub's when not given), or that the pin
    refused the account when it answers `None`."""

    def act(api_url: Optional[str], token: str) -> None:
        verdict = verify(token, api_url or DEFAULT_API_URL)
        if verdict is None:
            print("stopped at the identity: the account is not the pinned one")
            return
        shown = ", ".join(f"{name}={getattr(verdict, name)!r}" for name in fields.split())
        print(f"{label}: {verdict.kind} ({shown})")

    return run(doc, purpose, act)
