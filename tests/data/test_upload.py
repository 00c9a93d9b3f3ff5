"""Uploaded CSVs: good files parse; every bad one is rejected with the line and the reason."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlab.data import upload


def _csv(n=30, header=True, label=lambda i: i % 2):
    lines = ["x1,x2,label"] if header else []
    lines += [f"{i * 0.1:.3f},{-i * 0.2:.3f},{label(i)}" for i in range(n)]
    return "\n".join(lines) + "\n"


def test_good_file_parses_with_or_without_header():
    for header in (True, False):
        X, Y, classes = upload.parse_csv(_csv(header=header).encode())
        assert X.shape == (2, 30) and Y.shape == (1, 30) and classes == [0, 1]
        assert X[0, 3] == pytest.approx(0.3) and X[1, 3] == pytest.approx(-0.6)


def test_labels_are_renumbered_in_sorted_order():
    X, Y, classes = upload.parse_csv(_csv(label=lambda i: [7, 3, 5][i % 3]))
    assert classes == [3, 5, 7]
    assert set(np.unique(Y)) == {0.0, 1.0, 2.0}
    assert Y[0, 0] == 2.0  # the first row's label 7 is class 2


def test_dataset_from_csv_splits():
    data, classes = upload.dataset_from_csv(_csv(n=50), fractions=(0.6, 0.2, 0.2))
    assert data.name == "custom" and data.n_classes == 2
    assert data.m_train + data.m_dev + data.m_test == 50


@pytest.mark.parametrize("content,message", [
    (b"", "empty"),
    ("x1,x2,label\n" + "1,2,0\n" * 5, "at least 20"),
    (_csv().replace("0.300,-0.600,1", "0.300,abc,1"), "line 5: x2 is 'abc', not a number"),
    (_csv().replace("0.300,-0.600,1", "nan,-0.600,1"), "line 5: x1 is 'nan'"),
    (_csv().replace("0.300,-0.600,1", "0.3,inf,1"), "finite"),
    (_csv().replace("0.300,-0.600,1", "0.3,0.1,1,9"), "line 5 has 4 columns"),
    (_csv().replace("0.300,-0.600,1", "0.3,0.1,0.5"), "line 5: label is '0.5'"),
    (_csv().replace("0.300,-0.600,1", "0.3,0.1,cat"), "line 5: label is 'cat'"),
    (_csv(label=lambda i: 1), "at least 2 classes"),
    (_csv(label=lambda i: i % 12), "at most 10"),
    ("a,b\n1,2\n", "header has 2 columns"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (b"x" * (upload.MAX_BYTES + 1), "limit is 1 MB"),
])
def test_bad_files_say_what_and_where(content, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        upload.parse_csv(content)


def test_too_many_rows():
    big = "\n".join(f"{i},{i},{i % 2}" for i in range(upload.MAX_ROWS + 1))
    with pytest.raises(upload.UploadError, match=f"limit is {upload.MAX_ROWS}"):
        upload.parse_csv(big)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_otherwise(blob):
    try:
        upload.parse_csv(blob)
    except upload.UploadError:
        pass


def _rows(cell_rows):
    return ("x1,x2,label\n" + "\n".join(",".join(map(str, r)) for r in cell_rows)).encode()


def _good(n=30):
    return [(i / n, (i % 7) / 7, i % 2) for i in range(n)]


@pytest.mark.parametrize("bad, message", [
    ((0.1, 0.2, 2**63), "labels must be whole numbers"),
    ((0.1, 0.2, -(2**70)), "labels must be whole numbers"),
    ((1e308, 0.2, 1), "features must lie between"),
    ((0.1, -1e7, 0), "features must lie between"),
])
def test_values_that_cannot_be_trained_or_drawn_are_refused_with_the_line(bad, message):
    rows = _good()
    rows[4] = bad
    with pytest.raises(upload.UploadError, match=message) as err:
        upload.parse_csv(_rows(rows))
    assert str(err.value).startswith("line 6:")  # the header is line 1


def test_a_long_bad_cell_is_quoted_short():
    rows = _good()
    rows[0] = ("9" * 5000 + "x", 0.1, 0)
    with pytest.raises(upload.UploadError) as err:
        upload.parse_csv(_rows(rows))
    assert len(str(err.value)) < 120 and "..." in str(err.value)


def test_the_upload_limit_agrees_with_the_server_config():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit/config.toml")
                           .read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == upload.MAX_BYTES


def test_pandas_default_header_is_not_read_as_a_point():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({0: rng.randn(30), 1: rng.randn(30), 2: [0, 1] * 15})
    X, Y, classes = upload.parse_csv(frame.to_csv(index=False))
    assert X.shape == (2, 30) and classes == [0, 1]


def test_a_first_row_0_1_2_is_data_when_class_2_exists():
    rows = ["0,1,2"] + [f"{i / 10},{-i / 10},{i % 3}" for i in range(30)]
    X, Y, classes = upload.parse_csv("\n".join(rows))
    assert X.shape == (2, 31) and classes == [0, 1, 2]
