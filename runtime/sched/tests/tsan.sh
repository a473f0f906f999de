#!/usr/bin/env bash
# Builds the IO/scheduler tests with ThreadSanitizer and runs them.
#   runtime/sched/tests/tsan.sh [BUILD_DIR]   (default build-tsan)
# Not run by ctest (a TSan build takes minutes on 2 cores). fiber_gc_test and
# fiber_overflow_test are skipped: Boehm's stop-the-world signals and the
# SIGSEGV guard handler do not work under TSan; TSan builds also drop the GC
# lock around switches (see gc_roots.h).
set -euo pipefail
cd "$(dirname "$0")/../../.."
build=${1:-build-tsan}
tests=(sched_test net_test many_fibers_test host_ops_test io_trigger_test io_c_abi_test host_loop_example)
cmake -S . -B "$build" -G Ninja -DATOLL_SANITIZE=thread >/dev/null
cmake --build "$build" -j2 --target "${tests[@]}"
status=0
for t in "${tests[@]}"; do
  exe=$(find "$build" -name "$t" -type f -perm -u+x | head -1)
  log="$build/$t.tsan.log"
  if TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$exe" >"$log" 2>&1; then
    echo "tsan: $t clean"
  else
    echo "tsan: $t FAILED (see $log)"
    status=1
  fi
done
exit $status
