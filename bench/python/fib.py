"""fib: naive doubly recursive fib(27)."""
from common import bench


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


bench(lambda: fib(27))
