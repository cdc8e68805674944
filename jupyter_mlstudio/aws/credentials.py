"""The studio's access keys and AWS identity (region, account), under its home.

On first start the studio writes a key pair to ``<home>/aws-credentials.json`` (mode
0600); every start records there the region and account it answers as, so that
``mlstudio credentials --env`` can print what a shell needs. Region and account come
from the ``StudioApp.aws_region`` / ``aws_account_id`` traitlets, else
``MLSTUDIO_AWS_REGION`` / ``MLSTUDIO_AWS_ACCOUNT_ID``, else ``us-east-1`` and
``000000000000``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import ValidationError

CREDENTIALS_FILE = "aws-credentials.json"
ENV_REGION = "MLSTUDIO_AWS_REGION"
ENV_ACCOUNT_ID = "MLSTUDIO_AWS_ACCOUNT_ID"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "000000000000"
#: the path under the Jupyter server's base URL where the API answers
API_PATH = "mlstudio/aws"

_REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
_ACCOUNT_RE = re.compile(r"\d{12}")
_KEY_ALPHABET = string.ascii_uppercase + "234567"


@dataclass(frozen=True)
class AwsIdentity:
    """What the studio answers as, and the key pair it accepts.

    Attributes:
        access_key_id: The studio's access key id.
        secret_access_key: Its secret.
        region: The region in ARNs and the one ``credentials --env`` prints.
        account_id: The account in ARNs and in GetCallerIdentity.
    """

    access_key_id: str
    secret_access_key: str
    region: str
    account_id: str

    @property
    def secrets(self) -> dict[str, str]:
        """Secret access key by access key id (what SigV4 verification needs)."""
        return {self.access_key_id: self.secret_access_key}


def resolve_region(value: str | None = None) -> str:
    """The region: ``value``, else ``MLSTUDIO_AWS_REGION``, else ``us-east-1``.

    Raises:
        ValidationError: not a region name (``eu-west-1``).
    """
    region = value or os.environ.get(ENV_REGION) or DEFAULT_REGION
    if not _REGION_RE.fullmatch(region):
        raise ValidationError(f"{region!r} is not an AWS region name", field="aws_region")
    return region


def resolve_account_id(value: str | None = None) -> str:
    """The account id: ``value``, else ``MLSTUDIO_AWS_ACCOUNT_ID``, else twelve zeros.

    Raises:
        ValidationError: not twelve digits.
    """
    account = value or os.environ.get(ENV_ACCOUNT_ID) or DEFAULT_ACCOUNT_ID
    if not _ACCOUNT_RE.fullmatch(account):
        raise ValidationError(f"{account!r} is not 12 digits", field="aws_account_id")
    return account


def credentials_path(home: Path) -> Path:
    """Where a home's key pair lives."""
    return home / CREDENTIALS_FILE


def read_identity(home: Path) -> AwsIdentity | None:
    """The home's key pair and last recorded region and account; None if none was written.

    Args:
        home: The studio home.
    """
    try:
        data = json.loads(credentials_path(home).read_text())
        return AwsIdentity(
            access_key_id=str(data["AccessKeyId"]),
            secret_access_key=str(data["SecretAccessKey"]),
            region=str(data.get("Region") or DEFAULT_REGION),
            account_id=str(data.get("AccountId") or DEFAULT_ACCOUNT_ID),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def open_identity(home: Path, *, region: str, account_id: str) -> AwsIdentity:
    """The home's key pair (written on first use, mode 0600), recording ``region`` and
    ``account_id`` beside it.

    Args:
        home: The studio home.
        region: The region the studio answers as.
        account_id: The account it answers as.

    Returns:
        The identity the API uses.
    """
    known = read_identity(home)
    if known is None:
        known = _create(credentials_path(home), region, account_id)
    identity = AwsIdentity(known.access_key_id, known.secret_access_key, region, account_id)
    if identity != known:
        _write(credentials_path(home), identity)
    return identity


def _create(path: Path, region: str, account_id: str) -> AwsIdentity:
    """Write a new key pair, unless another process just did (then read its pair)."""
    identity = AwsIdentity(
        access_key_id="AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16)),
        secret_access_key=secrets.token_urlsafe(30)[:40],
        region=region,
        account_id=account_id,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        existing = read_identity(path.parent)
        if existing is not None:
            return existing  # another process wrote its pair first
    _write(path, identity)  # claimed (or unreadable: replaced)
    return identity


def _write(path: Path, identity: AwsIdentity) -> None:
    """Replace the file atomically; it is never readable by others, even briefly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(
            {
                "AccessKeyId": identity.access_key_id,
                "SecretAccessKey": identity.secret_access_key,
                "Region": identity.region,
                "AccountId": identity.account_id,
            },
            handle,
            indent=2,
        )
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
