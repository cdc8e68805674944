"""A Jupyter user reaches the API only if Jupyter's authorizer allows "mlstudio"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

from jupyter_mlstudio.aws.credentials import AwsIdentity

from .conftest import client, in_thread


class DenyStudio(Authorizer):
    """Allows everything but the studio's resource."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return resource != "mlstudio"


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    config = {**jp_server_config}
    config["ServerApp"] = {**config["ServerApp"], "authorizer_class": DenyStudio}
    return config


async def test_a_token_user_the_authorizer_refuses_gets_access_denied(
    jp_fetch: Any, aws_endpoint: str, identity: AwsIdentity
) -> None:
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch(
            "mlstudio",
            "aws",
            method="POST",
            body=b"{}",
            headers={
                "X-Amz-Target": "SageMaker.ListTrainingJobs",
                "Content-Type": "application/x-amz-json-1.1",
            },
        )
    assert refused.value.code == 403
    assert refused.value.response is not None
    assert json.loads(refused.value.response.body)["__type"] == "AccessDeniedException"
    # the studio's own key is not a Jupyter user: the authorizer is not asked
    sagemaker = client("sagemaker", aws_endpoint, identity)
    answer = await in_thread(sagemaker.list_training_jobs)
    assert answer["TrainingJobSummaries"] == []
