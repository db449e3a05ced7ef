#!/usr/bin/env bash
# The source distribution of `pat-verdict` builds and installs where Rust exists: `maturin
# sdist`, then `pip install` of that .tar.gz into a fresh virtual environment (pip compiles it
# with the machine's cargo, in release, as a user without a wheel for their platform would),
# then an import from outside the source tree. This is what the index offers to platforms the
# release workflow builds no wheel for.
#
#   bash scripts/check-sdist.sh     # about 4 minutes on 2 busy cores (a full release compile)
#
# Uses the tools of scripts/tools-venv.sh (target/py-tools, or PAT_VERDICT_TOOLS_VENV) and
# pip's build isolation (maturin from PyPI, as pyproject.toml's build-system asks).
set -euo pipefail
cd "$(dirname "$0")/.."

target="$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)"
tools="${PAT_VERDICT_TOOLS_VENV:-$target/py-tools}"
sdist_dir="$target/sdist"
venv="$target/sdist-venv"
export PYTHONDONTWRITEBYTECODE=1

if ! command -v cargo >/dev/null 2>&1; then
  echo "an sdist compiles on install: this check needs cargo on PATH" >&2
  exit 1
fi

echo "== the tools: $tools"
bash scripts/tools-venv.sh "$tools"

echo "== maturin sdist"
started=$SECONDS
rm -rf "$sdist_dir"
(cd adapters/python && "$tools/bin/maturin" sdist --out "$sdist_dir")
shopt -s nullglob
sdists=("$sdist_dir"/*.tar.gz)
shopt -u nullglob
if [ "${#sdists[@]}" -ne 1 ]; then
  echo "expected exactly one sdist in $sdist_dir, found ${#sdists[@]}" >&2
  exit 1
fi
sdist="${sdists[0]}"
echo "sdist: $(basename "$sdist"), $(stat -c %s "$sdist") bytes"
# The index page's long description is the README, and the package's typing marker ships.
# (Read whole first: `grep -q` stopping early would fail the pipe under pipefail.)
pkg_info="$(tar -xzOf "$sdist" "$(basename "$sdist" .tar.gz)/PKG-INFO")"
grep -q '^Description-Content-Type: text/markdown' <<<"$pkg_info" || {
  echo "PKG-INFO has no Markdown long description" >&2
  exit 1
}
listing="$(tar -tzf "$sdist")"
grep -q '/python/pat_verdict/py.typed$' <<<"$listing" || {
  echo "the sdist does not carry python/pat_verdict/py.typed" >&2
  exit 1
}

echo "== pip install the sdist into a fresh virtual environment (compiles it)"
rm -rf "$venv"
python3 -m venv "$venv"
# Its own target directory, and no pip cache: the build must not lean on anything this
# checkout compiled, nor on a wheel pip kept from an earlier run.
rm -rf "$target/sdist-build"
CARGO_TARGET_DIR="$target/sdist-build" "$venv/bin/python" -m pip install --no-cache-dir \
  --disable-pip-version-check "$sdist"

echo "== import it from outside the source tree"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(
  cd "$scratch"
  "$venv/bin/python" - <<'PY'
import sysconfig

import pat_verdict

site = sysconfig.get_paths()["platlib"]
assert pat_verdict.__file__.startswith(site), f"imported from {pat_verdict.__file__}, not {site}"
verdict = pat_verdict.classify_test_query(503)
assert verdict.kind == "inconclusive" and verdict.transient_failure, verdict
print(f"pat_verdict {pat_verdict.__version__} from {pat_verdict.__file__}: 503 -> {verdict.kind}")
PY
)
echo "sdist built, installed and imported in $((SECONDS - started)) s"
