"""Lab: every run of this session in one table; overlay any of them; download them."""

from functools import partial

import streamlit as st

from nnlab.app import bound, lab_file, runs, share
from nnlab.app.charts import accessible
from nnlab.app.pages import existing_pages, link, page_setup
from nnlab.viz import curves_chart

MAX_DEFAULT_SELECTION = 4

page_setup(__file__)

all_runs = runs.list_runs()
if not all_runs:
    st.info("No runs yet. Open a topic page from the menu and change a control: every network "
            "it trains is recorded here, so you can compare runs made on different pages. "
            "Runs live in this browser tab: a reload starts afresh. Once you have runs, **Save "
            "the lab** (under their table) keeps them in a file: load it below to get them "
            "back.",
            icon=":material/info:")
    topic_pages = [p for p in existing_pages() if p.path != "pages/90_Compare_runs.py"]
    for page in topic_pages[:4]:
        link(page)
    st.header("Load a saved lab")
    lab_file.load_section()
    share.page_end()
    st.stop()

st.header(f"{len(all_runs)} run{'s' if len(all_runs) != 1 else ''} in this session")
dropped = runs.dropped_runs()
if dropped:
    st.caption(f"{dropped} older run{'s were' if dropped != 1 else ' was'} dropped: a session "
               f"keeps its latest {runs.MAX_RUNS} runs and at most "
               f"{runs.MAX_SESSION_BYTES / 2**20:.0f} MB of histories (less when the server "
               "holds many sessions' runs).")
strides = [e.get("stride", 1) for e in all_runs]
if max(strides) > 1:
    st.caption(f"Runs longer than {runs.MAX_HISTORY_ROWS} epochs are kept at every k-th epoch "
               f"(k up to {max(strides)}), plus their last epoch and the epochs where the dev "
               "set was evaluated: the curves and the CSV show these epochs.")
st.dataframe(
    runs.runs_table(all_runs),
    hide_index=True,
    column_config={
        "train_accuracy": st.column_config.NumberColumn("train acc.", format="%.3f"),
        "dev_accuracy": st.column_config.NumberColumn("dev acc.", format="%.3f"),
        "test_accuracy": st.column_config.NumberColumn("test acc.", format="%.3f"),
        "final_cost": st.column_config.NumberColumn("final cost", format="%.4g"),
        "seconds": st.column_config.NumberColumn("seconds", format="%.2f"),
    },
)

by_id = {e["id"]: e for e in all_runs}


def _name(run_id: str) -> str:
    e = by_id[run_id]
    return f"{run_id} · {e['label']}" + (f" ({e['page']})" if e["page"] else "")


# The same config trains the same run (a page registers what it shows, under the label it
# shows it with): the default overlay takes the latest run of each config, so that it never
# draws one curve twice.
latest = {}
for e in all_runs:
    latest.pop(e["config"], None)
    latest[e["config"]] = e["id"]
default = list(latest.values())[-MAX_DEFAULT_SELECTION:]
chosen = bound.multiselect("Runs to overlay", list(by_id), format_func=_name,
                        default=default, key="compare_selection")
log_cost = bound.toggle("Logarithmic cost axis", value=False, key="compare_log_cost")
if chosen:
    cost, dev = {}, {}
    for run_id in chosen:
        h = by_id[run_id]["history"]
        name = f"{run_id} · {by_id[run_id]['label']}"
        cost[name] = (h["epoch"], h["cost"])
        keep = h["dev_accuracy"] == h["dev_accuracy"]  # drop NaN (epochs not evaluated)
        dev[name] = (h["epoch"][keep], h["dev_accuracy"][keep])
    for run_id in chosen:
        if by_id[run_id]["status"] == "diverged":
            st.warning(f"**{_name(run_id)}**: {by_id[run_id]['message']}")
    same = {}
    for run_id in chosen:
        same.setdefault(by_id[run_id]["config"], []).append(run_id)
    twins = [ids for ids in same.values() if len(ids) > 1]
    if twins:
        st.markdown("Same config, so the same run (their curves lie on each other): "
                    + "; ".join(" and ".join(ids) for ids in twins) + ".")
    # Run names are long: wrap the legends in two columns so that none is cut off.
    left, right = st.columns(2)
    with left:
        st.vega_lite_chart(accessible(curves_chart(cost, y_title="cost", log_y=log_cost,
                                                   title="Training cost"
                                                   ).configure_legend(columns=2)),
                           width="stretch")
    with right:
        if any(len(x) for x, _ in dev.values()):
            st.vega_lite_chart(accessible(curves_chart(dev, y_title="dev accuracy",
                                                       title="Dev accuracy"
                                                       ).configure_legend(columns=2)),
                               width="stretch")
        else:
            st.info("These runs have no dev set.")
else:
    st.caption("Pick runs above to overlay their curves.")

# The files are built only when a download button is pressed (``data`` is a callable that the
# server calls on that click): a rerun never builds them. They hold at most the registry.
st.header("Save, load, download")
st.markdown("Runs live in this browser tab: a reload starts afresh. **Save the lab** keeps "
            "every run's config in one file; load it here to get the runs back.")
left, middle, right = st.columns(3)
with left:
    st.download_button("Histories (CSV)", partial(runs.histories_csv, all_runs),
                       file_name="nnlab_histories.csv", mime="text/csv", on_click="ignore",
                       icon=":material/download:", key="download_histories",
                       help="One row per run and kept epoch: run_id, label, page, epoch, cost, ...")
with middle:
    lab_file.save_button(all_runs)
with right:
    st.button("Clear runs", on_click=runs.clear_runs, icon=":material/delete:",
              key="clear_runs", help="Forget the runs of this session (cached results stay, "
              "so showing a page again is instant).")
lab_file.load_section()
share.page_end()
