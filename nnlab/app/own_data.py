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
    st.session_state[SESSION_KEY] = {
        "name": name, "file_id": file_id, "rows": int(X.shape[1]),
        "n_classes": len(classes), "classes": list(classes),
        "custom_data": (tuple(X[0].tolist()), tuple(X[1].tolist()), tuple(Y[0].tolist())),
    }


def upload_box(key: str) -> None:
    """An expander with the CSV uploader; a good file replaces the session's data, a bad one is
    rejected with the line and the reason and changes nothing."""
    data = current()
    label = ("Your own data: " + user_text(data["name"], NAME_CHARS) if data
             else "Use your own data (CSV)")
    with st.expander(label, expanded=False):
        st.caption(f"Two feature columns and an integer label column, an optional header, "
                   f"{upload.MIN_ROWS} to {upload.MAX_ROWS:,} rows, up to "
                   f"{upload.MAX_CLASSES} classes. It stays in this browser session only.")
        st.code(EXAMPLE, language="text")
        file = st.file_uploader("CSV file", type=["csv", "txt"], key=f"{key}_upload")
        if file is not None and (data is None or data.get("file_id") != file.file_id):
            try:
                X, Y, classes = upload.parse_csv(file.getvalue())
            except upload.UploadError as err:
                # The message quotes the file's cells: shown as text, never as Markdown.
                st.error(f"{user_text(file.name, NAME_CHARS)} was not loaded: "
                         f"{escape_markdown(err)}.",
                         icon=":material/error:")
            else:
                _store(file.name, file.file_id, X, Y, classes)
                st.rerun()  # so the data-set box offers it at once
        if data is not None:
            st.success(f"{user_text(data['name'], NAME_CHARS)}: {data['rows']} rows, "
                       f"{data['n_classes']} classes "
                       f"(labels {', '.join(map(str, data['classes']))}). Pick "
                       f"'{CUSTOM}' in the data-set box.", icon=":material/check:")
            if st.button("Forget my data", key=f"{key}_forget"):
                del st.session_state[SESSION_KEY]
                st.rerun()
