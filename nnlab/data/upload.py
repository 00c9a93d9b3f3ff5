"""A learner's own data: parse and validate a small CSV of two features and a label.

Nothing in the file is executed or unpickled: it is read as text with the ``csv`` module, and
every value must parse as a finite float (features) or an integer (label). Each rejection says
what is wrong and on which line, so the learner can fix the file.

Expected layout (a header row is optional; a first row ``0,1,2`` whose label 2 appears nowhere
else is pandas' header of unnamed columns and is skipped too)::

    x1,x2,label
    0.12,-1.3,0
    1.05,0.44,1
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from nnlab.data.datasets import dataset_from_arrays

MAX_BYTES = 1024 * 1024  # 1 MB as Streamlit counts it: .streamlit/config.toml maxUploadSize = 1
MAX_ROWS = 5_000  # the data travels inside the TrainConfig (a cache key)
MIN_ROWS = 20
MAX_CLASSES = 10
COLUMNS = ("x1", "x2", "label")
#: Features must lie in [-MAX_FEATURE, MAX_FEATURE]: beyond, the decision grid and the network's
#: products overflow float64 (a learner's data in other units can be rescaled).
MAX_FEATURE = 1e6
#: Labels must lie in [-MAX_LABEL, MAX_LABEL] (they are renumbered 0..C-1 anyway).
MAX_LABEL = 10**9
#: At most this many characters of a bad cell are quoted back in a message.
QUOTE_CHARS = 20


class UploadError(ValueError):
    """A CSV that cannot be used, with a message naming the line and the problem."""


def _too_big(size: int) -> str:
    return f"the file is {size / 2**20:.1f} MB; the limit is {MAX_BYTES / 2**20:.0f} MB"


def _decode(data) -> str:
    if isinstance(data, str):
        raw_size = len(data.encode("utf-8"))
        text = data
    elif isinstance(data, (bytes, bytearray)):
        raw_size = len(data)
        if raw_size > MAX_BYTES:  # before decoding: a huge file is not read at all
            raise UploadError(_too_big(raw_size))
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UploadError(f"the file is not UTF-8 text (byte {exc.start} cannot be "
                              "decoded); save it as CSV (UTF-8)") from None
    else:
        raise UploadError(f"expected the file's bytes or text, got {type(data).__name__}")
    if raw_size > MAX_BYTES:
        raise UploadError(_too_big(raw_size))
    if "\x00" in text:
        raise UploadError("the file contains NUL bytes: it is not a CSV text file")
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _quote(value: str) -> str:
    """A cell quoted back to the learner: stripped, at most ``QUOTE_CHARS`` characters."""
    text = value.strip()
    return repr(text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "...")


def _feature(value: str, line: int, column: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise UploadError(f"line {line}: {column} is {_quote(value)}, not a number") from None
    if not math.isfinite(x):
        raise UploadError(f"line {line}: {column} is {_quote(value)}; only finite numbers "
                          "are allowed (no NaN or infinity)")
    if abs(x) > MAX_FEATURE:
        raise UploadError(f"line {line}: {column} is {_quote(value)}; features must lie "
                          f"between -{MAX_FEATURE:g} and {MAX_FEATURE:g} (rescale the column)")
    return x


def _label(value: str, line: int) -> int:
    try:
        y = float(value)
    except ValueError:
        raise UploadError(f"line {line}: label is {_quote(value)}; labels must be "
                          "whole numbers such as 0 and 1") from None
    if not math.isfinite(y) or abs(y) > MAX_LABEL or y != int(y):
        raise UploadError(f"line {line}: label is {_quote(value)}; labels must be whole "
                          f"numbers such as 0 and 1 (at most {MAX_LABEL:,} in size)")
    return int(y)


#: The header pandas writes for unnamed columns (``DataFrame(array).to_csv(index=False)``).
DEFAULT_HEADER = ("0", "1", "2")


def _is_default_header(rows) -> bool:
    """A first row ``0,1,2`` whose label 2 occurs on no other row: pandas' header of unnamed
    columns, not an example (read as data it would add a class of one point)."""
    first = tuple(c.strip() for c in rows[0][1])
    if first != DEFAULT_HEADER:
        return False
    return not any(len(r) == 3 and _is_number(r[2]) and float(r[2]) == 2 for _, r in rows[1:])


def parse_csv(data):
    """Parse a CSV upload into features and labels.

    Parameters
    ----------
    data : bytes or str
        The file's content: three columns (two features, then an integer label), an optional
        header row, at most ``MAX_BYTES`` bytes and ``MAX_ROWS`` rows.

    Returns
    -------
    X : ndarray (2, m) float64
    Y : ndarray (1, m) labels 0..C-1 (the sorted distinct labels of the file, renumbered)
    classes : list of int, the file's original label for each class index

    Raises
    ------
    UploadError (a ValueError) naming the line and the problem.
    """
    text = _decode(data)
    try:
        rows = [(i, r) for i, r in enumerate(csv.reader(io.StringIO(text)), start=1)
                if any(cell.strip() for cell in r)]
    except csv.Error as exc:
        raise UploadError(f"the file is not valid CSV: {str(exc)[:80]}") from None
    if not rows:
        raise UploadError("the file is empty")
    if not all(_is_number(c) for c in rows[0][1]):
        header = [c.strip() for c in rows[0][1]]
        if len(header) != 3:
            raise UploadError(f"line {rows[0][0]}: the header has {len(header)} columns; "
                              f"expected 3 ({', '.join(COLUMNS)})")
        rows = rows[1:]
    elif _is_default_header(rows):
        rows = rows[1:]
    if len(rows) > MAX_ROWS:
        raise UploadError(f"the file has {len(rows)} data rows; the limit is {MAX_ROWS}")
    if len(rows) < MIN_ROWS:
        raise UploadError(f"the file has {len(rows)} data rows; at least {MIN_ROWS} are needed "
                          "to split it into train, dev and test sets")
    X = np.empty((2, len(rows)))
    labels = np.empty(len(rows), dtype=np.int64)
    for j, (line, row) in enumerate(rows):
        if len(row) != 3:
            raise UploadError(f"line {line} has {len(row)} columns; expected 3 "
                              f"({', '.join(COLUMNS)})")
        X[0, j] = _feature(row[0], line, "x1")
        X[1, j] = _feature(row[1], line, "x2")
        labels[j] = _label(row[2], line)
    classes = sorted(set(labels.tolist()))
    if len(classes) < 2:
        raise UploadError(f"every row has label {classes[0]}; at least 2 classes are needed")
    if len(classes) > MAX_CLASSES:
        raise UploadError(f"the labels take {len(classes)} values; at most {MAX_CLASSES} "
                          "classes are supported")
    index = {c: k for k, c in enumerate(classes)}
    Y = np.array([[index[v] for v in labels.tolist()]], dtype=float)
    return X, Y, classes


def dataset_from_csv(data, *, fractions=(0.6, 0.2, 0.2), normalize=False, seed=0):
    """Parse, validate and split an uploaded CSV into an ``nnlab.data.datasets.Dataset``
    named "custom".

    The split is shuffled with ``np.random.RandomState(seed)``. Returns ``(dataset, classes)``.
    """
    X, Y, classes = parse_csv(data)
    dataset = dataset_from_arrays(X, Y, name="custom", fractions=fractions, normalize=normalize,
                                  rng=np.random.RandomState(seed))
    return dataset, classes
