#!/usr/bin/env bash
# CI smoke check of the bench (not a speed test): a short run must complete turns, no errors.
#   bench/smoke.sh ADVISOR_BINARY BENCH_BINARY
set -euo pipefail
advisor=$1 bench=$2
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
# The bench floods by design; the per-connection rate limit is set out of its way.
echo '{"messages_per_second": 1000000, "message_burst": 1000000}' >"$work/bench.json"
ADVISOR_LOG_LEVEL=warn "$advisor" --config "$work/bench.json" --data-dir "$work/data" serve --port 0 >"$work/serve.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/serve.out" | head -1)
out=$("$bench" --port "$port" -c 4 -s 2 --responder)
echo "$out"
python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['turns']>0 and d['errors']==0 and d['conversations']>0, d" "$out"
