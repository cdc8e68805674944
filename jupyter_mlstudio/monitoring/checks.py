"""Constraints (constraints.json), their check against a window (constraint_violations.json)
and the per-feature drift the studio charts (feature_drift.json).

Drift is SageMaker's: the L-infinity distance between the baseline's and the window's
distributions — for numbers the largest gap between the two CDFs, both read from KLL
sketches (the baseline's from statistics.json, the window's from its own sketch); for
strings the largest gap between the two category frequencies.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .profile import (
    FRACTIONAL,
    INTEGRAL,
    STRING,
    UNKNOWN,
    ColumnProfile,
    DatasetProfile,
    kll_levels,
)

DOMAIN_MAX_VALUES = 20
"""A String feature with at most this many distinct values gets ``string_constraints.domains``."""
KS_ROBUST_C = 1.628
"""Two-sample Kolmogorov-Smirnov coefficient at 99% confidence ("Robust" comparison)."""

DEFAULT_MONITORING_CONFIG: dict[str, Any] = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 1.0,
    "domain_content_threshold": 1.0,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_threshold": 0.1,
        "comparison_method": "Robust",
        "categorical_comparison_threshold": 0.1,
        "categorical_drift_method": "LInfinity",
    },
}


def _features(statistics: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    features = (statistics or {}).get("features") or []
    return [f for f in features if isinstance(f, dict) and isinstance(f.get("name"), str)]


def suggest_constraints(statistics: Mapping[str, Any]) -> dict[str, Any]:
    """The constraints.json SageMaker suggests for a baseline's statistics.

    Args:
        statistics: The baseline's statistics.json.

    Returns:
        ``{"version", "features": [{name, inferred_type, completeness, num_constraints |
        string_constraints}], "monitoring_config"}``.
    """
    item_count = int((statistics.get("dataset") or {}).get("item_count") or 0)
    features: list[dict[str, Any]] = []
    for feature in _features(statistics):
        kind = feature.get("inferred_type", UNKNOWN)
        stats = feature.get("numerical_statistics") or feature.get("string_statistics") or {}
        present = int((stats.get("common") or {}).get("num_present") or 0)
        entry: dict[str, Any] = {
            "name": feature["name"],
            "inferred_type": kind,
            "completeness": present / item_count if item_count else 0.0,
        }
        if kind in (INTEGRAL, FRACTIONAL):
            entry["num_constraints"] = {"is_non_negative": float(stats.get("min", 0.0)) >= 0}
        elif kind == STRING:
            buckets = ((stats.get("distribution") or {}).get("categorical") or {}).get(
                "buckets"
            ) or []
            if (
                0 < float(stats.get("distinct_count") or 0) <= DOMAIN_MAX_VALUES
                and len(buckets) <= DOMAIN_MAX_VALUES
            ):
                entry["string_constraints"] = {"domains": sorted(str(b["value"]) for b in buckets)}
        features.append(entry)
    config = {**DEFAULT_MONITORING_CONFIG}
    config["distribution_constraints"] = dict(DEFAULT_MONITORING_CONFIG["distribution_constraints"])
    return {"version": 0.0, "features": features, "monitoring_config": config}


def _overrides(feature: Mapping[str, Any]) -> dict[str, Any]:
    """A feature's monitoring-config overrides, wherever SageMaker's tools put them."""
    merged: dict[str, Any] = {}
    for holder in (
        feature.get("num_constraints"),
        feature.get("string_constraints"),
        feature,
    ):
        if not isinstance(holder, Mapping):
            continue
        for key in ("monitoring_config_overrides", "monitoringConfigOverrides"):
            value = holder.get(key)
            if isinstance(value, Mapping):
                merged.update(value)
    return merged


def _feature_config(global_config: Mapping[str, Any], feature: Mapping[str, Any]) -> dict[str, Any]:
    """The monitoring config for one feature: the file's, with the feature's overrides."""
    config = {**DEFAULT_MONITORING_CONFIG, **global_config}
    distribution = {
        **DEFAULT_MONITORING_CONFIG["distribution_constraints"],
        **(global_config.get("distribution_constraints") or {}),
    }
    overrides = _overrides(feature)
    distribution.update(overrides.get("distribution_constraints") or {})
    for key in (
        "comparison_threshold",
        "comparison_method",
        "perform_comparison",
        "categorical_comparison_threshold",
        "categorical_drift_method",
    ):
        if key in overrides:
            distribution[key] = overrides[key]
    for key in ("evaluate_constraints", "datatype_check_threshold", "domain_content_threshold"):
        if key in overrides:
            config[key] = overrides[key]
    config["distribution_constraints"] = distribution
    return config


def _weighted_cdf(levels: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted retained items and the CDF at each (items at level h weigh 2**h)."""
    values = [np.asarray(level, dtype=np.float64) for level in levels]
    weights = [np.full(len(level), float(2**h)) for h, level in enumerate(values)]
    if not values:
        return np.empty(0), np.empty(0)
    items = np.concatenate(values)
    w = np.concatenate(weights)
    order = np.argsort(items, kind="stable")
    items, w = items[order], w[order]
    cum = np.cumsum(w)
    return items, cum / cum[-1] if cum.size else cum


