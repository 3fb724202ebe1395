"""map-build: fill a (mutable) dict with 100,000 entries i -> i*2, then sum
its values.  Python has no persistent map; a dict is its idiom."""
from common import bench


def workload():
    m = {}
    for i in range(100000):
        m[i] = i * 2
    return sum(m.values())


bench(workload)
