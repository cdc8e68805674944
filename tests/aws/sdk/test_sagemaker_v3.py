"""The SageMaker Python SDK v3 (``sagemaker>=3``: sagemaker-core's resources), unmodified,
against a real studio.

Each test runs a script of ``scripts/`` with ``.venv-sagemaker3``'s Python in the
environment ``mlstudio credentials --env`` gives (nothing else points the SDK at the
studio), then checks what the studio holds through its own REST API and what the script
printed.

The resources' waits (``TrainingJob.wait``, ``ProcessingJob.wait``,
``Endpoint.wait_for_status``, ``wait_for_delete``) describe first and sleep ``poll``
seconds (5 by default) between two looks; the scripts pass ``poll=1``, an argument of the
SDK's public methods, so a test lasts seconds rather than tens of seconds.
``ModelTrainer.train()`` waits with the default (5 s) as a user's call does;
``ModelBuilder.deploy()`` sleeps 30 s before it first describes the endpoint (its
``_wait_for_endpoint(poll=30)``, not an argument of ``deploy``), so that test lasts ~40 s.

``ModelTrainer`` needs the Docker runtime: its job runs ``/bin/bash -c
/opt/ml/input/data/sm_drivers/sm_train.sh``, paths of the container's file system, and
that launcher wants ``pip`` on the PATH (the studio's image has it). Before it creates the
job it checks the role with IAM (SimulatePrincipalPolicy, GetRole: the studio answers
them, ``AWS_ENDPOINT_URL_IAM``).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.support.sagemaker_sdk import run_script, sdk_python

from .conftest import SdkStudio

SCRIPTS = Path(__file__).resolve().parent / "scripts"
#: what ``sagemaker.core.image_uris.retrieve("sklearn", "us-east-1", version="1.2-1")`` gives
SKLEARN_URI = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"


async def run_v3(studio: SdkStudio, script: str, *args: str) -> dict[str, Any]:
    """Run ``scripts/<script>`` with the SDK v3 and return the JSON of its ``RESULT`` line."""
    result = await run_script(
        sdk_python("sagemaker3"), SCRIPTS / script, *args, env=studio.env, timeout=300
    )
    result.check()
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    return dict(json.loads(line.removeprefix("RESULT ")))


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


def get(studio: SdkStudio, path: str) -> Any:
    """GET ``path`` of the studio's REST API; the answer, which must be 200."""
    status, answer = studio.server.call("GET", path)
    assert status == 200, (path, status, answer)
    return answer


