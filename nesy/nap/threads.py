"""One BLAS thread for verification: its matrices are small (a batch of tens of points times a
layer of tens to hundreds of neurons), and on a busy machine OpenBLAS's worker threads spin-wait
for cores; measured on the 64-100-100-10 digits network with other work running, a query's numpy
forward passes took 30 ms each with the default thread pool and 0.2 ms with one thread."""
from __future__ import annotations

import functools
import threading
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)


_active = threading.local()


def single_blas_thread(function: F) -> F:
    """Run `function` with BLAS (numpy / scipy) limited to one thread; nested calls reuse the outer
    limit (setting one costs ~3 ms, as much as a whole easy query)."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if getattr(_active, "limited", False):
            return function(*args, **kwargs)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            _active.limited = True
            try:
                return function(*args, **kwargs)
            finally:
                _active.limited = False
    return wrapper  # type: ignore[return-value]
