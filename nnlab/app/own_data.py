"""A learner's own data: upload a CSV once, use it on every page that trains on a data set.

The parsed data lives in this browser session's ``st.session_state`` only (never on disk, never
shared with another session) and travels into training inside the ``TrainConfig``
(``dataset="custom"``, ``custom_data``), so cached runs are keyed by the data itself.
"""

from __future__ import annotations

import streamlit as st

from nnlab.app.widgets import escape_markdown, user_text
from nnlab.data import upload

#: Session-state key of the uploaded data set (a dict, see ``_store``).
SESSION_KEY = "nnlab_custom_data"
CUSTOM = "custom"
#: A file name is shown with at most this many characters (escaped: a name can look like a link).
NAME_CHARS = 40
EXAMPLE = "x1,x2,label\n0.12,-1.30,0\n1.05,0.44,1\n..."


def current() -> dict | None:
    """This session's uploaded data: ``name``, ``rows``, ``n_classes``, ``classes``,
    ``custom_data`` (the tuples for ``TrainConfig``); None before any upload."""
    return st.session_state.get(SESSION_KEY)


def config_part() -> dict:
    """The ``TrainConfig`` fields that select the uploaded data (empty without an upload)."""
    data = current()
    if data is None:
        return {}
    return {"dataset": CUSTOM, "custom_data": data["custom_data"], "n_samples": data["rows"],
            "n_classes": data["n_classes"]}


def _store(name: str, file_id: str, X, Y, classes) -> None:
    labels = Y[0].astype(int)
    st.session_state[SESSION_KEY] = {
        "name": name, "file_id": file_id, "rows": int(X.shape[1]),
        "n_classes": len(classes), "classes": list(classes),
        "counts": [int((labels == k).sum()) for k in range(len(classes))],
        "custom_data": (tuple(X[0].tolist()), tuple(X[1].tolist()), tuple(Y[0].tolist())),
    }


#: Session-state key: the data-set control a ``custom`` link asked for, while no data is here.
PENDING_KEY = "nnlab_custom_link_pending"
#: Rows of the uploaded file shown as a preview.
PREVIEW_ROWS = 5


def custom_link_notice(dataset_key: str, fallback: str) -> None:
    """A link that opens the data-set control ``dataset_key`` on ``custom`` while this session
    has no uploaded data: say so where the learner looks (a notice and a toast) instead of
    silently showing ``fallback``; the upload box opens, and the data uploaded there is
    picked at once."""
    from nnlab.app import bound, share

    if bound.link_value(dataset_key) != CUSTOM or current() is not None:
        return
    if dataset_key in st.session_state:  # not this run's link: the control has a value
        return
    bound.forget_link_value(dataset_key)  # instead of the generic "not one of the choices"
    st.session_state[PENDING_KEY] = dataset_key
    text = (f"This link was made with **data its author uploaded** (`dataset={CUSTOM}`). "
            f"That data stays in the author's browser, so it is not here: this page shows "
            f"**{fallback}** instead. To see their experiment, get their CSV file and upload "
            f"it under **Use your own data (CSV)**: it is picked at once.")
    share.link_notice(text, icon=":material/upload_file:")
    st.toast(f"This link's data ({CUSTOM}) is not here: showing {fallback}. Upload the CSV "
             "to see it.", icon=":material/upload_file:", duration="long")


def preview(data: dict):
    """The first rows of the uploaded data as a table (x1, x2, label)."""
    import pandas as pd

    x1, x2, y = data["custom_data"]
    n = min(PREVIEW_ROWS, len(y))
    return pd.DataFrame({"x1": x1[:n], "x2": x2[:n], "label": [int(v) for v in y[:n]]})


def status(data: dict, *, in_use: bool, offered: bool) -> None:
    """Where the learner looks (under the data-set box): what is loaded and how to use it."""
    name = user_text(data["name"], NAME_CHARS)
    counts = data.get("counts")
    per_class = (" (" + ", ".join(f"{c}: {n}" for c, n in zip(data["classes"], counts,
                                                                strict=False)) + ")"
                 if counts else "")
    facts = f"**{name}**: {data['rows']} rows, {data['n_classes']} classes{per_class}"
    if in_use:
        st.success(f"Training on your data, {facts}.", icon=":material/check_circle:")
        st.dataframe(preview(data), hide_index=True, height="content")  # its first rows
    elif offered:
        st.info(f"Your data is loaded, {facts}. Pick **{CUSTOM}** in the Data set box above "
                "to train on it.", icon=":material/upload_file:")
    else:
        st.info(f"Your data, {facts}: this page needs 2 classes.", icon=":material/info:")


def _parse(file) -> str | None:
    """Store a good file as the session's data (None); for a bad one, the message (its line
    and reason, the file's name and cells shown as text, never as Markdown)."""
    try:
        X, Y, classes = upload.parse_csv(file.getvalue())
    except upload.UploadError as err:
        return f"{user_text(file.name, NAME_CHARS)} was not loaded: {escape_markdown(err)}."
    _store(file.name, file.file_id, X, Y, classes)
    return None


def _on_upload(key: str, dataset_key: str | None, offers) -> None:
    """The uploader's callback (before the script runs, so it may pick the data set): a good
    file replaces the session's data and is picked; a bad one leaves it (``upload_box`` says
    why); a toast says which, where a learner looks."""
    file = st.session_state.get(f"{key}_upload")
    if file is None:
        return
    if _parse(file) is not None:
        st.toast(f"{user_text(file.name, NAME_CHARS)} was not loaded: see why under the "
                 "uploader.", icon=":material/error:")
        return
    new = current()
    target = dataset_key or st.session_state.get(PENDING_KEY)
    st.session_state.pop(PENDING_KEY, None)
    if target and offers(new["n_classes"]):
        st.session_state[target] = CUSTOM  # picked at once: no step to miss
    st.toast(f"Loaded {user_text(file.name, NAME_CHARS)}: {new['rows']} rows, "
             f"{new['n_classes']} classes.", icon=":material/check_circle:")


def upload_box(key: str, *, dataset_key: str | None = None, offers=lambda n_classes: True
               ) -> None:
    """The CSV uploader (in an expander, open while a ``custom`` link waits for data); a good
    file replaces the session's data and is picked in the data-set box ``dataset_key`` (when
    ``offers(n_classes)``), with a toast; a bad one is rejected with the line and the reason
    and changes nothing."""
    data = current()
    waiting = st.session_state.get(PENDING_KEY) is not None and data is None
    label = ("Your own data: " + user_text(data["name"], NAME_CHARS) if data
             else "Use your own data (CSV)")
    with st.expander(label, expanded=waiting, icon=":material/upload_file:"):
        st.caption(f"Two feature columns and an integer label column, an optional header, "
                   f"{upload.MIN_ROWS} to {upload.MAX_ROWS:,} rows, up to "
                   f"{upload.MAX_CLASSES} classes. It stays in this browser session only.")
        st.code(EXAMPLE, language="text")
        file = st.file_uploader("CSV file", type=["csv", "txt"], key=f"{key}_upload",
                                on_change=_on_upload, args=(key, dataset_key, offers))
        if file is not None and (data is None or data.get("file_id") != file.file_id):
            error = _parse(file)  # a file the callback rejected (or did not see)
            if error is None:
                st.rerun()  # so the data-set box offers it at once
            st.error(error, icon=":material/error:")
        if data is not None:
            if st.button("Forget my data", key=f"{key}_forget"):
                del st.session_state[SESSION_KEY]
                st.rerun()
