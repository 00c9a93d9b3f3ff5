"""What a race of optimizers on a 2-D surface shows, in sentences computed from its runs.

The Loss landscapes page draws optimizers racing on a surface; its verdict under the picture is
built here from the runs (``(label, TrainResult-like)`` pairs whose ``history`` holds the path
and ``f``), so that it never states what the picture does not show: the ranking by the final
gap f - f*, the first step within :data:`REACHED` of f*, which minimum each run ends at, how
often a path turns back. Pure functions over the runs and the surface; no Streamlit.
"""

from __future__ import annotations

import numpy as np

from nnlab.lessons import claims

#: Gaps f − f* below this are drawn at it: a run exactly at f* (a gap of 0, which RMSprop
#: reaches on the saddle) has no place on a log axis and its curve would vanish.
GAP_FLOOR = 1e-12
#: A gap below this counts as "at f*": the verdict writes "< 0.001" and ranks such runs equal.
REACHED = 1e-3
#: A run that ends this close to one of the surface's minima ends "at" that minimum.
NEAR = 0.1
#: Steps shorter than this are a run at rest: they never count as turning back.
STILL = 1e-9
ADAPTIVE, PLAIN = ("RMSprop", "Adam"), ("GD", "momentum")


def lowest_value(surface) -> float:
    """``f*``: the lowest value of the surface's listed minima."""
    return float(min(surface.f(x, y) for x, y in surface.minima))


def gap_curves(snapshots, f_star: float) -> dict:
    """label -> (steps 1..n, f − f* per step), gaps below :data:`GAP_FLOOR` raised to it (so a
    run that reaches f* exactly stays on the log chart)."""
    return {label: (np.arange(1, r.epochs_run + 1),
                    np.maximum(np.asarray(r.history["cost"], float) - f_star, GAP_FLOOR))
            for label, r in snapshots}


def final_gap(result, f_star: float) -> float:
    """f − f* where the run is now, raised to :data:`REACHED` (closer counts as "at f*")."""
    return max(float(result.metrics["f"]) - f_star, REACHED)


def first_reached(result, f_star: float) -> int | None:
    """The first step after which f − f* < :data:`REACHED`, or None."""
    hit = np.flatnonzero(np.asarray(result.history["cost"], float) - f_star < REACHED)
    return int(hit[0]) + 1 if hit.size else None


def turn_backs(result, start) -> int:
    """How many steps turn back by more than 90° from the step before (a zig-zag), steps
    shorter than :data:`STILL` left out."""
    h = result.history
    path = np.vstack([np.asarray(start, float)[None, :], np.c_[h["x"], h["y"]]])
    d = np.diff(path, axis=0)
    moving = np.linalg.norm(d, axis=1) > STILL
    turned = np.einsum("ij,ij->i", d[1:], d[:-1]) < 0
    return int(np.sum(turned & moving[1:] & moving[:-1]))


def _gap_text(v: float) -> str:
    return f"< {REACHED:g}" if v <= REACHED else claims.number(v)


def _verb(labels, singular: str, plural: str) -> str:
    return singular if len(labels) == 1 else plural


def _reached_sentence(finished, f_star: float, steps: int) -> str:
    hits = sorted(((first_reached(r, f_star), label) for label, r in finished
                   if first_reached(r, f_star) is not None))
    misses = [label for label, r in finished if first_reached(r, f_star) is None]
    parts = [f"{label} at step {n}" for n, label in hits]
    text = f"First within {REACHED:g} of f*: " + ", ".join(parts) if parts else ""
    if misses:
        gone = (f"{claims.join(misses)} {_verb(misses, 'is', 'are')} not within {REACHED:g} "
                f"of f* after {steps} steps")
        text = f"{text}; {gone}" if text else gone[0].upper() + gone[1:]
    return text + "." if text else ""


def _earlier(finished, winners, losers, f_star: float) -> bool:
    """Every winner got within :data:`REACHED` of f*, each before every loser did (a loser
    that never did counts as later)."""
    steps = {label: first_reached(r, f_star) for label, r in finished}
    if any(label not in steps or steps[label] is None for label in winners):
        return False
    return all(steps[w] < (steps[lo] if steps.get(lo) is not None else np.inf)
               for w in winners for lo in losers)


def _adaptive_lesson(results, finished, f_star: float) -> str:
    labels = [label for label, _ in results]
    ada = [label for label in labels if label in ADAPTIVE]
    plain = [label for label in labels if label in PLAIN]
    if not (ada and plain):
        return "Tick both a plain racer (GD, momentum) and an adaptive one (RMSprop, Adam) to " \
               "compare the two families."
    gap = lambda r: final_gap(r, f_star)  # noqa: E731
    if claims.beats(results, ada, plain, gap):
        how = f"{_verb(ada, 'ends', 'end')} closer to f* than {claims.join(plain)}"
    elif _earlier(finished, ada, plain, f_star):
        how = f"{_verb(ada, 'gets', 'get')} within {REACHED:g} of f* before {claims.join(plain)}"
    else:
        how = None
    if how:
        return (f"{claims.join(ada)} {how}, as the lecture predicts: dividing each step by the "
                "size of the recent gradients gives a step of about α even where the gradient "
                "is tiny.")
    if claims.beats(results, plain, ada, gap) or _earlier(finished, plain, ada, f_star):
        return (f"Here {claims.join(plain)} {_verb(plain, 'does', 'do')} better than "
                f"{claims.join(ada)}: not the lecture's picture, at these learning rates and "
                "this start. Pick the preset again to get its settings back.")
    return ("At these settings neither family clearly does better: compare the curves' speed "
            "as well as where they end.")


