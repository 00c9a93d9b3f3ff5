"""What the Vanishing gradients page's numbers show, in sentences (no Streamlit).

The activation spread and gradient size of each variant, layer after layer, at initialization
and after training, judged against :data:`STEADY` (vanishes, explodes, stays steady), and the
deep sigmoid network's starved first layer (:data:`STARVED`); ``nnlab.app.vanishing`` draws
them under its charts.
"""

from __future__ import annotations

import numpy as np

from nnlab.lessons import claims

#: From the first hidden layer to the last, an activation spread that shrinks or grows by more
#: than this factor "vanishes" or "explodes"; within it, it "stays steady".
STEADY = 10.0
#: The sigmoid net "vanishes" when its ‖dW1‖ / ‖dW_L‖ is below this share of the others'.
STARVED = 1e-3


def spread_change(snap: dict) -> float:
    """The activations' spread in the last hidden layer over the first's (NaN if either is
    not a finite, positive number)."""
    a = np.asarray(snap["a_std"], dtype=float)
    last = a[max(len(a) - 2, 0)]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = last / a[0]
    return float(ratio) if np.isfinite(ratio) and ratio > 0 else float("nan")


def trend(ratio: float) -> str:
    """"vanishes", "explodes", "stays steady" (:data:`STEADY`), or "overflows" (NaN)."""
    if not np.isfinite(ratio):
        return "overflows"
    if ratio < 1 / STEADY:
        return "vanishes"
    if ratio > STEADY:
        return "explodes"
    return "stays steady"


def _factor(ratio: float) -> str:
    """"shrinks 1.2e+25-fold" for a ratio below 1, "grows 1.6e+11-fold" above it."""
    if ratio < 1:
        return f"shrinks {claims.number(1 / ratio, 2)}-fold"
    return f"grows {claims.number(ratio, 2)}-fold"


