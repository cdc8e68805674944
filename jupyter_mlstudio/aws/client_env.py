"""The environment that points AWS clients at a studio: what ``mlstudio credentials --env``
prints, and what the studio's JupyterLab gives the kernels it starts.

One URL answers every client SageMaker code makes (``sagemaker``, ``sagemaker-runtime``,
``sagemaker-metrics``, ``sts``, ``iam``, CloudWatch Logs, Application Auto Scaling),
botocore's per-service ``AWS_ENDPOINT_URL_<SERVICE>`` variables name it;
``AWS_ENDPOINT_URL_S3`` names the studio's embedded S3 when it runs one; the SageMaker
SDK's admin configuration file (:mod:`.sdk_config`) names its default bucket.
"""

from __future__ import annotations

from pathlib import Path

from .credentials import AwsIdentity
from .sdk_config import ENV_ADMIN_CONFIG, write_sdk_config

#: the services whose endpoint variable names the studio's API
SERVICES = (
    "SAGEMAKER",
    "SAGEMAKER_RUNTIME",
    "SAGEMAKER_METRICS",
    "STS",
    "IAM",
    "CLOUDWATCH_LOGS",
    "APPLICATION_AUTO_SCALING",
)
#: variables whose presence means the environment already chose its AWS (never overridden)
CHOSEN = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER")


def client_env(
    home: Path, identity: AwsIdentity, endpoint: str | None, s3: str | None = None
) -> dict[str, str]:
    """The variables for a shell or a kernel.

    Args:
        home: The studio home (the SDK's configuration file is written there).
        identity: The studio's key pair, region and account.
        endpoint: The API's URL (``<server>/mlstudio/aws``); None when no studio answers
            (then only the key pair and region).
        s3: The embedded S3's URL, if the studio runs one.

    Returns:
        Variable name → value, in the order a shell should set them.
    """
    values = {
        "AWS_ACCESS_KEY_ID": identity.access_key_id,
        "AWS_SECRET_ACCESS_KEY": identity.secret_access_key,
        "AWS_DEFAULT_REGION": identity.region,
    }
    if endpoint:
        for service in SERVICES:
            values[f"AWS_ENDPOINT_URL_{service}"] = endpoint
        # the SDK v2's default bucket without its STS call to AWS (aws/sdk_config.py)
        values[ENV_ADMIN_CONFIG] = str(write_sdk_config(home, identity))
        if s3:
            values["AWS_ENDPOINT_URL_S3"] = s3
    return values
