"""The clicks ``python -m bench.clicks`` makes on each page: what a learner does, at the worst
settings and at the largest ones the cost model accepts (just under the cap).

Each :class:`Click` is one script run; its action sets widgets, presses a button or opens a tab
of the page's sections before it (:func:`knobs`, :func:`press`, :func:`tab`, :func:`then`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


def tab(key: str, label: str) -> Callable:
    """An action that opens the tab ``label`` of the page's sections ``key`` (only the open
    tab runs: its buttons and knobs exist once it is open, as for a learner)."""
    def action(at):
        at.session_state[key] = label
    return action


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
            Click("open a tab", "Learning curves", tab("tdt_section", "Learning curves")),
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
            Click("open a tab", "Reproduce the assignment",
                  tab("init_section", "Reproduce the assignment")),
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
            Click("open a tab", "Early stopping", tab("reg_section", "Early stopping")),
            Click("knobs to max", f"moons 2000, {deep}, 30000 epochs, patience 10000",
                  knobs(d_n_samples=2000, a_hidden_units=deep, reg_patience=10000)),
            Click("Finish", "the same", press("reg_live_finish")),
        ],
        "14_Vanishing_gradients.py": [
            Click("open", "defaults"),
            Click("open a tab", "Linear chain", tab("van_section", "Linear chain")),
            Click("knobs to max", "L=100, 60 x 128, 2000 examples, 1000 epochs",
                  knobs(linear_depth=100, depth=60, width=128, d_n_samples=2000,
                        t_epochs=1000)),
            Click("Finish", "the same", press("van_live_finish")),
        ],
        "15_Normalizing_inputs.py": [
            Click("open", "defaults"),
            Click("open a tab", "Network and dev set", tab("n_section", "Network and dev set")),
            Click("knobs to max", "scale 100, 200 steps, 10000 epochs",
                  knobs(n_scale=100, n_steps=200, n_num_epochs=10000)),
        ],
        "16_Gradient_checking.py": [
            Click("open", "defaults"),
            Click("knobs to max", "32*6 softmax, sign error, lambd 10",
                  knobs(g_hidden_units="32*6", g_output="softmax", g_bug="sign_error",
                        g_lambd=10.0)),
            Click("open a tab", "Course check", tab("g_section", "Course check")),
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
            Click("open a tab", "Reproduce the assignment",
                  tab("opt_section", "Reproduce the assignment")),
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
            Click("open a tab", "Reproduce the assignment",
                  tab("lr_section", "Reproduce the assignment")),
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
            Click("open a tab", "Coarse to fine", tab("hs_section", "Coarse to fine")),
            Click("Zoom in", "the same", press("hs_zoom_in")),
            Click("Zoom in", "the same, zoom 2", press("hs_zoom_in")),
            Click("Zoom in", "the same, zoom 3", press("hs_zoom_in")),
            Click("open a tab", "Caviar vs panda", tab("hs_section", "Caviar vs panda")),
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
