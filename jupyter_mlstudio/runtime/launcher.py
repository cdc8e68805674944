"""Script-mode launcher: what ``train`` means for the studio's own image and the process runtime.

Runs the entry point named by ``SAGEMAKER_PROGRAM`` (a ``.py`` file, run with this Python;
anything else is executed directly) from ``SAGEMAKER_SUBMIT_DIRECTORY`` (default: the
``code`` folder next to ``SM_INPUT_DIR``, i.e. ``/opt/ml/code``), with the hyperparameters
as ``--name value`` arguments (``SM_USER_ARGS``, a JSON list) followed by any arguments given
to the launcher itself. It replaces itself with the entry point (``exec``), so signals and
the exit code are the script's own.

Standard library only: the image build copies this file into the image as
``/usr/local/bin/train``.
"""

from __future__ import annotations

import json
import os
import sys


def _code_dir() -> str:
    submit = os.environ.get("SAGEMAKER_SUBMIT_DIRECTORY", "")
    if submit and "://" not in submit:
        return submit
    input_dir = os.environ.get("SM_INPUT_DIR", "/opt/ml/input")
    return os.path.join(os.path.dirname(input_dir.rstrip("/")), "code")


def main(argv: list[str] | None = None) -> int:
    extra = list(sys.argv[1:] if argv is None else argv)
    program = os.environ.get("SAGEMAKER_PROGRAM") or os.environ.get("SM_USER_ENTRY_POINT")
    if not program:
        print(
            "train: no entry point: set SAGEMAKER_PROGRAM (a script in the code folder)",
            file=sys.stderr,
        )
        return 2
    code_dir = _code_dir()
    path = program if os.path.isabs(program) else os.path.join(code_dir, program)
    if not os.path.exists(path):
        print(f"train: entry point {path} does not exist", file=sys.stderr)
        return 2
    try:
        user_args = [str(a) for a in json.loads(os.environ.get("SM_USER_ARGS") or "[]")]
    except ValueError:
        print("train: SM_USER_ARGS is not a JSON list", file=sys.stderr)
        return 2
    if os.path.isdir(code_dir):
        os.chdir(code_dir)
        sys.path.insert(0, code_dir)
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (code_dir, os.environ.get("PYTHONPATH", "")) if p
        )
    if path.endswith(".py"):
        argv_out = [sys.executable, path, *user_args, *extra]
    else:
        argv_out = [path, *user_args, *extra]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv_out[0], argv_out)
    return 0  # pragma: no cover - execv does not return


if __name__ == "__main__":
    sys.exit(main())
