"""Every page's heaviest clicks at their worst settings: CPU seconds per click against the cap.

``python -m bench.clicks`` drives every page with Streamlit's ``AppTest`` in this process: it
opens the page, turns its knobs to their maxima (most epochs, most examples, batch size 1, the
deepest and widest network, the most trials) and presses its heavy buttons (Finish, "Train the
curves", "Reproduce the assignment", "Run search", ...), then the same at the largest setting
the cost model accepts (just under the cap: there the estimate's error is what counts). Every
script run is one click; for each it prints the CPU seconds of the whole process (NumPy's BLAS
threads included), the wall seconds, and what the app did: ``done``, ``refused`` (a run
estimated over what is left of the budget was not started, and the page said so: a correct
outcome, cheap when it comes first) or ``stopped`` (the budget ran out in the loop). A click is
``OVER`` when it took more than :data:`SLACK` times the cap in CPU seconds.

``--max-seconds S`` sets ``NNLAB_MAX_SECONDS`` (the cap of one click; 30 s by default) before
nnlab is imported: ``--max-seconds 5`` is a quicker run of the same clicks. ``--pages 11 31``
runs only the pages whose file name contains one of the words; ``--json`` prints one object.
Run it on an idle machine (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: A click may take this many times the cap (the cap bounds the estimate, which errs).
SLACK = 1.5
#: Widget kinds searched for a key (AppTest finds widgets by kind).
KINDS = ("button", "checkbox", "toggle", "slider", "select_slider", "number_input", "text_input",
         "selectbox", "multiselect", "radio", "segmented_control")
#: Share of the cap the "largest accepted" settings aim at (under it, so the app accepts them).
NEAR_CAP = 0.9


@dataclass
class Click:
    """One script run: ``action(at)`` sets widgets or presses a button before it."""

    name: str
    settings: str
    action: Callable | None = None


def widget(at, key: str):
    """The widget of ``at`` with this key, whatever its kind."""
    for kind in KINDS:
        for element in at.get(kind):
            if element.key == key:
                return element
    raise KeyError(f"no widget with key {key!r}")


def knobs(**values) -> Callable:
    """An action that sets each widget ``key=value`` (one script run for all of them)."""
    def action(at):
        for key, value in values.items():
            widget(at, key).set_value(value)
    return action


def press(key: str) -> Callable:
    """An action that clicks the button ``key``."""
    return lambda at: widget(at, key).click()


def then(*actions) -> Callable:
    """Several actions before one script run."""
    def action(at):
        for a in actions:
            a(at)
    return action


# ------------------------------------------------------------------ largest accepted settings


def largest_under(cap: float, candidates, estimate) -> tuple:
    """The candidate whose ``estimate(candidate)`` is largest but at most ``NEAR_CAP * cap``
    (the smallest one if none fits), and its estimate."""
    scored = sorted(((estimate(c), c) for c in candidates), key=lambda s: s[0])
    fits = [s for s in scored if s[0] <= NEAR_CAP * cap]
    est, best = fits[-1] if fits else scored[0]
    return best, est


def _hidden(text: str) -> tuple:
    from nnlab.app.widgets import parse_hidden_units

    return parse_hidden_units(text)


def near_cap_curves(cap: float):
    """Train/dev/test: hidden units and epochs whose "Train the curves" sweep is estimated just
    under the cap (2,000 examples, train 90 %)."""
    from nnlab.app.bias_variance import curves_estimate
    from nnlab.app.widgets import EPOCHS
    from nnlab.config import TrainConfig

    base = TrainConfig(dataset="moons", n_samples=2000, noise=0.2, optimizer="adam",
                       learning_rate=0.01, fractions=(0.9, 0.05, 0.05))
    candidates = [(h, e) for h in ("64*50", "16*50", "512*4", "64*10", "64*4", "50,50")
                  for e in EPOCHS]
    return largest_under(cap, candidates, lambda c: curves_estimate(
        base.replace(hidden_units=_hidden(c[0]), num_epochs=c[1])))


def near_cap_regularization(cap: float):
    """Regularization, the assignment's setting (30,000 epochs): the deepest network of 20
    units whose seven runs (four variants, two dropout masks, early stopping) fit the cap."""
    from nnlab import course
    from nnlab.app.regularization import BASE
    from nnlab.core.budget import estimate_seconds, expected_train_size

    def seven(depth):
        c = BASE.replace(hidden_units=(20,) * depth, **course.REGULARIZATION_SETTINGS)
        return 7 * estimate_seconds(c, expected_train_size(c))

    return largest_under(cap, list(range(1, 51)), seven)


def near_cap_symmetry(cap: float):
    """Initialization: hidden units and epochs whose symmetry view (three runs) is estimated
    just under the cap (2,000 circles)."""
    from nnlab.app.widgets import EPOCHS
    from nnlab.config import TrainConfig
    from nnlab.core.budget import estimate_seconds, expected_train_size

    base = TrainConfig(dataset="circles", n_samples=2000, noise=0.05, optimizer="gd",
                       learning_rate=0.05)

    def three(c):
        config = base.replace(hidden_units=_hidden(c[0]), num_epochs=c[1])
        return 3 * estimate_seconds(config, expected_train_size(config))

    return largest_under(cap, [(h, e) for h in ("512*4", "64*10", "64*4", "10,5")
                               for e in EPOCHS], three)


def near_cap_tf(cap: float):
    """TensorFlow: the number of examples and epochs (64*4, batch size 1) whose nnlab run is
    estimated just under the cap: the TensorFlow twin then takes the same steps."""
    from nnlab.config import TrainConfig
    from nnlab.core.budget import estimate_seconds, expected_train_size

    base = TrainConfig(dataset="moons", hidden_units=(64,) * 4, optimizer="adam",
                       learning_rate=0.01, mini_batch_size=1)

    def one(c):
        config = base.replace(n_samples=c[0], num_epochs=c[1])
        return estimate_seconds(config, expected_train_size(config))

    return largest_under(cap, [(n, e) for n in (100, 300, 500, 1000, 2000)
                               for e in (5, 10, 20, 50, 100, 200, 300)], one)


def near_cap_minibatch(cap: float):
    """Mini-batches, sizes 1, 2, 4 and 8: the examples and epochs whose runs (each trained,
    then recorded update by update) are estimated just under the cap."""
    from nnlab.app.minibatches import BASE
    from nnlab.core.budget import estimate_seconds, expected_train_size

    def runs(c):
        config = BASE.replace(n_samples=c[0], num_epochs=c[1])
        m = expected_train_size(config)
        return 2 * sum(estimate_seconds(config.replace(mini_batch_size=b), m)
                       for b in (1, 2, 4, 8))

    return largest_under(cap, [(n, e) for n in range(100, 2001, 100)
                               for e in (5, 10, 20, 50, 100, 200)], runs)


# ------------------------------------------------------------------------------ the pages


def pages(cap: float) -> dict:
    """Page file -> its clicks, in order (each page runs in one fresh session)."""
    curves, curves_est = near_cap_curves(cap)
    depth, reg_est = near_cap_regularization(cap)
    sym, sym_est = near_cap_symmetry(cap)
    tf, tf_est = near_cap_tf(cap)
    mb, mb_est = near_cap_minibatch(cap)
    deep = "512*50"
    return {
        "11_Train_dev_test.py": [
            Click("open", "defaults"),
            Click("Train the curves", "defaults: 14 runs", knobs(tdt_curves=True)),
            Click("knobs to max, curves on", f"2000 examples, train 90%, {deep}, 10000 "
                  "epochs", knobs(tdt_n_samples=2000, tdt_train_pct=90, tdt_dev_pct=5,
                                  tdt_hidden_units=deep, tdt_num_epochs=10000)),
            Click("Finish", "the same", press("tdt_live_finish")),
            Click("knobs, curves on", "8*50, 10000 epochs (the issue's)",
                  knobs(tdt_hidden_units="8*50")),
            Click("Train the curves (again)", "the same", knobs(tdt_curves=True)),
            Click("knobs, curves on", f"{curves[0]}, {curves[1]} epochs: 14 runs est. "
                  f"{curves_est:.1f} s", knobs(tdt_hidden_units=curves[0],
                                               tdt_num_epochs=curves[1])),
            Click("Train the curves (again)", "the same", knobs(tdt_curves=True)),
            Click("Finish", "the same", press("tdt_live_finish")),
        ],
        "12_Initialization.py": [
            Click("open", "defaults"),
            Click("Reproduce the assignment", "3 runs x 15000 iterations",
                  press("init_reproduce")),
            Click("knobs to max", f"2000 examples, {deep}, 10000 epochs",
                  knobs(init_n_samples=2000, init_hidden_units=deep, init_num_epochs=10000)),
            Click("Finish", "the same", press("init_live_finish")),
            Click("knobs", f"{sym[0]}, {sym[1]} epochs (symmetry est. {sym_est:.1f} s)",
                  knobs(init_hidden_units=sym[0], init_num_epochs=sym[1])),
            Click("Finish", "the same", press("init_live_finish")),
        ],
        "13_Regularization.py": [
            Click("open", "defaults"),
            Click("assignment's setting", "football, 20,3, 30000 epochs: 7 runs",
                  knobs(reg_course=True)),
            Click("Finish", "the same", press("reg_live_finish")),
            Click("knobs, assignment's", f"20*{depth}, 30000 epochs (7 runs est. "
                  f"{reg_est:.1f} s)", knobs(a_hidden_units=f"20*{depth}")),
            Click("moons", "the same on moons", knobs(d_dataset="moons")),
            Click("knobs to max", f"moons 2000, {deep}, 30000 epochs, patience 10000",
                  knobs(d_n_samples=2000, a_hidden_units=deep, reg_patience=10000)),
            Click("Finish", "the same", press("reg_live_finish")),
        ],
        "14_Vanishing_gradients.py": [
            Click("open", "defaults"),
            Click("knobs to max", "L=100, 60 x 128, 2000 examples, 1000 epochs",
                  knobs(linear_depth=100, depth=60, width=128, d_n_samples=2000,
                        t_epochs=1000)),
            Click("Finish", "the same", press("van_live_finish")),
        ],
        "15_Normalizing_inputs.py": [
            Click("open", "defaults"),
            Click("knobs to max", "scale 100, 200 steps, 10000 epochs",
                  knobs(n_scale=100, n_steps=200, n_num_epochs=10000)),
        ],
        "16_Gradient_checking.py": [
            Click("open", "defaults"),
            Click("knobs to max", "32*6 softmax, sign error, lambd 10",
                  knobs(g_hidden_units="32*6", g_output="softmax", g_bug="sign_error",
                        g_lambd=10.0)),
            Click("course's checks", "the same", knobs(g_course=True)),
        ],
        "21_Mini_batches.py": [
            Click("open", "defaults"),
            Click("knobs to max", "2000 examples, 200 epochs, sizes 1, 2, 4, 8",
                  knobs(mb_n_samples=2000, mb_num_epochs=200, mb_sizes=[1, 2, 4, 8])),
            Click("Finish", "the same", press("mb_live_finish")),
            Click("knobs", f"{mb[0]} examples, {mb[1]} epochs, sizes 1, 2, 4, 8 (est. "
                  f"{mb_est:.1f} s)", knobs(mb_n_samples=mb[0], mb_num_epochs=mb[1])),
            Click("Finish", "the same", press("mb_live_finish")),
        ],
        "22_Averages.py": [
            Click("open", "defaults"),
            Click("knobs to max", "120 days, beta 0.999, bias correction",
                  knobs(ewa_zoom=120, ewa_beta=0.999, ewa_bias_correction=True)),
        ],
        "23_Optimizers.py": [
            Click("open", "defaults"),
            Click("Reproduce the assignment", "3 runs x 5000 epochs", press("opt_course_run")),
            Click("knobs to max", "batch size 1, 2000 epochs",
                  knobs(opt_mini_batch_size=1, opt_num_epochs=2000)),
            Click("Finish", "the same", press("opt_live_finish")),
        ],
        "24_Loss_landscapes.py": [
            Click("open", "defaults"),
            Click("knobs to max", "Rosenbrock, 500 steps",
                  knobs(ll_preset="Rosenbrock valley", ll_steps=500)),
            Click("Finish", "the same", press("ll_live_finish")),
        ],
        "25_Learning_rate_decay.py": [
            Click("open", "defaults"),
            Click("Reproduce the assignment", "4 runs x 5000 epochs",
                  press("decay_course_button")),
            Click("knobs to max", "adam, batch size 1, 3000 epochs, 4 schedules",
                  knobs(lr_optimizer="adam", lr_mini_batch_size=1, lr_num_epochs=3000,
                        lr_schedules=["inverse_time", "inverse_time_interval", "exponential",
                                      "inverse_sqrt"])),
            Click("Finish", "the same", press("lr_live_finish")),
        ],
        "31_Hyperparameter_search.py": [
            Click("open", "defaults"),
            Click("Run search", "7 knobs, 64 trials per method, 300 epochs",
                  then(knobs(hs_knobs=["learning_rate", "beta", "units", "layers", "keep_prob",
                                       "lambd", "mini_batch_size"], hs_budget=64,
                             hs_epochs=300),
                       press("FormSubmitter:hs_form-Run search"))),
            Click("Run search again", "the same (resumes)",
                  press("FormSubmitter:hs_form-Run search")),
            Click("Zoom in", "the same", press("hs_zoom_in")),
            Click("Zoom in", "the same, zoom 2", press("hs_zoom_in")),
            Click("Zoom in", "the same, zoom 3", press("hs_zoom_in")),
            Click("panda: more epochs", "the same", press("hs_panda_more")),
        ],
        "32_Batch_norm.py": [
            Click("open", "defaults"),
            Click("knobs to max", "max layers and units, batch size 1, 300 epochs, 4 rates",
                  knobs(bn_hidden_units=_bn_max(), bn_mini_batch_size=1, bn_num_epochs=300,
                        bn_rates=[0.01, 0.1, 3.0, 10.0])),
            Click("Finish", "the same", press("bn_live_finish")),
        ],
        "33_Softmax.py": [
            Click("open", "defaults"),
            Click("knobs to max", "10 classes, 64*3, 3000 epochs",
                  knobs(sm_n_classes=10, sm_hidden_units="64*3", sm_num_epochs=3000)),
            Click("Finish", "the same", press("sm_live_finish")),
        ],
        "40_Challenges.py": [
            Click("open", "defaults (the first challenge)"),
            Click("Finish", "a 20-layer network, 200 epochs", press("ch_deep_init_finish")),
            Click("another challenge", "batch norm's", knobs(open_pick="batch_norm")),
            Click("Finish", "the same: two runs", press("ch_batch_norm_finish")),
        ],
        "34_TensorFlow.py": [
            Click("open", "defaults"),
            Click("knobs to max", "2000 examples, 64*4, batch size 1, 300 epochs",
                  knobs(tf_n_samples=2000, tf_hidden_units="64*4", tf_mini_batch_size=1,
                        tf_num_epochs=300)),
            Click("Train with TensorFlow", "the same", press("tf_run")),
            Click("knobs", f"{tf[0]} examples, 64*4, batch size 1, {tf[1]} epochs (nnlab est. "
                  f"{tf_est:.1f} s)", knobs(tf_n_samples=tf[0], tf_num_epochs=tf[1])),
            Click("Train with TensorFlow", "the same", press("tf_run")),
        ],
    }


def _bn_max() -> str:
    from nnlab.app.batchnorm_page import MAX_LAYERS, MAX_UNITS

    return f"{MAX_UNITS}*{MAX_LAYERS}"


# ------------------------------------------------------------------------------ measuring


def outcome(at) -> str:
    """What the app did in the last script run, from what it shows."""
    if at.exception:
        return "error: " + str(at.exception[0].value).splitlines()[0][:60]
    texts = [e.value if hasattr(e, "value") else e.body
             for kind in ("error", "warning", "info") for e in at.get(kind)]
    if any(t.startswith("Hidden units:") for t in texts):
        return "bad input"  # the settings were not taken: fix the bench's click
    if any("this server allows" in t for t in texts):
        return "refused"
    if any("compute budget" in t or "stopped before its end" in t or "Paused after" in t
           for t in texts):
        return "stopped"
    return "done"


def measure_page(script: str, clicks: list, cap: float, timeout: float, log) -> list[dict]:
    """Run ``clicks`` on a fresh session of ``pages/<script>``, caches cleared first."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / script), default_timeout=timeout)
    rows = []
    for click in clicks:
        try:
            if click.action is not None:
                click.action(at)
        except KeyError as exc:  # a widget the page does not show (e.g. stopped above it)
            rows.append(_row(script, click, None, None, cap, f"skipped: {exc}"))
            log(format_row(rows[-1]))
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            at.run()
            what = outcome(at)
        except Exception as exc:  # noqa: BLE001 - a timeout is a finding, not a crash
            what = f"error: {type(exc).__name__}: {str(exc)[:60]}"
        row = _row(script, click, time.process_time() - cpu, time.perf_counter() - wall, cap,
                   what)
        rows.append(row)
        log(format_row(row))
    return rows


