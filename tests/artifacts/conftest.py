"""Fixtures of the artifact store tests: one SeaweedFS per session, a fresh store per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.artifacts import ArtifactStore, FileArtifactStore, S3ArtifactStore
from tests.support.seaweedfs import SeaweedS3, run_seaweedfs, weed_or_skip


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """A SeaweedFS S3 server for the whole session (skipped without ``weed``, except in CI)."""
    weed = weed_or_skip()
    with run_seaweedfs(tmp_path_factory.mktemp("seaweedfs"), weed=weed) as server:
        yield server


@pytest.fixture
def s3_env(seaweedfs: SeaweedS3, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> SeaweedS3:
    """The AWS environment pointed at the test server, isolated from the user's AWS files."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for name, value in seaweedfs.env().items():
        monkeypatch.setenv(name, value)
    return seaweedfs


@pytest.fixture
def s3_uri(s3_env: SeaweedS3) -> str:
    """A fresh, empty prefix in the test bucket."""
    return f"s3://{s3_env.bucket}/tests/{uuid.uuid4().hex}"


@pytest.fixture(params=["file", pytest.param("s3", marks=pytest.mark.s3)])
def artifact_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArtifactStore]:
    """Every artifact store implementation, empty."""
    store: ArtifactStore
    if request.param == "file":
        store = FileArtifactStore(tmp_path / "artifacts")
    else:
        store = S3ArtifactStore(request.getfixturevalue("s3_uri"))
    with store:
        yield store
