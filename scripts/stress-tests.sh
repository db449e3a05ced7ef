#!/usr/bin/env bash
# Runs every test binary of the workspace as three copies at once, for ROUNDS rounds, and
# counts failures per binary. A test that passes alone but fails here depends on scheduling,
# timing or shared state: CI would fail by chance.
#
#   scripts/stress-tests.sh                 # 20 rounds, 3 copies
#   ROUNDS=3 COPIES=2 scripts/stress-tests.sh
#   FILTER=transport scripts/stress-tests.sh   # only binaries whose name contains "transport"
#   CARGO_FLAGS=--release scripts/stress-tests.sh   # optimised test binaries: the same tests,
#                                                   # rounds several times faster
#
# Exits 1 when any run failed, after printing the failing runs' output. Doctests are not
# test binaries and are not run here.
#
# Property tests explore: every run gets a fresh random PROPTEST_RNG_SEED (CI pins one in
# .ci/run, so a landing fails only on what it changed; this script looks for what that seed
# misses). A failing run's seed is printed with the command that replays it. To repeat one
# seed on every run here instead, set it: PROPTEST_RNG_SEED=N FILTER=... scripts/stress-tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${ROUNDS:-20}"
COPIES="${COPIES:-3}"
FILTER="${FILTER:-}"
# Extra arguments for every binary (e.g. a test name filter), split on spaces.
TEST_ARGS="${TEST_ARGS:-}"
# Extra arguments for cargo's build (e.g. --release), split on spaces.
CARGO_FLAGS="${CARGO_FLAGS:-}"
# A seed from the caller is used for every run; otherwise each run draws its own.
FIXED_SEED="${PROPTEST_RNG_SEED:-}"

command -v jq >/dev/null || { echo "stress-tests.sh needs jq" >&2; exit 2; }

echo "== building every test binary once"
# One line per binary: its package folder (cargo runs tests there) and its path.
# shellcheck disable=SC2086 # CARGO_FLAGS is split on purpose
binaries="$(cargo test --workspace --no-run --locked $CARGO_FLAGS --message-format=json 2>/dev/null |
  jq -r 'select(.reason == "compiler-artifact" and .profile.test == true and .executable != null)
         | "\(.manifest_path | sub("/Cargo.toml$"; ""))\t\(.executable)\t\(.package_id | sub("^.*#"; "") | sub("@.*$"; ""))/\(.target.kind[0])/\(.target.name)"' |
  sort -u -t$'\t' -k2)"
if [[ -z "$binaries" ]]; then
  echo "no test binaries found (does cargo test --workspace --no-run build?)" >&2
  exit 2
fi
if [[ -n "$FILTER" ]]; then
  binaries="$(grep -F -- "$FILTER" <<<"$binaries" || true)"
fi
count="$(wc -l <<<"$binaries")"
echo "$count binaries, $ROUNDS rounds, $COPIES copies at once"

logs="$(mktemp -d "${TMPDIR:-/tmp}/stress-tests.XXXXXX")"
# The binaries run from a copy, so a build during the run cannot swap them mid-round. The
# binaries they start themselves (CARGO_BIN_EXE_*, compiled in as absolute paths into
# target/debug) are used in place.
mkdir "$logs/bin"
declare -A failures=()
declare -A names=()
declare -A seeds=()
declare -A log_names=()
snapshot=""
while IFS=$'\t' read -r dir exe name; do
  # name: package/kind/target, e.g. pat-verdict-ureq-http/test/transport
  copy="$logs/bin/$(tr '/' '_' <<<"$name")"
  cp "$exe" "$copy"
  names["$copy"]="$name"
  failures["$copy"]=0
  snapshot+="$dir"$'\t'"$copy"$'\n'
done <<<"$binaries"
binaries="${snapshot%$'\n'}"

total_runs=0
total_failed=0
started="$(date +%s)"
for round in $(seq 1 "$ROUNDS"); do
  round_failed=0
  round_started="$(date +%s)"
  while IFS=$'\t' read -r dir exe; do
    pids=()
    for copy in $(seq 1 "$COPIES"); do
      log="$logs/$(tr '/' '_' <<<"${names[$exe]}").r$round.c$copy.log"
      seed="${FIXED_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}"
      seeds["$log"]="$seed"
      log_names["$log"]="${names[$exe]}"
      # shellcheck disable=SC2086 # TEST_ARGS is split on purpose
      (cd "$dir" && PROPTEST_RNG_SEED="$seed" exec "$exe" $TEST_ARGS) >"$log" 2>&1 &
      pids+=("$!:$log")
    done
    for entry in "${pids[@]}"; do
      pid="${entry%%:*}"
      log="${entry#*:}"
      total_runs=$((total_runs + 1))
      if wait "$pid"; then
        rm -f "$log"
      else
        failures["$exe"]=$((failures["$exe"] + 1))
        total_failed=$((total_failed + 1))
        round_failed=$((round_failed + 1))
      fi
    done
  done <<<"$binaries"
  echo "round $round/$ROUNDS: $round_failed failed runs ($(($(date +%s) - round_started)) s)"
done

if ((total_failed > 0)); then
  echo
  echo "== output of the failing runs (kept in $logs)"
  for log in "$logs"/*.log; do
    echo "---- $(basename "$log")"
    # package/kind/target, e.g. pat-verdict/test/retry_after
    IFS=/ read -r package kind target_name <<<"${log_names[$log]}"
    case "$kind" in
      lib) selector="--lib" ;;
      *) selector="--$kind $target_name" ;;
    esac
    echo "PROPTEST_RNG_SEED=${seeds[$log]}; replay: PROPTEST_RNG_SEED=${seeds[$log]} cargo test${CARGO_FLAGS:+ $CARGO_FLAGS} -p $package $selector"
    # The failures section and the closing line are what matter; the rest is progress.
    sed -n '/^failures:$/,$p' "$log" | head -200
    if ! grep -q '^failures:$' "$log"; then tail -40 "$log"; fi
  done
fi

echo
echo "== summary: failed runs per binary (of $((ROUNDS * COPIES)) each)"
while IFS=$'\t' read -r _ exe; do
  printf '%4d  %s\n' "${failures[$exe]}" "${names[$exe]}"
done <<<"$binaries"
echo "$total_failed of $total_runs runs failed ($ROUNDS rounds of $count binaries x $COPIES copies, $(($(date +%s) - started)) s)"
if ((total_failed > 0)); then
  exit 1
fi
rm -rf "$logs"
