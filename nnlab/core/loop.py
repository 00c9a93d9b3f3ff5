"""The training loop, written once: a run object that steps.

::

    run = nnlab.start(config)   # data, parameters, optimizer state; epoch 0
    run.advance(50)             # up to 50 more epochs (fewer if it ends); returns run
    run.advance_batches(3)      # or mini-batch by mini-batch
    run.snapshot()              # a TrainResult so far: status, epoch, history, parameters
    run.done

``nnlab.train(config)`` is ``start(config)`` advanced to the end, and advancing in any chunks
gives the same run bit for bit: everything a step needs (parameters, optimizer state, random
generators, the mini-batches of the current epoch) lives in the run, and nothing else changes
it. A run trains one config, or K configs of one shape as a stack (``nnlab.core.batched``), each row
ending, diverging or early-stopping on its own.

Each epoch shuffles the training set into mini-batches (none with a full batch), and each
mini-batch is one forward pass, cost, backward pass and optimizer step of the backend: the fast
``nnlab.core.network.Network``, or ``nnlab.core.reference.Reference`` (the course-notation
functions, for
batch norm and as the specification). A cost that becomes NaN (or infinite, outside the course's
numerics) ends the run as ``diverged``; it never raises. Hooks are the only way to watch:
``on_epoch(info) -> bool`` (True stops the run) and ``on_batch(info)``.
"""

from __future__ import annotations

import contextlib
import math
import time

import numpy as np

from nnlab.core._blas import one_blas_thread
from nnlab.core.result import TrainResult
from nnlab.data import datasets as datamod
from nnlab.spec import schedules

MAX_EVALUATIONS = 200  # accuracies are evaluated at most this many times per run
EVAL_COLUMNS = ("train_accuracy", "dev_accuracy", "dev_cost")


def make_dataset(config):
    """The config's data set, drawn (or, for ``"custom"``, split) with
    ``RandomState(config.data_seed)``."""
    if config.dataset == "custom":
        X = np.array(config.custom_data[:2], dtype=float)
        Y = np.array(config.custom_data[2:], dtype=float)
        return datamod.dataset_from_arrays(X, Y, name="custom", fractions=config.fractions,
                                           normalize=config.normalize,
                                           rng=np.random.RandomState(config.data_seed))
    return datamod.load_dataset(
        config.dataset, n_samples=config.n_samples, noise=config.noise,
        n_classes=config.n_classes, fractions=config.fractions, normalize=config.normalize,
        rng=np.random.RandomState(config.data_seed))


def learning_rate_for_epoch(config, epoch: int) -> float:
    """Epoch 0 runs with ``learning_rate``; after epoch i the rate becomes ``decay(lr0, i)``."""
    if config.schedule == "constant" or epoch == 0:
        return config.learning_rate
    return schedules.learning_rate_at(
        config.schedule, config.learning_rate, epoch - 1, decay_rate=config.decay_rate,
        time_interval=config.time_interval, base=config.decay_base, k=config.k,
        drop=config.drop, epochs_drop=config.epochs_drop)


def early_stop_message(epoch: int, patience: int, best) -> str:
    """Why an early-stopped run ended; ``best`` is ``(dev cost, epoch, state)``."""
    return (f"Early stopping at epoch {epoch}: the dev cost has not improved for {patience} "
            f"epochs; kept the parameters of epoch {best[1]} (dev cost {best[0]:.4f}).")


def _row(value, k):
    return float(value[k]) if isinstance(value, np.ndarray) else float(value)


#: A run whose mini-batch times its widest layer is below this steps with one BLAS thread.
SMALL_PRODUCT = 1 << 16

