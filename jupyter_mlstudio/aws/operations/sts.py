"""STS: GetCallerIdentity (the SageMaker SDKs call it to learn the account)."""

from __future__ import annotations

from typing import Any

from ..registry import STS, Call


@STS.operation("GetCallerIdentity")
def get_caller_identity(call: Call) -> dict[str, Any]:
    """The studio's account, and the caller as an IAM user of it.

    Args:
        call: The request (no parameters).

    Returns:
        ``UserId``, ``Account`` and ``Arn``.
    """
    user = call.caller.user_id
    return {
        "UserId": user,
        "Account": call.account_id,
        "Arn": f"arn:aws:iam::{call.account_id}:user/mlstudio",
    }