def _cdf_at(items: np.ndarray, cdf: np.ndarray, points: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(items, points, side="right")
    out = np.zeros(points.shape)
    inside = idx > 0
    out[inside] = cdf[idx[inside] - 1]
    return out


def numeric_distance(
    baseline_levels: Sequence[Sequence[float]], window_levels: Sequence[Sequence[float]]
) -> float | None:
    """L-infinity distance between two KLL sketches' CDFs (None if either is empty)."""
    b_items, b_cdf = _weighted_cdf(baseline_levels)
    w_items, w_cdf = _weighted_cdf(window_levels)
    if not b_items.size or not w_items.size:
        return None
    points = np.union1d(b_items, w_items)
    gap = np.abs(_cdf_at(b_items, b_cdf, points) - _cdf_at(w_items, w_cdf, points))
    return float(gap.max())


def _sketch_levels(feature: Mapping[str, Any] | None) -> list[list[float]]:
    stats = (feature or {}).get("numerical_statistics") or {}
    sketch = ((stats.get("distribution") or {}).get("kll") or {}).get("sketch") or {}
    data = sketch.get("data") or []
    return [list(level) for level in data if isinstance(level, list)]


def _categories(feature: Mapping[str, Any] | None) -> dict[str, float]:
    stats = (feature or {}).get("string_statistics") or {}
    buckets = ((stats.get("distribution") or {}).get("categorical") or {}).get("buckets") or []
    return {str(b.get("value")): float(b.get("count") or 0) for b in buckets}


def _num_present(feature: Mapping[str, Any] | None) -> int:
    feature = feature or {}
    stats = feature.get("numerical_statistics") or feature.get("string_statistics") or {}
    return int((stats.get("common") or {}).get("num_present") or 0)


def _pct(value: float) -> str:
    return f"{value * 100:.4g}%"


def _violation(name: str, check: str, description: str) -> dict[str, str]:
    return {"feature_name": name, "constraint_check_type": check, "description": description}


def _matches(expected: str, column: ColumnProfile) -> int:
    if expected in (STRING, UNKNOWN):
        return column.present
    if expected == FRACTIONAL:
        return column.n_integral + column.n_fractional
    return column.n_integral


#: the most bins added on either side of the baseline's range
EXTRA_BINS = 10


def _empty_bin(lower: float, upper: float) -> dict[str, float]:
    return {"lower_bound": lower, "upper_bound": upper, "baseline_count": 0.0, "window_count": 0.0}


def _extension(edge: float, extent: float, width: float, side: int) -> list[tuple[float, float]]:
    """(lower, upper) bins covering ``extent`` beyond ``edge`` (side -1: below, 1: above),
    in ascending order."""
    count = EXTRA_BINS if width <= 0 else max(1, min(EXTRA_BINS, math.ceil(extent / width)))
    step = extent / count
    edges = [edge + side * step * i for i in range(count + 1)]
    edges[-1] = edge + side * extent  # exactly the window's extreme
    pairs = [(min(a, b), max(a, b)) for a, b in itertools.pairwise(edges)]
    return sorted(pairs)


def _numeric_bins(base: Mapping[str, Any] | None, column: ColumnProfile) -> list[dict[str, float]]:
    stats = (base or {}).get("numerical_statistics") or {}
    buckets = ((stats.get("distribution") or {}).get("kll") or {}).get("buckets") or []
    sketch = column.kll
    bins = [
        {
            "lower_bound": float(b["lower_bound"]),
            "upper_bound": float(b["upper_bound"]),
            "baseline_count": float(b.get("count") or 0),
            "window_count": 0.0,
        }
        for b in buckets
    ]
    if not bins or sketch.is_empty():
        return bins
    n = float(sketch.n)
    low, high = bins[0]["lower_bound"], bins[-1]["upper_bound"]
    w_min, w_max = sketch.get_min_value(), sketch.get_max_value()
    # the window's values beyond the baseline's range get bins of the baseline's width
    # (wider when that would take more than EXTRA_BINS), so a shift draws as a shape
    width = (high - low) / len(bins) if high > low else 0.0
    if w_min < low:
        bins[:0] = [_empty_bin(a, b) for a, b in _extension(low, low - w_min, width, -1)]
    if w_max > high:
        bins.extend(_empty_bin(a, b) for a, b in _extension(high, w_max - high, width, 1))
    splits = [b["upper_bound"] for b in bins[:-1]]
    if all(a < b for a, b in itertools.pairwise(splits)):
        pmf = sketch.get_pmf(splits, True) if splits else [1.0]
        for b, p in zip(bins, pmf, strict=False):
            b["window_count"] = p * n
    return bins


def check_window(
    window: DatasetProfile,
    constraints: Mapping[str, Any] | None,
    baseline_statistics: Mapping[str, Any] | None,
    *,
    record_count: int,
    parse_errors: int,
) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """Violations of the baseline's constraints by a window, and its feature drift.

    Args:
        window: The window's profile.
        constraints: The baseline's constraints.json (suggested from the statistics when
            None).
        baseline_statistics: The baseline's statistics.json (no drift without it).
        record_count: Captured records in the window (for feature_drift.json).
        parse_errors: Records that did not parse.

    Returns:
        (violations, feature_drift.json's body).
    """
    if constraints is None and baseline_statistics is not None:
        constraints = suggest_constraints(baseline_statistics)
    constraints = constraints or {"features": [], "monitoring_config": {}}
    global_config = constraints.get("monitoring_config") or {}
    base_by_name = {f["name"]: f for f in _features(baseline_statistics)}
    evaluate_all = global_config.get("evaluate_constraints", "Enabled") != "Disabled"
    violations: list[dict[str, str]] = []
    drift_features: list[dict[str, Any]] = []
    constrained = _features(constraints)
    names = {f["name"] for f in constrained}
    for feature in constrained:
        name = feature["name"]
        config = _feature_config(global_config, feature)
        active = evaluate_all and config.get("evaluate_constraints", "Enabled") != "Disabled"
        column = window.columns.get(name)
        if column is None:
            if active:
                violations.append(
                    _violation(
                        name,
                        "missing_column_check",
                        f"There are missing columns in current dataset. Column {name} is in the "
                        f"baseline constraints but not in the current dataset "
                        f"({len(window.columns)} columns; baseline: {len(constrained)}).",
                    )
                )
            continue
        expected = str(feature.get("inferred_type") or UNKNOWN)
        base = base_by_name.get(name)
        entry, drift_violation = _drift(name, expected, column, base, config)
        drift_features.append(entry)
        if not active:
            continue
        violations.extend(_column_violations(name, expected, feature, column, window, config))
        if drift_violation is not None:
            violations.append(drift_violation)
    if evaluate_all and constrained:
        for name in window.columns:
            if name not in names:
                violations.append(
                    _violation(
                        name,
                        "extra_column_check",
                        f"There are extra columns in current dataset. Column {name} is not in "
                        f"the baseline constraints ({len(window.columns)} columns; baseline: "
                        f"{len(constrained)}).",
                    )
                )
    drift = {
        "version": 1,
        "record_count": record_count,
        "parse_errors": parse_errors,
        "features": drift_features,
    }
    return violations, drift


def _column_violations(
    name: str,
    expected: str,
    feature: Mapping[str, Any],
    column: ColumnProfile,
    window: DatasetProfile,
    config: Mapping[str, Any],
) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if column.present and expected in (INTEGRAL, FRACTIONAL, STRING):
        match = _matches(expected, column) / column.present
        threshold = float(config.get("datatype_check_threshold", 1.0))
        if match < threshold:
            out.append(
                _violation(
                    name,
                    "data_type_check",
                    f"Data type match requirement is not met. Expected data type: {expected}, "
                    f"Expected match: {_pct(threshold)}. Observed: Only {_pct(match)} of data is "
                    f"{expected}.",
                )
            )
    completeness = feature.get("completeness")
    if isinstance(completeness, int | float) and window.item_count:
        observed = column.present / window.item_count
        if observed < float(completeness) - 1e-12:
            out.append(
                _violation(
                    name,
                    "completeness_check",
                    f"Data completeness requirement is not met. Expected completeness: "
                    f"{_pct(float(completeness))}. Observed: Only {_pct(observed)} of data is "
                    f"non-null.",
                )
            )
    domains = (feature.get("string_constraints") or {}).get("domains")
    if isinstance(domains, list) and domains and column.present:
        allowed = {str(d) for d in domains}
        counts = column.top_values(limit=1_000_000)
        inside = sum(c for v, c in counts if v in allowed)
        if column.strings is None:
            inside = 0  # numbers only: none is a listed string value
        ratio = inside / column.present
        threshold = float(config.get("domain_content_threshold", 1.0))
        if ratio < threshold:
            out.append(
                _violation(
                    name,
                    "categorical_values_check",
                    f"Data does not meet the domain content requirement. Expected: "
                    f"{_pct(threshold)} of values in the baseline domain. Observed: Only "
                    f"{_pct(ratio)} of values are in the domain.",
                )
            )
    return out


def _drift(
    name: str,
    expected: str,
    column: ColumnProfile,
    base: Mapping[str, Any] | None,
    config: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, str] | None]:
    distribution = config.get("distribution_constraints") or {}
    compare = distribution.get("perform_comparison", "Enabled") != "Disabled"
    entry: dict[str, Any] = {
        "name": name,
        "inferred_type": expected,
        "distance": None,
        "threshold": None,
        "bins": [],
        "categories": [],
    }
    distance: float | None = None
    threshold = 0.0
    robust = False
    if expected in (INTEGRAL, FRACTIONAL):
        threshold = float(distribution.get("comparison_threshold", 0.1))
        robust = str(distribution.get("comparison_method", "Robust")) == "Robust"
        entry["bins"] = _numeric_bins(base, column)
        if base is not None and not column.kll.is_empty():
            distance = numeric_distance(_sketch_levels(base), kll_levels(column.kll))
    elif expected == STRING:
        threshold = float(distribution.get("categorical_comparison_threshold", 0.1))
        base_counts = _categories(base)
        window_counts = dict(column.top_values())
        if not window_counts and column.present:
            window_counts = {}
        entry["categories"] = _category_rows(base_counts, window_counts)
        if base is not None and base_counts and column.present:
            b_total = _num_present(base) or float(sum(base_counts.values()))
            w_total = column.present
            keys = set(base_counts) | set(window_counts)
            distance = max(
                abs(base_counts.get(k, 0.0) / b_total - window_counts.get(k, 0) / w_total)
                for k in keys
            )
    if distance is None:
        return entry, None
    entry["distance"] = distance
    if not compare:
        return entry, None
    entry["threshold"] = threshold
    exceeded = distance > threshold
    if exceeded and robust:
        n, m = _num_present(base), column.present
        if n and m:
            exceeded = distance > KS_ROBUST_C * math.sqrt((n + m) / (n * m))
    if not exceeded:
        return entry, None
    return entry, _violation(
        name,
        "baseline_drift_check",
        f"Baseline drift distance: {distance:.4g} exceeds threshold: {threshold:.4g}",
    )


def _category_rows(
    base_counts: Mapping[str, float], window_counts: Mapping[str, int], limit: int = 50
) -> list[dict[str, Any]]:
    keys = set(base_counts) | set(window_counts)
    ranked = sorted(keys, key=lambda k: (-(base_counts.get(k, 0.0) + window_counts.get(k, 0)), k))[
        :limit
    ]
    return [
        {
            "value": k,
            "baseline_count": float(base_counts.get(k, 0.0)),
            "window_count": float(window_counts.get(k, 0)),
        }
        for k in ranked
    ]
