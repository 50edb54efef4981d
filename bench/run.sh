#!/usr/bin/env bash
# Measures the advisor on this machine and writes docs/performance.md and docs/latency.png.
# Release build; persistence on (every turn committed to SQLite before its reply); loopback only.
#   bench/run.sh [SECONDS]   (default 10 s per run; the whole matrix takes about 10 x SECONDS + 2 min)
# Settings (environment):
#   BUILD_DIR   build directory (default build/release): configured here as Release when it is not
#               configured yet, used as configured otherwise; built here
#   RATE_500    offered turns/s in all for the 500-connection open-loop run (default 20000)
#   CHAT_RATE   signed Slack / Discord requests/s (default 2000)
#   IDLE        idle WebSocket connections to hold (default 10000)
#   KEEP_WORK   when set, the runs' files (JSON lines, logs, profiles) are kept, not deleted
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-10}
build=${BUILD_DIR:-build/release}
rate500=${RATE_500:-20000}
chat_rate=${CHAT_RATE:-2000}
idle=${IDLE:-10000}
case $seconds in '' | *[!0-9.]*) echo "usage: bench/run.sh [SECONDS]" >&2; exit 2 ;; esac

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "building $build ..."
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# A build directory that is configured already is used as it is (its build type is in the report).
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
fi
cmake --build "$build" -j2 --target advisor advisor-bench advisor-knowledge-bench >/dev/null
advisor=$build/bot/advisor
bench=$build/bench/advisor-bench
kbench=$build/bench/advisor-knowledge-bench

work=$(mktemp -d)
servers=()
cleanup() {
  for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "${KEEP_WORK:-}" ]; then echo "the runs' files are kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
# 10,000 idle connections need more than the usual 1,024 descriptors, in the server too.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Every command that produces a figure, as run (the temporary directory shown as $WORK).
record() { echo "$*" | sed "s#$work#\$WORK#g" >>"$work/commands.txt"; }
# Runs a bench command, keeps its JSON line in $work/NAME.json (empty when it failed).
measure() {
  local name=$1
  shift
  record "$@"
  echo "  $name: $*" | sed "s#$work#\$WORK#g"
  "$@" >"$work/$name.json" 2>"$work/$name.err" || echo "  ($name exited with $?: $(tail -1 "$work/$name.err"))"
}
# start_server NAME CONFIG [WRAPPER...]: a fresh `advisor serve` on its own data directory;
# sets $port and $pid.
start_server() {
  local name=$1 config=$2
  shift 2
  record ADVISOR_LOG_LEVEL=warn "$@" "$advisor" --config "$config" --data-dir "$work/$name" serve --port 0
  serve_advisor "$work/$name" env ADVISOR_LOG_LEVEL=warn "$@" "$advisor" --config "$config" \
    --data-dir "$work/$name" serve --port 0
  servers+=("$pid")
}
stop_server() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The bench floods by design, from one address (bench/lib.sh).
flood_config "$work/bench.json"
# Slack and Discord on, with their outbound calls going to the bench's fake Web API.
fake=$(free_port)
discord_key=$("$bench" --print-discord-public-key)
cat >"$work/chat.json" <<JSON
{"messages_per_second": 1000000, "message_burst": 1000000, "bytes_per_second": 1e12, "byte_burst": 1e12, "bytes_per_second_per_ip": 1e12, "byte_burst_per_ip": 1e12,
 "max_connections_per_ip": 100000, "idle_timeout_seconds": 3600,
 "slack": {"signing_secret": "advisor-bench-signing-secret", "bot_token": "xoxb-bench",
           "api_url": "http://127.0.0.1:$fake/slack/api",
           "webhook_url": "http://127.0.0.1:$fake/slack/webhook/T1/B1/bench"},
 "discord": {"public_key": "$discord_key", "app_id": "1000000000000000001", "bot_token": "bench",
             "api_url": "http://127.0.0.1:$fake/discord/api/v10",
             "webhook_url": "http://127.0.0.1:$fake/discord/webhook/1/bench"}}
JSON

