"""Deserializers: an invocation's answer → Python data, as ``sagemaker.deserializers``
(SDK v2).

A deserializer has ``ACCEPT`` (the tuple of media types it asks for; the predictor sends
them as ``Accept``) and ``deserialize(stream, content_type)``, where ``stream`` has
``read()`` and ``close()`` (``bytes`` are taken too). Content types are compared without
their parameters (``text/csv; charset=utf-8`` is ``text/csv``). Unlike SageMaker's,
:class:`NumpyDeserializer` refuses pickled object arrays unless ``allow_pickle=True``.
"""

from __future__ import annotations

import abc
import csv
import io
import json
from typing import Any

import numpy as np


def _read(stream: Any) -> bytes:
    """All of ``stream`` (closed afterwards), or the bytes given."""
    if isinstance(stream, bytes | bytearray | memoryview):
        return bytes(stream)
    try:
        data = stream.read()
    finally:
        stream.close()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def media_type(content_type: str | None) -> str:
    """``Text/CSV; charset=utf-8`` → ``text/csv``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


class BaseDeserializer(abc.ABC):
    """Turns an answer into data; ``ACCEPT`` names the media types it reads."""

    @abc.abstractmethod
    def deserialize(self, stream: Any, content_type: str) -> Any:
        """The data of an answer.

        Args:
            stream: The answer's body: has ``read()`` and ``close()`` (closed after
                reading), or is ``bytes``.
            content_type: The answer's media type.

        Returns:
            The data.
        """

    @property
    @abc.abstractmethod
    def ACCEPT(self) -> tuple[str, ...]:
        """The media types this deserializer asks the endpoint for."""


class SimpleBaseDeserializer(BaseDeserializer):
    """A deserializer whose accepted media type(s) are given at construction.

    Args:
        accept: The media type, or types, asked for.
    """

    def __init__(self, accept: str | tuple[str, ...] = "*/*") -> None:
        self.accept = accept

    @property
    def ACCEPT(self) -> tuple[str, ...]:
        return (self.accept,) if isinstance(self.accept, str) else tuple(self.accept)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(accept={self.accept!r})"


class BytesDeserializer(SimpleBaseDeserializer):
    """The answer's bytes as they are.

    Args:
        accept: The media type, or types, asked for.
    """

    def deserialize(self, stream: Any, content_type: str) -> bytes:
        """The answer's bytes (see :meth:`BaseDeserializer.deserialize`)."""
        return _read(stream)


class StringDeserializer(SimpleBaseDeserializer):
    """The answer decoded to a string.

    Args:
        encoding: The answer's text encoding.
        accept: The media type, or types, asked for.
    """

    def __init__(
        self, encoding: str = "UTF-8", accept: str | tuple[str, ...] = "application/json"
    ) -> None:
        super().__init__(accept=accept)
        self.encoding = encoding

    def deserialize(self, stream: Any, content_type: str) -> str:
        """The answer as text (see :meth:`BaseDeserializer.deserialize`)."""
        return _read(stream).decode(self.encoding)


class CSVDeserializer(SimpleBaseDeserializer):
    """CSV text to a list of rows, each a list of strings (``[["1.0"], ["0.0"]]``), as
    SageMaker's; use :class:`NumpyDeserializer` for numbers.

    Args:
        encoding: The answer's text encoding.
        accept: The media type, or types, asked for.
    """

    def __init__(self, encoding: str = "utf-8", accept: str | tuple[str, ...] = "text/csv") -> None:
        super().__init__(accept=accept)
        self.encoding = encoding

    def deserialize(self, stream: Any, content_type: str) -> list[list[str]]:
        """The answer's CSV rows (see :meth:`BaseDeserializer.deserialize`)."""
        return list(csv.reader(_read(stream).decode(self.encoding).splitlines()))


class JSONDeserializer(SimpleBaseDeserializer):
    """JSON text (UTF-8) to Python objects.

    Args:
        accept: The media type, or types, asked for.
    """

    def __init__(self, accept: str | tuple[str, ...] = "application/json") -> None:
        super().__init__(accept=accept)

    def deserialize(self, stream: Any, content_type: str) -> Any:
        """The answer's JSON value (see :meth:`BaseDeserializer.deserialize`).

        Raises:
            ValueError: The answer is not JSON.
        """
        return json.loads(_read(stream).decode("utf-8"))


class NumpyDeserializer(SimpleBaseDeserializer):
    """An answer in ``.npy``, CSV or JSON (by its content type) to a numpy array of
    ``dtype`` (CSV and JSON; ``.npy`` keeps its own). Object arrays in ``.npy`` are
    pickles: refused unless ``allow_pickle=True`` (only for answers you trust).

    Args:
        dtype: The array's type for CSV and JSON answers (None: numpy's choice).
        accept: The media type, or types, asked for.
        allow_pickle: Load object arrays of ``.npy`` answers (runs pickled code).
    """

    def __init__(
        self,
        dtype: Any = None,
        accept: str | tuple[str, ...] = "application/x-npy",
        allow_pickle: bool = False,
    ) -> None:
        super().__init__(accept=accept)
        self.dtype = dtype
        self.allow_pickle = allow_pickle

    def deserialize(self, stream: Any, content_type: str) -> np.ndarray:
        """The answer as an array (see :meth:`BaseDeserializer.deserialize`).

        Raises:
            ValueError: Another content type than ``text/csv``, ``application/json`` and
                ``application/x-npy``, or a pickled array without ``allow_pickle``.
        """
        data = _read(stream)
        media = media_type(content_type)
        if media == "text/csv":
            return np.genfromtxt(io.StringIO(data.decode("utf-8")), delimiter=",", dtype=self.dtype)
        if media == "application/json":
            return np.array(json.loads(data.decode("utf-8")), dtype=self.dtype)
        if media == "application/x-npy":
            try:
                array: np.ndarray = np.load(io.BytesIO(data), allow_pickle=self.allow_pickle)
            except ValueError as exc:
                if self.allow_pickle or "allow_pickle" not in str(exc):
                    raise
                raise ValueError(
                    "the answer holds a pickled object array; set allow_pickle=True on the "
                    "NumpyDeserializer to load it (only for answers you trust)"
                ) from exc
            return array
        raise ValueError(f"NumpyDeserializer cannot read content type {content_type!r}")


__all__ = [
    "BaseDeserializer",
    "BytesDeserializer",
    "CSVDeserializer",
    "JSONDeserializer",
    "NumpyDeserializer",
    "SimpleBaseDeserializer",
    "StringDeserializer",
]
