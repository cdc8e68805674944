"""What the wheel ships under ``jupyter_mlstudio/testing``: the contract suites only.

The launchers of test servers (the studio, a model server, PostgreSQL, SeaweedFS, a Docker
engine) and the load generator live in ``tests/support``, which is not packaged, so no
module of the package may import them. Modules are parsed with :mod:`ast`, never imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "jupyter_mlstudio"
#: helpers that only the store suites use
SUITE_HELPERS = {"__init__", "store_helpers"}


def _absolute_imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_the_package_never_imports_the_test_tree() -> None:
    offenders = sorted(
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in PACKAGE.rglob("*.py")
        for name in _absolute_imports(path)
        if name.split(".")[0] == "tests"
    )
    assert offenders == []


def test_the_package_testing_folder_holds_only_contract_suites() -> None:
    modules = {path.stem for path in (PACKAGE / "testing").glob("*.py")}
    assert {name for name in modules if "_contract" in name} >= {
        "store_contract",
        "artifact_contract",
        "runtime_contract",
    }
    others = sorted(m for m in modules if "_contract" not in m and m not in SUITE_HELPERS)
    assert others == [], f"move test launchers and helpers to tests/support: {others}"
