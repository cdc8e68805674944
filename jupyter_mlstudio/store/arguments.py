"""Argument types every part of the metadata store contract uses."""

from __future__ import annotations

from typing import Any, Literal

#: A listing's order by its sort key.
SortOrder = Literal["Ascending", "Descending"]

#: The default of an update's optional arguments: "leave as it is" (None clears).
UNSET: Any = object()
