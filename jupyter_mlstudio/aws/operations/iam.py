"""IAM: SimulatePrincipalPolicy and GetRole, for the SageMaker SDK v3's role checks.

``sagemaker.train.ModelTrainer`` validates its execution role before it creates a job
(``sagemaker.core.helper.iam_role_resolver``): it simulates the role's policies for the
actions training needs and reads the role's trust policy, with a plain ``iam`` client
(``AWS_ENDPOINT_URL_IAM`` reaches the studio). The studio enforces no IAM: a job runs
with whatever role ARN it names. So every role exists, trusts SageMaker, and is allowed
every action on every resource; the answers say so rather than refuse the SDK.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from ..registry import IAM, Call

#: a role's trust policy: SageMaker may assume it (what the SDK checks)
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
#: when every role was "created": the studio keeps no roles
EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)


@IAM.operation("SimulatePrincipalPolicy")
def simulate_principal_policy(call: Call) -> dict[str, Any]:
    """Every action allowed, on each resource asked about (or ``*``).

    Args:
        call: A SimulatePrincipalPolicy request.

    Returns:
        ``EvaluationResults`` (one per action), ``IsTruncated`` false.
    """
    resources = call.params.get("ResourceArns") or ["*"]
    results = [
        {
            "EvalActionName": action,
            "EvalResourceName": resource,
            "EvalDecision": "allowed",
            "MatchedStatements": [],
            "MissingContextValues": [],
        }
        for action in call.params["ActionNames"]
        for resource in resources
    ]
    return {"EvaluationResults": results, "IsTruncated": False}


@IAM.operation("GetRole")
def get_role(call: Call) -> dict[str, Any]:
    """The role called ``RoleName``: any name is a role, trusted by SageMaker.

    Args:
        call: A GetRole request.

    Returns:
        ``Role`` (ARN in the studio's account, path ``/``, the trust policy URL-encoded
        as IAM sends it).
    """
    name = call.params["RoleName"]
    digest = hashlib.sha256(f"{call.account_id}/{name}".encode()).hexdigest()
    return {
        "Role": {
            "Path": "/",
            "RoleName": name,
            "RoleId": f"AROA{digest[:17].upper()}",
            "Arn": f"arn:aws:iam::{call.account_id}:role/{name}",
            "CreateDate": EPOCH,
            "AssumeRolePolicyDocument": quote(json.dumps(TRUST_POLICY)),
            "MaxSessionDuration": 3600,
        }
    }
