"""AddTags, ListTags and DeleteTags through boto3's real ``sagemaker`` client, on every
resource type whose tags the studio keeps, in the same store the studio's REST API reads."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.entities import ContainerDefinition, JobKind, ProductionVariant
from jupyter_mlstudio.services.studio import Studio
from jupyter_mlstudio.testing.store_contract import make_job

from .conftest import in_thread
from .test_jobs_api import MISSING_IMAGE, ROLE, training_request


def arn(identity: AwsIdentity, resource: str, name: str) -> str:
    return f"arn:aws:sagemaker:{identity.region}:000000000000:{resource}/{name.lower()}"


def error_of(call: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error: dict[str, str] = dict(caught.value.response["Error"])  # type: ignore[arg-type]
    return error


def listed(sagemaker: Any, resource_arn: str) -> dict[str, str]:
    """Every tag ListTags answers, page after page."""
    tags: dict[str, str] = {}
    token: str | None = None
    while True:
        extra = {"NextToken": token} if token else {}
        answer = sagemaker.list_tags(ResourceArn=resource_arn, MaxResults=50, **extra)
        tags.update({t["Key"]: t["Value"] for t in answer["Tags"]})
        token = answer.get("NextToken")
        if not token:
            return tags


def make_records(studio: Studio) -> dict[str, str]:
    """One record of each type the API cannot create quickly without running it; the ARN
    type → the record's name."""
    store = studio.store
    store.create_job(make_job("Proc-Job", JobKind.PROCESSING, tags={"set": "at-create"}))
    store.create_job(make_job("transform-job-1", JobKind.TRANSFORM, tags={"set": "at-create"}))
    store.create_job(make_job("tuning-1", JobKind.TUNING, tags={"set": "at-create"}))
    store.create_model("endpoint-model", ContainerDefinition(image="img:1"))
    variant = ProductionVariant(variant_name="AllTraffic", model_name="endpoint-model")
    store.create_endpoint_config("endpoint-config-1", [variant])
    store.create_endpoint("endpoint-1", "endpoint-config-1", tags={"set": "at-create"})
    store.create_model_package_group("group-1", tags={"set": "at-create"})
    store.create_pipeline("pipeline-1", definition="{}", tags={"set": "at-create"})
    return {
        "processing-job": "Proc-Job",
        "transform-job": "transform-job-1",
        "hyper-parameter-tuning-job": "tuning-1",
        "endpoint": "endpoint-1",
        "model-package-group": "group-1",
        "pipeline": "pipeline-1",
    }


async def test_tags_set_at_create_are_listed_added_and_deleted_on_every_type(
    sagemaker: Any, identity: AwsIdentity, studio: Studio, tmp_path: Path
) -> None:
    algorithm = {"TrainingImage": MISSING_IMAGE, "TrainingInputMode": "File"}
    request = training_request("Train-Job", tmp_path, AlgorithmSpecification=algorithm)
    del request["HyperParameters"]
    created = {"set": "at-create"}
    create_tags = [{"Key": "set", "Value": "at-create"}]
    request["Tags"] = create_tags

    def create_through_boto3() -> None:
        sagemaker.create_training_job(**request)
        sagemaker.create_model(
            ModelName="Model-1",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": "img:1", "ModelDataUrl": "s3://bucket/model.tar.gz"},
            Tags=create_tags,
        )
        sagemaker.create_experiment(ExperimentName="exp-1", Tags=create_tags)
        sagemaker.create_trial(TrialName="trial-1", ExperimentName="exp-1", Tags=create_tags)
        sagemaker.create_trial_component(TrialComponentName="run-1", Tags=create_tags)

    await in_thread(create_through_boto3)
    names = {
        "training-job": "Train-Job",
        "model": "Model-1",
        "experiment": "exp-1",
        "experiment-trial": "trial-1",
        "experiment-trial-component": "run-1",
        **make_records(studio),
    }

    def exercise(resource: str, name: str) -> None:
        target = arn(identity, resource, name)
        assert listed(sagemaker, target) == created, resource
        added = sagemaker.add_tags(
            ResourceArn=target,
            Tags=[{"Key": "team", "Value": "fraud"}, {"Key": "set", "Value": "again"}],
        )
        assert added["Tags"] == [
            {"Key": "team", "Value": "fraud"},
            {"Key": "set", "Value": "again"},
        ]
        assert listed(sagemaker, target) == {"set": "again", "team": "fraud"}, resource
        sagemaker.delete_tags(ResourceArn=target, TagKeys=["set", "never-there"])
        assert sagemaker.list_tags(ResourceArn=target)["Tags"] == [
            {"Key": "team", "Value": "fraud"}
        ]

    def exercise_all() -> None:
        for resource, name in names.items():
            exercise(resource, name)

    await in_thread(exercise_all)
    # the studio's own records hold what boto3 changed
    assert studio.store.get_job("Train-Job").tags == {"team": "fraud"}
    assert studio.store.get_job("Proc-Job").tags == {"team": "fraud"}
    assert studio.store.get_endpoint("endpoint-1").tags == {"team": "fraud"}
    assert studio.store.get_pipeline("pipeline-1").tags == {"team": "fraud"}


