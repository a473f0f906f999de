#!/usr/bin/env bash
# Runs tests/lang/threads/gc_manual_dirty.atl (built at -O2) many times under
# ATOLL_GC=manual with the test's settings, in the configurations where a
# rare failure was seen or could hide: ws with one marker (the segfault of
# docs/runtime-memory.md, "Manual dirty bits": 7 of 80 runs before the fix),
# ws with Boehm's default markers, threads with one marker. A run fails on a
# non-zero exit or output other than the test's. `make gc-stress`.
# Usage: runtime/gc/tests/manual_stress.sh [BUILD_DIR] [RUNS per configuration, 80]
set -uo pipefail
cd "$(dirname "$0")/../../.."
build=${1:-build}
runs=${2:-80}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=tests/lang/threads/gc_manual_dirty.atl
"$build/bin/atoll" build "$src" -O2 -o "$tmp/t" || exit 1
expected=$'rounds with wrong results: 0\nTrue'
failed=0
for config in "ws 1" "ws 0" "threads 1"; do
  read -r sched markers <<<"$config"
  bad=0
  for i in $(seq "$runs"); do
    extra=()
    [[ $markers != 0 ]] && extra=(ATOLL_GC_MARKERS="$markers")
    out=$(env ATOLL_SCHED="$sched" ATOLL_GC=manual ATOLL_GC_VERIFY=1 ATOLL_GC_INITIAL_MB=0 \
      ATOLL_GC_TIME_LIMIT_US=20 GC_FREE_SPACE_DIVISOR=12 "${extra[@]}" "$tmp/t" 2>"$tmp/err")
    rc=$?
    if [[ $rc -ne 0 || $out != "$expected" ]]; then
      bad=$((bad + 1))
      echo "ATOLL_SCHED=$sched markers=${markers/#0/default} run $i: exit $rc" >&2
      tail -n 3 "$tmp/err" >&2
    fi
  done
  echo "ATOLL_SCHED=$sched markers=${markers/#0/default}: $bad of $runs runs failed"
  failed=$((failed + bad))
done
exit $((failed > 0))
