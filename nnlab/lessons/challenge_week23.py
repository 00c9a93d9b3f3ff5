"""Weeks 2 and 3's challenges: optimization algorithms, then batch norm, softmax and search.

Every challenge has a known solution and known misses (``tests/lessons/test_challenges.py``
runs them all); the registry of all weeks is :mod:`nnlab.lessons.challenge_catalog`.
"""

from __future__ import annotations

import math

from nnlab.config import TrainConfig
from nnlab.lessons import claims
from nnlab.lessons.challenge_goals import (
    GOING,
    Challenge,
    Knob,
    Outcome,
    all_ended,
    band,
    by_label,
    decided,
    first_epoch,
    latest,
    one_run,
    predicted_lowest,
    reach_check,
    saw_reach,
    stop_reason,
)

# ----------------------------------------------------------------- week 2

MOONS = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10, 5), optimizer="gd",
                    learning_rate=0.1, num_epochs=30)
#: The training set has 180 examples (60% of 300).
BATCHES = (180, 64, 32, 16, 8)

mini_batches = Challenge(
    id="mini_batches", week=2, page="pages/21_Mini_batches.py",
    title="More steps from the same data",
    lesson="A mini-batch takes a step after each slice of the data: many steps per pass "
           "instead of one.",
    goal="Reach 90% train accuracy on the moons within 30 epochs (passes over the training "
         "set) of gradient descent at α = 0.1, by choosing the mini-batch size.",
    knobs=(Knob("batch", "Mini-batch size", BATCHES, 180,
                names=("180 (all)", "64", "32", "16", "8"),
                help="Examples per update; 180 is the whole training set (batch gradient "
                     "descent: one update per epoch)."),),
    variants=lambda s: [(f"mini-batch {s['batch']}",
                         MOONS.replace(mini_batch_size=s["batch"]))],
    check=reach_check("train_accuracy", 0.90, True),
    saw=saw_reach("train_accuracy", 0.90, True,
                  lambda r: f"That is {-(-180 // r.config.mini_batch_size)} updates an epoch "
                            "instead of one."),
    hints=("An epoch of batch gradient descent is one update. How many does a mini-batch "
           "of 32 make in an epoch?",
           "Smaller mini-batches: more, noisier steps per epoch. Try going smaller."),
    answer="**8** (16 works too): 23 updates an epoch instead of one; the steps are noisy, "
           "but there are so many more of them that the network is far further after 30 "
           "passes over the data.",
    solution={"batch": 8}, misses=({"batch": 180}, {"batch": 64}, {"batch": 32}))

OPT = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10, 5), learning_rate=0.01,
                  mini_batch_size=64, num_epochs=100)
OPTIMIZERS = {"gradient descent": "gd", "momentum": "momentum", "RMSprop": "rmsprop",
              "Adam": "adam"}

optimizer = Challenge(
    id="optimizer", week=2, page="pages/23_Optimizers.py",
    title="300 updates to 94%",
    lesson="RMSprop and Adam scale each weight's step by its recent gradients: at the same α "
           "they move much further.",
    goal="Reach 94% train accuracy on the moons within 300 mini-batch updates (100 epochs "
         "of 3 mini-batches of 64) at α = 0.01, by choosing the optimizer.",
    knobs=(Knob("optimizer", "Optimizer", tuple(OPTIMIZERS), "gradient descent"),),
    variants=lambda s: [(s["optimizer"], OPT.replace(optimizer=OPTIMIZERS[s["optimizer"]]))],
    check=reach_check("train_accuracy", 0.94, True),
    saw=saw_reach("train_accuracy", 0.94, True,
                  lambda r: f"That is {3 * first_epoch(r, 'train_accuracy', 0.94, at_least=True)}"
                            " updates (3 an epoch)."),
    hints=("At α = 0.01 plain gradient descent barely moves in 300 updates.",
           "Momentum averages the gradients but takes steps of the same size.",
           "Which optimizers divide each step by the root of the recent squared gradients?"),
    answer="**RMSprop** or **Adam**: dividing by √S makes a step of about α in every "
           "direction, whatever the gradient's size, so the small gradients of this network "
           "no longer mean small steps.",
    solution={"optimizer": "Adam"}, misses=({"optimizer": "gradient descent"},
                                            {"optimizer": "momentum"}))

FULL = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10, 5), num_epochs=100)
RATES = (0.1, 0.3, 1.0, 3.0, 10.0, 20.0, 30.0, 50.0)
MOMENTUM_FLOOR = 0.95


