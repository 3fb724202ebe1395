"""loop: sum of 0..10,000,000 (exclusive) with a for loop over range."""
from common import bench


def workload():
    acc = 0
    for i in range(10000000):
        acc += i
    return acc


bench(workload)
