"""docs/sagemaker-api.md lists every operation the studio answers, each with a test."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from jupyter_mlstudio.aws.registry import SAGEMAKER, STS

SCRIPT = Path(__file__).parents[2] / "scripts" / "sagemaker_api_table.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sagemaker_api_table", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_coverage_table_is_current_and_every_operation_tested() -> None:
    script = load_script()
    assert script.main(["--check"]) == 0, "run python scripts/sagemaker_api_table.py"
    table = script.table()
    assert "**untested**" not in table
    for operation in [*SAGEMAKER, *STS]:
        assert f"| `{operation.name}` |" in table
