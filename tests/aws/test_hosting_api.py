"""Hosting operations beyond the classic flow, through boto3's real clients: listings
(filters, sort, pages), UpdateEndpoint, and errors as SageMaker and its runtime send them
(missing resources, bad enums, a model's error, a call the studio does not serve)."""

from __future__ import annotations

import functools
import json
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, WaiterError
from hypothesis import given, settings
from hypothesis import strategies as st
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity
from jupyter_mlstudio.runtime.images import DEFAULT_TAG
from jupyter_mlstudio.services.studio import Studio

from .conftest import client, in_thread
from .test_hosting import FAST_WAITER, LINEAR, runtime  # noqa: F401 - the fixture
from .test_jobs_api import ROLE, assert_conforms, output_shape, raw_answers

ACCOUNT = "000000000000"
UNSIGNED_CONFIG = Config(signature_version=UNSIGNED, retries={"max_attempts": 1})
#: the linear model, loaded once the file $GATE exists: its endpoint stays Creating until then
GATED = """
import os
import time

from inference import model_fn as load, predict_fn  # noqa: F401


def model_fn(model_dir):
    while not os.path.exists(os.environ["GATE"]):
        time.sleep(0.02)
    return load(model_dir)
"""


@pytest.fixture
def model_data(tmp_path: Path) -> str:
    """A model.tar.gz of the linear model (weights 2 and 3), as train.py saves it."""
    staged = tmp_path / "model.json"
    staged.write_text(json.dumps({"weights": [2.0, 3.0]}))
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staged, arcname="model.json")
    return archive.as_uri()


def make_model(
    sagemaker: Any,
    name: str,
    model_data: str,
    program: str = "inference.py",
    code: Path = LINEAR,
    **environment: str,
) -> None:
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE,
        Containers=[
            {
                "Image": DEFAULT_TAG,
                "ModelDataUrl": model_data,
                "Environment": {
                    "SAGEMAKER_PROGRAM": program,
                    "SAGEMAKER_SUBMIT_DIRECTORY": code.as_uri(),
                    **environment,
                },
            }
        ],
    )


def make_config(sagemaker: Any, name: str, model: str, variant: str = "AllTraffic") -> None:
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": variant,
                "ModelName": model,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    return dict(caught.value.response)


async def test_listings_filter_sort_and_page(
    sagemaker: Any, studio: Studio, model_data: str
) -> None:
    answers = raw_answers(sagemaker)
    start = datetime.now(timezone.utc) - timedelta(seconds=1)

    def create() -> None:
        for name in ("m-b", "m-a", "m-c", "other"):
            make_model(sagemaker, name, model_data)
            make_config(sagemaker, f"{name}-config", name)

    await in_thread(create)
    names = await in_thread(
        lambda: sagemaker.list_models(NameContains="m-", SortBy="Name", SortOrder="Ascending")
    )
    assert [m["ModelName"] for m in names["Models"]] == ["m-a", "m-b", "m-c"]
    assert names["Models"][0]["ModelArn"] == f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/m-a"
    assert_conforms(output_shape("ListModels"), answers["ListModels"])
    newest = await in_thread(lambda: sagemaker.list_models())
    assert [m["ModelName"] for m in newest["Models"]] == ["other", "m-c", "m-a", "m-b"]
    later = await in_thread(
        lambda: sagemaker.list_models(CreationTimeAfter=datetime.now(timezone.utc))
    )
    assert later["Models"] == []
    earlier = await in_thread(lambda: sagemaker.list_models(CreationTimeAfter=start))
    assert len(earlier["Models"]) == 4

    pages = sagemaker.get_paginator("list_models").paginate(
        SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 3}
    )
    collected = await in_thread(lambda: [[m["ModelName"] for m in p["Models"]] for p in pages])
    assert collected == [["m-a", "m-b", "m-c"], ["other"]]

    configs = await in_thread(
        lambda: sagemaker.list_endpoint_configs(
            NameContains="config", SortBy="Name", SortOrder="Descending", MaxResults=2
        )
    )
    assert [c["EndpointConfigName"] for c in configs["EndpointConfigs"]] == [
        "other-config",
        "m-c-config",
    ]
    assert configs["NextToken"]
    rest = await in_thread(
        lambda: sagemaker.list_endpoint_configs(
            NameContains="config",
            SortBy="Name",
            SortOrder="Descending",
            NextToken=configs["NextToken"],
        )
    )
    assert [c["EndpointConfigName"] for c in rest["EndpointConfigs"]] == [
        "m-b-config",
        "m-a-config",
    ]
    assert_conforms(output_shape("ListEndpointConfigs"), answers["ListEndpointConfigs"])
    # the studio's own listing (the UI's) holds what boto3 created
    assert len(studio.endpoints.list_models().items) == 4