async def test_tags_added_through_boto3_show_in_the_studios_rest_describe(
    sagemaker: Any, identity: AwsIdentity, studio: Studio, jp_fetch: Any
) -> None:
    studio.store.create_job(make_job("rest-job", tags={"kept": "yes"}))

    def create_and_tag() -> None:
        sagemaker.create_experiment(ExperimentName="rest-exp")
        owner = [{"Key": "owner", "Value": "ana"}]
        sagemaker.add_tags(ResourceArn=arn(identity, "experiment", "rest-exp"), Tags=owner)
        sagemaker.add_tags(ResourceArn=arn(identity, "training-job", "rest-job"), Tags=owner)

    await in_thread(create_and_tag)
    experiment = await jp_fetch("mlstudio", "api", "experiments", "rest-exp")
    assert json.loads(experiment.body)["Tags"] == {"owner": "ana"}
    job = await jp_fetch("mlstudio", "api", "training-jobs", "rest-job")
    assert json.loads(job.body)["Tags"] == {"kept": "yes", "owner": "ana"}


async def test_a_lower_cased_arn_names_its_record_and_pages_hold_every_tag(
    sagemaker: Any, identity: AwsIdentity, studio: Studio
) -> None:
    # the studio's REST API takes more tags at create than SageMaker's 50: ListTags pages
    many = {f"k{i:02d}": str(i) for i in range(60)}
    studio.store.create_job(make_job("CamelCase-Job", tags=many))
    target = arn(identity, "training-job", "CamelCase-Job")
    assert target.endswith(":training-job/camelcase-job")

    def pages() -> list[dict[str, Any]]:
        first = sagemaker.list_tags(ResourceArn=target, MaxResults=50)
        second = sagemaker.list_tags(ResourceArn=target, NextToken=first["NextToken"])
        return [first, second]

    first, second = await in_thread(pages)
    assert [t["Key"] for t in first["Tags"]] == sorted(many)[:50]
    assert [t["Key"] for t in second["Tags"]] == sorted(many)[50:]
    assert "NextToken" not in second
    # AddTags refuses what would make more than 50
    error = await in_thread(
        lambda: error_of(
            lambda: sagemaker.add_tags(ResourceArn=target, Tags=[{"Key": "new", "Value": ""}])
        )
    )
    assert error["Code"] == "ValidationException"
    assert "at most 50" in error["Message"]
    # a name differing but for case from two records is ambiguous: not found
    studio.store.create_job(make_job("camelcase-JOB"))
    error = await in_thread(lambda: error_of(lambda: sagemaker.list_tags(ResourceArn=target)))
    assert error["Code"] == "ValidationException"


