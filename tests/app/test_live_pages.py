"""Live training on the pages (AppTest): a run played live to its end is the one-shot run.

Each live page first shows its variants' finished one-shot runs (``train_many``, cached). Reset
sends them back to epoch 0; Play then advances them frame by frame (AppTest draws one frame per
run) until they end. The metrics table at the end must be the one-shot table, number for number:
accuracies and final costs equal, for every default variant of the page.
"""

import hashlib

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import page_path

#: (page script, live view key) of every page with a live comparison.
LIVE_PAGES = [("11_Train_dev_test.py", "tdt_live"), ("12_Initialization.py", "init_live"),
              ("13_Regularization.py", "reg_live"), ("14_Vanishing_gradients.py", "van_live"),
              ("21_Mini_batches.py", "mb_live"), ("23_Optimizers.py", "opt_live"),
              ("24_Loss_landscapes.py", "ll_live"),
              ("25_Learning_rate_decay.py", "lr_live"), ("32_Batch_norm.py", "bn_live"),
              ("33_Softmax.py", "sm_live")]
#: Epochs per frame while these tests play (the fastest speed the toolbar offers).
SPEED = 100
#: Columns that must be equal bit for bit (seconds and status text may differ).
SAME = ["train_accuracy", "dev_accuracy", "test_accuracy", "final_cost", "epochs"]
MAX_FRAMES = 400
#: A stacked run's numbers against the same config's lone run (``tests/core/test_batched.py``).
STACKED_RTOL = 1e-12


def _epoch(at) -> tuple[int, int]:
    """The live view's progress: epochs, updates (mini-batch page) or steps (landscapes)."""
    shown = next(m.value for m in at.metric if m.label in ("Epoch", "Update", "Step"))
    done, total = (int(v) for v in shown.split(" / "))
    return done, total


def _table(at):
    """The live view's metrics table: the page's first table with a run and a final cost;
    on the loss-landscape page (no table), the data of its charts (the paths, the gaps)."""
    tables = [d.value for d in at.dataframe if {"run", "final_cost"} <= set(d.value.columns)]
    if not tables:  # every chart's data, by hash: the paths and the gap curves drawn
        return pd.DataFrame({"data": sorted(hashlib.sha1(d.data.data).hexdigest()
                                            for c in at.get("vega_lite_chart")
                                            for d in c.proto.datasets)})
    frame = tables[0].set_index("run")
    return frame[[c for c in SAME if c in frame.columns]]


@pytest.mark.parametrize(("script", "key"), LIVE_PAGES, ids=[k for _, k in LIVE_PAGES])
def test_a_page_played_live_to_the_end_shows_the_one_shot_runs(script, key):
    at = AppTest.from_file(page_path(script), default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    one_shot = _table(at)
    done, total = _epoch(at)
    assert done == total  # the first visit shows the finished runs

    at.button(key=f"{key}_reset").click().run()
    assert _epoch(at) == (0, total)
    at.button(key=f"{key}_step").click().run()
    assert _epoch(at) == (1, total)  # Step: one epoch (one update on the mini-batch page)
    at.select_slider(key=f"{key}_speed").set_value(SPEED).run()
    at.button_group(key=f"{key}_mode").set_value("Play").run()
    frames = 0
    while _epoch(at)[0] < total and frames < MAX_FRAMES:
        before = _epoch(at)[0]
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert _epoch(at)[0] > before or _epoch(at)[0] == total  # every frame moves on
        frames += 1
    at.run()
    assert _epoch(at) == (total, total)
    assert at.button_group(key=f"{key}_mode").value == "Pause"  # the switch shows it ended
    live = _table(at)
    assert len(live) and list(live.index) == list(one_shot.index)
    pd.testing.assert_frame_equal(live, one_shot, check_exact=False, rtol=STACKED_RTOL,
                                  atol=0.0)


def test_pause_holds_the_epoch_and_a_knob_change_starts_again_playing():
    script, key = "12_Initialization.py", "init_live"
    at = AppTest.from_file(page_path(script), default_timeout=180).run()
    at.button(key=f"{key}_reset").click().run()
    at.button_group(key=f"{key}_mode").set_value("Play").run()
    at.run()
    playing = _epoch(at)[0]
    assert playing > 0
    at.button_group(key=f"{key}_mode").set_value("Pause").run()
    paused = _epoch(at)[0]
    at.run()
    at.run()
    assert _epoch(at)[0] == paused
    # a knob change: the variants it changes start at epoch 0, and play
    at.slider(key="init_random_scale").set_value(2.0).run()
    assert not at.exception
    assert at.button_group(key=f"{key}_mode").value == "Play"
    statuses = dict(zip(at.dataframe[0].value["run"], at.dataframe[0].value["status"],
                        strict=True))
    assert statuses["random × 2"] == "running"
