"""gittensor's `_test_pat_against_repo`, keeping its `requests.post`, judged by pat_verdict.

Drop-in for `gittensor/validator/pat_handler.py`. The request is the same; what changes is
the reading of the answer: a 5xx, a timeout, a reset connection or a rate limit is
*inconclusive* (`verdict.transient_failure`), not "PAT test query failed", so a GitHub incident
never tells a miner to rotate a working token.

    verdict = _test_pat_against_repo(pat)
    if verdict.transient_failure:   # GitHub could not answer: retry later, keep the PAT
        ...
    elif verdict.error:             # evidence against the PAT (gittensor's old `test_error`)
        reject(f"PAT test query failed: {verdict.error}")
"""

from __future__ import annotations

import sys

import requests

import example_cli
from pat_verdict import Verdict, classify_test_query

BASE_GITHUB_API_URL = "https://api.github.com"
GITHUB_HTTP_TIMEOUT_SECONDS = 12
GRAPHQL_VIEWER_QUERY = "{ viewer { login } }"


def transport_error(error: requests.RequestException) -> str:
    """The kind of transport failure, in the words `classify_*` accept (never the URL or
    the token: only the exception's class name goes along)."""
    name = type(error).__name__
    if isinstance(error, requests.Timeout):
        kind = "timeout"
    elif isinstance(error, requests.exceptions.SSLError):
        kind = "tls"
    elif isinstance(error, (requests.exceptions.ChunkedEncodingError,
                            requests.exceptions.ContentDecodingError)):
        kind = "truncated"
    elif isinstance(error, requests.ConnectionError):
        kind = "reset" if "reset" in str(error).lower() or "aborted" in str(error).lower() else "connect"
    else:
        kind = "transport"
    return f"{kind}: {name}"


def _test_pat_against_repo(pat: str, api_url: str = BASE_GITHUB_API_URL) -> Verdict:
    """Run the test GraphQL call scoring depends on and judge the answer (docs/contract.md §2)."""
    headers = {"Authorization": f"Bearer {pat}", "Accept": "application/json"}
    try:
        response = requests.post(
            f"{api_url}/graphql",
            json={"query": GRAPHQL_VIEWER_QUERY},
            headers=headers,
            timeout=GITHUB_HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,  # a redirect is not evidence, and must not carry the PAT away
        )
    except requests.RequestException as error:
        return classify_test_query(transport_error=transport_error(error))
    return classify_test_query(
        response.status_code, body=response.content, headers=response.headers
    )


if __name__ == "__main__":
    # Judge the PAT in $GITHUB_TOKEN with the test query and print the verdict.
    sys.exit(example_cli.judge(__doc__, "to test", _test_pat_against_repo, "test query",
                               "error transient_failure"))
