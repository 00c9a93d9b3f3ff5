"""Tables and downloads of runs: metrics rows, the registry as a table, histories as CSV and
configs as JSON (the "Compare runs" page and the comparison view use them)."""

from __future__ import annotations

import io
import json

import numpy as np


def summary_row(label: str, *, status: str, metrics: dict, final_cost: float, epochs: int,
                seconds: float) -> dict:
    """One row of a metrics table (the columns of ``nnlab.app.runs.SUMMARY_COLUMNS``)."""
    return {
        "run": label,
        "train_accuracy": metrics.get("train_accuracy", np.nan),
        "dev_accuracy": metrics.get("dev_accuracy", np.nan),
        "test_accuracy": metrics.get("test_accuracy", np.nan),
        "final_cost": final_cost,
        "epochs": epochs,
        "seconds": round(float(seconds), 3),
        "status": status,
    }


def runs_table(runs: list[dict]):
    """``pandas.DataFrame`` with one row per registry entry: id, label, page, metrics and the
    config fields a learner changes most."""
    import pandas as pd

    rows = []
    for e in runs:
        c = e["config"]
        row = {"id": e["id"], "label": e["label"], "page": e["page"]}
        row.update(summary_row(e["label"], status=e["status"], metrics=e["metrics"],
                               final_cost=e["final_cost"], epochs=e["epochs_run"],
                               seconds=e["seconds"]))
        del row["run"]
        row.update({"dataset": c.dataset, "hidden_units": ",".join(map(str, c.hidden_units)),
                    "optimizer": c.optimizer, "learning_rate": c.learning_rate,
                    # one type per column: "full" beside numbers made pyarrow warn and guess
                    "mini_batch_size": str(c.mini_batch_size or "full"), "lambd": c.lambd,
                    "keep_prob": c.keep_prob, "initializer": c.initializer, "seed": c.seed})
        rows.append(row)
    return pd.DataFrame(rows)


def histories_csv(runs: list[dict]) -> str:
    """CSV of the runs' histories in long format: one row per run and epoch.

    Columns ``run_id, label, page, epoch`` then every history column (``cost``,
    ``learning_rate``, accuracies, ``dev_cost``, ``grad_norm_1 ..``); a column a run does not
    have (fewer layers) is empty. The rows are the registry's own: a run longer than
    ``nnlab.app.runs.MAX_HISTORY_ROWS`` epochs has only its kept epochs (``thin_history``), and
    the whole file is bounded by the registry's bounds (``register_run``). The "Compare runs"
    page builds it only when its download button is pressed.
    """
    import pandas as pd

    frames = []
    for e in runs:
        frame = pd.DataFrame(e["history"])
        frame.insert(0, "page", e["page"])
        frame.insert(0, "label", e["label"])
        frame.insert(0, "run_id", e["id"])
        if "epoch" in frame:
            frame["epoch"] = frame["epoch"].astype(int)
        frames.append(frame)
    if not frames:
        return "run_id,label,page,epoch\n"
    buffer = io.StringIO()
    pd.concat(frames, ignore_index=True).to_csv(buffer, index=False)
    return buffer.getvalue()


def configs_json(runs: list[dict]) -> str:
    """JSON list of the runs: id, label, page, status, message, metrics and the config dict
    (``TrainConfig.from_dict(item["config"])`` rebuilds the config)."""

    def clean(x):  # JSON has no NaN
        return None if isinstance(x, float) and not np.isfinite(x) else x

    items = [{"id": e["id"], "label": e["label"], "page": e["page"], "status": e["status"],
              "message": e["message"], "seconds": e["seconds"], "epochs_run": e["epochs_run"],
              "final_cost": clean(e["final_cost"]),
              "metrics": {k: clean(v) for k, v in e["metrics"].items()},
              "config": e["config"].to_dict()} for e in runs]
    return json.dumps(items, indent=2)