echo "WebSocket runs ($seconds s each, each after the same load on the no-work responder) ..."
# --server-pid: the bench reports the server's CPU per turn (from /proc/PID/stat) beside its own.
start_server ws "$work/bench.json"
measure ws50 "$bench" --port "$port" --server-pid "$pid" -c 50 -s "$seconds" --responder --latency-out "$work/lat_ws50"
measure ws500rate "$bench" --port "$port" --server-pid "$pid" -c 500 -s "$seconds" --rate "$rate500" --responder --latency-out "$work/lat_ws500rate"
measure ws500 "$bench" --port "$port" --server-pid "$pid" -c 500 -s "$seconds" --responder --latency-out "$work/lat_ws500"
# The same 50-connection pair read by the generator this bench used to be (a full JSON parse of
# every reply): how much of the ratio the generator's own cost decided.
measure ws50full "$bench" --port "$port" --server-pid "$pid" -c 50 -s "$seconds" --responder --full-parse
# The profile comes from a run of its own, so that perf's overhead is in none of the figures.
if command -v perf >/dev/null && perf record -o "$work/perf.check" -- true >/dev/null 2>&1; then
  echo "  perf profile of a 50-connection run ..."
  record perf record -g -o '$WORK/perf.data' -p "<advisor pid>" -- sleep "$seconds"
  perf record -g -o "$work/perf.data" -p "$pid" -- sleep "$seconds" >"$work/perf.log" 2>&1 &
  perf_pid=$!
  sleep 0.2
  measure ws50perf "$bench" --port "$port" --server-pid "$pid" -c 50 -s "$seconds"
  wait "$perf_pid" || true
  record perf report -i '$WORK/perf.data' --stdio --no-children -g none --percent-limit 0.7
  perf report -i "$work/perf.data" --stdio --no-children -g none --percent-limit 0.7 2>/dev/null |
    grep -v '^#' | grep -v '^$' | head -30 >"$work/perf.txt" || true
else
  echo "perf is not available here (not installed, or perf_event_paranoid forbids it): no profile." >"$work/perf.txt"
fi
echo "$(rss_kib "$pid")" >"$work/ws_rss.txt"
stop_server "$pid"

echo "Idle connections ($idle) ..."
start_server idle "$work/bench.json"
sleep 0.5
before=$(rss_kib "$pid")
hold=$(python3 -c "print(max(5, float('$seconds')))")
record "$bench" --port "$port" --server-pid "$pid" --idle "$idle" -s "$hold"
"$bench" --port "$port" --server-pid "$pid" --idle "$idle" -s "$hold" >"$work/idle.json" 2>"$work/idle.err" &
bench_pid=$!
for _ in $(seq 1200); do grep -q "holding" "$work/idle.err" && break; kill -0 $bench_pid 2>/dev/null || break; sleep 0.05; done
sleep 1
during=$(rss_kib "$pid")
fd_limit=$(awk '/Max open files/ {print $4}' "/proc/$pid/limits")
wait $bench_pid || echo "  (idle run exited with $?: $(tail -1 "$work/idle.err"))"
echo "$before $during $fd_limit" >"$work/idle_rss.txt"
stop_server "$pid"

echo "Slack and Discord ($chat_rate signed requests/s, then closed loop) ..."
for channel in slack discord; do
  start_server "$channel" "$work/chat.json"
  measure "${channel}_rate" "$bench" --port "$port" --$channel --fake-api-port "$fake" -c 16 -s "$seconds" \
    --rate "$chat_rate" --latency-out "$work/lat_$channel"
  measure "${channel}_closed" "$bench" --port "$port" --$channel --fake-api-port "$fake" -c 16 -s "$seconds"
  stop_server "$pid"
done

echo "Knowledge search ..."
measure knowledge "$kbench" --config "$work/bench.json" --data-dir "$work/knowledge" -n 20000 --latency-out "$work/lat_knowledge"

echo "Callgrind: instructions per turn (2 x a few seconds under valgrind) ..."
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  for turns in 2000 4000; do
    start_server "cg$turns" "$work/bench.json" valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$turns"
    measure "cg$turns" "$bench" --port "$port" -c 10 -s 600 --max-turns "$turns"
    stop_server "$pid"
    record callgrind_annotate --auto=no --threshold=100 '$WORK'/callgrind.$turns
    callgrind_annotate --auto=no --threshold=100 "$work/callgrind.$turns" >"$work/callgrind.$turns.txt" 2>/dev/null || true
  done
