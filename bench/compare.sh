#!/usr/bin/env bash
# Compares two advisor binaries under the same WebSocket load, alternating them round by round
# on the same machine, so a change's cost is seen against noise of the same kind (issue 15's
# "the benchmark figures do not regress by more than noise").
#
# usage: bench/compare.sh BEFORE_ADVISOR AFTER_ADVISOR [ROUNDS] [SECONDS]
#   BUILD_DIR  where advisor-bench is built (default build/release, as bench/run.sh)
# Prints one JSON line per run ({"side", "round", "connections", "result": advisor-bench's
# line}), then each side's mean turns/s and CPU per turn for both loads.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/compare.sh BEFORE_ADVISOR AFTER_ADVISOR [ROUNDS] [SECONDS]" >&2; exit 2; }
cd "$(dirname "$0")/.."
. bench/lib.sh
declare -A bin=([before]=$(realpath "$1") [after]=$(realpath "$2"))
rounds=${3:-3}
seconds=${4:-10}
build=${BUILD_DIR:-build/release}
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target advisor-bench >/dev/null
bench=$build/bench/advisor-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flood_config "$work/bench.json"
ulimit -n 20000
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq "$rounds"); do
  for side in before after; do
    for connections in 50 500; do
      dir=$work/$side-$round-$connections
      mkdir -p "$dir"
      serve_advisor "$dir" env ADVISOR_LOG_LEVEL=warn "${bin[$side]}" --config "$work/bench.json" \
        --data-dir "$dir" serve --port 0
      line=$("$bench" --port "$port" --server-pid "$pid" -c "$connections" -s "$seconds" | tail -1)
      echo "{\"side\":\"$side\",\"round\":$round,\"connections\":$connections,\"result\":$line}" | tee -a "$work/runs"
      kill -TERM "$pid"
      wait "$pid" 2>/dev/null || true
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$work/runs" <<'PY'
import json, statistics, sys

runs = [json.loads(line) for line in open(sys.argv[1])]
for connections in (50, 500):
    for side in ("before", "after"):
        r = [x["result"] for x in runs if x["side"] == side and x["connections"] == connections]
        each = ", ".join("%.0f" % x["turns_per_s"] for x in r)
        mean = lambda key: statistics.mean(x[key] for x in r)
        print("%d connections, %s: %.0f turns/s (runs: %s), server %.1f us/turn, generator %.1f us/turn (%.2f cores)"
              % (connections, side, mean("turns_per_s"), each, mean("server_cpu_us_per_turn"),
                 mean("bench_cpu_us_per_turn"), mean("bench_cpu_cores")))
PY
