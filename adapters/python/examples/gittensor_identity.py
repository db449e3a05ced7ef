"""gittensor's `/user` lookup (the identity half of `validate_github_credentials`), keeping
`requests`, judged by pat_verdict.

Returns the verdict: `verdict.github_id` when valid; `verdict.transient_failure` when GitHub
could not answer (the broadcast should say "retry", not "no GitHub id"); otherwise
`verdict.error` is evidence that the PAT identifies nobody.
"""

from __future__ import annotations

import sys

import requests

import example_cli
from gittensor_test_query import (
    BASE_GITHUB_API_URL,
    GITHUB_HTTP_TIMEOUT_SECONDS,
    transport_error,
)
from pat_verdict import Verdict, classify_identity


def github_identity(pat: str, api_url: str = BASE_GITHUB_API_URL) -> Verdict:
    """`GET /user` with the PAT, judged per docs/contract.md §3 (id as a decimal string)."""
    headers = {"Authorization": f"token {pat}", "Accept": "application/vnd.github+json"}
    try:
        response = requests.get(
            f"{api_url}/user",
            headers=headers,
            timeout=GITHUB_HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return classify_identity(transport_error=transport_error(error))
    return classify_identity(response.status_code, body=response.content, headers=response.headers)


if __name__ == "__main__":
    # Look up the account of the PAT in $GITHUB_TOKEN and print the verdict.
    sys.exit(example_cli.judge(__doc__, "to look up", github_identity, "identity",
                               "github_id login error"))
