#!/usr/bin/env bash
# Scores a systemd unit with `systemd-analyze security --offline=yes` (no running systemd
# needed) and fails when its overall exposure is above the limit, or when it is not Type=notify.
#   unit_security.sh SYSTEMD_ANALYZE UNIT_FILE MAX_EXPOSURE
set -euo pipefail
analyze=$1 unit=$2 limit=$3
grep -qx 'Type=notify' "$unit" || { echo "$unit: not Type=notify" >&2; exit 1; }
out=$("$analyze" security --offline=yes --no-pager "$unit" 2>&1) || true
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
if [[ -z $score ]]; then
  echo "$out" >&2
  echo "systemd-analyze gave no overall exposure level" >&2
  exit 1
fi
echo "$unit: overall exposure $score (limit $limit)"
awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s <= l) }' || {
  grep '✗' <<<"$out" >&2
  echo "$unit: exposure $score is above $limit" >&2
  exit 1
}
