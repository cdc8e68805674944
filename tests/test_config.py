"""Configuration resolution: explicit value → environment → default under the home."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.exceptions import ValidationError


def test_defaults_live_under_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("MLSTUDIO_DATABASE_URL", "MLSTUDIO_ARTIFACT_ROOT", "MLSTUDIO_RUNTIME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path))
    config = resolve_config()
    assert config.home == tmp_path
    assert config.database_url == f"sqlite:///{tmp_path}/mlstudio.db"
    assert config.artifact_root == (tmp_path / "artifacts").as_uri()
    assert config.default_runtime == "auto"


def test_environment_and_explicit_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLSTUDIO_DATABASE_URL", "postgresql://u@localhost/db")
    monkeypatch.setenv("MLSTUDIO_ARTIFACT_ROOT", "s3://bucket/prefix")
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "docker")
    config = resolve_config(home=tmp_path)
    assert (config.database_url, config.artifact_root, config.default_runtime) == (
        "postgresql://u@localhost/db",
        "s3://bucket/prefix",
        "docker",
    )
    explicit = resolve_config(
        home=tmp_path, artifact_root=str(tmp_path / "a"), default_runtime="process"
    )
    assert explicit.artifact_root == (tmp_path / "a").as_uri()
    assert explicit.default_runtime == "process"


def test_unknown_runtime_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        resolve_config(home=tmp_path, default_runtime="kubernetes")
    assert info.value.field == "default_runtime"
