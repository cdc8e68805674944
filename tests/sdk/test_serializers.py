"""Serializers: exact request bodies, as SageMaker's serializers produce them."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from jupyter_mlstudio.sdk.serializers import (
    BaseSerializer,
    CSVSerializer,
    IdentitySerializer,
    JSONSerializer,
    NumpySerializer,
)


def test_content_types_and_their_defaults() -> None:
    assert CSVSerializer().CONTENT_TYPE == "text/csv"
    assert JSONSerializer().CONTENT_TYPE == "application/json"
    assert NumpySerializer().CONTENT_TYPE == "application/x-npy"
    assert IdentitySerializer().CONTENT_TYPE == "application/octet-stream"
    assert IdentitySerializer("image/png").CONTENT_TYPE == "image/png"
    assert CSVSerializer(content_type="text/plain").CONTENT_TYPE == "text/plain"
    with pytest.raises(ValueError, match="content_type must be a string"):
        CSVSerializer(content_type=None)  # type: ignore[arg-type]


def test_base_serializer_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseSerializer()  # type: ignore[abstract]

    class Upper(BaseSerializer):
        CONTENT_TYPE = "text/plain"

        def serialize(self, data: str) -> str:
            return data.upper()

    assert Upper().serialize("abc") == "ABC"


@pytest.mark.parametrize(
    ("data", "body"),
    [
        ([1, 2.5, 3], "1,2.5,3"),
        ([[1, 2], [3, 4]], "1,2\n3,4"),
        (((1, 2), (3, 4)), "1,2\n3,4"),
        (["1,2", "3,4"], "1,2\n3,4"),
        (np.array([0.5, 1.0, -2.0]), "0.5,1.0,-2.0"),
        (np.array([[1, 2, 3], [4, 5, 6]]), "1,2,3\n4,5,6"),
        (np.array([[1.5, 2.0]], dtype=np.float32), "1.5,2.0"),
        (np.array([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), "1,2,3,4\n5,6,7,8"),
        ([np.array([1, 2]), np.array([3, 4])], "1,2\n3,4"),
        (["a,b", 'c,"d"'], 'a,b\nc,"d"'),
        ([["x", "y,z"]], 'x,"y,z"'),
        ("1,2\n3,4", "1,2\n3,4"),
        (b"1,2", b"1,2"),
    ],
)
def test_csv_serializer(data: object, body: object) -> None:
    assert CSVSerializer().serialize(data) == body


def test_csv_serializer_pandas_and_files() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]}, index=[7, 8])
    assert CSVSerializer().serialize(frame) == "1,0.5\n2,1.5\n"
    assert CSVSerializer().serialize(pd.Series([3, 4, 5])) == "3,4,5"
    assert CSVSerializer().serialize(io.StringIO("9,8\n7,6")) == "9,8\n7,6"
    assert CSVSerializer().serialize(io.BytesIO(b"1,2")) == b"1,2"


@pytest.mark.parametrize("data", [[], np.array([]), [[]]])
def test_csv_serializer_refuses_empty_data(data: object) -> None:
    with pytest.raises(ValueError, match="Cannot serialize empty array"):
        CSVSerializer().serialize(data)


def test_csv_serializer_refuses_what_is_not_a_row() -> None:
    with pytest.raises(ValueError, match="Unable to handle input format"):
        CSVSerializer().serialize(42)


@pytest.mark.parametrize(
    ("data", "body"),
    [
        ([1, 2, 3], "[1, 2, 3]"),
        ({"instances": [[1.0, 2.0]]}, '{"instances": [[1.0, 2.0]]}'),
        (np.array([[1, 2], [3, 4]]), "[[1, 2], [3, 4]]"),
        ({"inputs": np.array([0.5, 1.5])}, '{"inputs": [0.5, 1.5]}'),
        ([np.float64(0.25), np.int64(3), np.bool_(True)], "[0.25, 3, true]"),
        ({"a": {"b": np.array([1])}}, '{"a": {"b": [1]}}'),
        ("already text", '"already text"'),
    ],
)
def test_json_serializer(data: object, body: str) -> None:
    assert JSONSerializer().serialize(data) == body


def test_json_serializer_pandas_and_files() -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]})
    assert json.loads(JSONSerializer().serialize(frame)) == [[1.0, 0.5], [2.0, 1.5]]
    assert JSONSerializer().serialize(pd.Series([1, 2])) == "[1, 2]"
    assert JSONSerializer().serialize({"rows": frame[["a"]]}) == '{"rows": [[1], [2]]}'
    assert JSONSerializer().serialize(io.StringIO('{"x": 1}')) == '{"x": 1}'
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        JSONSerializer().serialize({"x": object()})


def _load(body: bytes, allow_pickle: bool = False) -> np.ndarray:
    return np.load(io.BytesIO(body), allow_pickle=allow_pickle)


def test_numpy_serializer() -> None:
    array = np.array([[1.5, 2.5], [3.5, 4.5]])
    body = NumpySerializer().serialize(array)
    assert body[:6] == b"\x93NUMPY"
    loaded = _load(body)
    assert loaded.dtype == np.float64
    assert loaded.tolist() == [[1.5, 2.5], [3.5, 4.5]]
    from_list = _load(NumpySerializer().serialize([[1, 2], [3, 4]]))
    assert from_list.dtype == np.int64
    assert from_list.tolist() == [[1, 2], [3, 4]]
    typed = _load(NumpySerializer(dtype="float32").serialize([[1, 2]]))
    assert typed.dtype == np.float32
    assert typed.tolist() == [[1.0, 2.0]]
    assert _load(NumpySerializer(dtype="int16").serialize(array)).tolist() == [[1, 2], [3, 4]]
    assert _load(NumpySerializer().serialize(7)).tolist() == 7
    frame = pd.DataFrame({"a": [1.0, 2.0]})
    assert _load(NumpySerializer().serialize(frame)).tolist() == [[1.0], [2.0]]
    assert NumpySerializer().serialize(io.BytesIO(body)) == body


@pytest.mark.parametrize("data", [[], np.array([]), np.zeros((0, 3))])
def test_numpy_serializer_refuses_empty_data(data: object) -> None:
    with pytest.raises(ValueError, match="Cannot serialize empty array"):
        NumpySerializer().serialize(data)


def test_identity_serializer_sends_data_as_it_is() -> None:
    payload = b"\x89PNG\r\n"
    assert IdentitySerializer("image/png").serialize(payload) is payload
    assert IdentitySerializer().serialize("text") == "text"
