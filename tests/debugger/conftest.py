"""A training job's folder as the studio lays it out, and hooks writing into it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.debugger import Hook, SaveConfig
from jupyter_mlstudio.debugger.hook import reset_hook
from jupyter_mlstudio.debugger.rules import implementation
from jupyter_mlstudio.debugger.rules.base import ENDED_FILE, Rule, RuleContext
from jupyter_mlstudio.debugger.rules.catalog import RULES, parse_parameters

EVERYTHING = ["all"]


@pytest.fixture(autouse=True)
def _no_job_hook(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """No Debugger configuration unless a test writes one."""
    monkeypatch.setenv("SMDEBUG_CONFIG_FILE_PATH", str(tmp_path / "no-such-config.json"))
    monkeypatch.delenv("MLSTUDIO_METRICS_FILE", raising=False)
    reset_hook()
    yield
    reset_hook()


class Job:
    """``<tmp>/job``: ``ml/`` is algo-1's /opt/ml, ``hosts/<host>/ml`` the others'."""

    def __init__(self, folder: Path, hosts: tuple[str, ...] = ("algo-1",)) -> None:
        self.folder = folder
        self.hosts = hosts
        self.context = RuleContext(
            job_name="job", job_folder=folder, hosts=hosts, created_at=time.time()
        )

    def tensors(self, host: str = "algo-1") -> Path:
        return self.context.host_ml(host) / "output" / "tensors"

    def hook(self, host: str = "algo-1", interval: int = 1, **kwargs: Any) -> Hook:
        kwargs.setdefault("include_collections", EVERYTHING)
        return Hook(
            self.tensors(host),
            save_config=SaveConfig(save_interval=interval),
            worker=host,
            **kwargs,
        )

    def rule(self, name: str, **parameters: Any) -> Rule:
        spec = RULES[name]
        text = {k: str(v) for k, v in parameters.items()}
        return implementation(name)(self.context, parse_parameters(spec, text))

    def end(self) -> None:
        (self.folder / ENDED_FILE).write_text(
            json.dumps({"TrainingJobStatus": "Completed", "EndTime": time.time()})
        )


@pytest.fixture
def job(tmp_path: Path) -> Job:
    folder = tmp_path / "job"
    folder.mkdir()
    return Job(folder)
