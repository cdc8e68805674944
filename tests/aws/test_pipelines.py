"""SageMaker Pipelines through boto3's real ``sagemaker`` client: a definition written
with the studio's own SDK DSL is created, started with parameters, waited for with a
botocore waiter over DescribePipelineExecution, and read back (steps, parameters,
definition); a failing execution is retried and a running one stopped; the errors are
SageMaker's. Answers are checked against botocore's output shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.waiter import WaiterModel, create_waiter_with_client

from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.sdk import TrackingClient
from jupyter_mlstudio.services.studio import Studio
from tests.sdk.test_workflow_run import two_steps

from .conftest import in_thread
from .test_jobs_api import ROLE, assert_conforms, output_shape, raw_answers

ARN = "arn:aws:sagemaker:us-east-1:000000000000"
#: DescribePipelineExecution polled until the execution ends (as the SageMaker SDK's
#: ``PipelineExecution.wait`` builds its waiter)
WAITER = WaiterModel(
    {
        "version": 2,
        "waiters": {
            "PipelineExecutionEnded": {
                "operation": "DescribePipelineExecution",
                "delay": 1,
                "maxAttempts": 180,
                "acceptors": [
                    {
                        "matcher": "path",
                        "argument": "PipelineExecutionStatus",
                        "expected": status,
                        "state": "success",
                    }
                    for status in ("Succeeded", "Failed", "Stopped")
                ],
            }
        },
    }
)


@pytest.fixture
def tracking(request: pytest.FixtureRequest, aws_endpoint: str) -> Iterator[TrackingClient]:
    """The studio's SDK client over HTTP (it writes the definition)."""
    port = request.getfixturevalue("jp_http_port")
    base = request.getfixturevalue("jp_base_url")
    token = request.getfixturevalue("jp_auth_header")["Authorization"].split()[-1]
    request.getfixturevalue("monkeypatch").setenv("MLSTUDIO_TOKEN", token)
    client = TrackingClient(f"http://127.0.0.1:{port}{base}")
    yield client
    client.close()


def wait(sagemaker: Any, arn: str) -> dict[str, Any]:
    """Poll DescribePipelineExecution until the execution has ended."""
    create_waiter_with_client("PipelineExecutionEnded", WAITER, sagemaker).wait(
        PipelineExecutionArn=arn
    )
    described: dict[str, Any] = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
    return described


def definition(tmp_path: Path, tracking: TrackingClient, name: str) -> str:
    """Two processing steps written with the SDK: Write ``Rows`` rows of ``Word``, then
    Count them (the count fails past five rows)."""
    text: str = two_steps(tmp_path, tracking, name).definition()
    return text


async def test_a_dsl_pipeline_runs_through_boto3(
    sagemaker: Any, studio: Studio, tracking: TrackingClient, tmp_path: Path
) -> None:
    answers = raw_answers(sagemaker)

    def work() -> None:
        text = definition(tmp_path, tracking, "boto-wf")
        created = sagemaker.create_pipeline(
            PipelineName="boto-wf",
            PipelineDefinition=text,
            RoleArn=ROLE,
            PipelineDescription="rows then count",
        )
        assert created["PipelineArn"] == f"{ARN}:pipeline/boto-wf"
        described = sagemaker.describe_pipeline(PipelineName="boto-wf")
        assert described["PipelineStatus"] == "Active"
        assert json.loads(described["PipelineDefinition"]) == json.loads(text)
        assert described["RoleArn"] == ROLE
        by_arn = sagemaker.describe_pipeline(PipelineName=created["PipelineArn"])
        assert by_arn["PipelineName"] == "boto-wf"
        listed = sagemaker.list_pipelines(PipelineNamePrefix="boto")["PipelineSummaries"]
        assert [p["PipelineArn"] for p in listed] == [created["PipelineArn"]]

        started = sagemaker.start_pipeline_execution(
            PipelineName="boto-wf",
            PipelineParameters=[{"Name": "Rows", "Value": "4"}, {"Name": "Word", "Value": "ok"}],
            PipelineExecutionDisplayName="four",
        )
        arn = started["PipelineExecutionArn"]
        assert arn.startswith(f"{ARN}:pipeline/boto-wf/execution/")
        execution = wait(sagemaker, arn)
        assert execution["PipelineExecutionStatus"] == "Succeeded", execution
        assert execution["PipelineArn"] == created["PipelineArn"]
        assert execution["PipelineExecutionDisplayName"] == "four"

        steps = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=arn)
        steps = steps["PipelineExecutionSteps"]
        assert [s["StepName"] for s in steps] == ["Count", "Write"]  # newest first
        assert [s["StepStatus"] for s in steps] == ["Succeeded", "Succeeded"]
        job_arn = steps[1]["Metadata"]["ProcessingJob"]["Arn"]
        assert job_arn.startswith(f"{ARN}:processing-job/pipelines-")
        job_name = job_arn.rsplit("/", 1)[1]
        job = sagemaker.describe_processing_job(ProcessingJobName=job_name)
        # the job's own ARN, but for case: the studio's job names are case-sensitive
        assert job["ProcessingJobArn"] == job_arn.lower()
        assert job["ProcessingJobStatus"] == "Completed"
        ascending = sagemaker.list_pipeline_execution_steps(
            PipelineExecutionArn=arn, SortOrder="Ascending", MaxResults=1
        )
        assert [s["StepName"] for s in ascending["PipelineExecutionSteps"]] == ["Write"]
        assert ascending["NextToken"]

        parameters = sagemaker.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)
        assert sorted((p["Name"], p["Value"]) for p in parameters["PipelineParameters"]) == [
            ("Rows", "4"),
            ("Word", "ok"),
        ]
        used = sagemaker.describe_pipeline_definition_for_execution(PipelineExecutionArn=arn)
        assert json.loads(used["PipelineDefinition"]) == json.loads(text)
        summaries = sagemaker.list_pipeline_executions(PipelineName="boto-wf")
        assert [s["PipelineExecutionArn"] for s in summaries["PipelineExecutionSummaries"]] == [arn]

        updated = sagemaker.update_pipeline(PipelineName="boto-wf", PipelineDescription="v2")
        assert updated["PipelineArn"] == created["PipelineArn"]
        assert sagemaker.describe_pipeline(PipelineName="boto-wf")["PipelineDescription"] == "v2"

    await in_thread(work)
    # the studio's own records: the same pipeline and execution the UI shows
    assert studio.pipelines.describe("boto-wf")["PipelineDescription"] == "v2"
    [record] = studio.store.list_jobs(kind=JobKind.PIPELINE_EXECUTION).items
    assert record.spec["Parameters"] == {"Rows": 4, "Word": "ok"}
    for operation in (
        "DescribePipeline",
        "ListPipelines",
        "DescribePipelineExecution",
        "ListPipelineExecutionSteps",
        "ListPipelineParametersForExecution",
        "DescribePipelineDefinitionForExecution",
        "ListPipelineExecutions",
        "UpdatePipeline",
        "StartPipelineExecution",
        "CreatePipeline",
    ):
        assert_conforms(output_shape(operation), answers[operation], operation)
    assert isinstance(answers["DescribePipelineExecution"]["CreationTime"], float)


