"""Per-column profiles with Apache DataSketches, written as SageMaker's statistics.json.

A column's values are parsed per chunk with numpy (one vectorised conversion when every
value is a number) and fed to a KLL quantile sketch; columns holding strings also feed a
HyperLogLog sketch (distinct count) and a frequent-strings sketch (top values). Types are
inferred as SageMaker does: every present value an integer -> ``Integral``, numbers ->
``Fractional``, anything else -> ``String``, nothing present -> ``Unknown``.
"""

from __future__ import annotations

import functools
import math
import struct
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from datasketches import (
    frequent_items_error_type,
    frequent_strings_sketch,
    hll_sketch,
    hll_union,
    kll_doubles_sketch,
    tgt_hll_type,
)

from .readers import Chunk

KLL_K = 2048
"""The KLL sketch's size parameter (SageMaker's statistics show k = 2048)."""
KLL_C = 0.64
"""The compaction ratio SageMaker writes beside k (DataSketches' KLL fixes its own)."""
HLL_LG_K = 12
FREQUENT_LG_MAX = 12
KLL_BUCKETS = 10
TOP_VALUES = 100

INTEGRAL, FRACTIONAL, STRING, UNKNOWN = "Integral", "Fractional", "String", "Unknown"
_NON_INTEGRAL_CHARS = (".", "e", "E")
_CLASS_CACHE_LIMIT = 200_000


def _classify(value: str) -> tuple[str, float]:
    try:
        number = float(value)
    except ValueError:
        return STRING, math.nan
    if not math.isfinite(number):
        return STRING, math.nan
    text = value.strip()
    if "_" in text or not text:
        return STRING, math.nan
    if any(ch in text for ch in _NON_INTEGRAL_CHARS):
        return FRACTIONAL, number
    return INTEGRAL, number


class _StringSketches:
    def __init__(self) -> None:
        self.hll = hll_sketch(HLL_LG_K)
        self.frequent = frequent_strings_sketch(FREQUENT_LG_MAX)

    def __getstate__(self) -> dict[str, bytes]:
        return {"hll": self.hll.serialize_compact(), "frequent": self.frequent.serialize()}

    def __setstate__(self, state: dict[str, bytes]) -> None:
        self.hll = hll_sketch.deserialize(state["hll"])
        self.frequent = frequent_strings_sketch.deserialize(state["frequent"])

    def merge(self, other: _StringSketches) -> None:
        union = hll_union(HLL_LG_K)
        union.update(self.hll)
        union.update(other.hll)
        self.hll = union.get_result(tgt_hll_type.HLL_8)
        self.frequent.merge(other.frequent)

    def add(self, counts: Counter[str]) -> None:
        hll, frequent = self.hll, self.frequent
        for value, count in counts.items():
            hll.update(value)
            frequent.update(value, count)


