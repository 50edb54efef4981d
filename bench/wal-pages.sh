#!/usr/bin/env bash
# Counts the WAL pages a commit writes, by table or index: a fresh `advisor serve` on its own
# data directory, TURNS closed-loop turns from 10 connections, the WAL copied before the server
# stops, its frames read (a 32-byte header, then per frame a 24-byte header: page number,
# database size after commit, which only commit frames set, and the two salts) and each page
# named from `dbstat`. Needs `sqlite3` (the CLI) and python3.
#   bench/wal-pages.sh [TURNS]   (default 4000; BUILD_DIR as in bench/run.sh, default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
turns=${1:-4000}
build=${BUILD_DIR:-build/release}
advisor=$build/bot/advisor
bench=$build/bench/advisor-bench
[ -x "$advisor" ] && [ -x "$bench" ] || { echo "build $build first (bench/run.sh builds it)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install sqlite3" >&2; exit 1; }
one_server_scratch
flood_config "$work/bench.json"
serve_advisor "$work/serve" env ADVISOR_LOG_LEVEL=warn "$advisor" --config "$work/bench.json" \
  --data-dir "$work/data" serve --port 0
"$bench" --port "$port" -c 10 -s 600 --max-turns "$turns" >"$work/bench.out"
cp "$work/data/advisor.db-wal" "$work/wal"
kill -TERM "$pid"
wait "$pid" || true
pid=
sqlite3 "$work/data/advisor.db" "select pageno, name from dbstat" >"$work/owners"
python3 - "$work/wal" "$work/owners" <<'PY'
import collections, struct, sys
wal = open(sys.argv[1], "rb").read()
_, _, page_size, _, salt1, salt2, _, _ = struct.unpack(">8I", wal[:32])
owner = dict((int(p), n) for p, n in (line.rstrip("\n").split("|") for line in open(sys.argv[2])))
frames = commits = 0
by_owner = collections.Counter()
offset = 32
while offset + 24 + page_size <= len(wal):
    page, size_after, s1, s2, _, _ = struct.unpack(">6I", wal[offset:offset + 24])
    if (s1, s2) != (salt1, salt2):
        break  # a frame left from before the WAL's last restart
    frames += 1
    commits += size_after != 0
    by_owner[owner.get(page, "?")] += 1
    offset += 24 + page_size
print(f"{frames} frames, {commits} commits, {frames / max(commits, 1):.2f} frames a commit")
for name, n in by_owner.most_common():
    if n / max(commits, 1) >= 0.005:
        print(f"  {name}: {n / commits:.2f} a commit")
PY
