"""Live training in a real browser: how quickly each live page answers, and how smoothly it plays.

``python -m bench.live`` starts ``streamlit run streamlit_app.py`` on a free loopback port and
opens every live page in Debian's Chromium (Playwright), at 1280x800, one fresh session per
page. On each page it measures, with the Epoch metric (Update on the mini-batch page) as the
clock:

- **knob -> first frame**: a knob change (the page's cheapest slider, one keyboard step) until
  the picture shows the changed runs at their start (the metric drops below the end): the live
  path. Repeated ``--repeats`` times (the slider goes back and forth), each from a settled
  page (no script running for 1.5 s). Streamlit's slider waits about 0.1 s after a key
  before it sends the value: that is in the figure.
- **knob -> final (old)**: the same knob change until the finished runs are drawn, as every page
  did before live training (here: **Finish**, the one-shot runs): what a learner waited for
  before. The slider goes back and forth between two values, so the first two are trained
  (``first``, the slower of them) and the others are cache hits (the p50).
- **step**: a Step click until the metric moves on by one.
- **frames/s**: while playing, how often the metric changes over ``--seconds`` seconds (one tab);
  with ``--tabs 4``, the slowest of four tabs playing the page at once.
- **charts rebuilt**: while playing (all tabs), how many times the browser built a chart anew
  after a tab's second frame (a new Vega view: a spec that changed between frames); 0 when
  every chart only gets new data.

Targets (issue "Live training"): knob -> first frame p50 <= 0.3 s, p95 <= 1 s; step p50 <=
0.3 s; >= 8 frames/s with one tab, >= 3 per tab with four. This is a benchmark: nothing here is
asserted by the test suite, and the figures depend on the machine (run it on a quiet one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import (  # noqa: E402  (the test suite's server and browser helpers)
    BACKGROUND_ARGS,
    chromium,
    logged_streamlit_server,
    new_session,
    wait_for_app,
    wait_until_idle,
)

#: URL path -> (live view key, slider key whose one keyboard step changes the runs).
PAGES = {
    "Train_dev_test": ("tdt_live", "tdt_noise"),
    "Initialization": ("init_live", "init_random_scale"),
    "Regularization": ("reg_live", "r_lambd"),
    "Vanishing_gradients": ("van_live", "t_learning_rate"),
    "Mini_batches": ("mb_live", "mb_learning_rate"),
    "Optimizers": ("opt_live", "opt_num_epochs"),
    "Learning_rate_decay": ("lr_live", "lr_learning_rate"),
    "Batch_norm": ("bn_live", "bn_num_epochs"),
    "Softmax": ("sm_live", "sm_noise"),
    "Loss_landscapes": ("ll_live", "ll_steps"),
}
#: The Epoch metric's "e / N" (``textContent``: ``innerText`` would make the browser lay the
#: page out on every poll, work the page itself does not do).
_PROGRESS = """() => {
    const m = Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
        .find(x => /Epoch|Update|Step/.test(x.textContent));
    if (!m) return null;
    const g = m.querySelector('[data-testid="stMetricValue"]').textContent
        .match(/(\\d+)\\s*\\/\\s*(\\d+)/);
    return g ? [parseInt(g[1]), parseInt(g[2])] : null;
}"""


def progress(page):
    return page.evaluate(_PROGRESS)


def wait_progress(page, test: str, timeout: float = 120.0) -> float:
    """Seconds until the metric (e / N) satisfies the JS expression ``test``."""
    start = time.perf_counter()
    page.wait_for_function(f"() => {{ const p = ({_PROGRESS})(); if (!p) return false; "
                           f"const e = p[0], N = p[1]; return {test}; }}",
                           timeout=timeout * 1000, polling=10)
    return time.perf_counter() - start


def button(page, key: str, name: str):
    """The button ``name`` of the widget ``key`` (found by its text: the Play/Pause switch's
    options have no button role)."""
    return page.locator(f".st-key-{key}").get_by_text(name, exact=True).first


def nudge(page, slider: str, press: str) -> None:
    """One keyboard step of a slider (Streamlit 1.67: a visually hidden range input takes the
    keys). The frontend's debounce before it sends the value counts in the timings."""
    box = page.locator(f".st-key-{slider}")
    box.scroll_into_view_if_needed()
    thumb = box.locator('input[type="range"], [role="slider"]').first
    thumb.focus()
    thumb.press(press)


