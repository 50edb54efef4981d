#!/usr/bin/env bash
# Two `advisor serve` instances on one PostgreSQL database (a throwaway cluster, as the tests
# start it) against one instance on SQLite, on this machine: WebSocket conversations, 500
# connections in all, closed loop. Prints one JSON line per advisor-bench run.
#   bench/multi.sh [SECONDS] [BUILD_DIR]   (default 5 s, build/release; built here if needed)
# Two advisor-bench processes run at once, 250 connections on each instance; the SQLite run
# is one advisor-bench process with 500 connections on one instance. Each advisor-bench
# reports its own and its server's CPU per turn (--server-pid); both write every turn's
# latency (--latency-samples), merged here into one p50/p99 over all 500 connections, printed
# beside the two instances' turns/s and their sum. The load average is printed before, at the
# end of each run and after.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-5}
build=${2:-build/release}
if [[ ! -x $build/bot/advisor || ! -x $build/bench/advisor-bench ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j2 --target advisor advisor-bench >/dev/null
fi
advisor=$build/bot/advisor
bench=$build/bench/advisor-bench
pgbin=$(dirname "$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | tail -1)")

work=$(mktemp -d)
chmod 755 "$work"
state=$work/pg.state
servers=()
cleanup() {
  for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
  tests/pg/cluster.sh stop "$state" "$pgbin" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

flood_config "$work/bench.json"

# start NAME [ENV...]: sets $port and $pid.
start() {
  local name=$1
  shift
  serve_advisor "$work/$name" env ADVISOR_LOG_LEVEL=warn "$@" "$advisor" --config "$work/bench.json" \
    --data-dir "$work/$name" serve --port 0
  servers+=("$pid")
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
start sqlite
"$bench" --port "$port" --server-pid "$pid" -c 500 -s "$seconds" | sed 's/^/{"run":"sqlite, 1 instance, 500 connections"} /'
echo "load average at the end of the sqlite run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
kill -TERM "$pid"; wait "$pid" || true

tests/pg/cluster.sh start "$state" "$pgbin" >/dev/null
url="host=$(cat "$state") user=advisor dbname=postgres"
start pg_a "ADVISOR_DATABASE_URL=$url"
port_a=$port
pid_a=$pid
start pg_b "ADVISOR_DATABASE_URL=$url"
port_b=$port
pid_b=$pid
"$bench" --port "$port_a" --server-pid "$pid_a" -c 250 -s "$seconds" \
  --latency-samples "$work/a.ms" >"$work/a.json" &
bench_a=$!
"$bench" --port "$port_b" --server-pid "$pid_b" -c 250 -s "$seconds" \
  --latency-samples "$work/b.ms" >"$work/b.json" &
bench_b=$!
wait "$bench_a" "$bench_b"
echo "load average at the end of the postgresql run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
sed 's/^/{"run":"postgresql, instance a of 2, 250 of 500 connections"} /' "$work/a.json"
sed 's/^/{"run":"postgresql, instance b of 2, 250 of 500 connections"} /' "$work/b.json"
# All 500 connections as one: the turns/s of both instances, and the quantiles of every turn
# of both runs (the sample at index floor(p * n) of the sorted set, as advisor-bench takes it).
turns_per_s() { sed -n 's/.*"turns_per_s":\([0-9.e+-]*\).*/\1/p' "$1"; }
sort -g "$work/a.ms" "$work/b.ms" | awk -v a="$(turns_per_s "$work/a.json")" \
  -v b="$(turns_per_s "$work/b.json")" '
  { ms[NR - 1] = $1 }
  function pct(p,  i) { i = int(p * NR); if (i > NR - 1) i = NR - 1; return ms[i] }
  END {
    printf "{\"run\":\"postgresql, both instances, 500 connections\"} "
    printf "{\"turns\":%d,\"turns_per_s\":%.1f,\"turns_per_s_a\":%s,\"turns_per_s_b\":%s,", NR, a + b, a, b
    printf "\"p50_ms\":%s,\"p99_ms\":%s,\"max_ms\":%s}\n", pct(0.50), pct(0.99), (NR ? ms[NR - 1] : 0)
  }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
