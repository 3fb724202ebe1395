"""mfr: sum(filter(even, map(inc, v))) over a 1,000,000-element list, with
lazy map/filter iterators and lambdas, like Clojure's lazy seqs."""
from common import bench


def workload():
    v = list(range(1000000))
    return sum(filter(lambda x: x % 2 == 0, map(lambda x: x + 1, v)))


bench(workload)