def pause(page, key: str) -> None:
    """Pause (if the switch can be clicked: a tab whose runs have ended has nothing to pause,
    and a loaded server may hold the switch disabled while a rerun is pending)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        button(page, f"{key}_mode", "Pause").click(timeout=10_000)
    except PlaywrightTimeout as exc:
        why = next((line.strip() for line in str(exc).splitlines() if "element is" in line),
                   str(exc).splitlines()[0])
        print(f"  (could not press Pause on {page.url}: {why})", flush=True)
    time.sleep(0.5)


#: Counts, in the page, the frames drawn (each new text of the Epoch metric) and every chart
#: the browser builds anew (a new canvas or SVG of marks in a Vega chart) after the second
#: frame: Vega updating a chart's data in place adds none. A MutationObserver counts them as
#: the page changes; the bench reads the counts once, at the end, so that measuring adds no
#: work of its own to the page while it plays.
_COUNTER = """() => {
    window.__nnlab = {frames: 0, rebuilt: 0, last: null};
    const value = () => {
        const m = Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
            .find(x => /Epoch|Update|Step/.test(x.textContent));
        return m && m.querySelector('[data-testid="stMetricValue"]').textContent;
    };
    new MutationObserver(records => {
        const t = value();
        if (t && t !== window.__nnlab.last) { window.__nnlab.last = t; window.__nnlab.frames++; }
        if (window.__nnlab.frames < 3) return;  // the Play click's own rerun and first frame
        for (const r of records) for (const n of r.addedNodes)
            if (n.nodeType === 1 && n.closest('[data-testid="stVegaLiteChart"]')
                    && (n.matches('canvas, svg.marks') || n.querySelector('canvas, svg.marks')))
                window.__nnlab.rebuilt++;
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def frames_per_second(pages, key: str, seconds: float) -> tuple[list[float], int]:
    """Play every page at once; how often each one's metric changes, per second, and how many
    charts the browsers built anew between frames (after each page's second frame)."""
    for page in pages:
        button(page, f"{key}_reset", "Reset").click()
    for page in pages:
        wait_progress(page, "e === 0")
        page.evaluate(_COUNTER)
    for page in pages:
        button(page, f"{key}_mode", "Play").click()
    time.sleep(seconds)
    counts = [page.evaluate("() => window.__nnlab") for page in pages]
    for page in pages:
        pause(page, key)
    # the first change is the Play click's own rerun; a tab whose runs ended stopped counting
    return ([max(0, c["frames"] - 1) / seconds for c in counts],
            sum(c["rebuilt"] for c in counts))


def measure(server, browser, name: str, repeats: int, seconds: float, tabs: int) -> dict:
    key, slider = PAGES[name]
    page = new_session(browser, 1280, 800)
    page.goto(f"{server.base}/{name}")
    wait_for_app(page)
    wait_progress(page, "e === N")
    row = {"page": name, "knob": [], "final": [], "step": []}
    for i in range(repeats):
        press = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
        # from a settled page: a key pressed while the browser still draws the last answer
        # (the sections below the picture) waits for it, which is not the knob's own time
        wait_until_idle(page)
        start = time.perf_counter()
        nudge(page, slider, press)
        wait_progress(page, "e < N")
        row["knob"].append(time.perf_counter() - start)
        pause(page, key)
        start = time.perf_counter()
        finish = button(page, f"{key}_finish", "Finish")
        if finish.is_enabled():  # disabled: the runs have ended already (2-D paths are quick)
            finish.click()
        wait_progress(page, "e === N", timeout=300)
        row["final"].append(time.perf_counter() - start)
    button(page, f"{key}_reset", "Reset").click()
    wait_progress(page, "e === 0")
    for i in range(repeats):
        wait_until_idle(page)
        start = time.perf_counter()
        button(page, f"{key}_step", "Step").click()
        wait_progress(page, f"e === {i + 1}")
        row["step"].append(time.perf_counter() - start)
    (row["fps1"],), row["rebuilt"] = frames_per_second([page], key, seconds)
    if tabs > 1:
        others = [new_session(browser, 1280, 800) for _ in range(tabs - 1)]
        for other in others:
            other.goto(f"{server.base}/{name}")
            wait_for_app(other)
        fps, rebuilt = frames_per_second([page, *others], key, seconds)
        row["fpsN"], row["rebuilt"] = min(fps), row["rebuilt"] + rebuilt
        row["tabs"] = fps
        for other in others:
            other.context.close()
    page.context.close()
    return row


def p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="*", default=list(PAGES), choices=list(PAGES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--tabs", type=int, default=4)
    args = parser.parse_args(argv)
    rows = []
    with logged_streamlit_server(name="bench-live") as server, \
            chromium(*BACKGROUND_ARGS) as browser:
        for name in args.pages:
            rows.append(measure(server, browser, name, args.repeats, args.seconds, args.tabs))
            r = rows[-1]
            print(f"{name:22s} knob->frame p50 {p(r['knob'], .5):5.2f} s p95 "
                  f"{p(r['knob'], .95):5.2f} s | knob->final (old) p50 "
                  f"{p(r['final'], .5):5.2f} s (first {max(r['final'][:2]):5.2f} s) | "
                  f"step p50 {p(r['step'], .5):5.2f} s | "
                  f"{r['fps1']:4.1f} frames/s"
                  + (f", {r['fpsN']:4.1f} per tab with {args.tabs} (each: "
                     + ", ".join(f"{f:.1f}" for f in r["tabs"]) + ")" if "fpsN" in r else "")
                  + f" | charts rebuilt between frames: {r['rebuilt']}"
                  + f" | load {os.getloadavg()[0]:.1f}",
                  flush=True)
    knob = [v for r in rows for v in r["knob"]]
    print(f"all pages: knob->frame p50 {statistics.median(knob):.2f} s, p95 {p(knob, .95):.2f} s; "
          f"step p50 {statistics.median([v for r in rows for v in r['step']]):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
