"""JobService.open_artifact: a job's published files, and the paths it refuses."""

from __future__ import annotations

import pytest

from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.exceptions import ArtifactPathError
from jupyter_mlstudio.services.jobs.service import JobService, artifact_content_type


@pytest.mark.parametrize("path", ["/etc/passwd", "a//b", "../x", "a/../../b", "", "~/x", "a\x00b"])
@pytest.mark.parametrize("kind", [JobKind.TRAINING, JobKind.PROCESSING])
def test_paths_that_leave_the_jobs_files_are_refused(
    jobs: JobService, path: str, kind: JobKind
) -> None:
    with pytest.raises(ArtifactPathError) as info:
        jobs.open_artifact("any", kind, path)
    assert info.value.field == "ArtifactPath"


def test_content_types() -> None:
    assert artifact_content_type("model.tar.gz") == "application/gzip"
    assert artifact_content_type("clean.csv") == "text/csv"
    assert artifact_content_type("weights.bin") == "application/octet-stream"
