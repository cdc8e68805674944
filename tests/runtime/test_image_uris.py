"""SageMaker image URIs → the studio's images (runtime/image_uris.py), and the places
that choose a job's or a model's image going through it.

The URIs are built as ``sagemaker.image_uris.retrieve`` builds them: the registry
accounts of the SageMaker Python SDK's ``image_uri_config/sklearn.json``, the ECR host
name botocore's endpoint resolver gives for the region, and the SDK's tag format
(``<version>-cpu-py3``; ``1.0-1-arm64-cpu-py3`` for Graviton).
"""

from __future__ import annotations

import importlib.metadata
from datetime import datetime, timezone

import botocore.loaders
import botocore.regions
import pytest

from jupyter_mlstudio.entities import ContainerDefinition, Model
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.hosting.instances import plan_variant
from jupyter_mlstudio.runtime.image_uris import (
    UnknownImageError,
    is_ecr_uri,
    parse_ecr_uri,
    resolve_image,
)
from jupyter_mlstudio.runtime.images import DEFAULT_TAG, SKLEARN_VERSION
from jupyter_mlstudio.services.jobs.processing import plan_processing_job
from jupyter_mlstudio.services.jobs.requests import (
    CreateProcessingJobRequest,
    CreateTrainingJobRequest,
    parse_request,
)
from jupyter_mlstudio.services.jobs.training_plan import plan_training_job

#: sklearn.json's registries (the same for every version and scope)
SKLEARN_REGISTRIES = {
    "af-south-1": "510948584623",
    "ap-east-1": "651117190479",
    "ap-northeast-1": "354813040037",
    "ap-northeast-2": "366743142698",
    "ap-northeast-3": "867004704886",
    "ap-south-1": "720646828776",
    "ap-south-2": "628508329040",
    "ap-southeast-1": "121021644041",
    "ap-southeast-2": "783357654285",
    "ap-southeast-3": "951798379941",
    "ap-southeast-4": "106583098589",
    "ca-central-1": "341280168497",
    "cn-north-1": "450853457545",
    "cn-northwest-1": "451049120500",
    "eu-central-1": "492215442770",
    "eu-central-2": "680994064768",
    "eu-north-1": "662702820516",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-west-3": "659782779980",
    "eu-south-1": "978288397137",
    "eu-south-2": "104374241257",
    "me-south-1": "801668240914",
    "me-central-1": "272398656194",
    "sa-east-1": "737474898029",
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-gov-west-1": "414596584902",
    "us-gov-east-1": "237065988967",
    "us-iso-east-1": "833128469047",
    "us-isob-east-1": "281123927165",
    "us-west-1": "746614075791",
    "us-west-2": "246618743249",
}
#: sklearn.json's versions (training and inference), with the major.minor each names
SKLEARN_VERSIONS = {"0.20.0": "0.20", "0.23-1": "0.23", "1.0-1": "1.0", "1.2-1": "1.2"}
US_WEST_2 = "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
FIELD = "AlgorithmSpecification.TrainingImage"


def ecr_host(region: str) -> str:
    """The ECR host name of ``region``, as the SageMaker SDK finds it."""
    loader = botocore.loaders.create_loader()
    resolver = botocore.regions.EndpointResolver(loader.load_data("endpoints"))
    found = resolver.construct_endpoint("ecr", region)
    return str(found["hostname"]) if found else f"ecr.{region}.amazonaws.com"


def sklearn_uri(region: str, tag: str) -> str:
    return f"{SKLEARN_REGISTRIES[region]}.dkr.{ecr_host(region)}/sagemaker-scikit-learn:{tag}"


@pytest.mark.parametrize("region", sorted(SKLEARN_REGISTRIES))
def test_every_region_and_version_of_the_sklearn_image_maps_to_the_script_mode_image(
    region: str,
) -> None:
    for version, major_minor in SKLEARN_VERSIONS.items():
        uri = sklearn_uri(region, f"{version}-cpu-py3")
        resolved = resolve_image(uri, field=FIELD)
        assert resolved.image == DEFAULT_TAG, uri
        assert resolved.given == uri
        assert resolved.requested_version == major_minor
        assert resolved.framework is not None
        assert resolved.framework.repository == "sagemaker-scikit-learn"
        assert resolved.script_mode


def test_the_uri_retrieve_gives_for_us_west_2_and_its_parts() -> None:
    assert sklearn_uri("us-west-2", "1.2-1-cpu-py3") == US_WEST_2
    parsed = parse_ecr_uri(US_WEST_2)
    assert parsed is not None
    assert (parsed.account, parsed.region, parsed.domain) == (
        "246618743249",
        "us-west-2",
        "amazonaws.com",
    )
    assert (parsed.repository, parsed.tag, parsed.digest) == (
        "sagemaker-scikit-learn",
        "1.2-1-cpu-py3",
        None,
    )


