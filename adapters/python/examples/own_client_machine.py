"""A whole verification driven by the host's own `requests`, decided by pat_verdict.

The host keeps its HTTP client (its session, proxies, TLS settings, metrics) and still gets the
whole decision: the token pre-check, `GET /user`, the identity pin point, `POST /graphql`,
retries with backoff and GitHub's `Retry-After`, all inside one deadline. `Verification` says
what to do next; this loop does it:

    verdict = verify_with_requests(pat)
    if verdict is None:                # the pin refused the account (see `pinned_id`)
        ...
    elif verdict.transient_failure:    # GitHub could not answer: retry later, keep the PAT
        ...
    elif verdict.error:                # evidence against the PAT
        reject(verdict.error)
"""

from __future__ import annotations

import sys
import time
from typing import Optional

import requests

import example_cli
from gittensor_test_query import BASE_GITHUB_API_URL, transport_error
from pat_verdict import (
    DoneStep,
    HaltedStep,
    IdentityStep,
    SendStep,
    Verdict,
    Verification,
    WaitStep,
)


def verify_with_requests(
    pat: str,
    api_url: str = BASE_GITHUB_API_URL,
    *,
    pinned_id: Optional[str] = None,
    session: Optional[requests.Session] = None,
    timeout: float = 12.0,
) -> Optional[Verdict]:
    """Verify `pat` with `requests`. `pinned_id`: the GitHub id this PAT must belong to (a
    miner's PAT may not move to another account); the test query is not sent when it does
    not match, and the answer is then `None`."""
    http = session or requests.Session()
    machine = Verification(pat, timeout=timeout)
    step = machine.step
    while True:
        if isinstance(step, SendStep):
            try:
                response = http.request(
                    step.method,
                    step.url(api_url),
                    headers=step.headers,
                    data=step.body,
                    timeout=step.timeout,
                    allow_redirects=False,  # a redirect must not carry the PAT away
                )
            except requests.RequestException as error:
                step = machine.receive(transport_error=transport_error(error))
            else:
                step = machine.receive(
                    response.status_code, body=response.content, headers=response.headers
                )
        elif isinstance(step, WaitStep):
            time.sleep(step.seconds_from())
            step = machine.resume()
        elif isinstance(step, IdentityStep):
            if pinned_id is not None and step.github_id != pinned_id:
                step = machine.stop(f"PAT belongs to GitHub id {step.github_id}, not {pinned_id}")
            else:
                step = machine.proceed()
        elif isinstance(step, DoneStep):
            return step.verdict
        elif isinstance(step, HaltedStep):
            return None


if __name__ == "__main__":
    # Verify the PAT in $GITHUB_TOKEN with `requests` driving the machine; print the verdict.
    sys.exit(example_cli.judge(__doc__, "to verify", verify_with_requests,
                               "verified with requests", "github_id requests"))
