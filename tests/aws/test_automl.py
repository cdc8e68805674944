"""AutoML jobs through boto3's real ``sagemaker`` client, on the process runtime:
CreateAutoMLJob(V2), DescribeAutoMLJob(V2), ListAutoMLJobs, ListCandidatesForAutoMLJob,
StopAutoMLJob and the answers' shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.entities import JobStatus
from jupyter_mlstudio.services.studio import Studio

from ..support.automl_data import TARGETS, write_table
from .conftest import in_thread
from .test_jobs_api import ROLE, assert_conforms, output_shape, raw_answers

ARN = "arn:aws:sagemaker:us-east-1:000000000000"


def automl_request(name: str, table: Path, output: Path, **config: Any) -> dict[str, Any]:
    return {
        "AutoMLJobName": name,
        "InputDataConfig": [
            {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": table.as_uri()}},
                "TargetAttributeName": TARGETS["binary"],
            }
        ],
        "OutputDataConfig": {"S3OutputPath": output.as_uri()},
        "RoleArn": ROLE,
        "AutoMLJobConfig": config,
        "Tags": [{"Key": "team", "Value": "growth"}],
    }


async def test_an_automl_job_is_described_and_its_candidates_listed(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    answers = raw_answers(sagemaker)
    table = write_table(tmp_path / "customers.csv", rows=300)
    request = automl_request(
        "boto-automl",
        table,
        tmp_path / "out",
        CompletionCriteria={"MaxCandidates": 3},
        Mode="HYPERPARAMETER_TUNING",
    )
    created = await in_thread(lambda: sagemaker.create_auto_ml_job(**request))
    assert created["AutoMLJobArn"] == f"{ARN}:automl-job/boto-automl"
    job = await in_thread(lambda: studio.automl.wait("boto-automl", timeout=180))
    assert job.status is JobStatus.COMPLETED, job.failure_reason

    described = await in_thread(lambda: sagemaker.describe_auto_ml_job(AutoMLJobName="boto-automl"))
    assert described["AutoMLJobStatus"] == "Completed"
    assert described["AutoMLJobSecondaryStatus"] == "MaxCandidatesReached"
    assert described["ProblemType"] == "BinaryClassification"
    assert described["ResolvedAttributes"]["AutoMLJobObjective"] == {"MetricName": "F1"}
    assert described["InputDataConfig"][0]["TargetAttributeName"] == TARGETS["binary"]
    best = described["BestCandidate"]
    step = best["CandidateSteps"][0]
    assert step["CandidateStepType"] == "AWS::SageMaker::TrainingJob"
    assert step["CandidateStepArn"] == f"{ARN}:training-job/{best['CandidateName'].lower()}"
    assert len(best["InferenceContainers"]) == 2
    notebooks = described["AutoMLJobArtifacts"]
    assert notebooks["DataExplorationNotebookLocation"].startswith((tmp_path / "out").as_uri())
    assert described["EndTime"] >= described["CreationTime"]

    listed = await in_thread(
        lambda: sagemaker.list_candidates_for_auto_ml_job(
            AutoMLJobName="boto-automl", SortBy="FinalObjectiveMetricValue", SortOrder="Descending"
        )
    )
    candidates = listed["Candidates"]
    assert len(candidates) == 3
    values = [c["FinalAutoMLJobObjectiveMetric"]["Value"] for c in candidates]
    assert values == sorted(values, reverse=True)
    assert candidates[0]["CandidateName"] == best["CandidateName"]
    assert "CandidateDefinition" not in answers["ListCandidatesForAutoMLJob"]["Candidates"][0]
    training = await in_thread(
        lambda: sagemaker.describe_training_job(TrainingJobName=candidates[-1]["CandidateName"])
    )
    assert training["TrainingJobStatus"] == "Completed"

    v2 = await in_thread(lambda: sagemaker.describe_auto_ml_job_v2(AutoMLJobName="boto-automl"))
    tabular = v2["AutoMLProblemTypeConfig"]["TabularJobConfig"]
    assert tabular["TargetAttributeName"] == TARGETS["binary"]
    assert v2["AutoMLProblemTypeConfigName"] == "Tabular"
    resolved = v2["ResolvedAttributes"]["AutoMLProblemTypeResolvedAttributes"]
    assert resolved["TabularResolvedAttributes"]["ProblemType"] == "BinaryClassification"

    jobs = await in_thread(lambda: sagemaker.list_auto_ml_jobs(NameContains="boto-auto"))
    (only,) = jobs["AutoMLJobSummaries"]
    assert only["AutoMLJobSecondaryStatus"] == "MaxCandidatesReached"
    tags = await in_thread(lambda: sagemaker.list_tags(ResourceArn=created["AutoMLJobArn"]))
    assert {"Key": "team", "Value": "growth"} in tags["Tags"]

    for operation in (
        "DescribeAutoMLJob",
        "DescribeAutoMLJobV2",
        "ListCandidatesForAutoMLJob",
        "ListAutoMLJobs",
    ):
        assert_conforms(output_shape(operation), answers[operation], operation)


async def test_a_v2_job_and_sagemakers_errors(
    sagemaker: Any, studio: Studio, tmp_path: Path
) -> None:
    table = write_table(tmp_path / "customers.csv", rows=100)
    request = {
        "AutoMLJobName": "boto-v2",
        "AutoMLJobInputDataConfig": [
            {
                "ChannelType": "training",
                "ContentType": "text/csv;header=present",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": table.as_uri()}},
            }
        ],
        "OutputDataConfig": {"S3OutputPath": (tmp_path / "out").as_uri()},
        "AutoMLProblemTypeConfig": {
            "TabularJobConfig": {
                "TargetAttributeName": TARGETS["binary"],
                "GenerateCandidateDefinitionsOnly": True,
            }
        },
        "RoleArn": ROLE,
    }
    await in_thread(lambda: sagemaker.create_auto_ml_job_v2(**request))
    job = await in_thread(lambda: studio.automl.wait("boto-v2", timeout=60))
    assert job.outputs["AutoMLJobSecondaryStatus"] == "CandidateDefinitionsGenerated"

    with pytest.raises(ClientError) as ended:  # it has ended: SageMaker's answer
        await in_thread(lambda: sagemaker.stop_auto_ml_job(AutoMLJobName="boto-v2"))
    assert ended.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as missing:
        await in_thread(lambda: sagemaker.describe_auto_ml_job(AutoMLJobName="nope"))
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"
    text = {**request, "AutoMLJobName": "boto-text"}
    text["AutoMLProblemTypeConfig"] = {
        "TextClassificationJobConfig": {"ContentColumn": "t", "TargetLabelColumn": "l"}
    }
    with pytest.raises(ClientError) as refused:
        await in_thread(lambda: sagemaker.create_auto_ml_job_v2(**text))
    assert "TabularJobConfig" in refused.value.response["Error"]["Message"]
    wrong = automl_request("boto-wrong", table, tmp_path / "out")
    wrong["ProblemType"] = "Regression"
    wrong["AutoMLJobObjective"] = {"MetricName": "F1"}
    with pytest.raises(ClientError) as objective:
        await in_thread(lambda: sagemaker.create_auto_ml_job(**wrong))
    assert objective.value.response["Error"]["Code"] == "ValidationException"
    assert "AutoMLJobObjective.MetricName" in objective.value.response["Error"]["Message"]