else
  echo "valgrind is not installed: no instruction counts." >"$work/callgrind.missing"
fi

echo "Start-up time ..."
record "python3: 11 x ($advisor --data-dir \$WORK/startup serve --port 0, time to its 'listening on' line, SIGTERM)"
ADVISOR=$advisor python3 - >"$work/startup.json" <<'PY'
import json, os, subprocess, tempfile, time
d = tempfile.mkdtemp()
times = []
for _ in range(11):
    t = time.monotonic()
    p = subprocess.Popen([os.environ["ADVISOR"], "--data-dir", d, "serve", "--port", "0"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=dict(os.environ, ADVISOR_LOG_LEVEL="warn"))
    p.stdout.readline()
    times.append((time.monotonic() - t) * 1000)
    p.terminate()
    p.wait()
print(json.dumps({"ms": [round(x, 1) for x in times]}))
PY

echo "Latency plot ..."
if ! command -v gnuplot >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq gnuplot-nox >/dev/null 2>&1 || true
fi
plot_note=""
if command -v gnuplot >/dev/null; then
  terminal=png
  gnuplot -e "set terminal pngcairo" 2>/dev/null && terminal=pngcairo
  lines=()
  add_line() {  # file title style
    [ -s "$1" ] && grep -qv '^#' "$1" && lines+=("'$1' using 2:3 with lines $3 title '$2'")
    return 0
  }
  add_line "$work/lat_ws50" "advisor, 50 connections, closed loop" "lw 2 lc rgb '#1f77b4'"
  add_line "$work/lat_ws50.responder" "no-work responder, 50 connections" "dt 2 lc rgb '#1f77b4'"
  add_line "$work/lat_ws500rate" "advisor, 500 connections, $rate500 turns/s offered" "lw 2 lc rgb '#d62728'"
  add_line "$work/lat_ws500rate.responder" "no-work responder, same load" "dt 2 lc rgb '#d62728'"
  add_line "$work/lat_ws500" "advisor, 500 connections, closed loop" "lw 2 lc rgb '#9467bd'"
  add_line "$work/lat_slack" "Slack ack, $chat_rate req/s" "lw 2 lc rgb '#2ca02c'"
  add_line "$work/lat_discord" "Discord ack, $chat_rate req/s" "lw 2 lc rgb '#ff7f0e'"
  plot=$(IFS=,; echo "${lines[*]}")
  record gnuplot '(latency by percentile, log-log) -> docs/latency.png'
  if [ -n "$plot" ] && gnuplot <<GP 2>"$work/gnuplot.err"; then
set terminal $terminal size 1000,620 noenhanced
set output "docs/latency.png"
set title "Latency by percentile: bench/run.sh $seconds, $(date -u +%Y-%m-%d), $(nproc) cores"
set logscale xy
set xrange [1:100000]
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
set xlabel "percentile"
set ylabel "latency (ms)"
set grid
set key right bottom box opaque
plot $plot
GP
    plot_note="![latency by percentile](latency.png)"
  else
    plot_note="(gnuplot failed: $(head -3 "$work/gnuplot.err" | tr '\n' ' '))"
  fi
else
  plot_note="(no plot: gnuplot is not installed and could not be installed; apt-get install gnuplot-nox)"
fi
echo "$plot_note" >"$work/plot.txt"

{
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "cores=$(nproc)"
  echo "mem_gib=$(free -g | awk '/Mem:/ {print $2}')"
  echo "os=Debian $(cat /etc/debian_version 2>/dev/null || echo '?'), Linux $(uname -r)"
  echo "compiler=$("$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")" --version 2>/dev/null | head -1)"
  echo "build_type=$(grep -m1 '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" | cut -d= -f2)"
  echo "date=$(date -u +%Y-%m-%d)"
  echo "load_start=$load_start"
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "seconds=$seconds"
  echo "rate500=$rate500"
  echo "chat_rate=$chat_rate"
  echo "idle=$idle"
  echo "build=$build"
} >"$work/machine.txt"

python3 bench/report.py "$work" >docs/performance.md
echo "wrote docs/performance.md"
sed -n '/^## Targets/,/^## /p' docs/performance.md | head -20