async def test_retry_a_failed_execution_and_stop_a_running_one(
    sagemaker: Any, tracking: TrackingClient, tmp_path: Path
) -> None:
    answers = raw_answers(sagemaker)

    def work() -> None:
        text = definition(tmp_path, tracking, "boto-retry")
        sagemaker.create_pipeline(PipelineName="boto-retry", PipelineDefinition=text, RoleArn=ROLE)

        failing = sagemaker.start_pipeline_execution(
            PipelineName="boto-retry", PipelineParameters=[{"Name": "Rows", "Value": "9"}]
        )["PipelineExecutionArn"]
        failed = wait(sagemaker, failing)
        assert failed["PipelineExecutionStatus"] == "Failed"
        assert "Count" in failed["FailureReason"]
        with pytest.raises(ClientError) as ended:
            sagemaker.stop_pipeline_execution(PipelineExecutionArn=failing)
        assert ended.value.response["Error"]["Code"] == "ConflictException"

        retried = sagemaker.retry_pipeline_execution(PipelineExecutionArn=failing)
        assert retried["PipelineExecutionArn"] == failing  # the same execution, again
        assert wait(sagemaker, failing)["PipelineExecutionStatus"] == "Failed"
        steps = sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=failing)
        by_name = {s["StepName"]: s for s in steps["PipelineExecutionSteps"]}
        assert by_name["Write"]["StepStatus"] == "Succeeded"  # kept, not run again
        assert by_name["Count"]["StepStatus"] == "Failed"
        assert by_name["Count"]["AttemptCount"] == 2

        running = sagemaker.start_pipeline_execution(
            PipelineName="boto-retry", ClientRequestToken="start-once-" + "0" * 24
        )["PipelineExecutionArn"]
        again = sagemaker.start_pipeline_execution(
            PipelineName="boto-retry", ClientRequestToken="start-once-" + "0" * 24
        )
        assert again["PipelineExecutionArn"] == running  # the token's first answer
        stopped = sagemaker.stop_pipeline_execution(
            PipelineExecutionArn=running, ClientRequestToken="stop-once-" + "0" * 24
        )
        assert stopped["PipelineExecutionArn"] == running
        assert sagemaker.describe_pipeline_execution(PipelineExecutionArn=running)[
            "PipelineExecutionStatus"
        ] in ("Stopping", "Stopped")
        assert wait(sagemaker, running)["PipelineExecutionStatus"] == "Stopped"
        sagemaker.retry_pipeline_execution(PipelineExecutionArn=running)
        assert wait(sagemaker, running)["PipelineExecutionStatus"] == "Succeeded"

        executions = sagemaker.list_pipeline_executions(
            PipelineName="boto-retry", SortOrder="Ascending"
        )["PipelineExecutionSummaries"]
        assert [e["PipelineExecutionArn"] for e in executions] == [failing, running]
        assert executions[0]["PipelineExecutionFailureReason"]

        deleted = sagemaker.delete_pipeline(PipelineName="boto-retry")
        assert deleted["PipelineArn"] == f"{ARN}:pipeline/boto-retry"

    await in_thread(work)
    for operation in ("RetryPipelineExecution", "StopPipelineExecution", "DeletePipeline"):
        assert_conforms(output_shape(operation), answers[operation], operation)


