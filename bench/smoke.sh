#!/usr/bin/env bash
# CI smoke check of the bench (not a speed test): short WebSocket, Slack and Discord runs against
# one `advisor serve` must complete turns with no errors.
#   bench/smoke.sh ADVISOR_BINARY BENCH_BINARY
set -euo pipefail
advisor=$1 bench=$2
work=$(mktemp -d)
server=
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; fi; rm -rf "$work"' EXIT
# The bench floods by design, from one address: the per-connection rate limits and the per-address
# connection cap are set out of its way. Slack and
# Discord are on, their outbound calls going to the bench's fake Web API.
fake=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/bench.json" <<JSON
{"messages_per_second": 1000000, "message_burst": 1000000, "bytes_per_second": 1e12, "byte_burst": 1e12, "bytes_per_second_per_ip": 1e12, "byte_burst_per_ip": 1e12,
 "max_connections_per_ip": 100000,
 "slack": {"signing_secret": "advisor-bench-signing-secret", "bot_token": "xoxb-bench",
           "api_url": "http://127.0.0.1:$fake/slack/api", "webhook_url": "http://127.0.0.1:$fake/slack/webhook/T/B/x"},
 "discord": {"public_key": "$("$bench" --print-discord-public-key)", "app_id": "1000000000000000001",
             "api_url": "http://127.0.0.1:$fake/discord/api/v10"}}
JSON
ADVISOR_LOG_LEVEL=warn "$advisor" --config "$work/bench.json" --data-dir "$work/data" serve --port 0 >"$work/serve.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/serve.out" | head -1)
[ -n "$port" ] || { cat "$work/serve.out"; exit 1; }

check() {  # a JSON line and a Python condition on it (d)
  echo "$1"
  python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert $2, d" "$1"
}
out=$("$bench" --port "$port" --server-pid "$server" -c 4 -s 2 --responder)
check "$out" "d['turns']>0 and d['errors']==0 and d['conversations']>0 and d['reader']=='scan'"
# Both sides' CPU per turn, against the advisor and against the responder.
check "$out" "all(k in r for r in (d, d['responder']) for k in ('bench_cpu_us_per_turn', 'server_cpu_us_per_turn'))"
out=$("$bench" --port "$port" --slack --fake-api-port "$fake" -c 2 -s 1 2>/dev/null)
check "$out" "d['acks']>0 and d['errors']==0 and d['replies']>0 and d['outbound_calls']>0"
out=$("$bench" --port "$port" --discord --fake-api-port "$fake" -c 2 -s 1 2>/dev/null)
check "$out" "d['acks']>0 and d['errors']==0 and d['replies']>0"
