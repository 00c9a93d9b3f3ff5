"""Week 3: hyperparameter search. Grid vs random on the same budget, coarse to fine,
caviar vs panda."""

import streamlit as st

from nnlab.app import bound, challenges, page_setup
from nnlab.app import search_page as hs
from nnlab.app import search_trials as trials
from nnlab.app.charts import accessible, chart_spec
from nnlab.app.explain import math_section
from nnlab.app.sections import sections
from nnlab.lessons import search
from nnlab.viz import curves_chart
from nnlab.viz.caviar import caviar_chart

page_setup(__file__)

REQUEST_KEY, STOP_KEY, ZOOM_KEY, PANDA_KEY = "hs_request", "hs_stopped", "hs_zoom", "hs_panda"
st.session_state.setdefault(STOP_KEY, False)


def _submitted():
    st.session_state[STOP_KEY] = False


def _stop():
    st.session_state[STOP_KEY] = True


# ------------------------------------------------------------------------------ controls
with st.form("hs_form", border=True):
    left, right = st.columns([3, 2])
    with left:
        knobs = bound.multiselect(
            "Knobs to search", list(hs.KNOBS), default=list(hs.DEFAULT_KNOBS),
            format_func=lambda k: hs.KNOB_LABELS[k], key="hs_knobs",
            help="Each knob is sampled on its own scale (see *Search space* below). The "
                 "default pairs the knob the course ranks first (the learning rate) with a "
                 "small L2 λ: the results below say which one matters here.")
    with right:
        budget = bound.select_slider("Budget: trials per method", hs.BUDGETS,
                                  value=hs.DEFAULT_BUDGET, key="hs_budget",
                                  help="Grid and random search each get this many trials.")
    # the less-used settings of the search: in a popover, so the picture comes first
    with st.container(horizontal=True, vertical_alignment="center"):
        st.form_submit_button("Run search", type="primary", icon=":material/play_arrow:",
                              on_click=_submitted)
        with st.popover("Data set, epochs, seed", icon=":material/tune:"):
            dataset = bound.selectbox("Data set", hs.DATASETS, key="hs_dataset")
            epochs = bound.select_slider("Epochs per trial", hs.EPOCH_CHOICES,
                                      value=hs.BASE.num_epochs, key="hs_epochs")
            seed = int(bound.number_input("Search seed", 0, 100_000, 0, key="hs_seed",
                                       help="Seed of the random search's sampler."))
st.button("Stop the search", icon=":material/stop:", on_click=_stop, key="hs_stop",
          help="Stops after the current trial; the finished trials are kept and shown.")

if not knobs:
    st.error("Pick at least one knob to search; showing the learning rate and λ.")
    knobs = list(hs.DEFAULT_KNOBS)
knobs = [k for k in hs.KNOBS if k in knobs]
space = hs.make_space(knobs)
base = hs.base_config(dataset, epochs, knobs)
request = (tuple(knobs), budget, seed, dataset, epochs)
if st.session_state.get(ZOOM_KEY, (None, 0))[0] != request:
    st.session_state[ZOOM_KEY] = (request, 0)
zoom_stages = st.session_state[ZOOM_KEY][1]
stopped = st.session_state[STOP_KEY]

n_grid = len(search.grid_search_points(space, budget))
progress = trials.Progress(n_grid + budget * (zoom_stages + 1))
grid, stages = trials.search_stages(base, space, budget, seed, zoom_stages, progress,
                                    stopped=stopped)
progress.close()
random = stages[0][1] if stages else []
if stopped:
    st.info(f"Search stopped: showing the {len(grid) + sum(len(r) for _, r in stages)} trials "
            "finished so far. Click **Run search** to go on (finished trials are reused).",
            icon=":material/pause_circle:")

# ------------------------------------------------------------------------------ grid vs random
picture = st.container()  # the two trial charts first; the metrics and verdicts below them
with picture:
    st.header("Grid vs random, same budget")
first = knobs[0]
best_grid, best_random = hs.best_row(grid), hs.best_row(random)
cols = st.columns(4)
for col, (name, records, best) in zip(cols[:2], (("Grid", grid, best_grid),
                                                 ("Random", random, best_random)), strict=True):
    with col:
        if best is None:
            st.metric(f"{name}: best dev accuracy", "n/a")
        else:
            st.metric(f"{name}: best dev accuracy", f"{best['dev_accuracy']:.3f}",
                      help=f"Trial {best['trial']}: " + ", ".join(
                          f"{k} = {best[k]:.4g}" for k in knobs))
            st.markdown(hs.best_at(records, first))