class ColumnProfile:
    """The running profile of one column.

    Args:
        name: The column's name.
        strings: Keep string sketches from the start (a column known to be String,
            whose values may all look like numbers).
    """

    def __init__(self, name: str, *, strings: bool = False) -> None:
        self.name = name
        self.present = 0
        self.n_integral = 0
        self.n_fractional = 0
        self.n_string = 0
        self.kll = kll_doubles_sketch(KLL_K)
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.total = 0.0
        self.min = math.inf
        self.max = -math.inf
        self.strings: _StringSketches | None = _StringSketches() if strings else None
        self.string_fed = 0
        self._cache: dict[str, tuple[str, float]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("kll", "_cache")}
        state["kll"] = self.kll.serialize()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.kll = kll_doubles_sketch.deserialize(state["kll"])
        self._cache = {}

    @property
    def needs_replay(self) -> bool:
        """True when the column holds strings but some of its values never reached the
        string sketches (it looked numeric at first)."""
        return self.strings is not None and self.string_fed < self.present

    def merge(self, other: ColumnProfile) -> None:
        """Add another profile of the same column (from another part of the data)."""
        self.present += other.present
        self.n_integral += other.n_integral
        self.n_fractional += other.n_fractional
        self.n_string += other.n_string
        self.kll.merge(other.kll)
        total = self.count + other.count
        if total:
            delta = other.mean - self.mean
            self.m2 += other.m2 + delta * delta * self.count * other.count / total
            self.mean += delta * other.count / total
        self.count = total
        self.total += other.total
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)
        if other.strings is not None:
            if self.strings is None:
                self.strings = _StringSketches()
            self.strings.merge(other.strings)
        self.string_fed += other.string_fed

    @property
    def inferred_type(self) -> str:
        """Integral, Fractional, String or Unknown (nothing present)."""
        if self.present == 0:
            return UNKNOWN
        if self.n_string:
            return STRING
        return FRACTIONAL if self.n_fractional else INTEGRAL

    def add(self, values: Any, text: Callable[[], list[str]] | None = None) -> None:
        """Add one chunk's values of this column.

        Args:
            values: The values as text (``""`` is missing), or a numpy array of numbers
                (int64: all written as integers; float64: a block holding fractions).
            text: The values as text, for an array whose column needs string sketches.
        """
        if isinstance(values, np.ndarray):
            if self.strings is None and not self.n_string:
                self._add_array(values)
                return
            values = text() if text is not None else [repr(v) for v in values.tolist()]
        counts: Counter[str] | None = None
        numbers = None
        present = values
        if not self.n_string:  # numbers so far: one vectorised conversion
            numbers = self._fast_numbers(values)
            if numbers is None and "" in values:
                present = [v for v in values if v]
                numbers = self._fast_numbers(present)
        if numbers is None:
            counts = Counter(values)
            missing = counts.pop("", 0)
            n_present = len(values) - missing
            numbers = self._slow_numbers(counts)
        else:
            n_present = len(present)
        if not n_present:
            return
        self.present += n_present
        if numbers.size:
            self._add_numbers(numbers)
        if self.n_string and self.strings is None:
            self.strings = _StringSketches()
        if self.strings is not None:
            if counts is None:
                counts = Counter(present)
                counts.pop("", None)
            self.strings.add(counts)
            self.string_fed += n_present

    def _add_array(self, values: np.ndarray) -> None:
        n = int(values.size)
        if not n:
            return
        self.present += n
        if values.dtype.kind in "iu":
            self.n_integral += n
        else:  # the block had fractions in this column: it is Fractional
            self.n_fractional += n
        self._add_numbers(values.astype(np.float64, copy=False))

    def add_strings_only(self, values: list[str]) -> None:
        """Feed values to the string sketches only (the replay after a late type change)."""
        if self.strings is not None:
            present = [v for v in values if v]
            self.strings.add(Counter(present))
            self.string_fed += len(present)

    def _fast_numbers(self, present: list[str]) -> np.ndarray | None:
        if not present:
            return None
        try:
            numbers = np.array(present, dtype=np.float64)
        except ValueError:
            return None
        if not np.isfinite(numbers).all():
            return None
        n = len(present)
        whole_mask = numbers == np.floor(numbers)
        whole = int(np.count_nonzero(whole_mask))
        if whole == n:
            joined = "".join(present)
            if "_" in joined:
                return None
            if not any(ch in joined for ch in _NON_INTEGRAL_CHARS):
                self.n_integral += n
                return numbers
        integral = 0
        if whole:
            for i in np.flatnonzero(whole_mask):
                text = present[i]
                if not any(ch in text for ch in _NON_INTEGRAL_CHARS):
                    integral += 1
        self.n_integral += integral
        self.n_fractional += n - integral
        return numbers

    def _slow_numbers(self, counts: Counter[str]) -> np.ndarray:
        cache = self._cache
        values: list[float] = []
        weights: list[int] = []
        for value, count in counts.items():
            kind_number = cache.get(value)
            if kind_number is None:
                kind_number = _classify(value)
                if len(cache) < _CLASS_CACHE_LIMIT:
                    cache[value] = kind_number
            kind, number = kind_number
            if kind == STRING:
                self.n_string += count
                continue
            if kind == INTEGRAL:
                self.n_integral += count
            else:
                self.n_fractional += count
            values.append(number)
            weights.append(count)
        if not values:
            return np.empty(0)
        return np.repeat(np.array(values, dtype=np.float64), weights)

    def _add_numbers(self, numbers: np.ndarray) -> None:
        self.kll.update(numbers)
        n = int(numbers.size)
        chunk_sum = float(numbers.sum())
        chunk_mean = chunk_sum / n
        chunk_m2 = float(np.square(numbers - chunk_mean).sum())
        total = self.count + n
        delta = chunk_mean - self.mean
        self.mean += delta * n / total
        self.m2 += chunk_m2 + delta * delta * self.count * n / total
        self.count = total
        self.total += chunk_sum
        self.min = min(self.min, float(numbers.min()))
        self.max = max(self.max, float(numbers.max()))

    def top_values(self, limit: int = TOP_VALUES) -> list[tuple[str, int]]:
        """The most frequent values and their counts (estimates past the sketch's size)."""
        if self.strings is None:
            return []
        items = self.strings.frequent.get_frequent_items(
            frequent_items_error_type.NO_FALSE_POSITIVES
        )
        ranked = sorted(((str(i[0]), int(i[1])) for i in items), key=lambda i: (-i[1], i[0]))
        return ranked[:limit]

    def distinct_count(self) -> float:
        """The HyperLogLog estimate of distinct present values."""
        if self.strings is None:
            return 0.0
        return float(round(self.strings.hll.get_estimate()))

    def statistics(self, item_count: int) -> dict[str, Any]:
        """This column's entry of statistics.json's ``features``."""
        common = {"num_present": self.present, "num_missing": item_count - self.present}
        kind = self.inferred_type
        entry: dict[str, Any] = {"name": self.name, "inferred_type": kind}
        if kind in (INTEGRAL, FRACTIONAL):
            std = math.sqrt(self.m2 / self.count) if self.count else 0.0
            entry["numerical_statistics"] = {
                "common": common,
                "mean": self.mean,
                "sum": self.total,
                "std_dev": std,
                "min": self.min,
                "max": self.max,
                "distribution": {"kll": kll_distribution(self.kll)},
            }
        else:
            stats: dict[str, Any] = {"common": common, "distinct_count": self.distinct_count()}
            if kind == STRING:
                buckets = [{"value": v, "count": c} for v, c in self.top_values()]
                stats["distribution"] = {"categorical": {"buckets": buckets}}
            entry["string_statistics"] = stats
        return entry