async def test_the_studios_own_tags_are_hidden_and_kept(
    sagemaker: Any, identity: AwsIdentity, studio: Studio
) -> None:
    target = arn(identity, "model", "role-model")

    def create() -> dict[str, Any]:
        sagemaker.create_model(
            ModelName="role-model",
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": "img:1"},
            Tags=[{"Key": "team", "Value": "fraud"}],
        )
        return dict(sagemaker.list_tags(ResourceArn=target))

    answer = await in_thread(create)
    assert answer["Tags"] == [{"Key": "team", "Value": "fraud"}]  # no mlstudio: tag

    def refusals(reserved: str) -> list[dict[str, str]]:
        tag = {"Key": reserved, "Value": "x"}
        return [
            error_of(lambda: sagemaker.add_tags(ResourceArn=target, Tags=[tag])),
            error_of(lambda: sagemaker.delete_tags(ResourceArn=target, TagKeys=[reserved])),
        ]

    for reserved in ("mlstudio:ExecutionRoleArn", "aws:cloudformation:stack-name"):
        for refused in await in_thread(functools.partial(refusals, reserved)):
            assert refused["Code"] == "ValidationException", reserved
            assert "reserved" in refused["Message"], reserved
    await in_thread(lambda: sagemaker.delete_tags(ResourceArn=target, TagKeys=["team"]))
    described = await in_thread(lambda: sagemaker.describe_model(ModelName="role-model"))
    assert described["ExecutionRoleArn"] == ROLE  # the role survived every call
    assert studio.store.get_model("role-model").tags == {"mlstudio:ExecutionRoleArn": ROLE}


async def test_arns_the_studio_cannot_answer_are_refused_as_on_sagemaker(
    sagemaker: Any, identity: AwsIdentity, studio: Studio
) -> None:
    studio.store.create_model("config-model", ContainerDefinition(image="img:1"))
    variant = ProductionVariant(variant_name="AllTraffic", model_name="config-model")
    studio.store.create_endpoint_config("config-1", [variant])
    region = identity.region
    cases = {
        "missing": arn(identity, "training-job", "nope"),
        "wrong kind": arn(identity, "processing-job", "config-model"),
        "another account": f"arn:aws:sagemaker:{region}:111111111111:model/config-model",
        "another region": "arn:aws:sagemaker:xx-none-1:000000000000:model/config-model",
        "untagged type": arn(identity, "notebook-instance", "nb"),
        "no name": f"arn:aws:sagemaker:{region}:000000000000:model",
        "pattern": "arn:aws:s3:::bucket",
    }

    def errors() -> dict[str, dict[str, str]]:
        return {
            case: error_of(functools.partial(sagemaker.list_tags, ResourceArn=target))
            for case, target in cases.items()
        }

    for case, error in (await in_thread(errors)).items():
        assert error["Code"] == "ValidationException", case
    config = arn(identity, "endpoint-config", "config-1")

    def on_a_config() -> tuple[list[Any], dict[str, str]]:
        tags = sagemaker.list_tags(ResourceArn=config)["Tags"]
        sagemaker.delete_tags(ResourceArn=config, TagKeys=["a"])
        refused = error_of(
            lambda: sagemaker.add_tags(ResourceArn=config, Tags=[{"Key": "a", "Value": "b"}])
        )
        return tags, refused

    tags, refused = await in_thread(on_a_config)
    assert tags == []
    assert refused["Code"] == "ValidationException"
    assert "endpoint configurations" in refused["Message"]
    target = arn(identity, "model", "config-model")
    bad_tags = [
        {"Key": "a" * 129, "Value": "v"},
        {"Key": "k", "Value": "v" * 257},
        {"Key": "semi;colon", "Value": "v"},
        {"Key": "k", "Value": "new\nline"},
    ]

    def add(tag: dict[str, str]) -> dict[str, str]:
        return error_of(lambda: sagemaker.add_tags(ResourceArn=target, Tags=[tag]))

    for bad in bad_tags:
        error = await in_thread(functools.partial(add, bad))
        assert error["Code"] == "ValidationException", bad
    too_many = [{"Key": f"k{i}", "Value": ""} for i in range(51)]
    error = await in_thread(
        lambda: error_of(lambda: sagemaker.add_tags(ResourceArn=target, Tags=too_many))
    )
    assert error["Code"] == "ValidationException"
    error = await in_thread(
        lambda: error_of(lambda: sagemaker.list_tags(ResourceArn=target, NextToken="bogus"))
    )
    assert error["Code"] == "ValidationException"
    assert studio.store.get_model("config-model").tags == {}  # nothing of a refused call
    # Unicode letters, numbers, spaces and SageMaker's punctuation are keys and values
    fine = {"Key": "équipe 1_.:/=+-@", "Value": "Zürich 2"}
    await in_thread(lambda: sagemaker.add_tags(ResourceArn=target, Tags=[fine]))
    assert studio.store.get_model("config-model").tags == {fine["Key"]: fine["Value"]}