short = hs.SHORT.get(first, first)
with cols[2]:
    st.metric(f"{short} values tried: grid", hs.distinct_values(grid, first))
with cols[3]:
    st.metric(f"{short} values tried: random", hs.distinct_values(random, first))
if best_grid is not None and best_random is not None:
    st.markdown(hs.grid_random_verdict(grid, random, knobs))
    trials.register_best(base, best_grid, "search: grid best")
    trials.register_best(base, best_random, "search: random best")

x_col, x_log = hs.axis_of(first)
with picture:
    if len(knobs) > 1:
        second = bound.selectbox("Vertical axis", knobs[1:], key="hs_y",
                                 format_func=lambda k: hs.KNOB_LABELS[k]
                                 ) if len(knobs) > 2 else knobs[1]
        y_col, y_log = hs.axis_of(second)
    else:
        y_col, y_log = "dev_accuracy", False
    domain = hs.accuracy_domain(grid + random)
    left, right = st.columns(2)
    for col, (name, records) in zip((left, right), (("Grid", grid), ("Random", random)),
                                    strict=True):
        with col:
            if records:
                st.vega_lite_chart(accessible(hs.trials_chart(
                    records, x_col, y_col, log_x=x_log, log_y=y_log, domain=domain,
                    title=f"{name} search: {len(records)} trials")), width="stretch")
            else:
                st.info(f"No {name.lower()} trial finished yet.")
    st.caption("Each dot is one trained network, placed at its hyperparameters on the scale "
               "they were sampled on, coloured by its dev accuracy (yellow is highest); both "
               "charts share one colour scale.")
st.markdown(hs.columns_sentence(grid, random, first))
diverged = hs.diverged_sentence(grid + random, knobs)
if diverged:
    st.warning(diverged, icon=":material/warning:")


# ------------------------------------------------------------------------------ the sections
def all_trials_section() -> None:
    table = hs.records_frame(grid + [r for _, rs in stages for r in rs], knobs)
    st.dataframe(table, hide_index=True, column_config={
        "dev_accuracy": st.column_config.NumberColumn("dev acc.", format="%.3f"),
        "train_accuracy": st.column_config.NumberColumn("train acc.", format="%.3f"),
        "dev_cost": st.column_config.NumberColumn("dev cost", format="%.4g"),
        "cost": st.column_config.NumberColumn("final cost", format="%.4g"),
        "seconds": st.column_config.NumberColumn("seconds", format="%.3f")})
    st.download_button("Download the trials (CSV)", table.to_csv(index=False),
                       file_name="nnlab_search_trials.csv", mime="text/csv", on_click="ignore",
                       icon=":material/download:", key="hs_download")
    st.caption("Click a column header to sort. The two best trials are also on "
               "*Compare runs*.")


def _zoom_in():
    req, n = st.session_state[ZOOM_KEY]
    st.session_state[ZOOM_KEY] = (req, min(n + 1, hs.MAX_ZOOM))


def _zoom_reset():
    st.session_state[ZOOM_KEY] = (st.session_state[ZOOM_KEY][0], 0)


def coarse_to_fine_section() -> None:
    st.markdown(f"Zoom into the region of the best {hs.ZOOM_TOP:.0%} of the random trials and "
                f"sample {budget} new points there, on the same scales.")
    left, right = st.columns(2)
    with left:
        st.button("Zoom in and sample again", icon=":material/zoom_in:", on_click=_zoom_in,
                  key="hs_zoom_in", disabled=zoom_stages >= hs.MAX_ZOOM or best_random is None)
    with right:
        st.button("Back to the coarse search", icon=":material/zoom_out:", on_click=_zoom_reset,
                  key="hs_zoom_reset", disabled=zoom_stages == 0)
    if len(stages) < 2:
        st.caption("Click **Zoom in** to see the new, narrower round of trials.")
        return
    everything = [r for _, rs in stages for r in rs]
    st.vega_lite_chart(accessible(hs.trials_chart(
        everything, x_col, y_col, log_x=x_log, log_y=y_log, shape=True,
        domain=hs.accuracy_domain(everything), title="Random search, coarse then fine")),
        width="stretch")
    rows = []
    for s, (sp, rs) in enumerate(stages):
        best = hs.best_row(rs)
        d = sp.dimensions[0]
        rows.append({"round": "coarse" if s == 0 else f"zoom {s}", f"{d.name} low": d.low,
                     f"{d.name} high": d.high, "trials": len(rs),
                     "best dev acc.": None if best is None else best["dev_accuracy"],
                     f"best {d.name}": None if best is None else best[d.name]})
    st.dataframe(rows, hide_index=True)
    st.markdown(hs.zoom_sentence(stages))