class Run:
    """A training run that steps: one config, or a stack of K (see the module's docstring).

    Made by ``nnlab.start`` / ``nnlab.core.batched.start_batched``; not meant to be built by hand.

    Attributes
    ----------
    configs : list of TrainConfig (one, or the K of a stack)
    epoch : int, epochs completed
    done : bool, True once every row has ended (all epochs, diverged or stopped)
    seconds : float, wall time spent in ``start`` and ``advance`` (all rows together; a
        snapshot's ``TrainResult.seconds`` is its row's share, see ``row_seconds``)
    """

    def __init__(self, configs, data, net, *, shuffle_rng=None, eval_every=None,
                 on_epoch=None, on_batch=None, budget=None, started=None):
        self.configs, self.data, self.net = list(configs), data, net
        c = self.c = self.configs[0]
        self.K, self.stacked = len(self.configs), net.stacked
        self.E, self.m, self.patience = c.num_epochs, net.m, c.patience
        self.every = eval_every or max(1, self.E // MAX_EVALUATIONS)
        self.shuffle_rng = shuffle_rng if net.size < net.m else None
        self.shuffles = np.random.default_rng([c.seed, 1]) if net.size < net.m else None
        self.mask_rng = np.random.default_rng([c.seed, 2])
        self.on_epoch, self.on_batch, self.budget = on_epoch, on_batch, budget
        self.stable = c.numerics != "course"
        self.hist = {col: [] for col in ("epoch", "cost", "learning_rate") + EVAL_COLUMNS}
        self._norms = [self.hist.setdefault(f"grad_norm_{l}", []) for l in range(1, net.L + 1)]
        K = self.K
        self.nan = np.full(K, np.nan) if self.stacked else np.nan
        self.alive = np.ones(K, bool)
        self.epochs_run = [0] * K
        self.status, self.messages = ["running"] * K, [""] * K
        self.best = [(np.inf, None, None)] * K
        self.kept, self.final = [None] * K, [None] * K
        self.epoch, self.done = 0, False
        self.last_eval = None  # (epoch, train (accuracy, cost), dev (accuracy, cost))
        self._batches, self._bi, self._ce, self._l2, self._lr = None, 0, 0.0, 0.0, None
        self.constant = all(ck.schedule == "constant" for ck in self.configs)
        if self.constant:
            self._lr = (np.array([ck.learning_rate for ck in self.configs]) if self.stacked
                        else c.learning_rate)
        self.epoch_estimate = 0.0
        self.budget = None
        self.charge_to(budget)
        # a split layer's halves call BLAS from two threads: one BLAS thread each meanwhile;
        # and small products (a few examples a step through narrow layers) run faster on one:
        # BLAS's second thread only spins, and on a busy server waits for a core (measured: a
        # 64x4 network at mini-batches of 64, 2.7 s with two threads, 0.11 s with one)
        split = getattr(net, "split", None)
        dims = getattr(net, "dims", None)  # the fast network (the reference steps in NumPy)
        small = (dims is not None and not net.stacked
                 and net.size * max(dims[1:]) < SMALL_PRODUCT)
        self._blas = (one_blas_thread if small or (split and (split(net.size) or split(net.chunk)))
                      else contextlib.nullcontext)
        # with a constant learning rate and a full batch, every epoch is set up the same way
        # (when no budget is charged): keep its one mini-batch
        self._simple = net.batches(None) if self.constant and self.shuffles is None else None
        self._cols = [self.hist[k] for k in ("epoch", "cost", "learning_rate")]
        self._evals = [self.hist[k] for k in EVAL_COLUMNS]
        self._snap = None
        self.seconds = 0.0 if started is None else time.perf_counter() - started
        # each row's share of the wall time: a stack's rows step together, so a chunk's time
        # is split among the rows alive in it (a row that ended early stops counting)
        self.row_seconds = np.full(K, self.seconds / K)
        self._mark = None  # perf_counter when the time was last shared among the rows
        self._ended_last = np.ones(K, bool)

    # ------------------------------------------------------------------ stepping

    def charge_to(self, budget) -> Run:
        """Charge every epoch from now on to ``budget`` (an ``nnlab.core.budget.Budget``;
        None: no budget), e.g. one budget per click or per frame of a live page."""
        self.budget = budget
        if budget is not None:
            self.epoch_seconds_estimate()
        return self

    def epoch_seconds_estimate(self) -> float:
        """Seconds one epoch of this run is estimated to take (``nnlab.core.budget``)."""
        if not self.epoch_estimate:
            from nnlab.core.budget import estimate_seconds

            self.epoch_estimate = estimate_seconds(self.c, self.m, self.data.n_x,
                                                   K=self.K) / self.E
        return self.epoch_estimate

    @contextlib.contextmanager
    def _stepping(self):
        start = self._mark = time.perf_counter()
        # Overflow is an outcome here (a diverging run), detected and reported, not a warning.
        try:
            with self._blas(), np.errstate(over="ignore", invalid="ignore", divide="ignore",
                                           under="ignore"):
                yield
        finally:
            self._share_time()
            self.seconds += self._mark - start
            self._mark = None

    def _share_time(self) -> None:
        """Split the time since the last mark among the rows alive now (called when a chunk
        ends and before rows end); once none is, among the rows that ended last."""
        now = time.perf_counter()
        rows = self.alive if self.alive.any() else self._ended_last
        self.row_seconds[rows] += (now - self._mark) / max(1, rows.sum())
        self._mark = now

    def advance(self, epochs: int | None = None) -> Run:
        """Up to ``epochs`` more epochs (None: to the end); fewer if the run ends. A run left
        between mini-batches by :meth:`advance_batches` first completes that epoch (it counts
        as one). Returns the run."""
        n = self.E if epochs is None else _count("epochs", epochs)
        net, simple = self.net, (self._simple if self.budget is None else None)
        with self._stepping():
            while n > 0 and not self.done:
                if self._batches is None:
                    if simple:  # the same epoch again: no schedule, shuffle or budget
                        self._batches, self._bi, self._ce, self._l2 = simple, 0, 0.0, 0.0
                        net.begin_epoch()
                    elif not self._begin_epoch():
                        break
                batches, lr, rng, on_batch = self._batches, self._lr, self.mask_rng, self.on_batch
                ce, l2, m = self._ce, self._l2, self.m
                for i in range(self._bi, len(batches)):
                    batch = batches[i]
                    ce_b, l2_b = net.train_batch(batch, lr, rng)
                    ce, l2 = ce + ce_b, l2 + batch[0].shape[1] / m * l2_b
                    if on_batch is not None:
                        self._ce, self._l2, self._bi = ce, l2, i + 1
                        self._batch_hook(batch, ce_b, l2_b)
                self._ce, self._l2, self._bi = ce, l2, len(batches)
                self._end_epoch()
                n -= 1
        return self

    def advance_batches(self, n: int) -> Run:
        """Up to ``n`` more mini-batch steps (one step with a full batch is one epoch); each
        epoch ends as its last mini-batch is done. Returns the run."""
        n = _count("n", n)
        net = self.net
        with self._stepping():
            while n > 0 and not self.done:
                if self._batches is None and not self._begin_epoch():
                    break
                batch = self._batches[self._bi]
                ce_b, l2_b = net.train_batch(batch, self._lr, self.mask_rng)
                self._ce = self._ce + ce_b
                self._l2 = self._l2 + batch[0].shape[1] / self.m * l2_b
                self._bi += 1
                if self.on_batch is not None:
                    self._batch_hook(batch, ce_b, l2_b)
                if self._bi == len(self._batches):
                    self._end_epoch()
                n -= 1
        return self

    @property
    def steps_per_epoch(self) -> int:
        """Mini-batch steps (updates) in one epoch: ``ceil(m / mini_batch_size)``."""
        return -(-self.m // self.net.size)

    @property
    def steps(self) -> int:
        """Mini-batch steps (updates) made so far, including those of an unfinished epoch."""
        return self.epoch * self.steps_per_epoch + (self._bi if self._batches is not None
                                                    else 0)

    def _batch_hook(self, batch, ce, l2):
        b = batch[0].shape[1]
        self.on_batch({"epoch": self.epoch, "batch": self._bi - 1, "size": b, "cost": ce / b + l2,
                       "learning_rate": self._lr})

    def _begin_epoch(self) -> bool:
        """Set up epoch ``self.epoch``: budget, learning rate, mini-batches. False: stopped."""
        e = self.epoch
        if self.budget is not None:
            reason = self.budget.charge(self.epoch_estimate)
            if reason:
                self._end_rows(np.flatnonzero(self.alive), "stopped",
                               f"Stopped before epoch {e}: {reason}")
                return False
        if not self.constant:
            rates = [learning_rate_for_epoch(ck, e) for ck in self.configs]
            self._lr = np.array(rates) if self.stacked else rates[0]
        rng = None
        if self.shuffles is not None:
            rng = self.shuffle_rng(e) if self.shuffle_rng else self.shuffles
        self._batches, self._bi = self.net.batches(rng), 0
        self._ce = self._l2 = 0.0
        self.net.begin_epoch()
        return True

    def _end_epoch(self):
        net, e, m = self.net, self.epoch, self.m
        # The course averages one batch as (1/m) * sum and an epoch's total as total / m.
        cost = ((1.0 / m) * self._ce if len(self._batches) == 1 else self._ce / m) + self._l2
        h_epoch, h_cost, h_lr = self._cols
        h_epoch.append(e)
        h_cost.append(cost)
        h_lr.append(self._lr)
        for col, norm in zip(self._norms, net.grad_norms(), strict=True):
            col.append(norm)
        self.epoch, self._batches = e + 1, None
        if self.stacked or not (math.isfinite(cost) or (math.isinf(cost) and not self.stable)) \
                or not net.all_finite():
            self._check_divergence(cost)
        info = None
        if not self.done and (e % self.every == 0 or e == self.E - 1 or self.patience):
            info = self._evaluate(e)
        else:
            nan = self.nan
            for col in self._evals:
                col.append(nan)
        if self.patience:
            for k in np.flatnonzero(self.alive):
                best = self.best[k]
                if best[1] is not None and e - best[1] >= self.patience:
                    self._end_rows([k], "stopped", early_stop_message(e, self.patience, best),
                                   kept=best[2])
        if self.on_epoch is not None and not self.done:
            info = info or {}
            info.update(epoch=e, num_epochs=self.E, cost=cost, learning_rate=self._lr)
            if not self.stacked:
                info["parameters"] = net.state()[0]
            if self.on_epoch(info):
                self._end_rows(np.flatnonzero(self.alive), "stopped",
                               f"Stopped at epoch {e} by request.")
        if e == self.E - 1 and not self.done:
            self._end_rows(np.flatnonzero(self.alive), "ok", "")

    def _check_divergence(self, cost):
        net, e = self.net, self.epoch - 1
        if self.stacked:
            if math.isfinite(cost.sum()) and net.all_finite():
                return
            bad = np.isnan(cost) | (np.isinf(cost) & self.stable)
            rows = np.flatnonzero(self.alive & (bad | ~net.rows_finite()))
        else:
            bad = [math.isnan(cost) or (math.isinf(cost) and self.stable)]
            if not bad[0] and net.all_finite():
                return
            rows = [0]
        for k in rows:
            what = (f"the cost became {_row(cost, k)}" if bad[k]
                    else "the parameters overflowed")
            self._end_rows([k], "diverged",
                           f"Diverged after {e + 1} epochs (in epoch {e} of the axis, which "
                           f"counts from 0): {what}. Try a smaller learning rate (it "
                           f"was {_row(self._lr, k):g}) or smaller starting weights.",
                           kept=net.state(k, prev=True))

    def _evaluate(self, e):
        """Accuracies and dev cost after epoch ``e``, into the history (NaN for ended rows)."""
        net, h, alive = self.net, self.hist, self.alive
        dev = net.evaluate("dev") if self.data.m_dev else (self.nan, self.nan)
        train = net.evaluate("train")  # last: its buffers may double as the next forward pass
        self.last_eval = (e, train, dev)
        values = (train[0], dev[0], dev[1])
        if self.stacked:
            values = [np.where(alive, v, np.nan) for v in values]
        for key, v in zip(EVAL_COLUMNS, values, strict=True):
            h[key].append(v)
        if self.patience:
            for k in np.flatnonzero(alive):
                if _row(dev[1], k) < self.best[k][0]:
                    self.best[k] = (_row(dev[1], k), e, net.state(k))
        return {"train_accuracy": values[0], "dev_accuracy": values[1], "dev_cost": values[2]}

    def _end_rows(self, rows, status, message, kept=None):
        """End ``rows`` (diverged, stopped or ok) and fix their final metrics: of the kept
        state if given, else of the parameters as they are."""
        rows = [int(k) for k in rows if self.alive[k]]
        if not rows:
            return
        if self._mark is not None:
            self._share_time()
        self._ended_last = np.isin(np.arange(self.K), rows)
        for k in rows:
            self.alive[k] = False
            self.epochs_run[k] = self.epoch
            self.status[k], self.messages[k] = status, message
            if kept is not None:
                self.kept[k] = kept
                self.net.restore(kept, k)
        metrics = self._metrics(reuse=kept is None)
        for k in rows:
            self.final[k] = {key: _row(v, k) for key, v in metrics.items()}
            if status == "ok":
                self.messages[k] = (f"Trained {self.E} epochs: train accuracy "
                                    f"{self.final[k]['train_accuracy']:.3f}, dev accuracy "
                                    f"{self.final[k]['dev_accuracy']:.3f}.")
        self.done = not self.alive.any()

    def _metrics(self, reuse):
        """Train/dev/test accuracy and cost (NaN for an empty set) of the parameters as they
        are; the last evaluation stands for train and dev if it saw these parameters."""
        net, data = self.net, self.data
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            if reuse and self.last_eval is not None and self.last_eval[0] == self.epoch - 1:
                train, dev = self.last_eval[1:]
            else:
                train = net.evaluate("train")
                dev = net.evaluate("dev") if data.m_dev else (self.nan, self.nan)
            test = net.evaluate("test") if data.m_test else (self.nan, self.nan)
        return {"train_accuracy": train[0], "train_cost": train[1], "dev_accuracy": dev[0],
                "dev_cost": dev[1], "test_accuracy": test[0], "test_cost": test[1]}

    # ------------------------------------------------------------------ results

    def snapshot(self) -> TrainResult:
        """The run so far as a ``TrainResult`` (status ``running`` until it ends); one
        config's run only (a stack has :meth:`snapshots`). Never changes the run."""
        if self.stacked:
            raise ValueError("a stacked run has one result per config: use snapshots()")
        return self.snapshots()[0]

    def snapshots(self) -> list[TrainResult]:
        """One ``TrainResult`` per config of the run so far (see :meth:`snapshot`)."""
        key = (self.epoch, self._bi if self._batches is not None else 0)
        if self._snap is not None and self._snap[0] == key:
            return self._snap[1]
        cols = {k: np.asarray(v, dtype=float) for k, v in self.hist.items()}
        current = None
        if self.alive.any():
            with self._blas():
                current = self._metrics(reuse=self._batches is None)
        results = []
        for k, ck in enumerate(self.configs):
            n = self.epochs_run[k] if not self.alive[k] else self.epoch
            history = {name: (col[:n, k] if col.ndim == 2 else col[:n]).copy()
                       for name, col in cols.items()}
            if not self.stacked and n == 0:
                history = {name: np.zeros(0) for name in cols}
            params, bn_state = self.kept[k] if self.kept[k] is not None else self.net.state(k)
            if self.alive[k]:
                metrics = {key: _row(v, k) for key, v in current.items()}
                message = f"Epoch {self.epoch} of {self.E}"
                if self._batches is not None:
                    message += f", mini-batch {self._bi} of {len(self._batches)}"
                status = "running"
            else:
                metrics, status, message = self.final[k], self.status[k], self.messages[k]
            best = self.best[k][1] if self.patience else None
            results.append(TrainResult(ck, params, bn_state, history, status, message,
                                       float(self.row_seconds[k]), int(n), best, dict(metrics),
                                       update_rule=getattr(self.net, "rule", ""),
                                       backend=f"{type(self.net).__module__}."
                                               f"{type(self.net).__qualname__}"))
        self._snap = (key, results)
        return results


def _count(name, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    return int(value)