def _gd_fails(r) -> bool:
    """Diverged, or ended with a higher cost than its first epoch's."""
    costs = r.history["cost"]
    return r.status == "diverged" or (len(costs) > 0 and latest(r, "cost") > costs[0])


def _momentum_check(runs, s) -> Outcome:
    runs_ = by_label(runs)
    gd, mom = runs_["gradient descent"], runs_["momentum"]
    first = gd.history["cost"][0] if len(gd.history["cost"]) else math.nan
    acc = mom.metrics.get("train_accuracy", math.nan)
    figure = (f"gradient descent: cost {claims.number(latest(gd, 'cost'))} (first epoch "
              f"{claims.number(first)}){stop_reason(gd)}; momentum: train accuracy "
              f"{claims.percent(acc)}{stop_reason(mom)} / gradient descent ends above its "
              f"start, momentum ≥ {claims.percent(MOMENTUM_FLOOR)} at epoch {FULL.num_epochs}")
    if not all_ended(runs):
        return Outcome(GOING, figure)
    ok = _gd_fails(gd) and mom.status == "ok" and acc >= MOMENTUM_FLOOR
    return decided(ok, figure, FULL.num_epochs)


momentum = Challenge(
    id="momentum", week=2, page="pages/24_Loss_landscapes.py",
    title="Too fast for gradient descent",
    lesson="Momentum averages the gradients: the zig-zag across a valley cancels out, and "
           "it stays stable at learning rates where gradient descent is thrown out.",
    goal="Find a learning rate at which gradient descent ends 100 epochs with a higher cost "
         "than it started (or diverges) while momentum (β = 0.9) reaches 95% train accuracy.",
    knobs=(Knob("lr", "Learning rate α (both runs)", RATES, 1.0),),
    variants=lambda s: [(name, FULL.replace(optimizer=o, learning_rate=s["lr"]))
                        for name, o in (("gradient descent", "gd"), ("momentum", "momentum"))],
    check=_momentum_check,
    saw=lambda runs, s: (f"At α = {s['lr']:g} gradient descent's cost went from "
                         f"{claims.number(by_label(runs)['gradient descent'].history['cost'][0])}"
                         f" to {claims.number(latest(by_label(runs)['gradient descent'], 'cost'))}"
                         f" while momentum ended at "
                         f"{claims.percent(by_label(runs)['momentum'].metrics['train_accuracy'])}."),
    hints=("At α = 1 both learn: go up.",
           "Gradient descent's cost starts rising between α = 10 and 20.",
           "Too high and momentum overshoots too: stop before 30."),
    answer="**α = 20**: gradient descent's steps overshoot the valley and its cost climbs; "
           "momentum's averaged gradient cancels the back-and-forth, so the same α moves "
           "it along the valley instead.",
    solution={"lr": 20.0}, misses=({"lr": 1.0}, {"lr": 10.0}, {"lr": 50.0}))

DECAY = TrainConfig(dataset="moons", n_samples=300, hidden_units=(5, 2), optimizer="gd",
                    learning_rate=1.0, mini_batch_size=64, num_epochs=300,
                    schedule="inverse_time")
SETTLE_COST, SETTLE_BAND, SETTLE_EPOCHS = 0.05, 0.01, 20


def _decay_check(runs, s) -> Outcome:
    r = one_run(runs)
    cost, spread = latest(r, "cost"), band(r, SETTLE_EPOCHS)
    figure = (f"cost {claims.number(cost)}, moving {claims.number(spread)} over the last "
              f"{SETTLE_EPOCHS} epochs / ≤ {SETTLE_COST:g}, moving ≤ {SETTLE_BAND:g}, at epoch "
              f"{r.config.num_epochs}{stop_reason(r)}")
    if r.status == "running":
        return Outcome(GOING, figure)
    ok = r.status == "ok" and cost <= SETTLE_COST and spread <= SETTLE_BAND
    return decided(ok, figure, r.epochs_run)


