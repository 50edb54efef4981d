# Shared by the bench scripts (sourced, not run): the flood config and starting `advisor serve`.

# flood_config FILE: a config that keeps the per-connection rate limits and the per-address
# connection cap out of the bench's way (it floods by design, from one address) and does not
# close idle connections during a run.
flood_config() {
  cat >"$1" <<'JSON'
{"messages_per_second": 1000000, "message_burst": 1000000, "bytes_per_second": 1e12, "byte_burst": 1e12, "bytes_per_second_per_ip": 1e12, "byte_burst_per_ip": 1e12,
 "max_connections_per_ip": 100000, "idle_timeout_seconds": 3600}
JSON
}

# one_server_scratch: a temporary directory in $work and an empty $pid; at exit the server in
# $pid (if any) is stopped and the directory removed.
one_server_scratch() {
  work=$(mktemp -d)
  pid=
  trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
}

# serve_advisor PREFIX COMMAND...: runs COMMAND (`advisor ... serve --port 0`, perhaps behind
# env or valgrind, which exec it) in the background, its output in PREFIX.out and PREFIX.log,
# and waits until it listens; sets $pid and $port. Exits the script when the server fails or
# does not listen within 60 s.
serve_advisor() {
  local prefix=$1
  shift
  "$@" >"$prefix.out" 2>"$prefix.log" &
  pid=$!
  for _ in $(seq 1200); do
    grep -q "listening on" "$prefix.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { echo "advisor serve ($prefix) failed:" >&2; cat "$prefix.log" >&2; exit 1; }
    sleep 0.05
  done
  port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$prefix.out" | head -1)
  [ -n "$port" ] || { echo "advisor serve ($prefix) did not listen within 60 s" >&2; kill "$pid"; exit 1; }
}
