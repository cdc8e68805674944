"""Pipelines run from the SDK against a real studio: ``upsert``, ``start`` with
parameters, ``wait``, ``list_steps``, ``result``, ``list_executions``, ``stop``,
``update``, ``delete``, and the errors SageMaker's SDK raises (a failed execution's
``WaiterError``, ``start`` before ``create``)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from botocore.exceptions import WaiterError

from jupyter_mlstudio.exceptions import ConflictError, NotFoundError, StudioError, ValidationError
from jupyter_mlstudio.sdk import TrackingClient
from jupyter_mlstudio.sdk.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from jupyter_mlstudio.sdk.workflow.functions import Join
from jupyter_mlstudio.sdk.workflow.parallelism_config import ParallelismConfiguration
from jupyter_mlstudio.sdk.workflow.parameters import ParameterInteger, ParameterString
from jupyter_mlstudio.sdk.workflow.pipeline import Pipeline, _PipelineExecution
from jupyter_mlstudio.sdk.workflow.pipeline_context import PipelineSession
from jupyter_mlstudio.sdk.workflow.steps import ProcessingStep

from .conftest import in_thread

WRITE = """\
import argparse, pathlib
parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int)
parser.add_argument("--word")
parser.add_argument("--out")  # /opt/ml paths reach a script as arguments (process runtime)
args = parser.parse_args()
out = pathlib.Path(args.out)
out.mkdir(parents=True, exist_ok=True)
(out / "rows.txt").write_text("\\n".join([args.word] * args.rows))
"""
COUNT = """\
import pathlib, sys
rows = pathlib.Path(sys.argv[1], "rows.txt").read_text().split()
if len(rows) > 5:
    sys.exit(f"too many rows: {len(rows)}")
out = pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
(out / "count.txt").write_text(str(len(rows)))
"""


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    """Pipelines run in a studio: these tests run once, against one."""
    return studio_uri


def two_steps(tmp_path: Path, client: TrackingClient, name: str) -> Pipeline:
    """Write rows (``Rows`` of ``Word``), then count them (fails past five rows)."""
    (tmp_path / "write.py").write_text(WRITE)
    (tmp_path / "count.py").write_text(COUNT)
    session = PipelineSession(client)
    rows = ParameterInteger(name="Rows", default_value=3)
    word = ParameterString(name="Word", default_value="hi")
    processor = ScriptProcessor(sagemaker_session=session, base_job_name="wf")
    write = ProcessingStep(
        "Write",
        step_args=processor.run(
            code=str(tmp_path / "write.py"),
            outputs=[ProcessingOutput(output_name="rows", source="/opt/ml/processing/output")],
            arguments=[
                *("--rows", rows.to_string(), "--word", word),
                *("--out", "/opt/ml/processing/output"),
            ],
        ),
    )
    rows_uri = write.properties.ProcessingOutputConfig.Outputs["rows"].S3Output.S3Uri
    count = ProcessingStep(
        "Count",
        step_args=processor.run(
            code=str(tmp_path / "count.py"),
            inputs=[
                ProcessingInput(
                    source=Join(on="", values=[rows_uri]),
                    destination="/opt/ml/processing/input/rows",
                )
            ],
            outputs=[ProcessingOutput(output_name="count", source="/opt/ml/processing/count")],
            arguments=["/opt/ml/processing/input/rows", "/opt/ml/processing/count"],
        ),
    )
    return Pipeline(
        name=name, parameters=[rows, word], steps=[write, count], sagemaker_session=session
    )


async def test_upsert_start_wait_and_read_the_steps(client: TrackingClient, tmp_path: Path) -> None:
    pipeline = two_steps(tmp_path, client, "wf-count")

    def work() -> None:
        with pytest.raises(ValueError, match="invoke create"):
            pipeline.start()
        created = pipeline.upsert(role_arn="arn:aws:iam::1:role/x", description="first")
        assert created["PipelineArn"].endswith(":pipeline/wf-count")
        assert pipeline.describe()["PipelineDescription"] == "first"
        with pytest.raises(ConflictError):
            pipeline.create()
        assert pipeline.upsert(description="second")["PipelineDescription"] == "second"

        execution = pipeline.start(parameters={"Rows": 4, "Word": "ok"})
        assert isinstance(execution, _PipelineExecution)
        execution.wait(delay=1, max_attempts=120)
        described = execution.describe()
        assert described["PipelineExecutionStatus"] == "Succeeded"
        assert {"Name": "Rows", "Value": 4} in described["PipelineParameters"]
        assert execution.list_parameters(max_results=1)["NextToken"] == "1"

        steps = execution.list_steps()
        assert [s["StepName"] for s in steps] == ["Count", "Write"]  # newest first
        assert all(s["StepStatus"] == "Succeeded" for s in steps)
        assert steps[1]["Metadata"]["ProcessingJob"]["Arn"].startswith("arn:")

        written = execution.result("Write")
        [output] = written["ProcessingOutputConfig"]["Outputs"]
        rows = Path(output["S3Output"]["S3Uri"].removeprefix("file://")) / "rows.txt"
        assert rows.read_text().split() == ["ok"] * 4
        assert written["ProcessingJobName"].startswith("pipelines-")
        with pytest.raises(ValueError, match="no step named 'Nope'"):
            execution.result("Nope")

        summaries = pipeline.list_executions()["PipelineExecutionSummaries"]
        assert [s["PipelineExecutionArn"] for s in summaries] == [execution.arn]
        assert summaries[0]["PipelineExecutionStatus"] == "Succeeded"

    await in_thread(work)


async def test_a_failed_execution_raises_the_waiters_error_with_its_reason(
    client: TrackingClient, tmp_path: Path
) -> None:
    pipeline = two_steps(tmp_path, client, "wf-fails")

    def work() -> None:
        pipeline.create()
        execution = pipeline.start(parameters={"Rows": 9})
        with pytest.raises(WaiterError, match='matched expected path: "Failed"'):
            execution.wait(delay=1, max_attempts=120)
        described = execution.describe()
        assert "Step Count failed: AlgorithmError" in described["FailureReason"]
        count = next(s for s in execution.list_steps() if s["StepName"] == "Count")
        assert count["StepStatus"] == "Failed"
        assert "exited with code 1" in count["FailureReason"]
        with pytest.raises(StudioError, match="Failed"):
            execution.result("Count")

    await in_thread(work)


async def test_stop_update_delete_and_bad_input(client: TrackingClient, tmp_path: Path) -> None:
    pipeline = two_steps(tmp_path, client, "wf-stop")
    slow = tmp_path / "slow.py"

    def work() -> None:
        with pytest.raises(ValidationError) as bad:
            pipeline.create(parallelism_config=ParallelismConfiguration(2))
        assert bad.value.field == "parallelism_config"
        pipeline.create(parallelism_config=ParallelismConfiguration(10))
        with pytest.raises(ValidationError) as wrong:
            pipeline.start(parameters={"Rows": "many"})
        assert "Rows" in str(wrong.value)
        with pytest.raises(ValidationError):
            pipeline.start(parameters={"Nope": 1})

        # a slow first step, so that the execution is stopped while it runs
        slow.write_text("import time\ntime.sleep(600)\n")
        processor = ScriptProcessor(sagemaker_session=pipeline.sagemaker_session)
        pipeline.steps = [ProcessingStep("Slow", step_args=processor.run(code=str(slow)))]
        pipeline.parameters = []
        pipeline.update()
        assert '"Slow"' in pipeline.describe()["PipelineDefinition"]
        execution = pipeline.start(execution_display_name="to-stop")
        deadline = time.monotonic() + 60
        while not execution.list_steps() and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the studio until the first step has started
        assert execution.stop()["PipelineExecutionStatus"] == "Stopping"
        with pytest.raises(WaiterError, match='"Stopped"'):
            execution.wait(delay=1, max_attempts=60)
        [summary] = pipeline.list_executions(sort_order="Ascending")["PipelineExecutionSummaries"]
        assert summary["PipelineExecutionDisplayName"] == "to-stop"

        assert pipeline.delete()["PipelineArn"].endswith(":pipeline/wf-stop")
        with pytest.raises(NotFoundError):
            pipeline.describe()

    await in_thread(work)
