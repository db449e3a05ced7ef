#!/usr/bin/env bash
# Every test of pat-verdict: the Rust workspace, then the Python package `pat_verdict` built
# from source into a fresh virtual environment, type-checked and run under pytest against the
# loopback fake GitHub. Needs cargo and python3 (>= 3.9); takes maturin, pytest, requests and
# mypy from PyPI.
#
#   scripts/test-all.sh            # everything
#   PAT_VERDICT_VENV=DIR ...       # put the virtual environment elsewhere (default target/py-venv)
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
venv="${PAT_VERDICT_VENV:-$target/py-venv}"
export PYTHONDONTWRITEBYTECODE=1

echo "== cargo test --workspace --locked"
cargo test --workspace --locked

echo "== the fake GitHub for the Python tests"
cargo build --locked -p pat-verdict-fake-github
export PAT_VERDICT_FAKE_GITHUB="$target/debug/fake-github"

echo "== a fresh virtual environment: $venv"
rm -rf "$venv"
python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check maturin pytest requests mypy

echo "== pip install ./adapters/python (builds the wheel with maturin)"
started=$SECONDS
"$py" -m pip install --disable-pip-version-check ./adapters/python
echo "built and installed in $((SECONDS - started)) s"
"$py" -c 'import pat_verdict; print("pat_verdict", pat_verdict.__version__, "imported")'

echo "== mypy --strict on the tests and examples"
"$py" -m mypy --strict --cache-dir "$target/mypy-cache" adapters/python/tests adapters/python/examples \
  adapters/python/python

echo "== mypy.stubtest: the .pyi matches the installed runtime"
"$py" -m mypy.stubtest pat_verdict --allowlist adapters/python/stubtest-allowlist.txt

echo "== pytest adapters/python/tests"
status=0
"$py" -m pytest -p no:cacheprovider adapters/python/tests || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
