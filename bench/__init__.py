"""Benchmarks of nnlab: ``python -m bench`` (see ``bench.__main__``). Timings live here, never
in the test suite."""
