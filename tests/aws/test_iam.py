"""IAM's SimulatePrincipalPolicy and GetRole through boto3's ``iam`` client (the query
protocol, as the SageMaker SDK v3's role validation calls them)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity

from .conftest import client, in_thread

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"


@pytest.fixture
def iam(aws_endpoint: str, identity: AwsIdentity) -> Any:
    """boto3's ``iam`` client, signed with the studio's keys."""
    return client("iam", aws_endpoint, identity)


async def test_simulate_principal_policy_allows_every_action_through_the_paginator(
    iam: Any,
) -> None:
    def simulate() -> list[dict[str, Any]]:
        paginator = iam.get_paginator("simulate_principal_policy")
        pages = paginator.paginate(
            PolicySourceArn=ROLE, ActionNames=["sagemaker:CreateTrainingJob", "s3:GetObject"]
        )
        return [result for page in pages for result in page["EvaluationResults"]]

    results = await in_thread(simulate)
    assert [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"]) for r in results] == [
        ("sagemaker:CreateTrainingJob", "*", "allowed"),
        ("s3:GetObject", "*", "allowed"),
    ]

    answer = await in_thread(
        lambda: iam.simulate_principal_policy(
            PolicySourceArn=ROLE,
            ActionNames=["s3:PutObject"],
            ResourceArns=["arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-b/*"],
            MaxItems=10,
        )
    )
    assert answer["IsTruncated"] is False
    assert [r["EvalResourceName"] for r in answer["EvaluationResults"]] == [
        "arn:aws:s3:::bucket-a/*",
        "arn:aws:s3:::bucket-b/*",
    ]


async def test_get_role_answers_any_name_trusted_by_sagemaker(iam: Any) -> None:
    role = (await in_thread(lambda: iam.get_role(RoleName="SageMakerRole")))["Role"]
    assert role["Arn"] == ROLE
    assert role["RoleName"] == "SageMakerRole"
    assert role["Path"] == "/"
    assert role["RoleId"].startswith("AROA")
    assert role["CreateDate"].year == 2020
    document = role["AssumeRolePolicyDocument"]
    if isinstance(document, str):  # boto3 leaves it URL-encoded, as IAM sends it
        document = json.loads(unquote(document))
    (statement,) = document["Statement"]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"


async def test_iam_refusals_come_back_as_query_protocol_errors(
    iam: Any, aws_endpoint: str, identity: AwsIdentity
) -> None:
    with pytest.raises(ClientError) as refused:
        await in_thread(lambda: iam.get_role(RoleName="not a role!"))
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as refused:
        await in_thread(lambda: iam.list_roles())
    assert refused.value.response["Error"]["Code"] == "UnknownOperationException"
    assert (
        "iam operation 'ListRoles' is not supported" in refused.value.response["Error"]["Message"]
    )
    wrong = client("iam", aws_endpoint, identity, aws_secret_access_key="wrong")
    with pytest.raises(ClientError) as refused:
        await in_thread(lambda: wrong.get_role(RoleName="SageMakerRole"))
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
