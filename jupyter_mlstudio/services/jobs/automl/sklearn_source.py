"""AutoML candidates as Python source: explicit scikit-learn code a person reads and runs.

:func:`candidate_code` writes the objects :func:`~.job.automl_pipeline.build_preprocessor`
and :func:`~.job.automl_pipeline.build_estimator` make, each with every argument that
differs from scikit-learn's default (as its ``print_changed_only`` decides) and the
candidate's tuned hyperparameters, with the imports they need, wrapped as a formatter
would (the candidate definitions notebook's cells).
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .job import automl_pipeline as ap

#: longest line of generated code before a call or a list is split over lines
LINE_WIDTH = 88
#: estimator arguments always written out, even at their default: the candidate's tuned
#: hyperparameters are (see :func:`candidate_code`), and LogisticRegression's ``C`` is
#: 1 / the candidate's ``alpha``
ALWAYS_WRITTEN = frozenset({"C"})


def quote(text: str) -> str:
    """A Python string literal of ``text``."""
    return json.dumps(text, ensure_ascii=False)


def candidate_code(spec: ap.CandidateSpec, analysis: ap.Analysis) -> str:
    """Python source that builds a candidate as explicit scikit-learn code.

    The source sets ``feature_transform`` (the ``ColumnTransformer`` of
    :func:`~.job.automl_pipeline.build_preprocessor`) and ``estimator`` (the object of
    :func:`~.job.automl_pipeline.build_estimator`), each written out with every argument
    that differs from scikit-learn's default and the candidate's tuned hyperparameters,
    after the imports they need.

    Args:
        spec: The candidate.
        analysis: The job's analysis (the columns and the problem type).

    Returns:
        The source, ending with a newline.
    """
    from .job import automl_pipeline as ap

    imports: dict[str, set[str]] = {}
    transform = ap.build_preprocessor(spec.preprocessing, analysis)
    estimator = ap.build_estimator(spec, analysis.problem_type)
    algorithm = ap.ALGORITHMS.get(spec.algorithm)
    tuned = set(algorithm.space if algorithm else ()) | ALWAYS_WRITTEN
    transform_code = render(transform, imports, 0, len("feature_transform = "), frozenset())
    estimator_code = render(estimator, imports, 0, len("estimator = "), frozenset(tuned))
    lines = [
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(imports.items())
    ]
    recipe = ap.PREPROCESSING.get(spec.preprocessing, spec.preprocessing)
    lines += [
        "",
        *_comment(f"preprocessing {spec.preprocessing!r}: {recipe}"),
        f"feature_transform = {transform_code}",
        *_comment(ap.describe_spec(spec)),
        f"estimator = {estimator_code}",
    ]
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    return textwrap.wrap(text, LINE_WIDTH, initial_indent="# ", subsequent_indent="# ")


def _public_module(cls: type) -> str:
    """The shortest public module (no ``_`` part) that gives ``cls`` under its name."""
    parts = cls.__module__.split(".")
    public = next((i for i, part in enumerate(parts) if part.startswith("_")), len(parts))
    for end in range(max(public, 1), len(parts) + 1):
        module = ".".join(parts[:end])
        try:
            if getattr(importlib.import_module(module), cls.__name__, None) is cls:
                return module
        except ImportError:
            continue
    return cls.__module__


def _changed(value: Any, default: Any) -> bool:
    """As scikit-learn's ``print_changed_only`` decides: by repr, NaN equal to NaN."""
    if all(isinstance(v, float) and math.isnan(v) for v in (value, default)):
        return False
    return repr(value) != repr(default)


def _arguments(obj: Any, always: frozenset[str]) -> tuple[list[Any], list[tuple[str, Any]]]:
    """An estimator's positional (required) and keyword arguments worth writing."""
    values = obj.get_params(deep=False)
    positional: list[Any] = []
    keywords: list[tuple[str, Any]] = []
    for name, parameter in inspect.signature(type(obj).__init__).parameters.items():
        if name == "self" or name not in values:
            continue
        value = values[name]
        if parameter.default is inspect.Parameter.empty:
            if parameter.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD and not keywords:
                positional.append(value)
            else:
                keywords.append((name, value))
        elif name in always or _changed(value, parameter.default):
            keywords.append((name, value))
    return positional, keywords


def render(
    value: Any,
    imports: dict[str, set[str]],
    indent: int,
    used: int,
    always: frozenset[str] = frozenset(),
    flat: bool = False,
) -> str:
    """``value`` as Python source: on one line when ``flat`` or when it fits after the
    ``used`` characters before it on its line, else split with items at ``indent`` + 4."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        cls = type(value)
        imports.setdefault(_public_module(cls), set()).add(cls.__name__)
        positional, keywords = _arguments(value, always)
        items = [(None, v) for v in positional] + list(keywords)
        return _sequence(f"{cls.__name__}(", ")", items, imports, indent, used, flat)
    if isinstance(value, list | tuple):
        open_, close = ("[", "]") if isinstance(value, list) else ("(", ")")
        if isinstance(value, tuple) and len(value) == 1:
            return f"({render(value[0], imports, indent, used + 1, flat=True)},)"
        items = [(None, v) for v in value]
        return _sequence(open_, close, items, imports, indent, used, flat)
    if isinstance(value, dict):
        items = [(render(k, imports, 0, 0, flat=True), v) for k, v in value.items()]
        return _sequence("{", "}", items, imports, indent, used, flat, ": ")
    if isinstance(value, type):  # such as a dtype
        imports.setdefault(_public_module(value), set()).add(value.__name__)
        return value.__name__
    return _scalar(value)


def _scalar(value: Any) -> str:
    if hasattr(value, "item") and not isinstance(value, int | float | str):
        value = value.item()  # a numpy scalar
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return f'float("{value}")'
        return repr(float(value))
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) as Python source")


def _sequence(
    open_: str,
    close: str,
    items: Sequence[tuple[str | None, Any]],
    imports: dict[str, set[str]],
    indent: int,
    used: int,
    flat: bool,
    separator: str = "=",
) -> str:
    """A call, list, tuple or dict: one line when it fits (or ``flat``), else an item a
    line, as a formatter would write it."""

    def prefix(key: str | None) -> str:
        return "" if key is None else f"{key}{separator}"

    one = ", ".join(prefix(k) + render(v, imports, 0, 0, flat=True) for k, v in items)
    if flat or used + len(open_) + len(one) + len(close) + 1 <= LINE_WIDTH:
        return f"{open_}{one}{close}"
    inner = indent + 4
    lines = [
        f"{' ' * inner}{prefix(k)}{render(v, imports, inner, inner + len(prefix(k)))},"
        for k, v in items
    ]
    return f"{open_}\n" + "\n".join(lines) + f"\n{' ' * indent}{close}"
