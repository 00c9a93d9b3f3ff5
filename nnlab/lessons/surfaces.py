"""2-D test surfaces with analytic gradients, optimizer paths over them, a momentum phase map.

A path runs the very same :func:`nnlab.spec.optimizers.optimizer_step` that trains the networks, on
``{"theta": array([[x], [y]])}`` with gradients ``{"dtheta": ...}``.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

from nnlab.spec.optimizers import OPTIMIZERS, init_optimizer_state, optimizer_step

_HYPER = ("beta", "beta1", "beta2", "epsilon", "bias_correction")


def _check_number(arg, value, low, high):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low < value < high:
        raise ValueError(f"{arg} must satisfy {low} < {arg} < {high}, got {value!r}")


def _check_count(arg, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{arg} must be an integer >= 0, got {value!r}")


class Surface:
    """A 2-D surface: ``f(x, y)``, ``grad(x, y) -> (df/dx, df/dy)`` and plotting metadata.

    Attributes: ``name``; ``domain`` ``((x_min, x_max), (y_min, y_max))`` for plotting;
    ``start`` ``(x, y)``, a default start point; ``minima`` and ``saddles``, tuples of ``(x, y)``.
    """

    saddles = ()  # name, domain, start and minima are set by each surface

    def f(self, x, y):
        """Height at ``(x, y)``; arrays broadcast (e.g. a ``np.meshgrid``)."""
        return self._f(np.asarray(x, dtype=float), np.asarray(y, dtype=float))

    def grad(self, x, y):
        """``(df/dx, df/dy)`` at ``(x, y)``, analytic; arrays broadcast."""
        return self._grad(np.asarray(x, dtype=float), np.asarray(y, dtype=float))


@dataclass(frozen=True)
class Bowl(Surface):
    """Elongated quadratic ``f = (x**2 + condition * y**2) / 2``: curvatures 1 and ``condition``.

    GD is stable only for ``learning_rate < 2 / condition``, then crawls along ``x``.
    """

    condition: float = 10.0
    name, domain, start = "bowl", ((-6.0, 6.0), (-3.0, 3.0)), (-5.0, 2.0)
    minima = ((0.0, 0.0),)

    def __post_init__(self):
        if self.condition != 1:
            _check_number("condition", self.condition, 1, math.inf)

    def _f(self, x, y):
        return 0.5 * (x**2 + self.condition * y**2)

    def _grad(self, x, y):
        return x * 1.0, self.condition * y


@dataclass(frozen=True)
class Rosenbrock(Surface):
    """``f = (1 - x)**2 + 100 * (y - x**2)**2``: a curved, flat-bottomed valley to (1, 1)."""

    name, domain, start = "rosenbrock", ((-2.0, 2.0), (-1.0, 3.0)), (-1.5, 2.0)
    minima = ((1.0, 1.0),)

    def _f(self, x, y):
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    def _grad(self, x, y):
        r = y - x**2
        return -2 * (1 - x) - 400 * x * r, 200 * r


@dataclass(frozen=True)
class Saddle(Surface):
    """``f = x**2 - y**2 / 2 + y**4 / 4``: a saddle at the origin, floored by the quartic.

    Minima ``(0, +-1)``. Starting near ``y = 0`` shows how slowly plain GD leaves a saddle.
    """

    name, domain, start = "saddle", ((-3.0, 3.0), (-2.0, 2.0)), (-2.5, 0.01)
    minima = ((0.0, 1.0), (0.0, -1.0))
    saddles = ((0.0, 0.0),)

    def _f(self, x, y):
        return x**2 - y**2 / 2 + y**4 / 4

    def _grad(self, x, y):
        return 2 * x, y**3 - y


@dataclass(frozen=True)
class Himmelblau(Surface):
    """``f = (x**2 + y - 11)**2 + (x + y**2 - 7)**2``: four minima, all with ``f = 0``."""

    name, domain, start = "himmelblau", ((-5.0, 5.0), (-5.0, 5.0)), (0.0, 0.0)
    minima = ((3.0, 2.0), (-2.805118086952745, 3.131312518250573),
              (-3.779310253377747, -3.2831859912861696), (3.5844283403304917, -1.8481265269644034))

    def _f(self, x, y):
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def _grad(self, x, y):
        a, b = x**2 + y - 11, x + y**2 - 7
        return 4 * x * a + 2 * b, 2 * a + 4 * y * b


@dataclass(frozen=True)
class Beale(Surface):
    """``f = (1.5 - x + xy)**2 + (2.25 - x + xy**2)**2 + (2.625 - x + xy**3)**2``; min (3, 0.5)."""

    name, domain, start = "beale", ((-4.5, 4.5), (-4.5, 4.5)), (1.0, 1.5)
    minima = ((3.0, 0.5),)

    def _f(self, x, y):
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2

    def _grad(self, x, y):
        a1, a2, a3 = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
        gx = 2 * a1 * (y - 1) + 2 * a2 * (y**2 - 1) + 2 * a3 * (y**3 - 1)
        gy = 2 * a1 * x + 4 * a2 * x * y + 6 * a3 * x * y**2
        return gx, gy


@dataclass(frozen=True)
class Plateau(Surface):
    """``f = 0.01 (x**2 + y**2) - sum_i d_i exp(-|p - c_i|**2 / (2 s_i**2))``, wells in WELLS.

    Far from the three Gaussian wells the surface is almost flat (a plateau where gradient
    descent crawls); the wells are three local minima, the deepest (second) is global.
    """

    WELLS = ((-2.0, 2.0, 1.0, 0.6), (2.0, -1.5, 1.5, 0.7), (2.5, 2.5, 0.6, 0.5))
    name, domain, start = "plateau", ((-5.0, 5.0), (-5.0, 5.0)), (-3.5, -3.0)
    # Found by Newton's method from each well's centre.
    minima = ((-1.9856948677152864, 1.9856948677154924), (1.98701468020872, -1.4902610101565101),
              (2.4793036593261877, 2.479303322242274))

    def _f(self, x, y):
        value = 0.01 * (x**2 + y**2)
        for cx, cy, d, s in self.WELLS:
            value = value - d * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
        return value

    def _grad(self, x, y):
        gx, gy = 0.02 * x, 0.02 * y
        for cx, cy, d, s in self.WELLS:
            e = d * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s)) / (s * s)
            gx, gy = gx + e * (x - cx), gy + e * (y - cy)
        return gx, gy


SURFACES = {s.name: s for s in (Bowl(), Rosenbrock(), Saddle(), Himmelblau(), Beale(), Plateau())}


def optimize_path(surface, start=None, optimizer="gd", learning_rate=0.01, num_steps=100, *,
                  box_scale=100.0, **hyper):
    """Run ``optimizer`` from ``start`` on ``surface`` and record the path.

    Parameters
    ----------
    surface : Surface or str, a surface object or a key of :data:`SURFACES`
    start : (float, float) or None, default ``surface.start``
    optimizer : {"gd", "momentum", "rmsprop", "adam"}
    learning_rate : float; num_steps : int ``>= 0``
    box_scale : float ``> 1``, default 100
        The run diverges when a coordinate leaves the plotting domain scaled ``box_scale`` times
        about its centre, or stops being finite.
    **hyper : ``beta``, ``beta1``, ``beta2``, ``epsilon``, ``bias_correction`` of
        :func:`nnlab.spec.optimizers.optimizer_step`.

    Returns
    -------
    result : dict
        ``path`` (k + 1, 2) the start and every iterate inside the box; ``values`` (k + 1,)
        ``f`` along the path; ``steps`` k; ``status`` "ok" or "diverged" (then k < num_steps
        and the escaping iterate is left out); ``message`` a human sentence. Never raises for
        a diverging run.
    """
    surface = SURFACES.get(surface, surface) if isinstance(surface, str) else surface
    if not isinstance(surface, Surface):
        raise ValueError(f"surface must be a Surface or one of {tuple(SURFACES)}, "
                         f"got {surface!r}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if set(hyper) - set(_HYPER):
        raise ValueError(f"hyper must be among {_HYPER}, got {sorted(hyper)}")
    _check_count("num_steps", num_steps)
    p0 = np.asarray(surface.start if start is None else start, dtype=float)
    if p0.shape != (2,) or not np.all(np.isfinite(p0)):
        raise ValueError(f"start must be two finite numbers (x, y), got {start!r}")
    _check_number("box_scale", box_scale, 1, math.inf)

    (x0, x1), (y0, y1) = surface.domain
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    half = box_scale * np.array([(x1 - x0) / 2, (y1 - y0) / 2])
    params = {"theta": p0.reshape(2, 1)}
    state = init_optimizer_state(optimizer, params)
    path = [p0]
    status = "ok"
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported as "diverged"
        for step in range(1, num_steps + 1):
            gx, gy = surface.grad(*params["theta"][:, 0])
            grads = {"dtheta": np.array([[gx], [gy]], dtype=float)}
            params, state = optimizer_step(optimizer, params, grads, state, learning_rate,
                                           **hyper)
            point = params["theta"][:, 0]
            if not np.all(np.isfinite(point)) or np.any(np.abs(point - centre) > half):
                status = "diverged"
                message = (f"{optimizer} diverged at step {step}: the point ({point[0]:.3g}, "
                           f"{point[1]:.3g}) left the box {box_scale:g} times the domain")
                break
            path.append(point.copy())
        path = np.array(path)
        values = np.asarray(surface.f(path[:, 0], path[:, 1]), dtype=float)
    if status == "ok":
        message = (f"{optimizer} ran {num_steps} steps to ({path[-1, 0]:.4g}, "
                   f"{path[-1, 1]:.4g}), f = {values[-1]:.4g}")
    return {"path": path, "values": values, "steps": len(path) - 1, "status": status,
            "message": message}


PHASES = ("fast", "slow", "oscillates", "diverges")


def momentum_phase_diagram(learning_rates, betas, *, curvature=1.0, num_steps=100, tol=1e-3,
                           max_sign_changes=3, blowup=1e6):
    """Label each (learning_rate, beta) cell of momentum on ``f(x) = curvature * x**2 / 2``.

    Parameters
    ----------
    learning_rates : array_like of shape (n_lr,), each ``> 0``
    betas : array_like of shape (n_beta,), each ``0 <= beta < 1`` (0 is plain gradient descent)
    curvature : float ``c > 0``, the second derivative; num_steps : int ``T``;
    tol : float in (0, 1); max_sign_changes : int; blowup : float ``> 1``. See Notes.

    Returns
    -------
    result : dict
        ``labels`` (n_lr, n_beta) str from :data:`PHASES`; ``final_distance`` (n_lr, n_beta)
        ``|x_T|`` (inf if diverged); ``sign_changes`` (n_lr, n_beta); ``learning_rates``, ``betas``.

    Notes
    -----
    Every cell starts at ``x_0 = 1``, ``v_0 = 0`` and takes ``T = num_steps`` steps of the
    course's momentum, in the order of :func:`nnlab.spec.optimizers.optimizer_step`:
    ``v = beta * v + (1 - beta) * c * x``; ``x = x - lr * v``. Labels, the first that applies:

    - "diverges": some ``|x_t| > blowup`` or non-finite, or ``|x_T| >= |x_0| = 1``;
    - "oscillates": ``x`` changes sign (``x_{t-1} * x_t < 0``) more than ``max_sign_changes``
      times while still far (``|x_{t-1}| > tol``);
    - "fast": ``|x_T| <= tol``;
    - "slow": otherwise, still farther than ``tol`` after ``T`` steps.

    The iteration is linear with matrix determinant ``beta`` and trace
    ``1 + beta - lr (1 - beta) c``: it converges iff ``lr < 2 (1 + beta) / ((1 - beta) c)``.
    The heavy-ball bound ``lr < 2 (1 + beta) / c`` of PyTorch's ``v = beta v + g`` is
    ``1 / (1 - beta)`` times smaller, because the course's ``(1 - beta)`` scales the step.
    """
    lrs = np.asarray(learning_rates, dtype=float)
    bs = np.asarray(betas, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0 or not np.all(np.isfinite(lrs) & (lrs > 0)):
        raise ValueError(f"learning_rates must be 1-D numbers > 0, got {learning_rates!r}")
    if bs.ndim != 1 or bs.size == 0 or not np.all((bs >= 0) & (bs < 1)):
        raise ValueError(f"betas must be 1-D numbers in [0, 1), got {betas!r}")
    _check_number("curvature", curvature, 0, math.inf)
    _check_number("tol", tol, 0, 1)
    _check_number("blowup", blowup, 1, math.inf)
    _check_count("num_steps", num_steps)
    _check_count("max_sign_changes", max_sign_changes)

    lr, beta = np.meshgrid(lrs, bs, indexing="ij")
    x, v, changes = np.ones(lr.shape), np.zeros(lr.shape), np.zeros(lr.shape, dtype=int)
    diverged = np.zeros(lr.shape, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            v = beta * v + (1 - beta) * (curvature * x)
            x_new = x - lr * v
            changes += (x * x_new < 0) & (np.abs(x) > tol) & ~diverged
            diverged |= ~np.isfinite(x_new) | (np.abs(x_new) > blowup)
            x = np.where(diverged, 0.0, x_new)  # freeze diverged cells: no overflow
            v = np.where(diverged, 0.0, v)
    distance = np.where(diverged, np.inf, np.abs(x))
    diverged |= distance >= 1.0
    labels = np.where(distance <= tol, "fast", "slow").astype("<U10")
    labels[changes > max_sign_changes] = "oscillates"
    labels[diverged] = "diverges"
    return {"labels": labels, "final_distance": distance, "sign_changes": changes,
            "learning_rates": lrs, "betas": bs}
