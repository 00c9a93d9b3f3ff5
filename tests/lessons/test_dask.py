"""A search runs on a Dask cluster through ``Client.get_executor()``, with no change to nnlab."""

import pytest

from nnlab.config import TrainConfig

distributed = pytest.importorskip("distributed")
search = pytest.importorskip("nnlab.lessons.search")

BASE = TrainConfig(dataset="moons", n_samples=120, hidden_units=(6,), num_epochs=40)
POINTS = [{"learning_rate": r} for r in (0.01, 0.05, 0.2, 0.5)]


def _comparable(record):
    """A record without its wall-clock fields (they differ from run to run)."""
    return {k: v for k, v in dict(record).items()
            if "second" not in k and "time" not in k and k != "result"}


def test_search_on_a_local_dask_cluster_equals_the_serial_search():
    serial = search.run_search(BASE, POINTS)
    # Two in-process workers: a real scheduler and futures, without a slow process start-up.
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=None) as client:
        on_dask = search.run_search(BASE, POINTS, executor=client.get_executor())
    assert len(on_dask) == len(serial) == len(POINTS)
    for a, b in zip(serial, on_dask, strict=True):
        assert repr(_comparable(a)) == repr(_comparable(b))