decay = Challenge(
    id="decay", week=2, page="pages/25_Learning_rate_decay.py",
    title="Land, don't wander",
    lesson="With a constant α, mini-batch steps keep wandering around the minimum; a "
           "decaying α lets them settle.",
    goal="Mini-batch gradient descent at α₀ = 1 for 300 epochs: end with a train cost ≤ 0.05 "
         "that moves by at most 0.01 over the last 20 epochs, by choosing the decay rate of "
         "α = α₀ / (1 + decay_rate · epoch).",
    knobs=(Knob("decay_rate", "decay_rate", (0.0, 0.003, 0.01, 0.03, 0.1, 0.3), 0.0),),
    variants=lambda s: [(f"decay_rate {s['decay_rate']:g}",
                         DECAY.replace(decay_rate=s["decay_rate"]))],
    check=_decay_check,
    saw=lambda runs, s: (f"α ended at {claims.number(latest(one_run(runs), 'learning_rate'))}: "
                         f"the cost settled at {claims.number(latest(one_run(runs), 'cost'))}, "
                         f"moving {claims.number(band(one_run(runs), SETTLE_EPOCHS))} over "
                         "the last 20 epochs."),
    hints=("With no decay, look at the end of the cost curve: it never settles.",
           "Decay too fast and α is tiny before the network has learned: the cost stalls "
           "high.",
           "Between 0.01 and 0.1."),
    answer="**0.03**: by epoch 300 α has fallen to 1/10 of α₀, small enough to settle, but "
           "only after the large early steps did the learning; 0.1 shrinks it too soon.",
    solution={"decay_rate": 0.03}, misses=({"decay_rate": 0.0}, {"decay_rate": 0.01},
                                           {"decay_rate": 0.1}))

RACE = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10, 5), learning_rate=0.01,
                   mini_batch_size=64, num_epochs=50)

optimizer_predict = Challenge(
    id="optimizer_predict", week=2, page="pages/23_Optimizers.py",
    title="Predict first: which optimizer ends lowest?",
    lesson="At the same α, the adaptive optimizers outrun the others; which of them leads "
           "depends on the run.",
    goal="Before you press Play: gradient descent, momentum, RMSprop and Adam train the same "
         "network at α = 0.01 with mini-batches of 64. Which ends lowest after 50 epochs?",
    knobs=(Knob("prediction", "Your prediction", tuple(OPTIMIZERS), "Adam",
                help="Chosen before Play; locked while the runs go."),),
    variants=lambda s: [(name, RACE.replace(optimizer=o)) for name, o in OPTIMIZERS.items()],
    check=predicted_lowest,
    saw=lambda runs, s: claims.comparison(runs),
    hints=("Momentum's steps have the size of gradient descent's: at α = 0.01, small.",
           "Adam is RMSprop with momentum and bias correction: early on, the momentum "
           "part still lags."),
    answer="**RMSprop**: both adaptive optimizers leave gradient descent and momentum far "
           "behind, and here RMSprop's undamped steps get lower in 50 epochs than Adam's "
           "averaged ones.",
    solution={"prediction": "RMSprop"},
    misses=({"prediction": "Adam"}, {"prediction": "gradient descent"}), predict=True)

WEEK2 = (mini_batches, optimizer, momentum, decay, optimizer_predict)

# ----------------------------------------------------------------- week 3

BN = TrainConfig(dataset="moons", n_samples=300, hidden_units=(10,) * 5, num_epochs=50,
                 mini_batch_size=64, learning_rate=1.0)
BN_RATES = (0.1, 0.3, 1.0, 3.0, 10.0)
PLAIN_CEILING, BN_FLOOR = 0.60, 0.95


def _bn_check(runs, s) -> Outcome:
    runs_ = by_label(runs)
    plain, bn = runs_["plain"], runs_["batch norm"]
    p_acc = plain.metrics.get("train_accuracy", math.nan)
    b_acc = bn.metrics.get("train_accuracy", math.nan)
    figure = (f"plain {claims.percent(p_acc)}{stop_reason(plain)}, batch norm "
              f"{claims.percent(b_acc)}{stop_reason(bn)} / plain < "
              f"{claims.percent(PLAIN_CEILING)} (or diverged), batch norm ≥ "
              f"{claims.percent(BN_FLOOR)} at epoch {BN.num_epochs}")
    if not all_ended(runs):
        return Outcome(GOING, figure)
    plain_fails = plain.status == "diverged" or p_acc < PLAIN_CEILING
    ok = plain_fails and bn.status == "ok" and b_acc >= BN_FLOOR
    return decided(ok, figure, BN.num_epochs)