def kll_levels(sketch: kll_doubles_sketch) -> list[list[float]]:
    """The items a KLL sketch retains, level by level (level ``h`` weighs ``2**h``).

    Read from the sketch's serialized form (DataSketches' KLL format: preamble, level
    offsets, min, max, items), the only place the Python binding exposes them exactly.

    Args:
        sketch: A KLL doubles sketch.

    Returns:
        One list of values per level, level 0 first; empty for an empty sketch.
    """
    if sketch.is_empty():
        return []
    raw = sketch.serialize()
    flags = raw[3]
    if flags & 4:  # single item
        return [[struct.unpack_from("<d", raw, 8)[0]]]
    num_levels = raw[18]
    offset = 20
    starts = list(struct.unpack_from(f"<{num_levels}I", raw, offset))
    offset += 4 * num_levels + 16  # level offsets, then min and max
    items = np.frombuffer(raw, dtype="<f8", offset=offset)
    ends = [*starts[1:], starts[0] + items.size]
    base = starts[0]
    return [items[s - base : e - base].tolist() for s, e in zip(starts, ends, strict=True)]


def kll_distribution(sketch: kll_doubles_sketch, buckets: int = KLL_BUCKETS) -> dict[str, Any]:
    """statistics.json's ``distribution.kll``: equal-width buckets between min and max
    counted from the sketch, and the sketch itself (its retained items by level).

    Args:
        sketch: The column's KLL sketch.
        buckets: Number of buckets.

    Returns:
        ``{"buckets": [{lower_bound, upper_bound, count}], "sketch": {parameters, data}}``.
    """
    out: dict[str, Any] = {
        "buckets": [],
        "sketch": {"parameters": {"c": KLL_C, "k": float(KLL_K)}, "data": kll_levels(sketch)},
    }
    if sketch.is_empty():
        return out
    low, high = sketch.get_min_value(), sketch.get_max_value()
    n = sketch.n
    if high <= low:
        out["buckets"] = [{"lower_bound": low, "upper_bound": high, "count": float(n)}]
        return out
    edges = np.linspace(low, high, buckets + 1)
    pmf = sketch.get_pmf(edges[1:-1].tolist())
    out["buckets"] = [
        {"lower_bound": float(edges[i]), "upper_bound": float(edges[i + 1]), "count": p * n}
        for i, p in enumerate(pmf)
    ]
    return out


