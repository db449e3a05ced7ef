#!/usr/bin/env python3
"""The reference: PAT re-validation the way validators do it today, for side-by-side numbers.

Reads a miner_pats.json and validates every PAT with one `GET /user` (Authorization: token)
and one `POST /graphql` (Authorization: Bearer, `{ viewer { login } }`), 16 at a time on a
thread pool, with a `requests.Session` per thread (connection reuse) -- the best a Python
user would reasonably write. Like the seed, any exception or non-200 counts as invalid; that
is the defect pat-verdict fixes, and it does not change the work done on a healthy GitHub.

Prints one JSON line: {"valid": n, "invalid": n, "total": n}.
"""

import argparse
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

QUERY = {"query": "{ viewer { login } }"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=12.0)
    args = parser.parse_args()

    with open(args.store, encoding="utf-8") as handle:
        entries = json.load(handle)
    local = threading.local()

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers["Accept"] = "application/vnd.github+json"
        return local.session

    def validate(entry: dict) -> bool:
        pat = entry["pat"]
        try:
            user = session().get(
                f"{args.api_url}/user",
                headers={"Authorization": f"token {pat}"},
                timeout=args.timeout,
            )
            if user.status_code != 200 or user.json().get("id") is None:
                return False
            answer = session().post(
                f"{args.api_url}/graphql",
                json=QUERY,
                headers={"Authorization": f"Bearer {pat}"},
                timeout=args.timeout,
            )
            if answer.status_code != 200:
                return False
            body = answer.json()
            if body.get("errors"):
                return False
            return bool((body.get("data") or {}).get("viewer"))
        except (requests.RequestException, ValueError):
            return False

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        results = list(pool.map(validate, entries))
    valid = sum(results)
    print(json.dumps({"valid": valid, "invalid": len(results) - valid, "total": len(results)}))


if __name__ == "__main__":
    main()
