"""strbuild: the decimal strings of 0..99,999 joined into one string;
the result is the string's length."""
from common import bench


def workload():
    return len("".join(map(str, range(100000))))


bench(workload)