def _more():
    if len(st.session_state[PANDA_KEY]) < hs.PANDA_MAX_DAYS:
        st.session_state[PANDA_KEY] = [*st.session_state[PANDA_KEY],
                                       float(st.session_state["hs_panda_lr"])]


def _restart():
    st.session_state[PANDA_KEY] = [float(st.session_state["hs_panda_lr"])]


def caviar_panda_section() -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**Caviar**: train many models in parallel and keep the best. Here: the "
                    "cost curves of all the random trials at once, coloured by their "
                    f"{hs.AXIS_TITLES.get(first, first)}.")
        if random:
            curves = {f"trial {r['trial']}": r["costs"] for r in random}
            colour = {f"trial {r['trial']}": r[first] for r in random}
            st.vega_lite_chart(chart_spec(caviar_chart, curves, colour,
                                          color_title=hs.AXIS_TITLES.get(first, first),
                                          log_color=hs.KNOBS[first].scale != "linear",
                                          title=f"{len(random)} trials"), width="stretch")
            st.markdown(hs.caviar_sentence(random, first))
    with right:
        st.markdown(f"**Panda**: babysit one model. Choose the learning rate for the next "
                    f"{hs.PANDA_SEGMENT} epochs, look at the curve, adjust, go on.")
        panda_lr = bound.select_slider("α for the next epochs", hs.PANDA_RATES,
                                       value=hs.PANDA_START, key="hs_panda_lr",
                                       format_func=lambda v: f"{v:g}")
        # the first day trains at the α the slider shows (a link's α included)
        rates = st.session_state.setdefault(PANDA_KEY, [float(panda_lr)])
        with st.container(horizontal=True):
            st.button(f"Train {hs.PANDA_SEGMENT} more epochs", on_click=_more,
                      key="hs_panda_more", icon=":material/fast_forward:",
                      disabled=len(rates) >= hs.PANDA_MAX_DAYS)
            st.button("Start over with this α", on_click=_restart, key="hs_panda_restart",
                      icon=":material/restart_alt:")
        panda = trials.panda_run(base, rates)
        st.vega_lite_chart(chart_spec(curves_chart, {"the panda model": panda["costs"]},
                                      marks=panda["marks"],
                                      title=f"One model, {panda['days']} day(s)"),
                           width="stretch")
        if panda["status"] == "diverged":
            st.warning(hs.panda_sentence(panda, rates), icon=":material/warning:")
        else:
            st.markdown(hs.panda_sentence(panda, rates))
    st.caption("With little compute you tend one model by hand (panda); with a lot you run "
               "many and pick (caviar). Both need a sensible range for each knob.")


def search_space_section() -> None:
    st.markdown("Each knob on its own scale:")
    st.dataframe(hs.space_frame(space), hide_index=True)
    st.markdown(r"Sampling uniformly on the right scale gives each decade of $\alpha$ "
                r"(0.001 to 0.01, 0.01 to 0.1, ...) the same share of the trials, and gives "
                r"$\beta$ from 0.99 to 0.995 as many trials as from 0.9 to 0.95, because "
                r"$\beta$ averages over about $1/(1 - \beta)$ steps.")


MATH = math_section(
    [r"r \sim U[\log_{10} a,\ \log_{10} b], \qquad \alpha = 10^{r}",
     r"r \sim U[-\log_{10}(1-\beta_{lo}),\ -\log_{10}(1-\beta_{hi})], \qquad \beta = 1 - 10^{-r}",
     r"\text{grid: } k = \lfloor \text{budget}^{1/d} \rfloor \text{ values per knob, } k^d "
     r"\le \text{budget trials}"],
    [search.LogUniform, search.OneMinusLog, search.grid_search_points,
     search.random_search_points, search.zoom, search.run_trial],
    note=r"Grid search with $d$ knobs gives each knob only $\text{budget}^{1/d}$ distinct "
         "values; random search gives every knob *budget* distinct values. Each trial is "
         "`run_trial`: one full `nnlab.core.train.train` run of the base network with the "
         "point's values.")
sections("hs_section", {"All trials": all_trials_section,
                        "Coarse to fine": coarse_to_fine_section,
                        "Caviar vs panda": caviar_panda_section,
                        "Search space": search_space_section}, math=MATH)
challenges.topic_link(__file__)