class DatasetProfile:
    """Profiles of every column of a dataset, fed chunk by chunk.

    Args:
        string_columns: Columns known to be String (their string sketches start at once).
    """

    def __init__(self, string_columns: Iterable[str] = ()) -> None:
        self.columns: dict[str, ColumnProfile] = {}
        self.first_seen: dict[str, int] = {}
        self.string_columns = set(string_columns)
        self.item_count = 0
        self.chunks = 0

    def add(self, chunk: Chunk, order: int | None = None) -> None:
        """Add one chunk.

        Args:
            chunk: The rows.
            order: The chunk's position in the whole dataset (orders the columns when
                profiles of parts are merged); default: chunks counted so far.
        """
        columns = self.columns
        position = self.chunks if order is None else order
        for index, (name, values) in enumerate(zip(chunk.names, chunk.columns, strict=True)):
            column = columns.get(name)
            if column is None:
                column = columns[name] = ColumnProfile(name, strings=name in self.string_columns)
                self.first_seen[name] = position
            column.add(values, functools.partial(chunk.text, index))
        self.item_count += chunk.rows
        self.chunks += 1

    def merge(self, other: DatasetProfile) -> None:
        """Add the profile of another part of the dataset (columns kept in the order
        they first appear in the whole dataset)."""
        for name, column in other.columns.items():
            mine = self.columns.get(name)
            seen = other.first_seen.get(name, 0)
            if mine is None:
                self.columns[name] = column
                self.first_seen[name] = seen
            else:
                mine.merge(column)
                self.first_seen[name] = min(self.first_seen[name], seen)
        self.item_count += other.item_count
        self.chunks += other.chunks
        order = sorted(self.columns, key=lambda n: self.first_seen.get(n, 0))
        self.columns = {n: self.columns[n] for n in order}

    def replay(self, chunks: Callable[[], Iterable[Chunk]]) -> None:
        """Rebuild the string sketches of columns that turned out to hold strings after
        numbers were seen (a second pass over only those columns; rarely needed)."""
        late = {n for n, c in self.columns.items() if c.needs_replay}
        if not late:
            return
        for name in late:
            column = self.columns[name]
            column.strings = _StringSketches()
            column.string_fed = 0
        for chunk in chunks():
            for index, name in enumerate(chunk.names):
                if name in late:
                    self.columns[name].add_strings_only(chunk.text(index))

    def statistics(self, parse_errors: int | None = None) -> dict[str, Any]:
        """The dataset's statistics.json (SageMaker's format).

        Args:
            parse_errors: Records that did not parse, written as
                ``dataset.mlstudio_parse_errors`` when given.

        Returns:
            ``{"version": 0.0, "dataset": {"item_count"}, "features": [...]}``.
        """
        dataset: dict[str, Any] = {"item_count": self.item_count}
        if parse_errors is not None:
            dataset["mlstudio_parse_errors"] = parse_errors
        return {
            "version": 0.0,
            "dataset": dataset,
            "features": [c.statistics(self.item_count) for c in self.columns.values()],
        }