def _where_they_end(surface, finished, f_star: float) -> tuple[str, list]:
    """The sentence saying at which minimum each finished run ends, and the minima reached
    (indices of ``surface.minima``)."""
    minima = np.asarray(surface.minima, float)
    depth = np.array([float(surface.f(x, y)) - f_star for x, y in minima])
    lowest = depth <= REACHED
    at, nowhere = {}, []
    for label, r in finished:
        point = np.asarray(r.parameters["theta"], float).ravel()
        dist = np.linalg.norm(minima - point, axis=1)
        k = int(np.argmin(dist))
        if dist[k] <= NEAR:
            at.setdefault(k, []).append(label)
        else:
            nowhere.append(f"{label} at no minimum (the nearest is {claims.number(dist[k], 2)} "
                           "away)")
    parts = []
    for k, labels in at.items():
        x, y = minima[k]
        if not lowest[k]:
            what = f"a local minimum, {claims.number(depth[k])} above f*"
        elif lowest.sum() == 1:
            what = "the lowest one"
        else:
            what = "f = f* there"
        parts.append(f"{claims.join(labels)} at the minimum ({x:.3g}, {y:.3g}), {what}")
    text = "; ".join(parts + nowhere)
    return (f"Where they end (within {NEAR:g}): {text}." if text else ""), list(at)


def _wells_lesson(surface, finished, f_star: float) -> str:
    where, reached = _where_they_end(surface, finished, f_star)
    depth = {k: float(surface.f(*surface.minima[k])) - f_star for k in reached}
    if not reached:
        return f"{where} No racer is at a minimum yet: give them more steps.".strip()
    if len(reached) > 1:
        lesson = f"From one start they end at {len(reached)} different minima"
        caught = [k for k in reached if depth[k] > REACHED]
        lesson += ("; the ones in a local minimum stay above the lowest, however many steps "
                   "they take." if caught else ", all as low as each other.")
    else:
        lesson = ("They all end at the same minimum here: move the start or the learning "
                  "rates to see them part.")
    return f"{where} {lesson}"


def _zigzag_lesson(finished, start) -> str:
    if not finished:
        return ""
    turns = {label: turn_backs(r, start) for label, r in finished}
    counts = ", ".join(f"{label} {n} of {max(r.epochs_run - 1, 0)}"
                       for (label, r), n in zip(finished, turns.values(), strict=True))
    text = f"Steps that turn back on the step before (a zig-zag): {counts}."
    if "GD" not in turns or "momentum" not in turns:
        return text
    gd, mom = turns["GD"], turns["momentum"]
    if gd >= 2 * mom and gd >= 5:
        lesson = ("GD zig-zags across the valley and momentum turns back far less often: "
                  "averaging the steps cancels the part that alternates.")
    elif gd < 5:
        lesson = ("GD hardly zig-zags at this α: its steps overshoot the floor only when α "
                  "comes close to 2/10.")
    else:
        lesson = ("Here momentum turns back about as often as GD or more: at this α and β it "
                  "overshoots as well (see the Phase diagram tab).")
    return f"{text} {lesson}"


def race_verdict(surface, start, results, kind: str) -> str:
    """What the race shows, computed from its paths: the ranking by f − f* (diverged racers
    named), then the preset's ``lesson`` checked on these paths: ``"adaptive"`` (do RMSprop
    and Adam end closer to f*, or get there first, than GD and momentum?), ``"wells"`` (which
    minimum each racer ends at) or ``"zigzag"`` (how often each one turns back)."""
    if not results:
        return ""
    f_star = lowest_value(surface)
    finished = [(label, r) for label, r in results if r.status != "diverged"]
    text = claims.comparison(results, lambda r: final_gap(r, f_star), what="gap f − f*",
                             fmt=_gap_text, unit="steps")
    steps = max(int(r.epochs_run) for _, r in results)
    if kind == "adaptive":
        more = [_reached_sentence(finished, f_star, steps),
                _adaptive_lesson(results, finished, f_star)]
    elif kind == "wells":
        more = [_wells_lesson(surface, finished, f_star)]
    else:
        more = [_zigzag_lesson(finished, start)]
    return " ".join(t for t in [text, *more] if t)


def gap_caption(gaps: dict, results) -> str:
    notes = []
    for label, r in results:
        x, y = gaps[label]
        floor = np.flatnonzero(y <= GAP_FLOOR)
        if floor.size:
            notes.append(f"{label} reaches f* up to rounding at step {int(x[floor[0]])} and is "
                         f"drawn at {GAP_FLOOR:g} from there on.")
        if r.status == "diverged":
            notes.append(f"{label}'s curve ends at step {r.epochs_run}: its next step left the "
                         "map (diverged).")
    return " ".join(notes)
