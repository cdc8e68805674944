"""Malformed bodies for every operation the studio answers: a 4xx each, never a 500,
and nothing created.

Each body starts from a valid request of the operation and breaks it one way (a required
member dropped, a member of the wrong type, an unknown member, a string outside its
enum, pattern or length, a number above its maximum), or is not a JSON object at all.
Requests are signed with botocore's signer and sent as boto3 would send them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.aws.registry import SAGEMAKER
from jupyter_mlstudio.aws.service_model import service_model
from jupyter_mlstudio.services.studio import Studio

from .conftest import in_thread

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
#: a ClientRequestToken (boto3 fills one in; SageMaker wants 32 characters or more)
TOKEN = "fuzz-" + "0" * 32
EXECUTION = "arn:aws:sagemaker:us-east-1:000000000000:pipeline/fuzz/execution/aaaaaaaaaaaa"
#: a valid request of each operation (a job that does not exist is fine: the breakage is
#: what must be refused, before any lookup)
VALID: dict[str, dict[str, Any]] = {
    "CreateTrainingJob": {
        "TrainingJobName": "fuzz",
        "RoleArn": ROLE,
        "AlgorithmSpecification": {"TrainingImage": "img:1", "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60},
    },
    "DescribeTrainingJob": {"TrainingJobName": "fuzz"},
    "ListTrainingJobs": {"MaxResults": 5, "SortBy": "Name"},
    "StopTrainingJob": {"TrainingJobName": "fuzz"},
    "CreateProcessingJob": {
        "ProcessingJobName": "fuzz",
        "RoleArn": ROLE,
        "AppSpecification": {"ImageUri": "img:1"},
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 1,
            }
        },
    },
    "DescribeProcessingJob": {"ProcessingJobName": "fuzz"},
    "ListProcessingJobs": {"MaxResults": 5, "SortOrder": "Ascending"},
    "StopProcessingJob": {"ProcessingJobName": "fuzz"},
    # models, endpoint configs, endpoints and transform jobs
    "CreateModel": {
        "ModelName": "fuzz",
        "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": "img:1", "ModelDataUrl": "s3://bucket/model.tar.gz"},
    },
    "DescribeModel": {"ModelName": "fuzz"},
    "ListModels": {"MaxResults": 5, "SortBy": "Name"},
    "DeleteModel": {"ModelName": "fuzz"},
    "CreateEndpointConfig": {
        "EndpointConfigName": "fuzz",
        "ProductionVariants": [
            {"VariantName": "AllTraffic", "ModelName": "fuzz", "InstanceType": "ml.m5.large"}
        ],
        "DataCaptureConfig": {
            "InitialSamplingPercentage": 50,
            "DestinationS3Uri": "s3://bucket/capture",
            "CaptureOptions": [{"CaptureMode": "Input"}],
        },
    },
    "DescribeEndpointConfig": {"EndpointConfigName": "fuzz"},
    "ListEndpointConfigs": {"MaxResults": 5, "SortOrder": "Ascending"},
    "DeleteEndpointConfig": {"EndpointConfigName": "fuzz"},
    "CreateEndpoint": {"EndpointName": "fuzz", "EndpointConfigName": "fuzz"},
    "DescribeEndpoint": {"EndpointName": "fuzz"},
    "ListEndpoints": {"MaxResults": 5, "StatusEquals": "InService"},
    "UpdateEndpoint": {"EndpointName": "fuzz", "EndpointConfigName": "fuzz"},
    "UpdateEndpointWeightsAndCapacities": {
        "EndpointName": "fuzz",
        "DesiredWeightsAndCapacities": [{"VariantName": "AllTraffic", "DesiredWeight": 1}],
    },
    "DeleteEndpoint": {"EndpointName": "fuzz"},
    "CreateTransformJob": {
        "TransformJobName": "fuzz",
        "ModelName": "fuzz",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/in"}}
        },
        "TransformOutput": {"S3OutputPath": "s3://b/out"},
        "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
    },
    "DescribeTransformJob": {"TransformJobName": "fuzz"},
    "ListTransformJobs": {"MaxResults": 5, "SortBy": "Status"},
    "StopTransformJob": {"TransformJobName": "fuzz"},
    # experiments, trials and trial components
    "CreateExperiment": {"ExperimentName": "fuzz", "Description": "d"},
    "DescribeExperiment": {"ExperimentName": "fuzz"},
    "ListExperiments": {"MaxResults": 5, "SortBy": "Name"},
    "UpdateExperiment": {"ExperimentName": "fuzz", "DisplayName": "fuzz"},
    "DeleteExperiment": {"ExperimentName": "fuzz"},
    "CreateTrial": {"TrialName": "fuzz", "ExperimentName": "fuzz"},
    "DescribeTrial": {"TrialName": "fuzz"},
    "ListTrials": {"ExperimentName": "fuzz", "SortOrder": "Ascending"},
    "UpdateTrial": {"TrialName": "fuzz", "DisplayName": "fuzz"},
    "DeleteTrial": {"TrialName": "fuzz"},
    "CreateTrialComponent": {
        "TrialComponentName": "fuzz",
        "Status": {"PrimaryStatus": "InProgress"},
        "Parameters": {"p": {"NumberValue": 1}},
    },
    "DescribeTrialComponent": {"TrialComponentName": "fuzz"},
    "ListTrialComponents": {"TrialName": "fuzz", "SortBy": "CreationTime"},
    "UpdateTrialComponent": {"TrialComponentName": "fuzz", "ParametersToRemove": ["p"]},
    "DeleteTrialComponent": {"TrialComponentName": "fuzz"},
    "AssociateTrialComponent": {"TrialComponentName": "fuzz", "TrialName": "fuzz"},
    "DisassociateTrialComponent": {"TrialComponentName": "fuzz", "TrialName": "fuzz"},
    # tuning jobs
    "CreateHyperParameterTuningJob": {
        "HyperParameterTuningJobName": "fuzz",
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "m"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 2, "MaxParallelTrainingJobs": 1},
            "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "x", "MinValue": "0", "MaxValue": "1"}]
            },
        },
        "TrainingJobDefinition": {
            "AlgorithmSpecification": {
                "TrainingImage": "img:1",
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "m", "Regex": "m=([0-9.]+)"}],
            },
            "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.large",
                "InstanceCount": 1,
                "VolumeSizeInGB": 1,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 60},
        },
    },
    "CreateAutoMLJob": {
        "AutoMLJobName": "fuzz",
        "InputDataConfig": [
            {
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/t"}},
                "TargetAttributeName": "y",
            }
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
        "RoleArn": ROLE,
    },
    "CreateAutoMLJobV2": {
        "AutoMLJobName": "fuzz",
        "AutoMLJobInputDataConfig": [
            {"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://b/t"}}}
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
        "AutoMLProblemTypeConfig": {"TabularJobConfig": {"TargetAttributeName": "y"}},
        "RoleArn": ROLE,
    },
    "DescribeAutoMLJob": {"AutoMLJobName": "fuzz"},
    "DescribeAutoMLJobV2": {"AutoMLJobName": "fuzz"},
    "ListAutoMLJobs": {"MaxResults": 5, "SortBy": "Status"},
    "StopAutoMLJob": {"AutoMLJobName": "fuzz"},
    "ListCandidatesForAutoMLJob": {"AutoMLJobName": "fuzz", "MaxResults": 5},
    "DescribeHyperParameterTuningJob": {"HyperParameterTuningJobName": "fuzz"},
    "ListHyperParameterTuningJobs": {"MaxResults": 5, "SortBy": "Status"},
    "StopHyperParameterTuningJob": {"HyperParameterTuningJobName": "fuzz"},
    "ListTrainingJobsForHyperParameterTuningJob": {
        "HyperParameterTuningJobName": "fuzz",
        "SortBy": "FinalObjectiveMetricValue",
    },
    # the model registry
    "CreateModelPackageGroup": {"ModelPackageGroupName": "fuzz"},
    "DescribeModelPackageGroup": {"ModelPackageGroupName": "fuzz"},
    "ListModelPackageGroups": {"MaxResults": 5, "SortBy": "Name"},
    "DeleteModelPackageGroup": {"ModelPackageGroupName": "fuzz"},
    "CreateModelPackage": {
        "ModelPackageGroupName": "fuzz",
        "ModelApprovalStatus": "Approved",
        "InferenceSpecification": {
            "Containers": [{"Image": "img:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    },
    "DescribeModelPackage": {"ModelPackageName": "fuzz/1"},
    "ListModelPackages": {"ModelPackageGroupName": "fuzz", "ModelApprovalStatus": "Approved"},
    "UpdateModelPackage": {
        "ModelPackageArn": "arn:aws:sagemaker:us-east-1:000000000000:model-package/fuzz/1",
        "ModelApprovalStatus": "Approved",
    },
    "DeleteModelPackage": {"ModelPackageName": "fuzz/1"},
    # tags
    "AddTags": {
        "ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:model/fuzz",
        "Tags": [{"Key": "team", "Value": "fuzz"}],
    },
    "ListTags": {
        "ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:training-job/fuzz",
        "MaxResults": 50,
    },
    "DeleteTags": {
        "ResourceArn": "arn:aws:sagemaker:us-east-1:000000000000:endpoint/fuzz",
        "TagKeys": ["team"],
    },
    "Search": {
        "Resource": "ExperimentTrialComponent",
        "SearchExpression": {
            "Filters": [{"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": "x"}]
        },
        "SortBy": "Metrics.loss.Min",
        "SortOrder": "Ascending",
    },
    # pipelines and their executions
    "CreatePipeline": {
        "PipelineName": "fuzz",
        "PipelineDefinition": json.dumps({"Version": "2020-12-01", "Steps": []}),
        "RoleArn": ROLE,
        "ClientRequestToken": TOKEN,
    },
    "DescribePipeline": {"PipelineName": "fuzz"},
    "ListPipelines": {"PipelineNamePrefix": "fuzz", "SortBy": "Name", "SortOrder": "Ascending"},
    "UpdatePipeline": {"PipelineName": "fuzz", "PipelineDescription": "d"},
    "DeletePipeline": {"PipelineName": "fuzz", "ClientRequestToken": TOKEN},
    "StartPipelineExecution": {
        "PipelineName": "fuzz",
        "PipelineParameters": [{"Name": "Rows", "Value": "3"}],
        "ClientRequestToken": TOKEN,
    },
    "DescribePipelineExecution": {"PipelineExecutionArn": EXECUTION},
    "ListPipelineExecutions": {"PipelineName": "fuzz", "SortBy": "CreationTime"},
    "StopPipelineExecution": {"PipelineExecutionArn": EXECUTION, "ClientRequestToken": TOKEN},
    "RetryPipelineExecution": {"PipelineExecutionArn": EXECUTION, "ClientRequestToken": TOKEN},
    "ListPipelineExecutionSteps": {"PipelineExecutionArn": EXECUTION, "SortOrder": "Ascending"},
    "ListPipelineParametersForExecution": {"PipelineExecutionArn": EXECUTION, "MaxResults": 5},
    "DescribePipelineDefinitionForExecution": {"PipelineExecutionArn": EXECUTION},
    # Model Monitor
    "CreateMonitoringSchedule": {
        "MonitoringScheduleName": "fuzz",
        "MonitoringScheduleConfig": {
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": "fuzz",
            "MonitoringType": "DataQuality",
        },
    },
    "DescribeMonitoringSchedule": {"MonitoringScheduleName": "fuzz"},
    "ListMonitoringSchedules": {"EndpointName": "fuzz", "SortBy": "Status"},
    "StartMonitoringSchedule": {"MonitoringScheduleName": "fuzz"},
    "StopMonitoringSchedule": {"MonitoringScheduleName": "fuzz"},
    "DeleteMonitoringSchedule": {"MonitoringScheduleName": "fuzz"},
    "ListMonitoringExecutions": {"MonitoringScheduleName": "fuzz", "SortBy": "ScheduledTime"},
    **{
        f"Create{kind}QualityJobDefinition": {
            "JobDefinitionName": "fuzz",
            f"{kind}QualityAppSpecification": {"ImageUri": "img:1"},
            f"{kind}QualityJobInput": {
                "EndpointInput": {"EndpointName": "fuzz", "LocalPath": "/opt/ml/processing/in"}
            },
            f"{kind}QualityJobOutputConfig": {
                "MonitoringOutputs": [
                    {"S3Output": {"S3Uri": "s3://b/out", "LocalPath": "/opt/ml/processing/out"}}
                ]
            },
            "JobResources": {
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 1,
                }
            },
            "RoleArn": ROLE,
        }
        for kind in ("Data", "Model")
    },
    **{
        f"{verb}{kind}QualityJobDefinition": {"JobDefinitionName": "fuzz"}
        for verb in ("Describe", "Delete")
        for kind in ("Data", "Model")
    },
    **{
        f"List{kind}QualityJobDefinitions": {"EndpointName": "fuzz", "SortBy": "Name"}
        for kind in ("Data", "Model")
    },
}

#: a value of another type than the shape's, for each type
WRONG_TYPE: dict[str, Any] = {
    "string": st.one_of(st.integers(), st.lists(st.text(), max_size=2), st.just({"a": 1})),
    "integer": st.one_of(st.text(max_size=5), st.just([1]), st.just({"n": 1})),
    "long": st.one_of(st.text(max_size=5), st.just([1])),
    "boolean": st.one_of(st.text(max_size=5), st.just([True])),
    "structure": st.one_of(st.text(max_size=5), st.integers(), st.lists(st.integers(), max_size=2)),
    "list": st.one_of(st.text(max_size=5), st.just({"a": "b"}), st.integers()),
    "map": st.one_of(st.text(max_size=5), st.just(["a"]), st.integers()),
    "timestamp": st.one_of(st.just({"t": 1}), st.just([1]), st.just("not a time")),
}


def breakages(operation: str) -> st.SearchStrategy[bytes]:
    """Bodies that must be refused for ``operation``."""
    shape: Any = service_model("sagemaker").operation_model(operation).input_shape
    valid = VALID[operation]
    members = sorted(shape.members)
    required = sorted(shape.required_members)

    def encode(body: Any) -> bytes:
        return json.dumps(body).encode()

    def wrong_type(name: str) -> st.SearchStrategy[bytes]:
        kind = shape.members[name].type_name
        return WRONG_TYPE.get(kind, st.just({"x": 1})).map(lambda v: encode({**valid, name: v}))

    def bad_string(name: str) -> st.SearchStrategy[bytes]:
        member = shape.members[name]
        choices = []
        if "max" in member.metadata:
            choices.append("a" * (member.metadata["max"] + 1))
        if member.enum:
            choices.append("NotAnEnumValue")
        if "min" in member.metadata and member.metadata["min"] > 0:
            choices.append("")
        return st.sampled_from(choices).map(lambda v: encode({**valid, name: v}))

    strings = [m for m in members if _breakable(shape.members[m])]
    options = [
        st.sampled_from(members).flatmap(wrong_type),
        st.text(min_size=1, max_size=12)
        .filter(lambda k: k not in shape.members)
        .map(lambda k: encode({**valid, k: "x"})),
        st.sampled_from([b"{", b"[]", b'"text"', b"1", b"\xff\xfe", b"[" * 200 + b"]" * 200]),
    ]
    if required:
        options.append(
            st.sampled_from(required).map(
                lambda k: encode({n: v for n, v in valid.items() if n != k})
            )
        )
    if strings:
        options.append(st.sampled_from(strings).flatmap(bad_string))
    return st.one_of(options)


def _breakable(member: Any) -> bool:
    """A string member some value breaks: a maximum, an enum or a minimum above 0."""
    meta = member.metadata
    return member.type_name == "string" and (
        "max" in meta or bool(member.enum) or meta.get("min", 0) > 0
    )


def send(url: str, identity: AwsIdentity, operation: str, body: bytes) -> int:
    """Sign as botocore does and POST; the status."""
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={
            "X-Amz-Target": f"SageMaker.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    credentials = Credentials(identity.access_key_id, identity.secret_access_key)
    SigV4Auth(credentials, "sagemaker", identity.region).add_auth(request)
    prepared = urllib.request.Request(
        url, data=body, headers=dict(request.headers.items()), method="POST"
    )
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


async def test_malformed_bodies_get_4xx_and_create_nothing(
    aws_endpoint: str, identity: AwsIdentity, studio: Studio
) -> None:
    url = aws_endpoint + "/"
    operations = [o.name for o in SAGEMAKER]
    assert sorted(operations) == sorted(VALID)  # every operation the studio answers
    statuses: dict[int, int] = {}

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=st.data())
    def fuzz(operation: str, data: st.DataObject) -> None:
        body = data.draw(breakages(operation))
        status = send(url, identity, operation, body)
        statuses[status] = statuses.get(status, 0) + 1
        assert 400 <= status < 500, (operation, body[:200], status)

    def run() -> None:
        for operation in operations:
            fuzz(operation)

    await in_thread(run)
    assert sum(statuses.values()) >= len(operations) * 10
    assert studio.store.list_jobs().items == []
    assert studio.store.list_models().items == []
    assert studio.store.list_endpoint_configs().items == []
    assert studio.store.list_endpoints().items == []
    assert studio.store.list_experiments().items == []
    assert studio.store.list_trial_components().items == []
    assert studio.store.list_model_package_groups().items == []
    assert studio.store.list_pipelines().items == []
    assert studio.store.list_monitoring_schedules().items == []
    assert studio.store.list_monitoring_job_definitions().items == []
    jobs = studio.config.home / "jobs"
    assert not jobs.exists() or list(jobs.iterdir()) == []
