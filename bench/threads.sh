#!/usr/bin/env bash
# Turns/s by I/O threads (issue 18, part 3): `advisor serve --threads N` for each N, against
# `advisor-bench -c CONNECTIONS -s SECONDS` (closed loop, the scanner), RUNS times each, the
# thread counts interleaved (1 2 4 1 2 4 ...) so that a change in the machine's other load
# falls on every count alike. Each run gets a fresh server on a fresh data directory. Prints
# one JSON line per run (advisor-bench's, with "threads", "round" and the 1-minute load
# average before and after it), then a summary per thread count: median, min and max.
#   bench/threads.sh [SECONDS] [RUNS] [BUILD_DIR]   (default 5 s, 3 runs, build/release)
# Settings (environment): THREADS (default "1 2 4"), CONNECTIONS (default 50),
#   ADVISOR (the advisor binary to measure; default BUILD_DIR/bot/advisor).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-5}
runs=${2:-3}
build=${3:-build/release}
thread_counts=${THREADS:-1 2 4}
connections=${CONNECTIONS:-50}
advisor=${ADVISOR:-$build/bot/advisor}
bench=$build/bench/advisor-bench
[ -x "$advisor" ] && [ -x "$bench" ] || { echo "build $advisor and $bench first" >&2; exit 2; }

one_server_scratch

flood_config "$work/bench.json"

load1() { cut -d' ' -f1 /proc/loadavg; }
for round in $(seq "$runs"); do
  for n in $thread_counts; do
    dir=$work/r$round-t$n
    serve_advisor "$dir" env ADVISOR_LOG_LEVEL=warn "$advisor" --config "$work/bench.json" \
      --data-dir "$dir" serve --port 0 --threads "$n"
    before=$(load1)
    line=$("$bench" --port "$port" --server-pid "$pid" -c "$connections" -s "$seconds")
    after=$(load1)
    kill -TERM "$pid"
    wait "$pid" || true
    pid=
    echo "$line" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
d.update(threads=int(sys.argv[1]), round=int(sys.argv[2]), load1_before=float(sys.argv[3]),
         load1_after=float(sys.argv[4]))
print(json.dumps(d, sort_keys=True))' "$n" "$round" "$before" "$after" | tee -a "$work/runs.jsonl"
  done
done

python3 - "$work/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
loads = [r[k] for r in runs for k in ("load1_before", "load1_after")]
print(f"1-minute load average during the runs: {min(loads)}-{max(loads)}")
for n in sorted({r["threads"] for r in runs}):
    mine = [r for r in runs if r["threads"] == n]
    tps = [r["turns_per_s"] for r in mine]
    cpu = [r.get("server_cpu_us_per_turn", 0) for r in mine]
    cores = [r.get("server_cpu_cores", 0) for r in mine]
    gen = [r["bench_cpu_cores"] for r in mine]
    p99 = [r["p99_ms"] for r in mine]
    errors = sum(r["errors"] for r in mine)
    print(f"threads {n}: turns/s median {statistics.median(tps):.0f} (min {min(tps):.0f}, "
          f"max {max(tps):.0f}, {len(tps)} runs); p99 ms median {statistics.median(p99)}; "
          f"server CPU/turn median {statistics.median(cpu)} us, server cores median "
          f"{statistics.median(cores)}; generator cores median {statistics.median(gen)}; "
          f"errors {errors}")
PY
