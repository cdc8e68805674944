"""``Statistics``, ``Constraints`` and ``ConstraintViolations`` with the names of
``sagemaker.model_monitor`` (SDK v2): the JSON files of baselines and monitoring
executions, read from and saved to their URIs.

A URI is ``s3://bucket/key`` (through the S3 artifact store), ``file:///path`` or a local
path. ``from_string``/``from_file_path`` keep the file where the studio reads it: a file
given by path stays where it is (its absolute path is its URI); a string is written under
the studio home's ``monitoring/<uuid>/`` (SageMaker uploads both to the default bucket).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, TypeVar

from ...artifacts import open_artifact_store, transfer
from ...config import resolve_config
from ...exceptions import NotFoundError, ValidationError

STATISTICS_JSON_DEFAULT_FILE_NAME = "statistics.json"
CONSTRAINTS_JSON_DEFAULT_FILE_NAME = "constraints.json"
CONSTRAINT_VIOLATIONS_JSON_DEFAULT_FILE_NAME = "constraint_violations.json"

_File = TypeVar("_File", bound="ModelMonitoringFile")


def join_uri(folder: str, name: str) -> str:
    """``folder/name`` for a URI or a path.

    Args:
        folder: A folder's URI or path.
        name: A file name (or relative path) below it.

    Returns:
        The file's URI or path.
    """
    return f"{folder.rstrip('/')}/{name.lstrip('/')}"


def _split(uri: str) -> tuple[str, str]:
    folder, _, name = uri.rstrip("/").rpartition("/")
    if not folder or not name or folder.lower() in ("s3:", "s3:/"):
        raise ValidationError(f"{uri!r} does not name a file", field="file_s3_uri")
    return folder, name


def read_uri(uri: str) -> bytes:
    """The bytes of the file at ``uri``.

    Args:
        uri: ``s3://bucket/key``, ``file:///path`` or a local path.

    Returns:
        The file's content.

    Raises:
        NotFoundError: No such file.
        ValidationError: An unsupported scheme.
    """
    if transfer.is_s3(uri):
        folder, name = _split(uri)
        with open_artifact_store(folder) as store:
            return store.get_bytes(name)
    path = transfer.local_path(uri, field="file_s3_uri")
    if not path.is_file():
        raise NotFoundError(f"{uri} does not exist")
    return path.read_bytes()


def write_uri(uri: str, data: bytes) -> str:
    """Put ``data`` at ``uri`` (replacing what is there).

    Args:
        uri: ``s3://bucket/key``, ``file:///path`` or a local path.
        data: The content.

    Returns:
        ``uri``.
    """
    if transfer.is_s3(uri):
        folder, name = _split(uri)
        with open_artifact_store(folder) as store:
            store.put_bytes(name, data, "application/json")
        return uri
    path = transfer.local_path(uri, field="file_s3_uri")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return uri


def _location(uri: str) -> str:
    """A local path made absolute; URIs as they are."""
    return uri if "://" in uri else os.path.abspath(os.path.expanduser(uri))


def _new_location(file_name: str) -> str:
    """Where a file made from a string is kept: ``<home>/monitoring/<uuid>/<file_name>``."""
    return str(Path(resolve_config().home) / "monitoring" / str(uuid.uuid4()) / file_name)


class ModelMonitoringFile:
    """A JSON file of Model Monitor: its content and where it is.

    Args:
        body_dict: The parsed JSON.
        file_s3_uri: Its URI (``s3://``, ``file://`` or a local path).
        kms_key: Accepted for SageMaker compatibility and not used (no KMS here).
        sagemaker_session: Accepted for SageMaker compatibility (files are read and
            written where their URI says).
    """

    def __init__(
        self,
        body_dict: dict[str, Any],
        file_s3_uri: str | None,
        kms_key: str | None,
        sagemaker_session: Any,
    ) -> None:
        self.body_dict = body_dict
        self.file_s3_uri = file_s3_uri
        self.kms_key = kms_key
        self.session = sagemaker_session

    def save(self, new_save_location_s3_uri: str | None = None) -> str:
        """Write :attr:`body_dict` as JSON to the file's URI (or to a new one, which then
        becomes its URI).

        Args:
            new_save_location_s3_uri: Where to save it instead (``s3://``, ``file://`` or a
                local path).

        Returns:
            The URI it was saved to.

        Raises:
            ValidationError: No URI to save to.
        """
        if new_save_location_s3_uri is not None:
            self.file_s3_uri = _location(new_save_location_s3_uri)
        if not self.file_s3_uri:
            raise ValidationError("give new_save_location_s3_uri", field="new_save_location_s3_uri")
        return write_uri(self.file_s3_uri, json.dumps(self.body_dict).encode())

    @classmethod
    def _read(cls: type[_File], uri: str, kms_key: str | None, session: Any) -> _File:
        uri = _location(uri)
        try:
            body = json.loads(read_uri(uri))
        except ValueError as exc:
            raise ValidationError(f"{uri} is not JSON: {exc}", field="file_s3_uri") from None
        return cls(body, uri, kms_key, session)

    @classmethod
    def _keep_string(
        cls: type[_File], text: str, file_name: str, kms_key: str | None, session: Any
    ) -> _File:
        uri = write_uri(_new_location(file_name), text.encode())
        return cls._read(uri, kms_key, session)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.file_s3_uri!r})"


class Statistics(ModelMonitoringFile):
    """A ``statistics.json``: a dataset's profile (per feature its type, completeness and
    numerical or string statistics).

    Args:
        body_dict: The parsed JSON.
        statistics_file_s3_uri: Its URI.
        kms_key: Accepted for SageMaker compatibility and not used.
        sagemaker_session: Accepted for SageMaker compatibility.
    """

    def __init__(
        self,
        body_dict: dict[str, Any],
        statistics_file_s3_uri: str | None,
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> None:
        super().__init__(body_dict, statistics_file_s3_uri, kms_key, sagemaker_session)

    @classmethod
    def from_s3_uri(
        cls, statistics_file_s3_uri: str, kms_key: str | None = None, sagemaker_session: Any = None
    ) -> Statistics:
        """Read a statistics file.

        Args:
            statistics_file_s3_uri: Its URI (``s3://``, ``file://`` or a local path).
            kms_key: Accepted for SageMaker compatibility and not used.
            sagemaker_session: Accepted for SageMaker compatibility.

        Returns:
            The file.

        Raises:
            NotFoundError: No such file.
        """
        return cls._read(statistics_file_s3_uri, kms_key, sagemaker_session)

    @classmethod
    def from_string(
        cls,
        statistics_file_string: str,
        kms_key: str | None = None,
        file_name: str | None = None,
        sagemaker_session: Any = None,
    ) -> Statistics:
        """Keep a statistics file given as text (under the studio home's ``monitoring/``).

        Args:
            statistics_file_string: The JSON.
            kms_key: Accepted for SageMaker compatibility and not used.
            file_name: The file's name (default ``statistics.json``).
            sagemaker_session: Accepted for SageMaker compatibility.

        Returns:
            The file.
        """
        name = file_name or STATISTICS_JSON_DEFAULT_FILE_NAME
        return cls._keep_string(statistics_file_string, name, kms_key, sagemaker_session)

    @classmethod
    def from_file_path(
        cls, statistics_file_path: str, kms_key: str | None = None, sagemaker_session: Any = None
    ) -> Statistics:
        """Read a local statistics file (the studio reads it where it is).

        Args:
            statistics_file_path: The file.
            kms_key: Accepted for SageMaker compatibility and not used.
            sagemaker_session: Accepted for SageMaker compatibility.

        Returns:
            The file.
        """
        return cls._read(statistics_file_path, kms_key, sagemaker_session)


class Constraints(ModelMonitoringFile):
    """A ``constraints.json``: what monitoring executions check (per feature its type,
    completeness, domains; ``monitoring_config`` with the drift threshold).

    Args:
        body_dict: The parsed JSON.
        constraints_file_s3_uri: Its URI.
        kms_key: Accepted for SageMaker compatibility and not used.
        sagemaker_session: Accepted for SageMaker compatibility.
    """

    def __init__(
        self,
        body_dict: dict[str, Any],
        constraints_file_s3_uri: str | None,
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> None:
        super().__init__(body_dict, constraints_file_s3_uri, kms_key, sagemaker_session)

    @classmethod
    def from_s3_uri(
        cls,
        constraints_file_s3_uri: str,
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> Constraints:
        """Read a constraints file.

        Args:
            constraints_file_s3_uri: Its URI (``s3://``, ``file://`` or a local path).
            kms_key: Accepted for SageMaker compatibility and not used.
            sagemaker_session: Accepted for SageMaker compatibility.

        Returns:
            The file.

        Raises:
            NotFoundError: No such file.
        """
        return cls._read(constraints_file_s3_uri, kms_key, sagemaker_session)

    @classmethod
    def from_string(
        cls,
        constraints_file_string: str,
        kms_key: str | None = None,
        file_name: str | None = None,
        sagemaker_session: Any = None,
    ) -> Constraints:
        """Keep a constraints file given as text (under the studio home's ``monitoring/``).

        Args:
            constraints_file_string: The JSON.
            kms_key: Accepted for SageMaker compatibility and not used.
            file_name: The file's name (default ``constraints.json``).
            sagemaker_session: Accepted for SageMaker compatibility.

        Returns:
            The file.
        """
        name = file_name or CONSTRAINTS_JSON_DEFAULT_FILE_NAME
        return cls._keep_string(constraints_file_string, name, kms_key, sagemaker_session)

    @classmethod
    def from_file_path(
        cls,
        constraints_file_path: str,
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> Constraints:
        """Read a local constraints file (the studio reads it where it is).

        Args:
            constraints_file_path: The file.
            kms_key: Accepted for SageMaker compatibility and not used.
            sagemaker_session: Accepted for SageMaker compatibility.

        Returns:
            The file.
        """
        return cls._read(constraints_file_path, kms_key, sagemaker_session)

    def set_monitoring(self, enable_monitoring: bool, feature_name: str | None = None) -> None:
        """Turn the checks on or off: of the whole file, or of one feature (call
        :meth:`save` to write the change).

        Args:
            enable_monitoring: Check (``Enabled``) or not (``Disabled``).
            feature_name: The feature; None sets the file's
                ``monitoring_config.evaluate_constraints``.
        """
        flag = "Enabled" if enable_monitoring else "Disabled"
        if feature_name is None:
            self.body_dict.setdefault("monitoring_config", {})["evaluate_constraints"] = flag
            return
        for feature in self.body_dict.get("features") or ():
            if feature.get("name") == feature_name:
                overrides = feature.get("monitoring_config_overrides") or {}
                overrides["evaluate_constraints"] = flag
                feature["monitoring_config_overrides"] = overrides


class ConstraintViolations(ModelMonitoringFile):
    """A ``constraint_violations.json``: what a monitoring execution found
    (``violations``: ``feature_name``, ``constraint_check_type``, ``description``).

    Args:
        body_dict: The parsed JSON.
        constraint_violations_file_s3_uri: Its URI.
        kms_key: Accepted for SageMaker compatibility and not used.
        sagemaker_session: Accepted for SageMaker compatibility.
    """

    def __init__(
        self,
        body_dict: dict[str, Any],
        constraint_violations_file_s3_uri: str | None,
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> None:
        super().__init__(body_dict, constraint_violations_file_s3_uri, kms_key, sagemaker_session)

    @classmethod
    def from_s3_uri(
        cls,
        constraint_violations_file_s3_uri: str,
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> ConstraintViolations:
        """Read a constraint violations file.

        Args:
            constraint_violations_file_s3_uri: Its URI (``s3://``, ``file://`` or a path).
            kms_key: Accepted for SageMaker compatibility and not used.
            sagemaker_session: Accepted for SageMaker compatibility.

        Returns:
            The file.

        Raises:
            NotFoundError: No such file.
        """
        return cls._read(constraint_violations_file_s3_uri, kms_key, sagemaker_session)

    @classmethod
    def from_string(
        cls,
        constraint_violations_file_string: str,
        kms_key: str | None = None,
        file_name: str | None = None,
        sagemaker_session: Any = None,
    ) -> ConstraintViolations:
        """Keep a constraint violations file given as text (under the studio home's
        ``monitoring/``).

        Args:
            constraint_violations_file_string: The JSON.
            kms_key: Accepted for SageMaker compatibility and not used.
            file_name: The file's name (default ``constraint_violations.json``).
            sagemaker_session: Accepted for SageMaker compatibility.

        Returns:
            The file.
        """
        name = file_name or CONSTRAINT_VIOLATIONS_JSON_DEFAULT_FILE_NAME
        return cls._keep_string(constraint_violations_file_string, name, kms_key, sagemaker_session)

    @classmethod
    def from_file_path(
        cls,
        constraint_violations_file_path: str,
        kms_key: str | None = None,
        sagemaker_session: Any = None,
    ) -> ConstraintViolations:
        """Read a local constraint violations file.

        Args:
            constraint_violations_file_path: The file.
            kms_key: Accepted for SageMaker compatibility and not used.
            sagemaker_session: Accepted for SageMaker compatibility.

        Returns:
            The file.
        """
        return cls._read(constraint_violations_file_path, kms_key, sagemaker_session)
