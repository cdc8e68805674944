"""The SDK's public classes and functions document their arguments, results and errors.

Each public class has a docstring naming every argument of its constructor under
``Args:``; each public function and method a docstring naming its arguments under
``Args:`` and, when it returns something, a ``Returns:`` section. A docstring that hands
over to another one (``see :meth:...``) is enough for an override.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from jupyter_mlstudio import sdk
from jupyter_mlstudio.sdk import jobs, naming, plots, predictor, processing, tracking_uri


def _exported(module: Any) -> list[Any]:
    """A name of ``sdk.__all__``; a module there (``rule_configs``) stands for its own
    public classes and functions."""
    if not inspect.ismodule(module):
        return [module]
    return [
        value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    ]


#: what users call: the package's names, and those of the modules the docs point to
PUBLIC = sorted(
    {
        *(
            item
            for name in sdk.__all__
            if name != "ENV_TRACKING_URI"
            for item in _exported(getattr(sdk, name))
        ),
        processing.Processor,
        processing.ScriptProcessor,
        processing.ProcessingInput,
        processing.ProcessingOutput,
        jobs.BaseJob,
        jobs.TrainingJob,
        jobs.ProcessingJob,
        jobs.TransformJob,
        naming.base_name_from,
        naming.name_from_base,
        naming.active_experiment_config,
        plots.plot_metric,
        predictor.wait_for_endpoint,
        tracking_uri.open_tracking,
    },
    key=lambda item: f"{item.__module__}.{item.__qualname__}",
)
#: a docstring that hands over to another one
DELEGATES = re.compile(r"\((see|as) :(meth|func|class):")


def _parameters(function: Callable[..., Any]) -> list[str]:
    names = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name in ("self", "cls"):
            continue
        names.append(parameter.name)
    return names


def _problems(where: str, doc: str | None, parameters: set[str], returns: bool) -> list[str]:
    if not doc or not doc.strip():
        return [f"{where}: no docstring"]
    if DELEGATES.search(doc):
        return []
    problems = []
    if parameters:
        _, found, args = doc.partition("Args:\n")
        if not found:
            problems.append(f"{where}: no Args section")
        else:
            section = re.split(r"\n\s*\n\s*(?:Returns|Raises|Attributes):", args)[0]
            named = set(re.findall(r"^\s*\**(\w+):", section, flags=re.MULTILINE))
            missing = sorted(parameters - named)
            problems += [f"{where}: argument {name} not in Args" for name in missing]
    if returns and "Returns:" not in doc:
        problems.append(f"{where}: no Returns section")
    return problems


def _returns_something(function: Callable[..., Any]) -> bool:
    annotation = inspect.signature(function).return_annotation
    return annotation not in (None, "None", inspect.Signature.empty)


def _methods(cls: type) -> Iterator[tuple[str, Any]]:
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(member, staticmethod | classmethod):
            yield name, member.__func__
        elif inspect.isfunction(member) or isinstance(member, property):
            yield name, member


def _check(item: Any) -> list[str]:
    where = f"{item.__module__}.{item.__qualname__}"
    if inspect.isfunction(item):
        return _problems(where, item.__doc__, set(_parameters(item)), _returns_something(item))
    problems = _problems(where, item.__doc__, set(_parameters(item.__init__)), False)
    if "__init__" not in vars(item):  # the constructor is inherited: nothing to name
        problems = [p for p in problems if "Args" not in p]
    for name, member in _methods(item):
        if isinstance(member, property):
            if not (member.__doc__ or "").strip():
                problems.append(f"{where}.{name}: no docstring")
            continue
        problems += _problems(
            f"{where}.{name}",
            member.__doc__,
            set(_parameters(member)),
            _returns_something(member),
        )
    return problems


@pytest.mark.parametrize("item", PUBLIC, ids=lambda item: item.__qualname__)
def test_public_sdk_names_document_arguments_and_results(item: Any) -> None:
    problems = _check(item)
    assert not problems, "\n".join(problems)


def test_the_check_finds_what_is_missing() -> None:
    class Example:
        """An example.

        Args:
            a: Documented.
        """

        def __init__(self, a: int, b: int) -> None: ...

        def method(self, c: int) -> int:
            """Does it."""
            return c

        def override(self, d: int) -> int:
            """The same (see :meth:`method`)."""
            return d

    assert _check(Example) == [
        f"{__name__}.test_the_check_finds_what_is_missing.<locals>.Example: argument b not in Args",
        f"{__name__}.test_the_check_finds_what_is_missing.<locals>.Example.method: no Args section",
        f"{__name__}.test_the_check_finds_what_is_missing.<locals>.Example.method: "
        "no Returns section",
    ]
