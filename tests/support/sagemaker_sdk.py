"""The SageMaker Python SDKs, each in a venv of its own, run against a real studio.

``scripts/setup.sh test`` installs ``sagemaker<3`` into ``.venv-sagemaker2`` and
``sagemaker>=3`` (sagemaker-core's resources) into ``.venv-sagemaker3``: the studio never
imports them, and ``sagemaker<3`` pins packages JupyterLab's would clash with. A test runs
a script with one of those Pythons, configured only as a user would: the variables
``mlstudio credentials --env`` prints for the studio's home (the endpoint variables, the
key pair, the region), a fresh ``HOME`` (no ``~/.aws`` of the machine) and nothing else
from AWS.

:func:`sdk_python` finds a venv's Python for a fixture: without it the tests are skipped,
except when ``CI`` is set, where a missing venv is a failure.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("sagemaker2", "sagemaker3")


def sdk_python(name: str) -> str:
    """The Python of ``.venv-<name>`` (``sagemaker2`` or ``sagemaker3``), or skip the test
    (fail instead when ``CI`` is set)."""
    if name not in SDKS:
        raise ValueError(f"unknown SDK venv {name!r}: one of {SDKS}")
    python = ROOT / f".venv-{name}" / "bin" / "python"
    if not python.is_file():
        reason = f"{python} not found (scripts/setup.sh test installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; SDK tests may not be skipped in CI", pytrace=False)
        pytest.skip(reason)
    return str(python)


def credentials_env(home: Path) -> dict[str, str]:
    """What ``eval "$(mlstudio credentials --env --home HOME)"`` would export."""
    completed = subprocess.run(
        [sys.executable, "-m", "jupyter_mlstudio.cli", "credentials", "--env", "--home", str(home)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    env: dict[str, str] = {}
    for line in completed.stdout.splitlines():
        if not line.startswith("export "):
            continue
        name, _, value = line[len("export ") :].partition("=")
        (env[name],) = shlex.split(value)
    return env


def user_env(variables: dict[str, str], home: Path) -> dict[str, str]:
    """A process environment with ``variables`` and no other AWS or studio setting, and
    ``home`` as ``HOME`` (so no ``~/.aws`` files of this machine apply)."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "MLSTUDIO_", "SAGEMAKER_", "BOTO"))
    }
    home.mkdir(parents=True, exist_ok=True)
    return {**kept, "HOME": str(home), **variables}


@dataclass(frozen=True)
class ScriptResult:
    """How a script ended: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str

    def check(self) -> ScriptResult:
        """Fail the test with the script's output unless it exited with 0."""
        if self.returncode != 0:
            pytest.fail(
                f"script exited with {self.returncode}\n--- stdout\n{self.stdout[-6000:]}"
                f"\n--- stderr\n{self.stderr[-6000:]}",
                pytrace=False,
            )
        return self


async def run_script(
    python: str, script: Path, *args: str, env: dict[str, str], timeout: float = 600
) -> ScriptResult:
    """Run ``python script args`` without blocking the event loop (a studio served by the
    test's own loop answers it meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        python,
        str(script),
        *args,
        env=env,
        cwd=str(script.parent),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        return ScriptResult(-9, out.decode(errors="replace"), err.decode(errors="replace"))
    assert process.returncode is not None
    return ScriptResult(
        process.returncode, out.decode(errors="replace"), err.decode(errors="replace")
    )