def code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


async def test_errors_are_sagemakers(
    sagemaker: Any, studio: Studio, tracking: TrackingClient, tmp_path: Path
) -> None:
    def work() -> None:
        bad = json.dumps({"Version": "2020-12-01", "Steps": [{"Name": "A", "Type": "Nope"}]})
        with pytest.raises(ClientError) as refused:
            sagemaker.create_pipeline(PipelineName="bad", PipelineDefinition=bad, RoleArn=ROLE)
        kind, message = code(refused)
        assert kind == "ValidationException"
        assert "PipelineDefinition.Steps[0]" in message
        with pytest.raises(ClientError) as not_json:
            sagemaker.create_pipeline(PipelineName="bad", PipelineDefinition="{", RoleArn=ROLE)
        assert code(not_json)[0] == "ValidationException"
        assert "PipelineDefinition" in code(not_json)[1]
        with pytest.raises(ClientError) as elsewhere:
            sagemaker.create_pipeline(
                PipelineName="bad",
                PipelineDefinitionS3Location={"Bucket": "other", "ObjectKey": "p.json"},
                RoleArn=ROLE,
            )
        assert code(elsewhere)[0] == "ValidationException"
        assert "PipelineDefinitionS3Location" in code(elsewhere)[1]
        assert "s3://other/p.json" in code(elsewhere)[1]

        text = definition(tmp_path, tracking, "taken")
        sagemaker.create_pipeline(PipelineName="taken", PipelineDefinition=text, RoleArn=ROLE)
        with pytest.raises(ClientError) as taken:
            sagemaker.create_pipeline(PipelineName="taken", PipelineDefinition=text, RoleArn=ROLE)
        assert code(taken)[0] == "ValidationException"
        assert "already exists" in code(taken)[1]  # what the SageMaker SDK's upsert reads
        with pytest.raises(ClientError) as wrong_parameter:
            sagemaker.start_pipeline_execution(
                PipelineName="taken", PipelineParameters=[{"Name": "Rows", "Value": "many"}]
            )
        assert code(wrong_parameter)[0] == "ValidationException"
        assert "PipelineParameters[0].Value" in code(wrong_parameter)[1]
        with pytest.raises(ClientError) as parallel:
            sagemaker.start_pipeline_execution(
                PipelineName="taken", ParallelismConfiguration={"MaxParallelExecutionSteps": 1}
            )
        assert code(parallel)[0] == "ValidationException"
        assert "ParallelismConfiguration.MaxParallelExecutionSteps" in code(parallel)[1]

        # a token repeated with the same request answers as the first call did; with
        # another request it is refused
        token = "create-once-" + "0" * 24
        first = sagemaker.create_pipeline(
            PipelineName="once", PipelineDefinition=text, RoleArn=ROLE, ClientRequestToken=token
        )
        again = sagemaker.create_pipeline(
            PipelineName="once", PipelineDefinition=text, RoleArn=ROLE, ClientRequestToken=token
        )
        assert again["PipelineArn"] == first["PipelineArn"]
        with pytest.raises(ClientError) as reused:
            sagemaker.create_pipeline(
                PipelineName="other",
                PipelineDefinition=text,
                RoleArn=ROLE,
                ClientRequestToken=token,
            )
        assert code(reused)[0] == "ValidationException"
        assert "ClientRequestToken" in code(reused)[1]
        sagemaker.delete_pipeline(PipelineName="once")

        for call in (
            lambda: sagemaker.describe_pipeline(PipelineName="missing"),
            lambda: sagemaker.start_pipeline_execution(PipelineName="missing"),
            lambda: sagemaker.list_pipeline_executions(PipelineName="missing"),
            lambda: sagemaker.delete_pipeline(PipelineName="missing"),
            lambda: sagemaker.describe_pipeline_execution(
                PipelineExecutionArn=f"{ARN}:pipeline/taken/execution/nope"
            ),
            lambda: sagemaker.list_pipeline_execution_steps(
                PipelineExecutionArn=f"{ARN}:pipeline/taken/execution/nope"
            ),
        ):
            with pytest.raises(ClientError) as missing:
                call()
            assert code(missing)[0] == "ResourceNotFound", code(missing)
        assert "pipeline/missing" in code(missing)[1] or "nope" in code(missing)[1]

    await in_thread(work)
    names = [p["PipelineName"] for p in studio.pipelines.list().items]
    assert names == ["taken"]  # nothing half created by the refusals