def _bn_words(runs, lr) -> str:
    plain, bn = (runs[k].metrics["train_accuracy"] for k in ("plain", "batch norm"))
    return (f"At α = {lr:g} the plain network ended at {claims.percent(plain)} train accuracy "
            f"and the same network with batch norm at {claims.percent(bn)}.")


batch_norm = Challenge(
    id="batch_norm", week=3, page="pages/32_Batch_norm.py",
    title="A learning rate only batch norm survives",
    lesson="Batch norm re-centres and re-scales every layer's z, so a large step in early "
           "layers no longer throws the later ones off.",
    goal="Find a learning rate at which the plain 5-layer network ends 50 epochs below 60% "
         "train accuracy while the same network with batch norm reaches 95%.",
    knobs=(Knob("lr", "Learning rate α (both runs)", BN_RATES, 1.0),),
    variants=lambda s: [("plain", BN.replace(learning_rate=s["lr"])),
                        ("batch norm", BN.replace(learning_rate=s["lr"], batch_norm=True))],
    check=_bn_check,
    saw=lambda runs, s: _bn_words(by_label(runs), s["lr"]),
    hints=("At α = 1 both learn: go up.", "Too high, and batch norm fails too."),
    answer="**α = 3**: the plain network's ReLUs are knocked dead in its first steps; batch "
           "norm keeps each layer's z at mean 0 and variance 1 whatever the weights did, so "
           "the same steps stay useful. At α = 10 both fail.",
    solution={"lr": 3.0}, misses=({"lr": 1.0}, {"lr": 10.0}))

SPIRAL = TrainConfig(dataset="spiral", n_classes=3, optimizer="adam", learning_rate=0.01,
                     num_epochs=200)
HIDDEN = {"none": (), "5": (5,), "20": (20,), "20, 10": (20, 10)}

softmax = Challenge(
    id="softmax", week=3, page="pages/33_Softmax.py",
    title="Three arms of a spiral",
    lesson="Softmax alone draws straight borders between classes; hidden layers bend them.",
    goal="Reach 90% train accuracy on the three-class spiral within 200 epochs of Adam, by "
         "choosing the hidden layers before the softmax output.",
    knobs=(Knob("hidden", "Hidden layers (units)", tuple(HIDDEN), "none",
                help="none: softmax regression, a linear classifier."),),
    variants=lambda s: [(f"hidden: {s['hidden']}",
                         SPIRAL.replace(hidden_units=HIDDEN[s["hidden"]]))],
    check=reach_check("train_accuracy", 0.90, True),
    saw=saw_reach("train_accuracy", 0.90, True),
    hints=("Without a hidden layer each class's region is bounded by straight lines.",
           "A spiral arm curls around the others: the network needs enough units to bend."),
    answer="**20, 10** (one layer of 20 also gets there, later): hidden ReLU units bend the "
           "borders between the softmax's regions around the arms.",
    solution={"hidden": "20, 10"}, misses=({"hidden": "none"}, {"hidden": "5"}))

SEARCH = TrainConfig(dataset="moons", n_samples=400, hidden_units=(8,), optimizer="adam",
                     num_epochs=50)
EXPONENTS = tuple(x / 2 for x in range(-10, 1))

search = Challenge(
    id="search", week=3, page="pages/31_Hyperparameter_search.py",
    title="α on a log scale",
    lesson="A learning rate is searched on a log scale: 0.0001 and 0.001 differ as much as "
           "0.1 and 1.",
    goal="Reach 95% train accuracy on the moons within 50 epochs of Adam by choosing "
         "α = 10^r.",
    knobs=(Knob("r", "r (α = 10^r)", EXPONENTS, -3.0,
                names=tuple(f"{x:g}" for x in EXPONENTS)),),
    variants=lambda s: [(f"α = {10 ** s['r']:.3g}", SEARCH.replace(learning_rate=10 ** s["r"]))],
    check=reach_check("train_accuracy", 0.95, True),
    saw=saw_reach("train_accuracy", 0.95, True),
    hints=("At r = −3, α = 0.001: 50 epochs are far too few.",
           "Move r a whole unit at a time first, then half units."),
    answer="**r = −0.5** (α ≈ 0.32; r = −1 gets there too, just): the good α are within one "
           "decade; sampled on a linear scale from 0.0001 to 1, nine trials in ten would "
           "land in the top decade and none would ever try 0.001.",
    solution={"r": -0.5}, misses=({"r": -3.0}, {"r": -2.0}, {"r": 0.0}))

WEEK3 = (batch_norm, softmax, search)
