"""Week 2: exponentially weighted averages of a year of daily temperatures (no training)."""

from nnlab.app import averages as ewa
from nnlab.app import page_setup
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.spec import weighted_averages as averages

page_setup(__file__)

settings = ewa.controls()
day, theta = ewa.temperatures(settings["seed"])
ewa.year_section(day, theta, settings)

MATH = math_section(
    [r"v_0 = 0, \qquad v_t = \beta\, v_{t-1} + (1 - \beta)\, \theta_t",
     r"v_t = \sum_{k=0}^{t-1} (1-\beta)\,\beta^k\, \theta_{t-k}"
     r", \qquad \sum_{k=0}^{t-1} (1-\beta)\,\beta^k = 1 - \beta^t",
     r"\hat v_t = \frac{v_t}{1 - \beta^t} \quad \text{(bias correction)}",
     r"\beta^{1/(1-\beta)} \approx \frac{1}{e} \quad\Rightarrow\quad "
     r"\text{about } \frac{1}{1-\beta} \text{ days}"],
    [averages.exponentially_weighted_average, averages.ewa_weights, averages.effective_window],
    note="The same average is inside momentum (`v_dW`, β), RMSprop (`s_dW`, β₂) and Adam (both, "
         "with bias correction): there θₜ is the gradient of step t.")
sections("ewa_section", {"Start-up bias": lambda: ewa.startup_section(day, theta, settings),
                         "How far back": lambda: ewa.weights_section(settings)}, math=MATH)
