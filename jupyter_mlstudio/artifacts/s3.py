"""Artifacts in an S3 bucket (``s3://bucket/prefix``) through boto3.

Works with AWS S3 and S3-compatible servers (SeaweedFS, MinIO, ...). The endpoint is
the ``endpoint_url`` argument, or whatever botocore finds itself: ``AWS_ENDPOINT_URL_S3``,
``AWS_ENDPOINT_URL`` or the AWS config file; credentials and region come from the usual
AWS chain. With a custom endpoint, path-style addressing is used (what S3-compatible
servers expect). Large files go through boto3's managed transfers (multipart above
``multipart_threshold``). Objects are written without server-side-encryption arguments
(the bucket's default applies); ``aws:kms`` is never requested.

One boto3 client is created per store; boto3 clients are thread-safe, so one store may be
shared by many threads.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn
from urllib.parse import urlparse

import boto3
import botocore.session
from boto3.exceptions import RetriesExceededError, S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from urllib3.exceptions import HTTPError as Urllib3HTTPError

from ..botocore_models import isolated_session, shared_loader
from ..exceptions import (
    ArtifactPathError,
    NotFoundError,
    StoreUnavailableError,
    StudioError,
    ValidationError,
)
from .base import (
    ArtifactHealth,
    ArtifactInfo,
    ArtifactList,
    ArtifactStore,
    BytesLike,
    LocalPath,
    PathList,
    guess_content_type,
    join_path,
    local_source_file,
    local_source_tree,
    local_target,
    normalize_path,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectTypeDef

_MB = 1024 * 1024
_NOT_FOUND = {"NoSuchKey", "NotFound", "404"}
_DENIED = {"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"}
_UNAVAILABLE = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"}


def parse_s3_uri(uri: str, *, field: str = "artifact_root") -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ``("bucket", "some/prefix")``; ``ValidationError``
    (``field``) for anything else."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValidationError(f"expected s3://bucket[/prefix], got {uri!r}", field=field)
    if parsed.query or parsed.fragment or parsed.params or "@" in parsed.netloc:
        raise ValidationError(
            f"an S3 artifact root has no credentials, query or fragment: {uri!r}", field=field
        )
    bucket = parsed.netloc
    if not 3 <= len(bucket) <= 63 or not all(c.isalnum() or c in "-._" for c in bucket):
        raise ValidationError(f"invalid S3 bucket name {bucket!r} in {uri!r}", field=field)
    try:
        prefix = normalize_path(parsed.path.lstrip("/"), field=field, allow_root=True)
    except ArtifactPathError as exc:
        raise ValidationError(f"invalid prefix in {uri!r}: {exc.message}", field=field) from exc
    return bucket, prefix


@dataclass(frozen=True)
class S3Server:
    """An S3 server and the key pair to sign in with (the studio's embedded S3).

    Attributes:
        endpoint_url: Where it answers (``http://127.0.0.1:PORT``).
        access_key_id: The access key id it accepts.
        secret_access_key: Its secret.
        region: The region to sign for.
    """

    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"


_default_server: S3Server | None = None


def use_default_server(server: S3Server | None) -> None:
    """Make ``server`` what stores in this process use when nothing configures an S3
    endpoint (no ``endpoint_url`` argument, ``AWS_ENDPOINT_URL_S3`` or
    ``AWS_ENDPOINT_URL``); None goes back to botocore's own lookup.

    Args:
        server: The server (the studio's embedded S3), or None.
    """
    global _default_server
    _default_server = server


def default_server() -> S3Server | None:
    """The server set by :func:`use_default_server`, if any."""
    return _default_server


def configured_endpoint() -> str | None:
    """The S3 endpoint the environment configures, if any."""
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def _custom_endpoint(endpoint_url: str | None) -> bool:
    return bool(endpoint_url or configured_endpoint())


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(timezone.utc) if moment is not None else None


def _new_session(*, isolated: bool = False) -> boto3.session.Session:
    """A fresh boto3 session (credentials and settings are read anew) that shares the
    parsed service models, so that opening a store takes milliseconds, not 0.2 s;
    ``isolated``: one that reads no profile from the environment (the studio's own S3)."""
    if isolated:
        return boto3.session.Session(botocore_session=isolated_session())
    core = botocore.session.Session()
    core.register_component("data_loader", shared_loader())
    return boto3.session.Session(botocore_session=core)


class _S3Reader(io.RawIOBase):
    """A raw reader over a ``StreamingBody`` that reports failures as the contract says."""

    def __init__(self, body: Any, uri: str) -> None:
        self._body = body
        self._uri = uri

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._body.read(len(buffer))
        except (BotoCoreError, Urllib3HTTPError, OSError) as exc:
            raise StoreUnavailableError(f"reading {self._uri} failed: {exc}") from exc
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(Exception):
                self._body.close()
        super().close()


class S3ArtifactStore(ArtifactStore):
    """Artifacts as objects below ``s3://bucket/prefix``."""

    backend = "s3"

    def __init__(
        self,
        uri: str,
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        client: S3Client | None = None,
        client_config: Config | None = None,
        transfer_config: TransferConfig | None = None,
        max_workers: int = 8,
    ) -> None:
        """Address ``uri`` (``s3://bucket[/prefix]``).

        ``client`` replaces the boto3 client built here (then ``endpoint_url``,
        ``region_name`` and ``client_config`` are ignored). ``client_config`` is merged
        over the defaults (3 attempts in standard retry mode, 5 s to connect, 60 s to
        read). ``max_workers`` bounds the parallel transfers of ``put_dir`` and
        ``download_dir``.

        Raises:
            ValidationError: ``uri`` is not a valid S3 URI (``field="artifact_root"``).
        """
        self._bucket, self._prefix = parse_s3_uri(uri)
        self._max_workers = max(1, max_workers)
        self._transfer = transfer_config or TransferConfig(
            multipart_threshold=8 * _MB, multipart_chunksize=8 * _MB, max_concurrency=4
        )
        self._owns_client = client is None
        access_key: str | None = None
        secret_key: str | None = None
        default = _default_server
        if client is None and endpoint_url is None and default and not configured_endpoint():
            endpoint_url = default.endpoint_url
            region_name = region_name or default.region
            access_key, secret_key = default.access_key_id, default.secret_access_key
        if client is None:
            config = Config(
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=5,
                read_timeout=60,
                s3={"addressing_style": "path" if _custom_endpoint(endpoint_url) else "auto"},
            )
            if client_config is not None:
                config = config.merge(client_config)
            client = _new_session(isolated=access_key is not None).client(
                "s3",
                endpoint_url=endpoint_url,
                region_name=region_name,
                config=config,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
            )
        self._client: S3Client = client

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def prefix(self) -> str:
        """The root's key prefix inside the bucket (``""`` for the whole bucket)."""
        return self._prefix

    @property
    def client(self) -> S3Client:
        """The boto3 client (for presigned URLs and the like)."""
        return self._client

    @property
    def root_uri(self) -> str:
        return f"s3://{self._bucket}/{self._prefix}" if self._prefix else f"s3://{self._bucket}"

    def uri_for(self, path: str = "") -> str:
        key = normalize_path(path, allow_root=True)
        return f"s3://{self._bucket}/{join_path(self._prefix, key)}" if key else self.root_uri

    def key_for(self, path: str, *, field: str = "path", allow_root: bool = False) -> str:
        """The object key of ``path`` (raises ``ArtifactPathError`` for a bad path)."""
        return join_path(self._prefix, normalize_path(path, field=field, allow_root=allow_root))

    def _folder_key(self, path: str, *, field: str, allow_root: bool) -> str:
        key = self.key_for(path, field=field, allow_root=allow_root)
        return f"{key}/" if key else ""

    def _path_of(self, key: str) -> str | None:
        """The artifact path of an object key, or ``None`` if it is not a valid one."""
        root = f"{self._prefix}/" if self._prefix else ""
        if not key.startswith(root) or key.endswith("/"):
            return None
        try:
            return normalize_path(key[len(root) :])
        except ArtifactPathError:
            return None

    # -- errors ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self, path: str | None = None) -> Iterator[None]:
        """Translate boto3 and botocore errors into the contract's."""
        try:
            yield
        except StudioError:
            raise
        except ClientError as exc:
            self._raise_client_error(exc, path)
        except (S3UploadFailedError, RetriesExceededError) as exc:
            cause = getattr(exc, "last_exception", None) or exc.__context__
            if isinstance(cause, ClientError):
                self._raise_client_error(cause, path)
            raise StoreUnavailableError(f"transfer to {self.root_uri} failed: {exc}") from exc
        except (NoCredentialsError, PartialCredentialsError) as exc:
            raise StoreUnavailableError(
                f"no usable AWS credentials for {self.root_uri}: {exc}"
            ) from exc
        except (ConnectionError, HTTPClientError) as exc:
            raise StoreUnavailableError(f"cannot reach {self.root_uri}: {exc}") from exc
        except BotoCoreError as exc:
            raise StudioError(f"S3 request for {self.root_uri} failed: {exc}") from exc

    def _raise_client_error(self, exc: ClientError, path: str | None) -> NoReturn:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        message = error.get("Message") or code
        if code == "NoSuchBucket":
            raise NotFoundError(
                f"S3 bucket {self._bucket!r} does not exist (artifact root {self.root_uri})"
            ) from exc
        if code in _NOT_FOUND or status == 404:
            what = f"artifact {path!r}" if path is not None else "object"
            raise NotFoundError(f"{what} not found in {self.root_uri}") from exc
        if code in _DENIED or status == 403:
            raise StoreUnavailableError(
                f"access to {self.root_uri} denied ({code}); check the AWS credentials"
            ) from exc
        if code in _UNAVAILABLE or status >= 500:
            raise StoreUnavailableError(f"S3 at {self.root_uri} failed: {message}") from exc
        raise StudioError(f"S3 request for {self.root_uri} failed: {code}: {message}") from exc

    # -- writing --------------------------------------------------------------------

    def _extra_args(self, path: str, content_type: str | None) -> dict[str, Any]:
        media_type = content_type or guess_content_type(path)
        return {"ContentType": media_type} if media_type else {}

    def put_bytes(self, path: str, data: BytesLike, content_type: str | None = None) -> None:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ValidationError(
                f"artifact data must be bytes, got {type(data).__name__}", field="data"
            )
        key = self.key_for(path)
        with self._errors(path):
            self._client.upload_fileobj(
                io.BytesIO(data),
                self._bucket,
                key,
                ExtraArgs=self._extra_args(path, content_type),
                Config=self._transfer,
            )

    def put_file(self, path: str, local_file: LocalPath, content_type: str | None = None) -> None:
        source = local_source_file(local_file)
        key = self.key_for(path)
        with self._errors(path):
            self._client.upload_file(
                source,
                self._bucket,
                key,
                ExtraArgs=self._extra_args(path, content_type),
                Config=self._transfer,
            )

    def put_dir(self, prefix: str, local_dir: LocalPath) -> PathList:
        base = normalize_path(prefix, field="prefix", allow_root=True)
        jobs = [(join_path(base, rel), source) for rel, source in local_source_tree(local_dir)]
        with ThreadPoolExecutor(max_workers=self._max_workers) as pool:
            for _ in pool.map(lambda job: self.put_file(*job), jobs):
                pass
        return [key for key, _ in jobs]

    # -- reading --------------------------------------------------------------------

    def get_bytes(self, path: str) -> bytes:
        key = self.key_for(path)
        with self._errors(path):
            response = self._client.get_object(Bucket=self._bucket, Key=key)
            with contextlib.closing(response["Body"]) as body:
                return body.read()

    def open_read(self, path: str) -> BinaryIO:
        key = self.key_for(path)
        with self._errors(path):
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        return io.BufferedReader(_S3Reader(response["Body"], self.uri_for(path)), _MB)

    def download_file(self, path: str, local_file: LocalPath) -> None:
        key = self.key_for(path)
        target = Path(os.fspath(local_file))
        with self._errors(path):
            # Look first, so that a missing artifact creates no local folder.
            self._client.head_object(Bucket=self._bucket, Key=key)
            self._client.download_file(
                self._bucket, key, str(local_target(target)), Config=self._transfer
            )

    def download_dir(self, prefix: str, local_dir: LocalPath) -> PathList:
        base = normalize_path(prefix, field="prefix", allow_root=True)
        paths = [entry.path for entry in self.list(base, recursive=True)]
        if not paths:
            raise NotFoundError(f"no artifacts below {base!r} in {self.root_uri}")

        def fetch(path: str) -> None:
            rel = path[len(base) + 1 :] if base else path
            self.download_file(path, Path(os.fspath(local_dir), *rel.split("/")))

        with ThreadPoolExecutor(max_workers=self._max_workers) as pool:
            for _ in pool.map(fetch, paths):
                pass
        return paths

    # -- inspecting -----------------------------------------------------------------

    def exists(self, path: str) -> bool:
        try:
            self.stat(path)
        except NotFoundError:
            return False
        return True

    def stat(self, path: str) -> ArtifactInfo:
        key = self.key_for(path)
        normal = normalize_path(path)
        with self._errors(path):
            try:
                head = self._client.head_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
                    raise
            else:
                return ArtifactInfo(
                    path=normal,
                    is_dir=False,
                    size=head["ContentLength"],
                    modified=_utc(head.get("LastModified")),
                    content_type=head.get("ContentType") or guess_content_type(normal),
                )
            if self._has_objects_below(f"{key}/"):
                return ArtifactInfo(path=normal, is_dir=True)
        raise NotFoundError(f"artifact {path!r} not found in {self.root_uri}")

    def _has_objects_below(self, folder_key: str) -> bool:
        """Whether a real object (not a folder marker ending in ``/``) is below a key."""
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=folder_key, PaginationConfig={"PageSize": 100}
        )
        return any(
            not item["Key"].endswith("/") for page in pages for item in page.get("Contents", [])
        )

    def _objects(self, folder_key: str, *, delimiter: bool) -> Iterator[dict[str, Any]]:
        """Pages of ``list_objects_v2`` below a folder key."""
        arguments: dict[str, Any] = {"Bucket": self._bucket, "Prefix": folder_key}
        if delimiter:
            arguments["Delimiter"] = "/"
        for page in self._client.get_paginator("list_objects_v2").paginate(**arguments):
            yield dict(page)

    def list(self, prefix: str = "", recursive: bool = False) -> ArtifactList:
        folder_key = self._folder_key(prefix, field="prefix", allow_root=True)
        found: ArtifactList = []
        with self._errors(prefix):
            for page in self._objects(folder_key, delimiter=not recursive):
                for item in page.get("Contents", []):
                    entry = self._object_info(item)
                    if entry is not None:
                        found.append(entry)
                for common in page.get("CommonPrefixes", []):
                    folder = self._path_of(common.get("Prefix", "").rstrip("/"))
                    if folder is not None:
                        found.append(ArtifactInfo(path=folder, is_dir=True))
        return sorted(found, key=lambda info: (info.path, info.is_dir))

    def _object_info(self, item: ObjectTypeDef) -> ArtifactInfo | None:
        path = self._path_of(item["Key"])
        if path is None:
            return None
        return ArtifactInfo(
            path=path,
            is_dir=False,
            size=item.get("Size", 0),
            modified=_utc(item.get("LastModified")),
            content_type=guess_content_type(path),
        )

    # -- deleting -------------------------------------------------------------------

    def delete(self, path: str) -> None:
        if self.stat(path).is_dir:
            raise ValidationError(
                f"artifact path {path!r} is a folder; use delete_prefix", field="path"
            )
        with self._errors(path):
            self._client.delete_object(Bucket=self._bucket, Key=self.key_for(path))

    def delete_prefix(self, prefix: str) -> int:
        folder_key = self._folder_key(prefix, field="prefix", allow_root=False)
        count = 0
        with self._errors(prefix):
            for page in self._objects(folder_key, delimiter=False):
                keys = [item["Key"] for item in page.get("Contents", [])]
                if not keys:
                    continue
                response = self._client.delete_objects(
                    Bucket=self._bucket,
                    Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
                )
                errors = response.get("Errors", [])
                if errors:
                    first = errors[0]
                    raise StoreUnavailableError(
                        f"deleting below {self.uri_for(prefix)} failed for {len(errors)} "
                        f"objects, first {first.get('Key')!r}: {first.get('Message')}"
                    )
                count += sum(1 for key in keys if not key.endswith("/"))
        return count

    # -- lifecycle ------------------------------------------------------------------

    def health(self) -> ArtifactHealth:
        try:
            with self._errors():
                try:
                    self._client.head_bucket(Bucket=self._bucket)
                except ClientError as exc:
                    if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                        raise NotFoundError(f"S3 bucket {self._bucket!r} does not exist") from exc
                    raise
        except StudioError as exc:
            return ArtifactHealth(self.backend, self.root_uri, False, exc.message)
        except Exception as exc:  # never raises
            return ArtifactHealth(
                self.backend, self.root_uri, False, f"{type(exc).__name__}: {exc}"
            )
        return ArtifactHealth(self.backend, self.root_uri, True)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()