async def test_update_endpoint_and_the_listing_of_endpoints(
    sagemaker: Any,
    runtime: Any,  # noqa: F811 - the fixture
    model_data: str,
    tmp_path: Path,
) -> None:
    answers = raw_answers(sagemaker)
    code = tmp_path / "gated"
    code.mkdir()
    (code / "inference.py").write_text((LINEAR / "inference.py").read_text())
    (code / "gated.py").write_text(GATED)
    gate = tmp_path / "gate"

    def create() -> Any:
        make_model(sagemaker, "blue", model_data, "gated.py", code, GATE=str(gate))
        make_config(sagemaker, "blue-config", "blue", variant="Blue")
        make_config(sagemaker, "green-config", "blue", variant="Green")
        sagemaker.create_endpoint(EndpointName="colours", EndpointConfigName="blue-config")
        return sagemaker.describe_endpoint(EndpointName="colours")

    first = await in_thread(create)
    assert first["EndpointStatus"] == "Creating"
    again = await in_thread(
        lambda: error_of(
            lambda: sagemaker.create_endpoint(
                EndpointName="colours", EndpointConfigName="blue-config"
            )
        )
    )
    assert again["Error"]["Code"] == "ValidationException"
    assert again["Error"]["Message"].startswith('Cannot create already existing endpoint "arn:')
    # an endpoint that is on its way cannot be updated
    busy = await in_thread(
        lambda: error_of(
            lambda: sagemaker.update_endpoint(
                EndpointName="colours", EndpointConfigName="green-config"
            )
        )
    )
    assert busy["Error"]["Code"] == "ValidationException"
    arn = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/colours"
    assert busy["Error"]["Message"] == f'Cannot update in-progress endpoint "{arn}".'
    undeletable = await in_thread(
        lambda: error_of(lambda: sagemaker.delete_endpoint(EndpointName="colours"))
    )
    assert undeletable["Error"] == busy["Error"]
    gate.touch()
    waiter = sagemaker.get_waiter("endpoint_in_service")
    await in_thread(lambda: waiter.wait(EndpointName="colours", WaiterConfig=FAST_WAITER))

    listed = await in_thread(lambda: sagemaker.list_endpoints(StatusEquals="InService"))
    assert [e["EndpointName"] for e in listed["Endpoints"]] == ["colours"]
    assert listed["Endpoints"][0]["EndpointStatus"] == "InService"
    assert_conforms(output_shape("ListEndpoints"), answers["ListEndpoints"])
    none = await in_thread(lambda: sagemaker.list_endpoints(StatusEquals="Failed"))
    assert none["Endpoints"] == []

    updated = await in_thread(
        lambda: sagemaker.update_endpoint(EndpointName="colours", EndpointConfigName="green-config")
    )
    assert updated["EndpointArn"].endswith(":endpoint/colours")
    await in_thread(lambda: waiter.wait(EndpointName="colours", WaiterConfig=FAST_WAITER))
    described = await in_thread(lambda: sagemaker.describe_endpoint(EndpointName="colours"))
    assert described["EndpointConfigName"] == "green-config"
    assert [v["VariantName"] for v in described["ProductionVariants"]] == ["Green"]
    answer = await in_thread(
        lambda: runtime.invoke_endpoint(EndpointName="colours", ContentType="text/csv", Body="1,0")
    )
    assert answer["InvokedProductionVariant"] == "Green"

    # a model that fails on what it is sent: the runtime's ModelError with its status
    failed = await in_thread(
        lambda: error_of(
            lambda: runtime.invoke_endpoint(
                EndpointName="colours", ContentType="text/csv", Body="1,2,3"
            )
        )
    )
    assert failed["Error"]["Code"] == "ModelError"
    assert failed["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert failed["OriginalStatusCode"] == 500
    assert "Received server error (500) from primary" in failed["Error"]["Message"]
    unknown_variant = await in_thread(
        lambda: error_of(
            lambda: runtime.invoke_endpoint(
                EndpointName="colours", ContentType="text/csv", Body="1,0", TargetVariant="Blue"
            )
        )
    )
    assert unknown_variant["Error"]["Code"] == "ValidationError"

    await in_thread(lambda: sagemaker.delete_endpoint(EndpointName="colours"))
    gone = await in_thread(
        lambda: error_of(
            lambda: runtime.invoke_endpoint(
                EndpointName="colours", ContentType="text/csv", Body="1"
            )
        )
    )
    assert gone["Error"]["Code"] == "ValidationError"
    assert gone["Error"]["Message"] == f"Endpoint colours of account {ACCOUNT} not found."


async def test_hosting_errors_are_sagemakers(sagemaker: Any, model_data: str) -> None:
    missing = await in_thread(
        lambda: error_of(lambda: sagemaker.describe_endpoint(EndpointName="nope"))
    )
    assert missing["Error"]["Code"] == "ValidationException"
    assert missing["Error"]["Message"] == (
        f'Could not find endpoint "arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/nope".'
    )
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 400
    # the waiter stops on SageMaker's ValidationException, as on AWS
    waiter = sagemaker.get_waiter("endpoint_in_service")
    with pytest.raises(WaiterError):
        await in_thread(lambda: waiter.wait(EndpointName="nope", WaiterConfig=FAST_WAITER))
    for call in (
        lambda: sagemaker.delete_endpoint(EndpointName="nope"),
        lambda: sagemaker.update_endpoint_weights_and_capacities(
            EndpointName="nope",
            DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredWeight": 1}],
        ),
        lambda: sagemaker.delete_model(ModelName="nope"),
        lambda: sagemaker.delete_endpoint_config(EndpointConfigName="nope"),
    ):
        error = await in_thread(functools.partial(error_of, call))
        assert error["Error"]["Code"] == "ValidationException", error

    no_config = await in_thread(
        lambda: error_of(
            lambda: sagemaker.create_endpoint(EndpointName="nope", EndpointConfigName="nope")
        )
    )
    assert no_config["Error"]["Code"] == "ValidationException"
    assert no_config["Error"]["Message"] == (
        "Could not find endpoint configuration"
        f' "arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint-config/nope".'
    )

    bad_sort = await in_thread(lambda: error_of(lambda: sagemaker.list_endpoints(SortBy="Size")))
    assert bad_sort["Error"]["Code"] == "ValidationException"
    assert "'SortBy'" in bad_sort["Error"]["Message"]
    assert "[Name, CreationTime, Status]" in bad_sort["Error"]["Message"]

    await in_thread(lambda: make_model(sagemaker, "kept", model_data))
    taken = await in_thread(lambda: error_of(lambda: make_model(sagemaker, "kept", model_data)))
    # what the SageMaker SDK looks for to reuse a model
    assert taken["Error"]["Code"] == "ValidationException"
    assert taken["Error"]["Message"] == (
        f'Cannot create already existing model "arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/kept".'
    )
    await in_thread(lambda: make_config(sagemaker, "kept-config", "kept"))
    config_taken = await in_thread(
        lambda: error_of(lambda: make_config(sagemaker, "kept-config", "kept"))
    )
    assert config_taken["Error"]["Code"] == "ValidationException"
    assert config_taken["Error"]["Message"].startswith(
        "Cannot create already existing endpoint configuration"
    )
    bad_capture = await in_thread(
        lambda: error_of(
            lambda: sagemaker.create_endpoint_config(
                EndpointConfigName="bad-capture",
                ProductionVariants=[
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": "kept",
                        "InstanceType": "ml.m5.large",
                    }
                ],
                DataCaptureConfig={
                    "InitialSamplingPercentage": 50,
                    "DestinationS3Uri": "s3://bucket/capture",
                    "CaptureOptions": [{"CaptureMode": "Both"}],
                },
            )
        )
    )
    assert bad_capture["Error"]["Code"] == "ValidationException"
    assert "DataCaptureConfig.CaptureOptions[0].CaptureMode" in bad_capture["Error"]["Message"]
    no_model = await in_thread(
        lambda: error_of(lambda: make_config(sagemaker, "orphan-config", "absent"))
    )
    assert no_model["Error"]["Code"] == "ValidationException"
    assert "absent" in no_model["Error"]["Message"]
    pipeline = await in_thread(
        lambda: error_of(
            lambda: sagemaker.create_model(
                ModelName="two",
                ExecutionRoleArn=ROLE,
                Containers=[{"Image": DEFAULT_TAG}, {"Image": DEFAULT_TAG}],
                InferenceExecutionConfig={"Mode": "Direct"},
            )
        )
    )
    assert pipeline["Error"]["Code"] == "ValidationException"
    assert "InferenceExecutionConfig.Mode" in pipeline["Error"]["Message"]
    no_transform = await in_thread(
        lambda: error_of(lambda: sagemaker.describe_transform_job(TransformJobName="nope"))
    )
    assert no_transform["Error"]["Code"] == "ValidationException"


