"""Deleting a run or its experiment deletes the run's files (issue 19, defect 7).

A run created later under the same name starts with no files: the old ones are neither
served to it nor left on disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .test_api import call


def _files_below(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


async def _status(jp_fetch: Any, method: str, *parts: str, body: Any = None) -> int:
    return int((await call(jp_fetch, method, *parts, body=body))[0])


async def _upload(jp_fetch: Any, run: str, path: str, data: bytes) -> None:
    status, _ = await call(jp_fetch, "PUT", "trial-components", run, "artifacts", path, body=data)
    assert status == 200


async def _old_file_is_gone(jp_fetch: Any, studio_home: Path) -> None:
    """No file is left on disk, and a new run named bi-tc does not see ok.txt."""
    assert _files_below(studio_home / "artifacts") == []
    body = {"TrialComponentName": "bi-tc"}
    assert await _status(jp_fetch, "POST", "trial-components", body=body) == 201
    status, err = await call(jp_fetch, "GET", "trial-components", "bi-tc", "artifacts", "ok.txt")
    assert status == 404
    assert err["code"] == "ResourceNotFound"


async def test_deleting_a_run_deletes_its_files(jp_fetch: Any, studio_home: Path) -> None:
    body = {"TrialComponentName": "bi-tc"}
    assert await _status(jp_fetch, "POST", "trial-components", body=body) == 201
    await _upload(jp_fetch, "bi-tc", "ok.txt", b"old content")
    await _upload(jp_fetch, "bi-tc", "plots/roc.json", b"{}")
    assert await _status(jp_fetch, "DELETE", "trial-components", "bi-tc") == 204
    await _old_file_is_gone(jp_fetch, studio_home)


@pytest.mark.parametrize("shared", [False, True])
async def test_deleting_an_experiment_deletes_the_files_of_its_runs(
    jp_fetch: Any, studio_home: Path, shared: bool
) -> None:
    """The runs that go with the experiment lose their files; a run that another
    experiment's trial also holds stays, files and all."""
    for experiment, trial in (("e", "t"), ("other", "t-other")):
        body = {"ExperimentName": experiment}
        assert await _status(jp_fetch, "POST", "experiments", body=body) == 201
        body = {"TrialName": trial, "ExperimentName": experiment}
        assert await _status(jp_fetch, "POST", "trials", body=body) == 201
    for run in ("bi-tc", "kept"):
        body = {"TrialComponentName": run, "TrialName": "t"}
        assert await _status(jp_fetch, "POST", "trial-components", body=body) == 201
        await _upload(jp_fetch, run, "ok.txt", f"{run} content".encode())
    if shared:
        body = {"TrialComponentName": "kept"}
        assert (
            await _status(jp_fetch, "POST", "trials", "t-other", "trial-components", body=body)
            == 204
        )
    else:
        assert await _status(jp_fetch, "DELETE", "trial-components", "kept") == 204

    assert await _status(jp_fetch, "DELETE", "experiments", "e") == 204

    if shared:
        response = await jp_fetch(
            "mlstudio", "api", "trial-components", "kept", "artifacts", "ok.txt"
        )
        assert response.body == b"kept content"
        assert [path.name for path in _files_below(studio_home / "artifacts")] == ["ok.txt"]
        assert await _status(jp_fetch, "DELETE", "trial-components", "kept") == 204
    await _old_file_is_gone(jp_fetch, studio_home)
