#!/usr/bin/env bash
# Every test of pat-verdict: the Rust workspace, then the Python package `pat_verdict` as users
# get it — the manylinux2014 abi3 wheel, built once with zig, checked by auditwheel, installed
# into a fresh virtual environment whose PATH has no cargo or rustc, and type-checked and run
# under pytest from outside the source tree against the loopback fake GitHub. Needs cargo and
# python3 (>= 3.9); takes its tools (scripts/tools-venv.sh) and the tests' pytest, requests, mypy
# and prometheus-client (pat_verdict.prometheus's optional partner) from PyPI.
#
#   bash scripts/test-all.sh        # everything
#   PAT_VERDICT_VENV=DIR ...        # the tests' virtual environment (default target/py-venv)
#   PAT_VERDICT_TOOLS_VENV=DIR ...  # the tools' virtual environment (default target/py-tools)
#
# The wheel is left in target/wheel/ (one file): copy it to a validator and `pip install` it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

target="$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd)"
venv="${PAT_VERDICT_VENV:-$target/py-venv}"
tools="${PAT_VERDICT_TOOLS_VENV:-$target/py-tools}"
wheel_dir="$target/wheel"
# The size an index page and a validator's image can live with; unstripped it was 6.9 MB.
max_wheel_bytes=4000000
export PYTHONDONTWRITEBYTECODE=1

echo "== cargo test --workspace --locked"
cargo test --workspace --locked

echo "== the fake GitHub for the Python tests"
cargo build --locked -p pat-verdict-fake-github
export PAT_VERDICT_FAKE_GITHUB="$target/debug/fake-github"

echo "== the tools: $tools"
bash scripts/tools-venv.sh "$tools"

echo "== the wheel: maturin build --release --zig --compatibility manylinux2014 (the only build of it)"
started=$SECONDS
rm -rf "$wheel_dir"
# maturin finds zig as `python -m ziglang` of the environment it runs in.
(
  export PATH="$tools/bin:$PATH" VIRTUAL_ENV="$tools"
  cd adapters/python
  maturin build --release --locked --zig --compatibility manylinux2014 --out "$wheel_dir"
)
shopt -s nullglob
wheels=("$wheel_dir"/*.whl)
shopt -u nullglob
if [ "${#wheels[@]}" -ne 1 ]; then
  echo "expected exactly one wheel in $wheel_dir, found ${#wheels[@]}" >&2
  exit 1
fi
wheel="${wheels[0]}"
size=$(stat -c %s "$wheel")
echo "built in $((SECONDS - started)) s"
echo "wheel: $(basename "$wheel")"
echo "size:  $size bytes ($(awk -v b="$size" 'BEGIN { printf "%.2f", b / 1000000 }') MB; limit $max_wheel_bytes)"
if [ "$size" -gt "$max_wheel_bytes" ]; then
  echo "the wheel is larger than $max_wheel_bytes bytes: are its symbols stripped ([tool.maturin] strip)?" >&2
  exit 1
fi

echo "== auditwheel show"
audit="$("$tools/bin/auditwheel" show "$wheel")"
echo "$audit"
if ! grep -q '"manylinux_2_17_x86_64"' <<<"$audit"; then
  echo "auditwheel does not find the wheel consistent with manylinux_2_17_x86_64" >&2
  exit 1
fi

echo "== a fresh virtual environment without Rust: $venv"
# PATH without any directory that holds cargo or rustc: nothing below can compile Rust.
no_rust_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  if [ -z "$dir" ] || [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ]; then
    continue
  fi
  no_rust_path="${no_rust_path:+$no_rust_path:}$dir"
done
rm -rf "$venv"
python3 -m venv "$venv"
py="$venv/bin/python"
export PATH="$venv/bin:$no_rust_path"
for tool in cargo rustc; do
  if command -v "$tool" >/dev/null 2>&1; then
    echo "$tool is still on PATH ($(command -v "$tool")): the install would not prove anything" >&2
    exit 1
  fi
done
echo "no cargo, no rustc on PATH"
# Binary wheels only, and ours from its file with no index: pip can never fall back to a build.
# A current pip first: the venv's bundled one may predate the metadata (License-Expression)
# that `pip show` below should print.
"$py" -m pip install --quiet --disable-pip-version-check --only-binary :all: --upgrade pip
"$py" -m pip install --quiet --disable-pip-version-check --only-binary :all: \
  pytest==9.2.0 requests==2.34.2 mypy==2.4.1 prometheus-client==0.26.0
# bittensor, for pat_verdict.gittensor's tests behind a real Axon and Dendrite (and mypy's view
# of its Synapse): binary wheels only. On a fresh venv with no pip cache: about 20 s, 45 MB of
# wheels downloaded (49 files with its dependencies), 190 MB more on disk. Installed here, it
# is required: with CI set those tests fail rather than skip when it is missing.
started=$SECONDS
"$py" -m pip install --quiet --disable-pip-version-check --only-binary :all: bittensor==10.3.1
echo "bittensor 10.3.1 installed in $((SECONDS - started)) s"
export CI="${CI:-true}"
"$py" -m pip install --disable-pip-version-check --no-index --no-deps --no-build-isolation "$wheel"
"$py" -m pip show pat-verdict

# From a scratch directory: neither the current directory nor adapters/python/python can put
# the source tree's package in front of the installed one.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')"
installed="$("$py" -c 'import pat_verdict; print(pat_verdict.__file__)')"
echo "pat_verdict $("$py" -c 'import pat_verdict; print(pat_verdict.__version__)') from $installed"
case "$installed" in
  "$site"/pat_verdict/*) ;;
  *)
    echo "pat_verdict was imported from $installed, not from the wheel installed in $site" >&2
    exit 1
    ;;
esac

echo "== mypy --strict: the installed package itself, then the tests and examples against it"
# `-p` finds the package in the venv's site-packages (it ships py.typed) and checks it there.
"$py" -m mypy --strict --cache-dir "$target/mypy-cache" -p pat_verdict
"$py" -m mypy --strict --cache-dir "$target/mypy-cache" \
  "$root/adapters/python/tests" "$root/adapters/python/examples"

echo "== mypy.stubtest: the .pyi matches the installed runtime"
"$py" -m mypy.stubtest pat_verdict --allowlist "$root/adapters/python/stubtest-allowlist.txt"

echo "== pytest adapters/python/tests against the installed wheel"
status=0
"$py" -m pytest -p no:cacheprovider "$root/adapters/python/tests" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
