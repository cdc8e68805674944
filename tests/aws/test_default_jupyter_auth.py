"""With Jupyter's default (``allow_unauthenticated_access`` on), the API still needs a
signature or a token: Jupyter lets every request reach the verb, which checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity

from .conftest import client, in_thread


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], studio_home: Path) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_mlstudio": True},
            "allow_unauthenticated_access": True,
        },
        "StudioApp": {
            "home": str(studio_home),
            "default_runtime": "process",
            "aws_region": "eu-central-1",
            "aws_account_id": "123456789012",
        },
    }


async def test_signed_requests_pass_and_unsigned_ones_do_not(
    aws_endpoint: str, identity: AwsIdentity
) -> None:
    assert identity.region == "eu-central-1"
    sts = client("sts", aws_endpoint, identity)
    answer = await in_thread(sts.get_caller_identity)
    assert answer["Account"] == "123456789012"
    anonymous = client(
        "sagemaker",
        aws_endpoint,
        identity,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError) as refused:
        await in_thread(anonymous.list_training_jobs)
    assert refused.value.response["Error"]["Code"] == "MissingAuthenticationTokenException"
