"""Serializers: Python data → an invocation's body, as ``sagemaker.serializers`` (SDK v2).

A serializer has ``CONTENT_TYPE`` (sent as the request's ``Content-Type``) and
``serialize(data)``. Beyond SageMaker's: bytes pass through :class:`CSVSerializer`
unchanged, numpy scalars inside lists and pandas objects are understood by
:class:`JSONSerializer`, and :class:`NumpySerializer` applies ``dtype`` to arrays too.
"""

from __future__ import annotations

import abc
import csv
import io
import json
import sys
from typing import Any

import numpy as np


def _pandas_kind(data: Any) -> str | None:
    """``"DataFrame"`` or ``"Series"`` for pandas objects (pandas is not imported here)."""
    pd = sys.modules.get("pandas")
    if pd is None:
        return None
    if isinstance(data, pd.DataFrame):
        return "DataFrame"
    if isinstance(data, pd.Series):
        return "Series"
    return None


class BaseSerializer(abc.ABC):
    """Turns data into a request body; ``CONTENT_TYPE`` names its media type."""

    @abc.abstractmethod
    def serialize(self, data: Any) -> Any:
        """The request body for ``data``.

        Args:
            data: What the predictor's ``predict`` was given.

        Returns:
            The body, ``str`` or ``bytes``.
        """

    @property
    @abc.abstractmethod
    def CONTENT_TYPE(self) -> str:
        """The media type of what ``serialize`` returns."""


class SimpleBaseSerializer(BaseSerializer):
    """A serializer whose content type is given at construction.

    Args:
        content_type: The media type of the request data.

    Raises:
        ValueError: ``content_type`` is not a string (SageMaker's error).
    """

    def __init__(self, content_type: str = "application/json") -> None:
        if not isinstance(content_type, str):
            raise ValueError(
                "content_type must be a string naming the media type of the request data, "
                f"e.g. 'application/json' or 'text/csv'; got {content_type!r}"
            )
        self.content_type = content_type

    @property
    def CONTENT_TYPE(self) -> str:
        return self.content_type

    def __repr__(self) -> str:
        return f"{type(self).__name__}(content_type={self.content_type!r})"


class CSVSerializer(SimpleBaseSerializer):
    """Data to CSV text: a list is one line; a list of rows (lists, arrays or strings
    already in CSV) one line per row; a numpy array one line per first-axis item (each
    flattened); a pandas DataFrame its rows (no header, no index); a Series one line.
    Strings, bytes and the content of file-like objects are sent as they are.

    Args:
        content_type: The media type of the request data.
    """

    def __init__(self, content_type: str = "text/csv") -> None:
        super().__init__(content_type=content_type)

    def serialize(self, data: Any) -> Any:
        """``data`` as CSV text.

        Args:
            data: A list, rows, a numpy array, a pandas DataFrame or Series, a string,
                bytes or a file-like object.

        Returns:
            The CSV text (or the bytes, string or file content as given).

        Raises:
            ValueError: An empty array, or data of another kind.
        """
        if hasattr(data, "read"):
            return data.read()
        if isinstance(data, str | bytes | bytearray):
            return data
        kind = _pandas_kind(data)
        if kind == "DataFrame":
            return data.to_csv(header=False, index=False)
        if kind == "Series":
            return self._row(data.to_numpy())
        rows = _is_sequence(data) and (hasattr(data, "__setitem__") or isinstance(data, tuple))
        if rows and len(data) > 0 and _is_sequence(data[0]):
            return "\n".join(self._row(row) for row in data)
        return self._row(data)

    @staticmethod
    def _row(data: Any) -> str:
        if isinstance(data, str):
            return data
        if isinstance(data, np.ndarray):
            data = data.flatten()
        if hasattr(data, "__len__"):
            if len(data) == 0:
                raise ValueError("Cannot serialize empty array")
            buffer = io.StringIO()
            csv.writer(buffer, delimiter=",").writerow(data)
            return buffer.getvalue().rstrip("\r\n")
        raise ValueError(f"Unable to handle input format: {type(data)}")


def _is_sequence(data: Any) -> bool:
    return hasattr(data, "__iter__") and hasattr(data, "__getitem__")


def _json_default(value: Any) -> Any:
    """What ``json.dumps`` cannot write by itself: numpy values and pandas objects."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    kind = _pandas_kind(value)
    if kind is not None:
        return value.to_numpy().tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class JSONSerializer(SimpleBaseSerializer):
    """Data to JSON text: numpy arrays become (nested) lists, numpy scalars numbers, a
    DataFrame its rows (lists of values), a Series its values; a dict's values likewise.
    The content of file-like objects is sent as it is.

    Args:
        content_type: The media type of the request data.
    """

    def serialize(self, data: Any) -> Any:
        """``data`` as JSON text.

        Args:
            data: Anything ``json.dumps`` writes, with numpy and pandas values inside, or
                a file-like object.

        Returns:
            The JSON text (or the file's content).

        Raises:
            TypeError: A value JSON cannot hold.
        """
        if hasattr(data, "read"):
            return data.read()
        return json.dumps(data, default=_json_default)


class NumpySerializer(SimpleBaseSerializer):
    """Data to the ``.npy`` format (``np.save``); ``dtype`` converts the data first.
    File-like objects are taken to hold ``.npy`` data and sent as they are.

    Args:
        dtype: The array's type (None: numpy's choice, or the array's own).
        content_type: The media type of the request data.
    """

    def __init__(self, dtype: Any = None, content_type: str = "application/x-npy") -> None:
        super().__init__(content_type=content_type)
        self.dtype = dtype

    def serialize(self, data: Any) -> Any:
        """``data`` as ``.npy`` bytes.

        Args:
            data: A numpy array, something ``np.array`` takes, a pandas object, or a
                file-like object holding ``.npy`` data.

        Returns:
            The ``np.save`` bytes (or the file's content).

        Raises:
            ValueError: An empty array.
        """
        if hasattr(data, "read"):
            return data.read()
        if _pandas_kind(data) is not None:
            data = data.to_numpy()
        if isinstance(data, np.ndarray):
            array = data if self.dtype is None else data.astype(self.dtype)
        else:
            if isinstance(data, list) and not data:
                raise ValueError("Cannot serialize empty array.")
            array = np.array(data, dtype=self.dtype)
        if array.size == 0:
            raise ValueError("Cannot serialize empty array.")
        buffer = io.BytesIO()
        np.save(buffer, array)
        return buffer.getvalue()


class IdentitySerializer(SimpleBaseSerializer):
    """Sends the data as it is (bytes, or a string) with ``content_type``.

    Args:
        content_type: The media type of the request data.
    """

    def __init__(self, content_type: str = "application/octet-stream") -> None:
        super().__init__(content_type=content_type)

    def serialize(self, data: Any) -> Any:
        """``data`` itself.

        Args:
            data: Bytes or a string.

        Returns:
            ``data``.
        """
        return data


__all__ = [
    "BaseSerializer",
    "CSVSerializer",
    "IdentitySerializer",
    "JSONSerializer",
    "NumpySerializer",
    "SimpleBaseSerializer",
]
