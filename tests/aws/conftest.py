"""boto3's real clients against a real studio (pytest-jupyter's server).

pytest-jupyter serves HTTP on the test's own event loop, so a test makes its boto3 calls
in a worker thread (``await in_thread(fn)``) while the loop answers them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from botocore.config import Config

from jupyter_mlstudio.aws.credentials import AwsIdentity, read_identity
from jupyter_mlstudio.services.studio import Studio

T = TypeVar("T")
#: one attempt: a refused request must show as it was refused, not as a retry's
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


async def in_thread(fn: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, fn)


@pytest.fixture
def studio(jp_serverapp: Any) -> Studio:
    """The studio the server runs."""
    (app,) = jp_serverapp.extension_manager.extension_apps["jupyter_mlstudio"]
    found: Studio = app.studio
    return found


@pytest.fixture
def aws_endpoint(request: pytest.FixtureRequest) -> str:
    """The API's URL on a server that accepts connections."""
    request.getfixturevalue("jp_serverapp")
    request.getfixturevalue("http_server")
    port = request.getfixturevalue("jp_http_port")
    base = request.getfixturevalue("jp_base_url")
    return f"http://127.0.0.1:{port}{base}mlstudio/aws"


@pytest.fixture
def identity(aws_endpoint: str, studio_home: Path) -> AwsIdentity:
    """The key pair the studio wrote under its home on start."""
    found = read_identity(studio_home)
    assert found is not None
    return found


def client(service: str, endpoint: str, identity: AwsIdentity, **overrides: Any) -> Any:
    """A boto3 client of ``service`` for the studio, as a user would make one."""
    options = {
        "config": NO_RETRIES,
        "endpoint_url": endpoint,
        "region_name": identity.region,
        "aws_access_key_id": identity.access_key_id,
        "aws_secret_access_key": identity.secret_access_key,
        **overrides,
    }
    return boto3.client(service, **options)  # type: ignore[call-overload]


@pytest.fixture
def sagemaker(aws_endpoint: str, identity: AwsIdentity) -> Any:
    """boto3's ``sagemaker`` client, signed with the studio's keys."""
    return client("sagemaker", aws_endpoint, identity)