def gradient_change(snap: dict) -> float:
    """The first layer's gradient norm over the last layer's, ‖dW1‖ / ‖dW_L‖: how the
    gradient's size changed on its way back (NaN if not a finite, positive number)."""
    g = np.asarray(snap["grad_norm"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = g[0] / g[-1]
    return float(ratio) if np.isfinite(ratio) and ratio > 0 else float("nan")


def init_verdict(snaps: dict, activation: str) -> str:
    """What the charts at initialization show, from their numbers: each variant's change of
    activation spread from the first to the last hidden layer (vanishes / explodes / stays
    steady) and of its gradient from the last layer back to the first, and the lecture's
    claims about He and Xavier only where these numbers show them."""
    if not snaps:
        return ""
    first = next(iter(snaps.values()))
    n_hidden, L = max(len(first["a_std"]) - 1, 1), len(first["grad_norm"])
    kinds = {label: trend(spread_change(s)) for label, s in snaps.items()}
    spreads = [f"{label} overflows" if kinds[label] == "overflows"
               else f"{label} {_factor(spread_change(s))} ({kinds[label]})"
               for label, s in snaps.items()]
    grads = []
    for label, s in snaps.items():
        ratio, g1 = gradient_change(s), claims.number(float(s["grad_norm"][0]), 2)
        grads.append(f"{label} {_factor(ratio)}, to {g1}" if np.isfinite(ratio)
                     else f"{label} {g1}")
    text = (f"Activation spread from hidden layer 1 to {n_hidden}: " + "; ".join(spreads)
            + f". Gradient ‖dW‖ from layer {L} back to layer 1: " + "; ".join(grads) + ".")
    steady = [k for k, v in kinds.items() if v == "stays steady"]
    fading = [k for k, v in kinds.items() if v == "vanishes"]
    growing = [k for k, v in kinds.items() if v in ("explodes", "overflows")]
    starved = [k for k, s in snaps.items() if gradient_change(s) < 1 / STEADY]
    lessons = []
    if activation == "relu" and "He" in kinds:
        if kinds["He"] == "stays steady":
            lessons.append("He keeps this ReLU network steady, as the lecture predicts: "
                           "std √(2/n) makes up for the half of the variance ReLU zeroes.")
        else:
            lessons.append(f"Here even He {kinds['He']}: over {n_hidden} layers a small "
                           "factor per layer adds up.")
    if activation == "relu" and kinds.get("Xavier") == "vanishes":
        lessons.append("Xavier (std √(1/n), made for tanh) loses half of the variance at every "
                       "ReLU layer, and its signal fades.")
    if fading and growing:
        lessons.append(f"{claims.join(fading)} {'vanish' if len(fading) > 1 else 'vanishes'}, "
                       f"{claims.join(growing)} {'explode' if len(growing) > 1 else 'explodes'}"
                       ": the same product of layers, too small or too large a factor.")
    elif len(steady) == len(kinds):
        lessons.append(f"No variant's activation spread changes by more than a factor "
                       f"{STEADY:g} over these {n_hidden} layers.")
    if starved:
        lessons.append(f"For {claims.join(starved)} the gradient shrinks more than "
                       f"{STEADY:g}-fold on its way back to the first layer.")
    return " ".join([text, *lessons])


def largest_weight(result) -> float:
    """The largest |weight| of any layer of ``result`` (inf when one overflowed)."""
    return max(float(np.max(np.abs(v))) for k, v in result.parameters.items()
               if k.startswith("W"))


def activations_verdict(snaps: dict) -> str:
    """The activations compared, from their gradient norms: ‖dW1‖ / ‖dW_L‖ of each, and the
    lecture's "deep sigmoid nets vanish" only where the numbers show it."""
    ratios = {}
    for label, s in snaps.items():
        g = np.asarray(s["grad_norm"], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratios[label] = float(g[0] / g[-1])
    L = len(next(iter(snaps.values()))["grad_norm"])
    text = (f"The first layer's gradient over the last's, ‖dW1‖ / ‖dW{L}‖: "
            + ", ".join(f"{k} {claims.number(v, 2)}" for k, v in ratios.items()) + ".")
    sigmoid = [k for k in ratios if k.startswith("sigmoid")]
    others = [v for k, v in ratios.items() if k not in sigmoid and np.isfinite(v)]
    if not sigmoid or not others or not np.isfinite(ratios[sigmoid[0]]):
        return text
    if ratios[sigmoid[0]] < STARVED * min(others):
        return text + (" The sigmoid's slope is at most 1/4, so every sigmoid layer divides "
                       "the gradient by 4 or more on its way back: the first layers of this "
                       "deep sigmoid net get almost no gradient, while tanh (slope 1 at 0) and "
                       "ReLU (slope 1 where active) keep it.")
    return text + (f" At {L - 1} hidden layers the sigmoid's first layers still get a useful "
                   "gradient (its slope is at most 1/4, so each layer divides it by 4 or more): "
                   "add layers to see it vanish.")


def linear_chain_sentence(curves: dict, depth: int) -> str:
    """What the linear chain shows at ``depth``, from its values: which factors keep the
    output's size within :data:`STEADY` and which vanish or explode."""
    kinds = {label: trend(abs(float(values[-1]))) for label, values in curves.items()}
    kept = [k for k, v in kinds.items() if v == "stays steady"]
    lost = [f"{k} {'shrinks' if v == 'vanishes' else 'grows'} it to "
            f"{claims.number(float(curves[k][-1]), 3)}" for k, v in kinds.items()
            if v != "stays steady"]
    if not lost:
        return (f"After {depth} layer{'s' if depth != 1 else ''} every factor keeps the output "
                f"within a factor {STEADY:g} of its size: the difference is a power of L, so "
                "add layers to see it.")
    return (f"After {depth} layers, {'; '.join(lost)}; only {claims.join(kept)} "
            f"{'keeps' if len(kept) == 1 else 'keep'} it within a factor {STEADY:g}. A real "
            "network can't keep its weights at exactly the identity: it needs weights whose "
            "*variance* suits the layer's width, which is what He and Xavier choose."
            if kept else f"After {depth} layers, {'; '.join(lost)}.")
