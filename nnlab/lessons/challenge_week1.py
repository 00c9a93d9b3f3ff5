"""Week 1's challenges: each a lesson of the lecture as a goal stated in numbers.

Every challenge has a known solution and known misses (``tests/lessons/test_challenges.py``
runs them all); the registry of all weeks is :mod:`nnlab.lessons.challenge_catalog`.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from nnlab.config import TrainConfig
from nnlab.data.toy2d import make_moons
from nnlab.lessons import claims
from nnlab.lessons.challenge_goals import (
    GOING,
    Challenge,
    Knob,
    Outcome,
    decided,
    gap_points,
    one_run,
    predicted_lowest,
    ratio_words,
    reach_check,
    saw_reach,
    stop_reason,
)

# ----------------------------------------------------------------- week 1

DEEP = TrainConfig(dataset="moons", normalize=True, hidden_units=(16,) * 20, optimizer="gd",
                   learning_rate=0.05, num_epochs=200)
INITS = {"zeros": ("zeros", None), "random ×0.01": ("random", 0.01),
         "random ×1": ("random", 1.0), "Xavier": ("xavier", None), "He": ("he", None)}

deep_init = Challenge(
    id="deep_init", week=1, page="pages/12_Initialization.py",
    title="A 20-layer network that learns",
    lesson="Weights scaled to each layer's number of inputs keep the signal's size steady "
           "through a deep network.",
    goal="Cut the cost of a 20-layer ReLU network (16 units a layer) to half of where every "
         "start begins (ln 2 ≈ 0.693): train cost ≤ 0.35 within 200 epochs of gradient "
         "descent, by choosing its initialization.",
    knobs=(Knob("init", "Initialization", tuple(INITS), "random ×0.01",
                help="How the weights W are drawn; biases start at zero."),),
    variants=lambda s: [(s["init"], DEEP.replace(initializer=INITS[s["init"]][0],
                                                 init_scale=INITS[s["init"]][1]))],
    check=reach_check("cost", 0.35, False),
    saw=saw_reach("cost", 0.35, False, ratio_words),
    hints=("Weights of 0.01 shrink the signal at every layer: after 20 layers nothing is "
           "left of it, and nothing of its gradient either. Look at the cost curve: flat.",
           "Weights of size 1 make it grow at every layer instead: try random ×1.",
           "The lecture's good starts scale each layer's weights to its number of inputs "
           "n[l−1]; for ReLU the variance has a 2 in it."),
    answer="**He**: W = randn · √(2/n[l−1]). A ReLU zeroes about half of its inputs, so a "
           "variance of 2/n keeps the activations' size steady from layer to layer; Xavier "
           "(1/n) is right for tanh and shrinks a ReLU signal by half a layer.",
    solution={"init": "He"},
    misses=({"init": "random ×0.01"}, {"init": "zeros"}, {"init": "random ×1"},
            {"init": "Xavier"}))

CIRCLES = TrainConfig(dataset="circles", n_samples=300, hidden_units=(10, 5), optimizer="gd",
                      learning_rate=0.5, num_epochs=300)
STARTS = {"zeros": ("zeros", None), "random ×10": ("random", 10.0), "He": ("he", None)}

init_predict = Challenge(
    id="init_predict", week=1, page="pages/12_Initialization.py",
    title="Predict first: which start ends lowest?",
    lesson="Zeros never break the symmetry; large random weights start far off; He starts "
           "where the signal keeps its size.",
    goal="Before you press Play: the same network on the circles starts from zeros, from "
         "random weights ×10 and from He. Which ends with the lowest cost after 300 epochs?",
    knobs=(Knob("prediction", "Your prediction", tuple(STARTS), "zeros",
                help="Chosen before Play; locked while the runs go."),),
    variants=lambda s: [(k, CIRCLES.replace(initializer=i, init_scale=v))
                        for k, (i, v) in STARTS.items()],
    check=predicted_lowest,
    saw=lambda runs, s: claims.comparison(runs),
    hints=("With zeros, every unit of a layer computes the same thing and gets the same "
           "update: how many different units does the network really have?",
           "Random ×10 breaks the symmetry, but its first cost is in the thousands: the "
           "sigmoid is saturated and a wrong answer costs a lot."),
    answer="**He**: zeros stays at ln 2 (one class everywhere, the symmetry never broken); "
           "random ×10 spends its epochs climbing down from a huge cost; He starts where "
           "the signal keeps its size and learns the circles.",
    solution={"prediction": "He"}, misses=({"prediction": "zeros"},
                                           {"prediction": "random ×10"}), predict=True)

FOOTBALL = TrainConfig(dataset="football", hidden_units=(40, 10), optimizer="adam",
                       learning_rate=0.03, num_epochs=400)
GAP, TRAIN_FLOOR = 3.0, 0.90


def _gap_check(runs, s) -> Outcome:
    r = one_run(runs)
    train = r.metrics.get("train_accuracy", math.nan)
    gap = gap_points(r)
    target = (f"gap ≤ {GAP:g} points with train ≥ {claims.percent(TRAIN_FLOOR)} at epoch "
              f"{r.config.num_epochs}")
    dev = r.metrics.get("dev_accuracy", math.nan)
    figure = (f"train {claims.percent(train)}, dev {claims.percent(dev)}: gap {gap:.1f} "
              f"points / {target}{stop_reason(r)}")
    if r.status == "running":
        return Outcome(GOING, figure)
    ok = r.status == "ok" and gap <= GAP and train >= TRAIN_FLOOR
    return decided(ok, figure, r.epochs_run)


def _gap_words(r) -> str:
    m = r.metrics
    return (f"Train accuracy ended at {claims.percent(m['train_accuracy'])} and dev at "
            f"{claims.percent(m['dev_accuracy'])}: a gap of {gap_points(r):.1f} points.")


reg_gap = Challenge(
    id="reg_gap", week=1, page="pages/13_Regularization.py",
    title="Close the train-dev gap",
    lesson="Regularization trades a little training fit for a network that does as well on "
           "data it has not seen.",
    goal="On the football field, end 400 epochs of Adam with train accuracy at most 3 points above "
         "dev accuracy, keeping train accuracy at 90% or more, with L2 or dropout.",
    knobs=(Knob("lambd", "L2 λ", (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0), 0.0,
                help="The L2 term λ/(2m)·Σ‖W‖² added to the cost."),
           Knob("keep_prob", "Dropout keep_prob", (1.0, 0.95, 0.9, 0.8, 0.6, 0.5), 1.0,
                help="Probability that a hidden unit is kept at each step (1: no dropout).")),
    variants=lambda s: [(f"λ={s['lambd']:g}, keep_prob={s['keep_prob']:g}",
                         FOOTBALL.replace(lambd=s["lambd"], keep_prob=s["keep_prob"]))],
    check=_gap_check,
    saw=lambda runs, s: _gap_words(one_run(runs)),
    hints=("Without regularization the boundary bends around single noisy dots: train "
           "accuracy runs ahead of dev.",
           "Raise L2 λ step by step and watch the gap and the train accuracy: one falls, "
           "then the other.",
           "λ = 0.1 is not enough; too much λ makes the network too simple (train falls "
           "below 90%). Dropout alone at keep_prob 0.8 works too."),
    answer="**λ = 0.3** (or λ = 1, or keep_prob = 0.8): the penalty keeps the weights small, "
           "the boundary smooth, and the network stops fitting the noise, so dev catches up "
           "with train. λ = 3 is too much: it underfits.",
    solution={"lambd": 0.3}, misses=({"lambd": 0.0}, {"lambd": 0.1}, {"lambd": 3.0}))

VANISH = TrainConfig(dataset="moons", normalize=True, hidden_units=(16,) * 10,
                     initializer="xavier", optimizer="gd", learning_rate=0.1, num_epochs=150)

vanishing = Challenge(
    id="vanishing", week=1, page="pages/14_Vanishing_gradients.py",
    title="A gradient that reaches the first layer",
    lesson="Through many sigmoid layers the gradient shrinks at every layer: the first layers "
           "barely learn.",
    goal="Make a 10-layer network (Xavier start) reach 90% train accuracy within 150 epochs "
         "by choosing its hidden activation.",
    knobs=(Knob("activation", "Hidden activation", ("sigmoid", "tanh", "relu"), "sigmoid"),),
    variants=lambda s: [(s["activation"], VANISH.replace(hidden_activation=s["activation"]))],
    check=reach_check("train_accuracy", 0.90, True),
    saw=saw_reach("train_accuracy", 0.90, True, ratio_words),
    hints=("The sigmoid's slope is at most 0.25: backprop multiplies by it once per layer.",
           "Switch the network drawing's edges to 'gradients': which layers move?",
           "Pick an activation whose slope is about 1 near zero."),
    answer="**tanh** (or ReLU): their slope near zero is 1, so the gradient keeps its size "
           "through ten layers; with the sigmoid it shrinks about 0.25× a layer and the "
           "first layer's gradient is some 10⁻⁵ of the last's.",
    solution={"activation": "tanh"}, misses=({"activation": "sigmoid"},))


@functools.lru_cache(maxsize=1)
def skewed_moons() -> tuple:
    """The moons with x₂ ×20 + 30 (300 points, seed 0), as ``custom_data``."""
    X, Y = make_moons(300, rng=np.random.RandomState(0))
    X = np.asarray(X, dtype=float)
    return (tuple(X[0].tolist()), tuple((X[1] * 20 + 30).tolist()),
            tuple(int(v) for v in np.ravel(Y)))


def _skewed(s) -> TrainConfig:
    return TrainConfig(dataset="custom", custom_data=skewed_moons(), n_samples=300,
                       hidden_units=(10, 5), optimizer="gd", num_epochs=100,
                       normalize=s["inputs"] == "normalized", learning_rate=s["lr"])


normalize = Challenge(
    id="normalize", week=1, page="pages/15_Normalizing_inputs.py",
    title="Inputs on one scale",
    lesson="Normalized inputs make the cost bowl round, so gradient descent can take large "
           "steps.",
    goal="The moons with x₂ multiplied by 20 and shifted by 30: reach 90% train accuracy "
         "within 100 epochs of gradient descent.",
    knobs=(Knob("inputs", "Inputs", ("raw", "normalized"), "raw",
                help="normalized: (x − μ)/σ with the training set's μ and σ."),
           Knob("lr", "Learning rate α", (0.001, 0.01, 0.1, 0.3, 1.0), 0.01)),
    variants=lambda s: [(f"{s['inputs']}, α={s['lr']:g}", _skewed(s))],
    check=reach_check("train_accuracy", 0.90, True),
    saw=saw_reach("train_accuracy", 0.90, True),
    hints=("x₂ is about 20 times x₁ and far from zero: one weight's gradient dwarfs the "
           "other's, and a step large enough for one overshoots the other.",
           "Try every α with the raw inputs: none reaches 90%.",
           "Put both features on one scale first, then take a bolder step."),
    answer="**normalized, α = 1** (0.1 and 0.3 work too): with both features at mean 0 and "
           "variance 1 the cost bowl is round and a large step goes straight down it.",
    solution={"inputs": "normalized", "lr": 1.0},
    misses=({"inputs": "raw", "lr": 1.0}, {"inputs": "raw", "lr": 0.1},
            {"inputs": "normalized", "lr": 0.01}))

WEEK1 = (deep_init, init_predict, reg_gap, vanishing, normalize)

