"""The SageMaker Python SDK's configuration file for a studio: its default bucket.

The SDK v2 names its default bucket ``sagemaker-<region>-<account>`` after asking STS for
the account, with a client it gives the regional AWS URL explicitly
(``sagemaker.utils.sts_regional_endpoint``): ``AWS_ENDPOINT_URL_STS`` does not reach it,
and neither does ``Session.account_id()``. A bucket named in the SDK's configuration
(``SageMaker.PythonSDK.Modules.Session.DefaultS3Bucket``) skips both calls, so the
studio writes that file under its home and ``mlstudio credentials --env`` points
``SAGEMAKER_ADMIN_CONFIG_OVERRIDE`` at it: the admin level, so that a user's own
``~/.config/sagemaker/config.yaml`` still applies on top of it. The file also opts out
of the SDK's telemetry (a GET to an AWS bucket after each call): nothing leaves the
machine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .credentials import AwsIdentity

#: the file under the studio's home (YAML; JSON is YAML)
SDK_CONFIG_FILE = "sagemaker-sdk-config.yaml"
#: the SDK's variable that replaces its admin-level configuration file
ENV_ADMIN_CONFIG = "SAGEMAKER_ADMIN_CONFIG_OVERRIDE"


def default_bucket(identity: AwsIdentity) -> str:
    """The bucket the SDK would choose on AWS: ``sagemaker-<region>-<account>``.

    Args:
        identity: The studio's region and account.

    Returns:
        The bucket's name.
    """
    return f"sagemaker-{identity.region}-{identity.account_id}"


def write_sdk_config(home: Path, identity: AwsIdentity) -> Path:
    """Write (or refresh) the SDK's configuration file under ``home``.

    Args:
        home: The studio's home.
        identity: The studio's region and account (the default bucket's name).

    Returns:
        The file's path.
    """
    config = {
        "SchemaVersion": "1.0",
        "SageMaker": {
            "PythonSDK": {
                "Modules": {
                    "Session": {"DefaultS3Bucket": default_bucket(identity)},
                    "TelemetryOptOut": True,
                }
            }
        },
    }
    text = json.dumps(config, indent=2) + "\n"
    path = home / SDK_CONFIG_FILE
    if not path.is_file() or path.read_text() != text:
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(text)
        partial.replace(path)
    return path