async def test_training_job_resources_train_transform_host_invoke_and_delete(
    sdk_studio: SdkStudio,
) -> None:
    base = unique("v3-core")
    out = await run_v3(sdk_studio, "v3_core_training.py", base)

    assert out["bucket"] == "sagemaker-us-east-1-000000000000"
    assert out["image"] == SKLEARN_URI
    assert out["created_status"] == "InProgress"  # create() returns the described job
    assert (out["status"], out["secondary_status"]) == ("Completed", "Completed")
    assert out["fetched_status"] == "Completed"
    assert out["fetched_image"] == SKLEARN_URI
    assert out["hyper_parameters"]["max_iter"] == "200"
    assert out["listed"] == [out["job"]]
    assert out["model_data"] == (
        f"s3://{out['bucket']}/{base}/output/{out['job']}/output/model.tar.gz"
    )
    assert out["transform_status"] == "Completed"
    assert out["batch_predictions"] == out["labels"]  # rows.csv.out, read back from S3
    assert out["endpoint_status"] == "InService"
    assert out["content_type"] == "application/json"
    assert out["predictions"] == out["labels"]  # separable data, fitted exactly

    job = get(sdk_studio, f"training-jobs/{out['job']}")
    assert (job["Status"], job["Runtime"]) == ("Completed", "process")
    assert job["Spec"]["AlgorithmSpecification"]["TrainingImage"] == SKLEARN_URI
    channel = job["Spec"]["InputDataConfig"][0]
    assert channel["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://{out['bucket']}/{base}/train"
    log = get(sdk_studio, f"training-jobs/{out['job']}/logs")["Text"]
    assert "rows=60 max_iter=200" in log
    assert "accuracy=1.00" in log
    transform = get(sdk_studio, f"transform-jobs/{out['transform']}")
    assert transform["Status"] == "Completed"
    for path in (
        f"endpoints/{out['endpoint']}",
        f"endpoint-configs/{out['endpoint_config']}",
        f"models/{out['model']}",
    ):
        status, _ = sdk_studio.server.call("GET", path)
        assert status == 404, path  # deleted through the resources


async def test_processing_job_resource_runs_the_sklearn_image(sdk_studio: SdkStudio) -> None:
    base = unique("v3-proc")
    out = await run_v3(sdk_studio, "v3_core_processing.py", base)

    assert out["created_status"] == "InProgress"
    assert out["status"] == "Completed"
    assert out["image"] == SKLEARN_URI
    assert out["sums"] == ["6.0", "15.0", "30.0"]  # read back from S3 by the script
    assert out["listed"] == [out["job"]]

    job = get(sdk_studio, f"processing-jobs/{out['job']}")
    assert job["Status"] == "Completed"
    assert job["Spec"]["AppSpecification"]["ContainerEntrypoint"] == [
        "python3",
        "/opt/ml/processing/input/code/v3_process.py",
    ]
    assert job["Spec"]["Environment"] == {"GREETING": "hello"}
    log = get(sdk_studio, f"processing-jobs/{out['job']}/logs")["Text"]
    assert "processed rows=3" in log


async def test_experiment_trial_and_trial_component_resources(sdk_studio: SdkStudio) -> None:
    base = unique("v3-exp")
    out = await run_v3(sdk_studio, "v3_core_experiments.py", base)

    assert out["experiment_arn"] == (
        f"arn:aws:sagemaker:us-east-1:000000000000:experiment/{out['experiment']}"
    )
    assert out["experiment_display_name"] == "v3-experiment"
    assert out["experiment"] in out["experiments"]
    assert out["trials"] == [out["trial"]]
    assert out["components"] == [out["trial_component"]]
    assert out["status"] == "Completed"
    assert out["parameters"] == {"learning_rate": 0.1, "optimizer": "adam"}
    # batch_get_metrics: the last value of each step
    assert out["loss"] == ["Complete", [1, 2, 3], [1.0, 0.5, pytest.approx(1 / 3)]]

    experiment = get(sdk_studio, f"experiments/{out['experiment']}")
    assert experiment["Description"] == "sdk v3"
    trial = get(sdk_studio, f"trials/{out['trial']}")
    assert trial["ExperimentName"] == out["experiment"]
    component = get(sdk_studio, f"trial-components/{out['trial_component']}")
    assert component["TrialNames"] == [out["trial"]]
    assert component["Status"] == {"PrimaryStatus": "Completed"}
    assert component["Parameters"] == {"learning_rate": 0.1, "optimizer": "adam"}
    (loss,) = component["Metrics"]
    assert (loss["MetricName"], loss["Count"], loss["Max"]) == ("loss", 3, 1.0)
    assert abs(loss["Last"] - 1 / 3) < 1e-9


async def test_model_trainer_trains_source_code_on_the_docker_runtime(
    sdk_studio_docker: SdkStudio,
) -> None:
    base = unique("v3-mt")
    out = await run_v3(sdk_studio_docker, "v3_model_trainer.py", base)

    assert out["status"] == "Completed"
    assert out["image"] == SKLEARN_URI
    assert out["entrypoint"] == ["/bin/bash"]  # the SDK's sm_train.sh launcher
    assert out["channels"] == ["code", "sm_drivers", "train"]
    assert out["hyper_parameters"] == {"max_iter": "200", "C": "0.5"}
    bucket = "sagemaker-us-east-1-000000000000"
    assert out["model_data"] == f"s3://{bucket}/{base}/{out['job']}/output/model.tar.gz"

    job = get(sdk_studio_docker, f"training-jobs/{out['job']}")
    assert (job["Status"], job["Runtime"]) == ("Completed", "docker")
    channels = {c["ChannelName"]: c for c in job["Spec"]["InputDataConfig"]}
    uploaded = f"s3://{bucket}/{base}/{out['job']}/input"  # by train(), from local folders
    assert {name: c["DataSource"]["S3DataSource"]["S3Uri"] for name, c in channels.items()} == {
        name: f"{uploaded}/{name}" for name in ("code", "sm_drivers", "train")
    }
    log = get(sdk_studio_docker, f"training-jobs/{out['job']}/logs")["Text"]
    assert "Executing command: /usr/bin/python3 v3_train.py --C 0.5 --max_iter 200" in log
    assert "rows=60 max_iter=200 C=0.5" in log
    assert "accuracy=1.00" in log
    assert "Training Container Execution Completed" in log


async def test_model_builder_builds_deploys_invokes_and_deletes(sdk_studio: SdkStudio) -> None:
    base = unique("v3-mb")
    out = await run_v3(sdk_studio, "v3_model_builder.py", base)

    bucket = "sagemaker-us-east-1-000000000000"
    # the code repacked into a new model archive, and named where SageMaker unpacks it
    assert out["model_data"] == f"s3://{bucket}/{out['model']}/model.tar.gz"
    assert out["environment"]["SAGEMAKER_PROGRAM"] == "v3_inference.py"
    assert out["environment"]["SAGEMAKER_SUBMIT_DIRECTORY"] == "/opt/ml/model/code"
    assert out["status"] == "InService"
    assert out["predictions"] == [1.0, 0.0, 1.0, 0.0]
    for path in (
        f"endpoints/{out['endpoint']}",
        f"endpoint-configs/{out['endpoint_config']}",
        f"models/{out['model']}",
    ):
        status, _ = sdk_studio.server.call("GET", path)
        assert status == 404, path  # deleted through the resources


async def test_experiment_runs_log_parameters_metrics_and_a_file(sdk_studio: SdkStudio) -> None:
    base = unique("v3-run")
    out = await run_v3(sdk_studio, "v3_run.py", base)

    component_name = f"{out['experiment']}-run-1"
    assert out["run"] == "run-1"
    assert out["trial_component"] == component_name
    assert out["listed"] == ["run-1"]
    assert out["notes"] == "a note\n"  # read back from the embedded S3

    experiment = get(sdk_studio, f"experiments/{out['experiment']}")
    assert experiment["ExperimentName"] == out["experiment"]
    component = get(sdk_studio, f"trial-components/{component_name}")
    assert component["Status"] == {"PrimaryStatus": "Completed"}
    assert component["Parameters"] == {"learning_rate": 0.1, "optimizer": "adam", "epochs": 3.0}
    assert component["OutputArtifacts"]["notes"] == {
        "Value": out["notes_uri"],
        "MediaType": "text/plain",
    }
    (loss,) = component["Metrics"]
    assert (loss["MetricName"], loss["Count"], loss["Min"], loss["Last"]) == ("loss", 3, 0.25, 0.25)
    assert component["TrialNames"] == [f"Default-Run-Group-{out['experiment']}"]
