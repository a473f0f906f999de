#!/usr/bin/env bash
# Builds the concurrency tests with ThreadSanitizer and runs them:
#   runtime/sched/tests/tsan.sh [BUILD_DIR]   (default build-tsan)
# - the IO/scheduler doctests, mvar_test and rt_par_test;
# - every program of tests/lang/threads, compiled by the TSan build's atoll
#   against its instrumented runtime, on the schedulers its annotation names.
# Not run by ctest (a TSan build of the compiler takes long on 2 cores; `make
# sanitize` runs it). Collection is off (GC_DONT_GC=1): Boehm's stop-the-world
# signals and TSan do not mix, so the test of MVar reclamation is left out,
# and fiber_gc_test and fiber_overflow_test (Boehm signals, the SIGSEGV guard
# handler) are skipped: TSan builds check the schedulers' and MVars' own
# synchronisation, not the GC integration. The programs that keep 10^4 OS
# threads or 10^5 fibers alive, and the 10^6-round-trip ping-pong, are left
# out too (TSan's thread limit is 8128; its fibers are large and slow);
# ping_pong_threads covers the hand-off at 10^5 round trips.
set -euo pipefail
cd "$(dirname "$0")/../../.."
build=${1:-build-tsan}
tests=(sched_test net_test many_fibers_test host_ops_test io_trigger_test io_c_abi_test host_loop_example
       mvar_test rt_par_test)
cmake -S . -B "$build" -G Ninja -DATOLL_SANITIZE=thread >/dev/null
cmake --build "$build" -j2 --target "${tests[@]}" atoll
export GC_DONT_GC=1 TSAN_OPTIONS="halt_on_error=1 exitcode=66"
status=0
for t in "${tests[@]}"; do
  exe=$(find "$build" -name "$t" -type f -perm -u+x | head -1)
  log="$build/$t.tsan.log"
  args=()
  [ "$t" = mvar_test ] && args=(--test-case-exclude="*unreachable*")
  if "$exe" "${args[@]}" >"$log" 2>&1; then
    echo "tsan: $t clean"
  else
    echo "tsan: $t FAILED (see $log)"
    status=1
  fi
done
for f in tests/lang/threads/*.atl; do
  case "$(basename "$f")" in many_threads*|ping_pong.atl) continue ;; esac
  log="$build/$(basename "$f" .atl).tsan.log"
  if python3 tests/run_atl.py --atoll "$build/bin/atoll" "$f" >"$log" 2>&1; then
    echo "tsan: $f clean"
  else
    echo "tsan: $f FAILED (see $log)"
    status=1
  fi
done
exit $status
