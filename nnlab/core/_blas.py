"""The BLAS thread count, for code that spreads its own work over the cores.

``nnlab.core.batched`` trains groups of configs in threads and ``nnlab.core.network`` splits a
layer's rows over two threads; meanwhile each BLAS call should use one thread. NumPy has no API
for this, so :func:`one_blas_thread` calls the OpenBLAS bundled in NumPy's wheel through
``ctypes`` (and does nothing if there is none: another BLAS keeps its own threads).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import glob
import os
import threading

import numpy as np


@functools.cache
def _blas_api():
    """``(get, set)`` thread counts of the OpenBLAS bundled in NumPy's wheel (ctypes), or None."""
    names = [("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
             ("openblas_get_num_threads", "openblas_set_num_threads")]
    for path in glob.glob(os.path.dirname(np.__file__) + ".libs/*openblas*"):
        with contextlib.suppress(OSError):
            lib = ctypes.CDLL(path)
            for get, set_ in names:
                if hasattr(lib, get) and hasattr(lib, set_):
                    return getattr(lib, get), getattr(lib, set_)
    return None


_BLAS = {"lock": threading.Lock(), "users": 0, "saved": None}


@contextlib.contextmanager
def one_blas_thread():
    """One OpenBLAS thread while this context lasts (nested and concurrent uses counted; the
    count is restored when the last one ends): for code that runs BLAS in its own threads,
    which would otherwise wait on each other or on BLAS's spinning workers."""
    api = _blas_api()
    if api is not None:
        with _BLAS["lock"]:
            if _BLAS["users"] == 0:
                _BLAS["saved"] = api[0]()
                api[1](1)
            _BLAS["users"] += 1
    try:
        yield
    finally:
        if api is not None:
            with _BLAS["lock"]:
                _BLAS["users"] -= 1
                if _BLAS["users"] == 0:
                    api[1](_BLAS["saved"])


def one_blas_thread_from_now() -> None:
    """One OpenBLAS thread for the rest of the process (the Streamlit server: ``nnlab.app``).

    A server runs its sessions' scripts side by side, and the browsers of its learners may run
    on the same cores. A BLAS call that waits for a second worker thread the cores are busy
    with (another session, a browser) waited tens of times its work: measured while one tab
    played Vanishing gradients on 2 cores, a 20-layer grid picture took 90 ms in the server
    and 7 ms alone. Parallel work is the app's own: ``nnlab.core.network`` splits a big
    layer over threads, and the batched runs train in threads.
    """
    api = _blas_api()
    if api is not None:
        with _BLAS["lock"]:
            if _BLAS["users"] == 0:
                api[1](1)
            _BLAS["saved"] = 1  # what the contexts running now restore when they end
