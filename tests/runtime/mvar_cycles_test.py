#!/usr/bin/env python3
"""MVar cycles are reclaimed: builds mvar_cycles.atl (100,000 MVars whose
contents reach their own handle), runs it with ATOLL_GC_STATS=json on every
scheduler, and checks that at least 90% of them were freed as cycles before
exit and that the peak resident size stayed bounded (a leak of every cycle
would be ~15 MB more; the bound, 48 MB, is three times what a run takes)."""
import json
import os
import subprocess
import sys
import tempfile

CREATED = 100_000
RSS_LIMIT_KB = 48 * 1024


def main() -> int:
    atoll = sys.argv[1]
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mvar_cycles.atl")
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "cycles")
        subprocess.run([atoll, "build", "-O2", src, "-o", exe], check=True)
        failures = []
        for sched in ["ws", "threads", "loop"]:
            out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
            with open(out, "w") as o, open(err, "w") as e:
                proc = subprocess.Popen([exe], stdout=o, stderr=e,
                                        env={**os.environ, "ATOLL_GC_STATS": "json", "ATOLL_SCHED": sched})
                _, status, usage = os.wait4(proc.pid, 0)
            rss = usage.ru_maxrss
            stdout, stderr = open(out).read(), open(err).read()
            if os.waitstatus_to_exitcode(status) != 0 or stdout.strip() != "done":
                failures.append(f"{sched}: status {status}\n{stderr}")
                continue
            stats = json.loads(stderr.strip().splitlines()[-1])["mvars"]
            freed = stats["freed_in_cycle"]
            print(f"{sched}: created {stats['created']}, freed in cycles {freed}, peak RSS {rss} KB")
            if stats["created"] != CREATED:
                failures.append(f"{sched}: created {stats['created']}, expected {CREATED}")
            if freed < CREATED * 9 // 10:
                failures.append(f"{sched}: only {freed} of {CREATED} cycles were freed")
            if rss > RSS_LIMIT_KB:
                failures.append(f"{sched}: peak RSS {rss} KB over {RSS_LIMIT_KB} KB")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
