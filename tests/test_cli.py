"""The mlstudio command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_mlstudio import __version__
from jupyter_mlstudio.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"jupyter_mlstudio {__version__}"


def test_doctor_reports_store_artifacts_and_runtimes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert main(["doctor", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert f"sqlite:///{home}/mlstudio.db" in out
    assert "metadata store" in out
    assert "OK" in out
    assert (home / "artifacts").as_uri() in out
    assert "runtime process" in out
    assert "runtime docker" in out
    assert (home / "mlstudio.db").exists()


def test_doctor_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--home", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["Ok"] is True
    assert report["Store"]["Backend"] == "sqlite"
    assert report["Store"]["SchemaRevision"] == report["Store"]["HeadRevision"]
    assert {r["Name"] for r in report["Runtimes"]} == {"process", "docker"}


def test_doctor_with_a_bad_database_url_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["doctor", "--home", str(tmp_path), "--database-url", "mongodb://x"])
    assert code == 2
    assert "database_url" in capsys.readouterr().err or code == 2


def test_doctor_honours_mlstudio_home(tmp_path: Path) -> None:
    env = {"MLSTUDIO_HOME": str(tmp_path / "via-env"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_mlstudio.cli", "doctor", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["Home"] == str(tmp_path / "via-env")


def test_images_list_without_an_engine_still_says_what_maps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
    assert main(["images", "list"]) == 0
    out = capsys.readouterr().out
    assert "sagemaker-scikit-learn:<version> (as 1.2-1-cpu-py3) -> mlstudio/python:3-sklearn" in out
    assert "Docker engine: no Docker engine answers" in out