def _row(script, click, cpu, wall, cap, what) -> dict:
    """One line of the table (``cpu`` None: the click could not be made)."""
    verdict = "" if cpu is None else ("under" if cpu <= SLACK * cap else "OVER")
    return {"page": script.removesuffix(".py"), "click": click.name, "settings": click.settings,
            "cpu_s": cpu, "wall_s": wall, "cap_s": cap, "outcome": what, "verdict": verdict}


HEADER = (f"{'page':26} {'click':26} {'settings':58} {'CPU s':>7} {'wall s':>7} {'cap':>5} "
          f"{'outcome':9} verdict")


def format_row(r: dict) -> str:
    """A row of the table as printed."""
    cpu = "" if r["cpu_s"] is None else f"{r['cpu_s']:.2f}"
    wall = "" if r["wall_s"] is None else f"{r['wall_s']:.2f}"
    return (f"{r['page'][:26]:26} {r['click'][:26]:26} {r['settings'][:58]:58} {cpu:>7} "
            f"{wall:>7} {r['cap_s']:>5g} {r['outcome']:9} {r['verdict']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.clicks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="the cap of one click (sets NNLAB_MAX_SECONDS; default: the "
                             "environment's, else 30)")
    parser.add_argument("--pages", nargs="*", default=None, metavar="WORD",
                        help="only the pages whose file name contains one of these")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.max_seconds is not None:
        os.environ["NNLAB_MAX_SECONDS"] = repr(args.max_seconds)  # read by every new Budget
    from nnlab.core.budget import max_seconds

    cap = max_seconds()
    timeout = min(3600.0, max(120.0, 20 * cap))
    log = (lambda line: None) if args.json else print
    log(HEADER)
    rows = []
    for script, clicks in pages(cap).items():
        if args.pages and not any(word in script for word in args.pages):
            continue
        rows += measure_page(script, clicks, cap, timeout, log)
    over = [r for r in rows if r["verdict"] == "OVER" or r["outcome"].startswith("error")]
    if args.json:
        print(json.dumps({"cap_s": cap, "slack": SLACK, "rows": rows, "over": len(over)},
                         indent=2))
    else:
        print(f"{len(rows)} clicks, cap {cap:g} s, {len(over)} over {SLACK:g}x the cap or "
              "failed" + (": " + ", ".join(f"{r['page']} {r['click']}" for r in over)
                          if over else ""))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