@pytest.mark.parametrize(
    ("region", "domain"),
    [
        ("cn-north-1", "amazonaws.com.cn"),
        ("cn-northwest-1", "amazonaws.com.cn"),
        ("us-gov-west-1", "amazonaws.com"),
        ("us-iso-east-1", "c2s.ic.gov"),
        ("us-isob-east-1", "sc2s.sgov.gov"),
    ],
)
def test_other_partitions_map(region: str, domain: str) -> None:
    uri = sklearn_uri(region, "1.2-1-cpu-py3")
    assert uri.split("/")[0].endswith(domain)
    parsed = parse_ecr_uri(uri)
    assert parsed is not None
    assert parsed.domain == domain
    assert parsed.region == region
    assert resolve_image(uri, field=FIELD).image == DEFAULT_TAG


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("1.0-1-arm64-cpu-py3", "1.0"),  # Graviton (image_scope="inference_graviton")
        ("1.2-1", "1.2"),  # the bare framework version
        ("0.20.0-cpu-py3", "0.20"),
        ("1.2-1-cpu-py3@sha256:" + "a" * 64, "1.2"),
    ],
)
def test_tags_the_sdk_writes_map_with_their_version(tag: str, version: str) -> None:
    resolved = resolve_image(sklearn_uri("eu-west-1", tag), field=FIELD)
    assert resolved.image == DEFAULT_TAG
    assert resolved.requested_version == version


def test_a_fips_host_and_a_digest_map() -> None:
    host = "683313688378.dkr.ecr-fips.us-east-1.amazonaws.com"
    uri = f"{host}/sagemaker-scikit-learn@sha256:{'0' * 64}"
    resolved = resolve_image(uri, field=FIELD)
    assert resolved.image == DEFAULT_TAG
    assert resolved.requested_version is None  # a digest says no version


@pytest.mark.parametrize(
    ("uri", "names"),
    [
        (
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1",
            "sagemaker-xgboost",
        ),
        (
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310",
            "pytorch-training",
        ),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-algo:latest", "my-algo"),
        ("246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:latest", "'latest'"),
        ("246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn", "'(none)'"),
        (
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:0.20.0-cpu-py2",
            "'0.20.0-cpu-py2'",
        ),
        (
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1-gpu-py3",
            "gpu",
        ),
        ("public.ecr.aws/docker/library/python:3.11", "public.ecr.aws"),
        ("12345.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1", "12345"),
        ("246618743249.dkr.ecr.us-west-2.amazonaws.com/Sagemaker-Scikit-Learn:1.2-1", "Sagemaker"),
    ],
)
def test_an_ecr_image_the_studio_cannot_run_is_refused_naming_mlstudio_images(
    uri: str, names: str
) -> None:
    with pytest.raises(UnknownImageError) as refused:
        resolve_image(uri, field="AppSpecification.ImageUri")
    error = refused.value
    assert isinstance(error, ValidationError)  # a 400 ValidationException everywhere
    assert error.field == "AppSpecification.ImageUri"
    assert uri in error.message
    assert names in error.message
    assert "`mlstudio images`" in error.message
    assert "never pulls" in error.message
    assert "sagemaker-scikit-learn:<version>" in error.message  # what it does map
    assert DEFAULT_TAG in error.message


@pytest.mark.parametrize(
    "uri",
    [
        "my-algo:1",
        "byoc",
        "localhost:5000/team/algo:2",
        "docker.io/library/python:3.11",
        "registry.example.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        "ecr/sagemaker-scikit-learn:1.2-1",
    ],
)
def test_other_names_are_local_images_run_as_they_are(uri: str) -> None:
    assert not is_ecr_uri(uri)
    resolved = resolve_image(uri, field=FIELD)
    assert (resolved.image, resolved.framework, resolved.script_mode) == (uri, None, False)
    assert resolved.note("docker") is None


@pytest.mark.parametrize("uri", [None, "", "  "])
def test_no_image_is_the_script_mode_default(uri: str | None) -> None:
    resolved = resolve_image(uri, field=FIELD)
    assert resolved.image is None
    assert resolved.script_mode
    assert resolved.note("docker") is None


def test_the_studio_image_by_name_is_itself() -> None:
    resolved = resolve_image(DEFAULT_TAG, field=FIELD)
    assert (resolved.image, resolved.framework) == (DEFAULT_TAG, None)