async def test_the_runtime_is_signed_checked_and_answers_in_its_protocol(
    aws_endpoint: str, identity: AwsIdentity, jp_fetch: Any
) -> None:
    unsigned = client("sagemaker-runtime", aws_endpoint, identity, config=UNSIGNED_CONFIG)
    refused = await in_thread(
        lambda: error_of(
            lambda: unsigned.invoke_endpoint(EndpointName="any", ContentType="text/csv", Body="1")
        )
    )
    assert refused["Error"]["Code"] == "MissingAuthenticationTokenException"
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 403
    wrong_key = client(
        "sagemaker-runtime", aws_endpoint, identity, aws_secret_access_key="not-the-secret"
    )
    forged = await in_thread(
        lambda: error_of(
            lambda: wrong_key.invoke_endpoint(EndpointName="any", ContentType="text/csv", Body="1")
        )
    )
    assert forged["Error"]["Code"] == "InvalidSignatureException"

    unchecked = client(
        "sagemaker-runtime", aws_endpoint, identity, config=Config(parameter_validation=False)
    )
    bad_name = await in_thread(
        lambda: error_of(
            lambda: unchecked.invoke_endpoint(EndpointName="bad_name", Body=b"1", Accept="a" * 2000)
        )
    )
    assert bad_name["Error"]["Code"] == "ValidationError"
    assert "'EndpointName'" in bad_name["Error"]["Message"]
    assert "Accept" in bad_name["Error"]["Message"]

    # a form body is the model's payload here, not an STS call: the answer is JSON
    with pytest.raises(HTTPClientError) as missing:
        await jp_fetch(
            "mlstudio",
            "aws",
            "endpoints",
            "nope",
            "invocations",
            method="POST",
            body=b"a=1",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert missing.value.code == 400
    assert missing.value.response is not None
    body = json.loads(missing.value.response.body)
    assert body["__type"] == "ValidationError"
    assert body["message"] == f"Endpoint nope of account {ACCOUNT} not found."


async def test_an_endpoint_whose_model_cannot_load_fails_the_waiter(
    sagemaker: Any, model_data: str, tmp_path: Path
) -> None:
    code = tmp_path / "broken"
    code.mkdir()
    (code / "broken.py").write_text(
        "def model_fn(model_dir):\n    raise RuntimeError('the weights are corrupt')\n"
    )

    def create() -> None:
        make_model(sagemaker, "broken", model_data, "broken.py", code)
        make_config(sagemaker, "broken-config", "broken")
        sagemaker.create_endpoint(EndpointName="broken", EndpointConfigName="broken-config")

    await in_thread(create)
    waiter = sagemaker.get_waiter("endpoint_in_service")
    with pytest.raises(WaiterError) as failed:
        await in_thread(lambda: waiter.wait(EndpointName="broken", WaiterConfig=FAST_WAITER))
    assert "Failed" in str(failed.value)
    described = await in_thread(lambda: sagemaker.describe_endpoint(EndpointName="broken"))
    assert described["EndpointStatus"] == "Failed"
    assert "the weights are corrupt" in described["FailureReason"]
    # a Failed endpoint is deleted like any other
    await in_thread(lambda: sagemaker.delete_endpoint(EndpointName="broken"))
    listed = await in_thread(lambda: sagemaker.list_endpoints())
    assert listed["Endpoints"] == []


async def test_malformed_invocations_get_4xx(aws_endpoint: str, identity: AwsIdentity) -> None:
    statuses: list[int] = []
    header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=1100)

    @settings(max_examples=60, deadline=None, database=None)
    @given(
        name=st.text(min_size=1, max_size=70),
        body=st.binary(max_size=64),
        headers=st.dictionaries(
            st.sampled_from(
                [
                    "Content-Type",
                    "Accept",
                    "X-Amzn-SageMaker-Custom-Attributes",
                    "X-Amzn-SageMaker-Target-Variant",
                    "X-Amzn-SageMaker-Inference-Id",
                ]
            ),
            header_text,
        ),
    )
    def fuzz(name: str, body: bytes, headers: dict[str, str]) -> None:
        url = f"{aws_endpoint}/endpoints/{urllib.parse.quote(name, safe='')}/invocations"
        request = AWSRequest(method="POST", url=url, data=body, headers=headers)
        credentials = Credentials(identity.access_key_id, identity.secret_access_key)
        SigV4Auth(credentials, "sagemaker", identity.region).add_auth(request)
        prepared = urllib.request.Request(
            url, data=body, headers=dict(request.headers.items()), method="POST"
        )
        try:
            with urllib.request.urlopen(prepared, timeout=30) as response:
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            status = exc.code
        statuses.append(status)
        # refused for what it says (400, or 404 off the route), never for its signature
        assert status in (400, 404), (name, headers, status)

    await in_thread(fuzz)
    assert len(statuses) >= 30
    assert statuses.count(400) >= len(statuses) // 2
