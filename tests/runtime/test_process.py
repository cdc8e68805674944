"""The runtime contract on the process runtime, and what only it promises."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.runtime.base import ContainerSpec, JobHandle, JobRunner, Mount
from jupyter_mlstudio.runtime.process import ProcessRunner
from jupyter_mlstudio.testing.runtime_contract import RuntimeContract
from jupyter_mlstudio.testing.runtime_contract_serving import listening_addresses


class TestProcessRunner(RuntimeContract):
    image = None
    oom_kills = False
    hosts_resolve = True

    @pytest.fixture
    def make_runner_at(self) -> Callable[[Path], JobRunner]:
        return ProcessRunner

    def assert_loopback_only(self, runner: JobRunner, handle: JobHandle, port: int) -> None:
        assert listening_addresses(int(handle.ref)) == [("127.0.0.1", port)]

    def kill(self, runner: JobRunner, handle: JobHandle) -> None:
        os.killpg(int(handle.ref), signal.SIGKILL)


def _spec(tmp_path: Path, **fields: object) -> ContainerSpec:
    ml_dir = tmp_path / "ml"
    ml_dir.mkdir(exist_ok=True)
    values: dict[str, object] = {"job_name": "job-1", "ml_dir": ml_dir}
    values.update(fields)
    return ContainerSpec(**values)  # type: ignore[arg-type]


def test_refuses_an_image(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        ProcessRunner(tmp_path / "state").launch(_spec(tmp_path, image="some/image:1"))
    assert info.value.field == "image_uri"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"job_name": "bad name"}, "job_name"),
        ({"command": ()}, "command"),
        ({"command": ("python", "-c", "pass"), "expose": 0}, "expose"),
        ({"command": ("/no/such/program",)}, "command"),
        ({"mounts": (Mount(Path("/nonexistent-x"), "/opt/ml/input/data/a"),)}, "mounts"),
        ({"mounts": (Mount(Path("/tmp"), "/elsewhere"),)}, "mounts"),
    ],
)
def test_bad_specs_are_refused_before_launch(
    tmp_path: Path, fields: dict[str, object], field: str
) -> None:
    runner = ProcessRunner(tmp_path / "state")
    with pytest.raises(ValidationError) as info:
        runner.launch(_spec(tmp_path, **fields))
    assert info.value.field == field
    assert runner.find() == []


def test_cpu_limit_is_an_affinity_mask(tmp_path: Path) -> None:
    runner = ProcessRunner(tmp_path / "state")
    script = "import os, json; print(json.dumps(sorted(os.sched_getaffinity(0))))"
    handle = runner.launch(_spec(tmp_path, command=("python", "-c", script), cpus=1))
    assert runner.wait(handle, 30).exit_code == 0
    assert len(json.loads(runner.logs(handle)[0])) == 1


def test_python_means_the_studios_python(tmp_path: Path) -> None:
    runner = ProcessRunner(tmp_path / "state", python="/usr/bin/env")
    handle = runner.launch(_spec(tmp_path, command=("python", "true")))
    assert runner.wait(handle, 30).exit_code == 0


def test_a_job_whose_supervisor_recorded_nothing_has_an_unknown_code(tmp_path: Path) -> None:
    runner = ProcessRunner(tmp_path / "state")
    handle = runner.launch(_spec(tmp_path, command=("python", "-c", "pass")))
    state_file = tmp_path / "state" / "job-1" / "algo-1" / "state.json"
    state = json.loads(state_file.read_text())
    runner.wait(handle, 30)
    # as if the studio had died before the job ended and its supervisor had been killed
    # (SIGKILL) before it could record the code: a new runner, the pid long reaped
    state.update({"exit_code": None, "create_time": 1.0})
    state.pop("ended_at", None)
    state_file.write_text(json.dumps(state))
    (state_file.parent / "exit_code").unlink()
    after = ProcessRunner(tmp_path / "state").poll(handle)
    assert not after.running
    assert after.exit_code is None
    assert after.detail is not None
    assert "unknown" in after.detail
    assert os.path.exists(state_file)
