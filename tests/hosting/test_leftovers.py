"""What a studio that starts removes of the endpoint instances the studio before it left
running: every instance of an endpoint of its home, also of an endpoint whose record is
gone (deleted meanwhile, or never recorded), on the process and docker runtimes."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.exceptions import NotFoundError
from jupyter_mlstudio.hosting.instances import LABEL_ENDPOINT, VariantInstances, plan_variant
from jupyter_mlstudio.runtime.base import JobRunner
from jupyter_mlstudio.services.studio import Studio
from tests.runtime.conftest import docker_host, script_image  # noqa: F401 - fixtures

INFERENCE = """
def model_fn(model_dir):
    return "loaded"


def predict_fn(data, model):
    return {"model": model}
"""


@pytest.mark.timeout(240)
@pytest.mark.parametrize("runtime", ["process", pytest.param("docker", marks=pytest.mark.docker)])
def test_instances_of_an_endpoint_that_is_gone_are_removed_at_start(
    tmp_path: Path, runtime: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if runtime == "docker":
        request.getfixturevalue("script_image")
        monkeypatch.setenv("DOCKER_HOST", request.getfixturevalue("docker_host").base_url)
    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text(INFERENCE)
    config = resolve_config(home=tmp_path / "home", default_runtime=runtime)
    first = Studio.open(config)
    try:
        hosting = first.endpoints
        env = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": str(code)}
        hosting.create_model({"ModelName": "m", "PrimaryContainer": {"Environment": env}})
        plan = plan_variant("ep-gone", "AllTraffic", hosting.get_model("m"), 2, "local", runtime)
        # the model servers of an endpoint with no record, as a studio that died left them
        folder = hosting.engine.root / "ep-gone" / "AllTraffic-g1"
        left = VariantInstances(plan, first.jobs.runner(runtime), folder, 1)
        left.start()
        handles = [i.handle for i in left.instances]
    finally:
        first.close()  # stops what its engine runs: not these
    assert len(handles) == 2

    def running(runner: JobRunner) -> list[bool]:
        states = []
        for handle in handles:
            assert handle is not None
            try:
                states.append(runner.poll(handle).running)
            except NotFoundError:
                states.append(False)
        return states

    with first.jobs.runner(runtime) as runner:  # a studio that died leaves them running
        assert running(runner) == [True, True]
    second = Studio.open(config)
    try:
        runner = second.jobs.runner(runtime)
        assert running(runner) == [False, False]
        assert runner.find({LABEL_ENDPOINT: "ep-gone"}) == []
        assert not (second.endpoints.engine.root / "ep-gone").exists()
    finally:
        second.close()
