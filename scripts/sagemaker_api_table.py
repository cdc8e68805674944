"""Write the coverage table of docs/sagemaker-api.md from the operation tables.

Every operation registered in ``jupyter_mlstudio.aws.registry`` becomes a row: the
service, the operation, the module that answers it, what it does (the first line of its
docstring) and the test that calls it through boto3 (a test under ``tests/aws`` calling
the client method, ``.describe_training_job(``). Run it after adding operations;
``--check`` fails when the doc is not current (``tests/aws/test_docs.py`` runs it).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from botocore import xform_name

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jupyter_mlstudio.aws import runtime  # noqa: E402
from jupyter_mlstudio.aws.registry import TABLES  # noqa: E402

DOC = ROOT / "docs" / "sagemaker-api.md"
TESTS = ROOT / "tests" / "aws"
START = "<!-- sagemaker-api-table:start (scripts/sagemaker_api_table.py writes this) -->"
END = "<!-- sagemaker-api-table:end -->"


def tests_calling(method: str) -> list[str]:
    """The test files under tests/aws that call the client method ``method``."""
    call = re.compile(rf"\.{re.escape(method)}\b")
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in TESTS.rglob("test_*.py")
        if call.search(path.read_text(encoding="utf-8"))
    )


def table() -> str:
    """The coverage table, in Markdown."""
    rows = [
        "| Service | Operation | Answered by | What it does | Tested in |",
        "| --- | --- | --- | --- | --- |",
    ]
    for service, operations in sorted(TABLES.items(), key=lambda item: item[0] != "sagemaker"):
        for operation in operations:
            paragraph = (operation.handler.__doc__ or "").strip().split("\n\n")[0]
            summary = " ".join(paragraph.split()).rstrip(".").replace("|", "\\|")
            tests = tests_calling(xform_name(operation.name))
            tested = ", ".join(f"`{t}`" for t in tests) or "**untested**"
            rows.append(
                f"| {service} | `{operation.name}` | `aws/operations/{operation.module}.py`"
                f" | {summary} | {tested} |"
            )
    # the runtime client's one operation, routed by the server (not through a table)
    paragraph = (runtime.invoke.__doc__ or "").strip().split("\n\n")[0]
    summary = " ".join(paragraph.split()).rstrip(".").replace("|", "\\|")
    tests = tests_calling(xform_name(runtime.OPERATION))
    tested = ", ".join(f"`{t}`" for t in tests) or "**untested**"
    rows.append(
        f"| {runtime.SERVICE} | `{runtime.OPERATION}` | `aws/runtime.py` | {summary} | {tested} |"
    )
    return "\n".join(rows)


def render(text: str) -> str:
    """``text`` (the doc) with the table between the markers replaced."""
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"{DOC}: the table markers are missing")
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the doc is not current")
    args = parser.parse_args(argv)
    current = DOC.read_text(encoding="utf-8")
    wanted = render(current)
    if args.check:
        if wanted != current:
            print(
                f"{DOC} is not current: run python scripts/sagemaker_api_table.py", file=sys.stderr
            )
            return 1
        return 0
    DOC.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
