#!/usr/bin/env bash
# The IO stress cases at full size on every scheduler x backend available
# (`make stress`; not part of ctest): 100,000 fibers alive at once and an
# echo server with 1,000 clients x 10 MB each, checksummed, on loopback.
#   runtime/sched/tests/stress.sh [BUILD_DIR]        (default build)
# Each case runs in its own process (io_stress), so every per-fiber memory
# figure is measured from a cold stack pool, and the descriptor count is the
# process's own. Checks: all fibers finish at the peak; all checksums match
# and every byte arrives; no watch left; open descriptors equal before/after.
# Bounded: each process is killed after STRESS_LIMIT_S seconds (default 420).
#   STRESS_ECHO_BACKENDS="epoll uring"  run the full echo only on these
#                                       backends (default: all available)
# Prints a markdown table; exits 1 if any case failed or timed out.
set -uo pipefail
cd "$(dirname "$0")/../../.."
build=${1:-build}
bin=$build/runtime/sched/io_stress
[ -x "$bin" ] || cmake --build "$build" --target io_stress || exit 1
limit=${STRESS_LIMIT_S:-420}
echo_backends=${STRESS_ECHO_BACKENDS:-}

pid_max=$(cat /proc/sys/kernel/pid_max)
echo "io stress: $(nproc) cores, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC'), limit ${limit} s per case"
echo "threads scheduler: one OS thread per fiber, so 10,000 fibers there, not 100,000"
echo "(kernel.pid_max is $pid_max and each thread takes 2 mappings of vm.max_map_count"
echo " $(cat /proc/sys/vm/max_map_count); 10,000 leaves room for the machine's other processes)."
[ -n "$echo_backends" ] && echo "full echo only on: $echo_backends (STRESS_ECHO_BACKENDS)"
echo
echo "| config | case | result |"
echo "|---|---|---|"
status=0
start=$SECONDS
row() {  # row CONFIG CASE ARGS...
  local cfg=$1 what=$2 out rc
  shift 2
  out=$(ATOLL_STRESS_LIMIT_S=$limit timeout -s KILL $((limit + 30)) "$bin" "$@" </dev/null 2>&1 | tr '\n' ' ')
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || { status=1; [ "$rc" -eq 137 ] && out="FAIL killed after $((limit + 30)) s $out"; }
  echo "| $cfg | $what | ${out% } |"
}
while read -r s b; do
  if [ "$s" = threads ]; then many="10,000 fibers (threads)"; else many="100,000 fibers"; fi
  row "$s/$b" "$many" "$s" "$b" many
done < <("$bin" list)
while read -r s b; do
  if [ -n "$echo_backends" ] && [[ " $echo_backends " != *" $b "* ]]; then
    echo "| $s/$b | echo 1,000 x 10 MB | skipped (STRESS_ECHO_BACKENDS) |"
    continue
  fi
  row "$s/$b" "echo 1,000 x 10 MB" "$s" "$b" echo 1000 10
done < <("$bin" list)
echo
echo "io stress: $([ $status -eq 0 ] && echo "all passed" || echo "FAILURES") in $((SECONDS - start)) s"
exit $status
