#!/usr/bin/env bash
# The open-loop tail by turn threads (issue 18, part 4): `advisor serve` with `turn_threads` N
# for each N, against `advisor-bench -c CONNECTIONS -s SECONDS --rate RATE` (open loop, the
# scanner), RUNS rounds, the counts interleaved (1 2 4 1 2 4 ...) so that a change in the
# machine's other load falls on every count alike. Each run gets a fresh server on a fresh data
# directory. Prints advisor-bench's JSON line per run, prefixed by the turn threads and round.
#   bench/turn-threads.sh [SECONDS] [RUNS] [BUILD_DIR]   (default 10 s, 2 rounds, build/release)
# Settings (environment): TURN_THREADS (default "1 2 4"), CONNECTIONS (default 500),
#   RATE (offered turns/s in all, default 20000).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-10}
runs=${2:-2}
build=${3:-build/release}
counts=${TURN_THREADS:-1 2 4}
connections=${CONNECTIONS:-500}
rate=${RATE:-20000}
advisor=$build/bot/advisor
bench=$build/bench/advisor-bench
[ -x "$advisor" ] && [ -x "$bench" ] || { echo "build $advisor and $bench first" >&2; exit 2; }

one_server_scratch
flood_config "$work/base.json"
for round in $(seq "$runs"); do
  for n in $counts; do
    python3 - "$work/base.json" "$work/t$n.json" "$n" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["turn_threads"] = int(sys.argv[3])
json.dump(config, open(sys.argv[2], "w"))
PY
    dir=$work/r$round-t$n
    serve_advisor "$dir" env ADVISOR_LOG_LEVEL=warn "$advisor" --config "$work/t$n.json" \
      --data-dir "$dir" serve --port 0
    line=$("$bench" --port "$port" --server-pid "$pid" -c "$connections" -s "$seconds" --rate "$rate")
    echo "turn_threads=$n round=$round $line"
    kill -TERM "$pid"
    wait "$pid" || true
    pid=
  done
done
