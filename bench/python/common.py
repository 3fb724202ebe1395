"""common.py — the timing protocol shared by the Python benchmarks.

bench(workload) runs workload once untimed (warm-up), then N times timed
with time.perf_counter (N = sys.argv[1], default 5), and prints
"result <value>" and "ms <t1> <t2> ...".
"""
import sys
import time


def bench(workload):
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    result = workload()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = workload()
        times.append((time.perf_counter() - t0) * 1000)
        assert r == result, "result changed between runs"
    print("result", result)
    print("ms", " ".join("%.3f" % t for t in times))
