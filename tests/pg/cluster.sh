#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (CTest fixture pg_cluster).
#   cluster.sh start STATE_FILE BIN_DIR   initdb + pg_ctl in a new temp dir, Unix socket only;
#                                         writes the socket directory to STATE_FILE
#   cluster.sh stop STATE_FILE BIN_DIR    stops it (immediate) and removes the directory
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
set -euo pipefail
action=$1 state=$2 bin=$3

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  [[ -f $state ]] || return 0
  local dir
  dir=$(cat "$state")
  if [[ -n $dir && -d $dir/data ]]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [[ $dir == /tmp/advisor-pg.* ]] && rm -rf "$dir"
  rm -f "$state"
}

case $action in
  start)
    stop  # a cluster a killed run left behind
    dir=$(mktemp -d /tmp/advisor-pg.XXXXXX)
    chmod 755 "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$dir"; fi
    echo "$dir" >"$state"
    # No fsync: these clusters live for one test run; a crash of the server is not under test
    # (the advisor is killed, PostgreSQL is not).
    as_pg "$bin/initdb" -D "$dir/data" -U advisor -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "PostgreSQL test cluster at $dir"
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: $0 start|stop STATE_FILE BIN_DIR" >&2
    exit 2
    ;;
esac
