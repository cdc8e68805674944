"""Deserializers: exact values out of answers, as SageMaker's deserializers give them."""

from __future__ import annotations

import io

import numpy as np
import pytest

from jupyter_mlstudio.sdk.deserializers import (
    BaseDeserializer,
    BytesDeserializer,
    CSVDeserializer,
    JSONDeserializer,
    NumpyDeserializer,
    StringDeserializer,
)


class Stream(io.BytesIO):
    """A response body that remembers it was closed."""

    def close(self) -> None:
        self.was_closed = True
        super().close()


def test_accept_and_their_defaults() -> None:
    assert BytesDeserializer().ACCEPT == ("*/*",)
    assert StringDeserializer().ACCEPT == ("application/json",)
    assert CSVDeserializer().ACCEPT == ("text/csv",)
    assert JSONDeserializer().ACCEPT == ("application/json",)
    assert NumpyDeserializer().ACCEPT == ("application/x-npy",)
    both = NumpyDeserializer(accept=("application/x-npy", "text/csv"))
    assert both.ACCEPT == ("application/x-npy", "text/csv")


def test_base_deserializer_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseDeserializer()  # type: ignore[abstract]


def test_bytes_and_string() -> None:
    stream = Stream(b"\x00\x01ab")
    assert BytesDeserializer().deserialize(stream, "application/octet-stream") == b"\x00\x01ab"
    assert stream.was_closed
    assert StringDeserializer().deserialize(Stream("héllo".encode()), "text/plain") == "héllo"
    latin = StringDeserializer(encoding="latin-1")
    assert latin.deserialize(Stream("é".encode("latin-1")), "text/plain") == "é"
    assert BytesDeserializer().deserialize(b"raw", "application/octet-stream") == b"raw"


def test_csv_gives_lists_of_strings() -> None:
    answer = Stream(b'1.0,2\n0.0,"a,b"\r\n')
    assert CSVDeserializer().deserialize(answer, "text/csv") == [["1.0", "2"], ["0.0", "a,b"]]
    assert answer.was_closed
    assert CSVDeserializer().deserialize(Stream(b"1\n0\n1"), "text/csv") == [["1"], ["0"], ["1"]]
    assert CSVDeserializer().deserialize(Stream(b""), "text/csv") == []


def test_json() -> None:
    body = Stream(b'{"predictions": [1, 0], "score": 0.5}')
    assert JSONDeserializer().deserialize(body, "application/json") == {
        "predictions": [1, 0],
        "score": 0.5,
    }
    assert body.was_closed
    with pytest.raises(ValueError, match="Expecting value"):
        JSONDeserializer().deserialize(Stream(b"not json"), "application/json")


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_numpy_from_npy_csv_and_json() -> None:
    npy = NumpyDeserializer()
    array = npy.deserialize(
        Stream(_npy(np.array([[1, 2], [3, 4]], dtype=np.int32))), "application/x-npy"
    )
    assert array.dtype == np.int32
    assert array.tolist() == [[1, 2], [3, 4]]
    from_csv = npy.deserialize(Stream(b"1.5,2\n3,4.25"), "text/csv")
    assert from_csv.dtype == np.float64
    assert from_csv.tolist() == [[1.5, 2.0], [3.0, 4.25]]
    column = npy.deserialize(Stream(b"1.0\n0.0\n1.0\n"), "text/csv; charset=utf-8")
    assert column.tolist() == [1.0, 0.0, 1.0]
    from_json = npy.deserialize(Stream(b"[[1, 2], [3, 4]]"), "application/json")
    assert from_json.dtype == np.int64
    assert from_json.tolist() == [[1, 2], [3, 4]]
    typed = NumpyDeserializer(dtype="float32").deserialize(Stream(b"[1, 2]"), "Application/JSON")
    assert typed.dtype == np.float32
    assert typed.tolist() == [1.0, 2.0]


def test_numpy_refuses_pickles_unless_allowed() -> None:
    objects = _npy(np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(ValueError, match="set allow_pickle=True"):
        NumpyDeserializer().deserialize(Stream(objects), "application/x-npy")
    loaded = NumpyDeserializer(allow_pickle=True).deserialize(Stream(objects), "application/x-npy")
    assert loaded.tolist() == [{"a": 1}, None]


def test_numpy_refuses_other_content_types() -> None:
    stream = Stream(b"\x00")
    with pytest.raises(ValueError, match="cannot read content type 'image/png'"):
        NumpyDeserializer().deserialize(stream, "image/png")
    assert stream.was_closed