def test_is_ecr_uri_tells_ecr_hosts_well_formed_or_not() -> None:
    assert is_ecr_uri(US_WEST_2)
    assert is_ecr_uri("1.dkr.ecr.nowhere/x")
    assert is_ecr_uri("public.ecr.aws/x/y:1")
    assert not is_ecr_uri("example.com/1.dkr.ecr.us-east-1.amazonaws.com:1")  # a path
    assert parse_ecr_uri("1.dkr.ecr.nowhere/x") is None
    assert parse_ecr_uri("public.ecr.aws/x/y:1") is None


def test_the_note_says_which_scikit_learn_runs_and_a_version_the_uri_names_otherwise() -> None:
    same = resolve_image(US_WEST_2, field=FIELD)
    assert same.note("docker") == (
        f"image sagemaker-scikit-learn:1.2-1-cpu-py3 runs as {DEFAULT_TAG}"
        f" (scikit-learn {SKLEARN_VERSION})"
    )
    older = resolve_image(sklearn_uri("us-west-2", "0.23-1-cpu-py3"), field=FIELD)
    assert older.note("docker") == (
        f"image sagemaker-scikit-learn:0.23-1-cpu-py3 runs as {DEFAULT_TAG}"
        f" (scikit-learn {SKLEARN_VERSION}; the URI names 0.23)"
    )
    studio = importlib.metadata.version("scikit-learn")
    process = older.note("process")
    assert process is not None
    assert process.startswith("image sagemaker-scikit-learn:0.23-1-cpu-py3 runs in the studio's")
    assert f"(scikit-learn {studio}; the URI names 0.23)" in process


def _training(image: str) -> CreateTrainingJobRequest:
    return parse_request(
        CreateTrainingJobRequest,
        {
            "TrainingJobName": "fw-1",
            "AlgorithmSpecification": {"TrainingImage": image},
            "ScriptMode": {"EntryPoint": "train.py"},
            "ResourceConfig": {"InstanceType": "local", "InstanceCount": 1},
        },
    )


def _processing(image: str) -> CreateProcessingJobRequest:
    return parse_request(
        CreateProcessingJobRequest,
        {
            "ProcessingJobName": "fw-2",
            "AppSpecification": {
                "ImageUri": image,
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/run.py"],
            },
            "ProcessingResources": {"ClusterConfig": {"InstanceType": "local", "InstanceCount": 1}},
        },
    )


def test_a_training_plan_runs_the_framework_image_as_the_studio_image() -> None:
    docker = plan_training_job(_training(US_WEST_2), "docker", check_paths=False)
    assert docker.image == DEFAULT_TAG
    assert docker.image_note is not None
    assert DEFAULT_TAG in docker.image_note
    process = plan_training_job(_training(US_WEST_2), "process", check_paths=False)
    assert process.image is None  # script mode with the studio's Python
    assert process.image_note is not None
    assert "the studio's Python" in process.image_note
    assert process.request.AlgorithmSpecification.TrainingImage == US_WEST_2  # kept as given
    with pytest.raises(UnknownImageError) as refused:
        plan_training_job(_training(US_WEST_2.replace("scikit-learn", "xgboost")), "docker")
    assert refused.value.field == "AlgorithmSpecification.TrainingImage"


def test_a_processing_plan_runs_the_framework_image_as_the_studio_image() -> None:
    assert plan_processing_job(_processing(US_WEST_2), "docker").image == DEFAULT_TAG
    process = plan_processing_job(_processing(US_WEST_2), "process")
    assert process.image is None
    assert process.entrypoint is not None
    assert process.entrypoint[0] == "python3"
    with pytest.raises(UnknownImageError) as refused:
        plan_processing_job(_processing("1.dkr.ecr.x/y"), "process")
    assert refused.value.field == "AppSpecification.ImageUri"


def test_a_model_container_runs_the_framework_image_as_the_studio_image() -> None:
    def model(image: str) -> Model:
        container = ContainerDefinition(image=image, environment={"SAGEMAKER_PROGRAM": "serve.py"})
        return Model(
            model_name="m", primary_container=container, creation_time=datetime.now(timezone.utc)
        )

    inference = sklearn_uri("us-west-2", "1.2-1-cpu-py3")
    assert plan_variant("ep", "v", model(inference), 1, "local", "docker").image == DEFAULT_TAG
    assert plan_variant("ep", "v", model(inference), 1, "local", "process").image is None
    with pytest.raises(UnknownImageError) as refused:
        plan_variant("ep", "v", model("1.dkr.ecr.x/y"), 1, "local", "docker")
    assert refused.value.field == "ProductionVariants[0].ModelName"
