"""Models and endpoint configurations: their records (:class:`HostingRecords`, the base of
the hosting service; nothing runs for them), what a model's container must name, and the
code snapshot."""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ...artifacts import transfer
from ...artifacts.base import ArtifactStore
from ...entities import (
    ContainerDefinition,
    EndpointConfig,
    Model,
    Page,
    ProductionVariant,
    validate_name,
)
from ...entities.common import ENDPOINT_NAME_MAX
from ...entities.endpoints import MAX_PIPELINE_CONTAINERS
from ...entities.registry import package_of
from ...exceptions import ConflictError, NotFoundError, StudioError, ValidationError
from ...hosting.capture import CaptureSettings
from ...hosting.instances import in_model_archive
from ...hosting.multi_model import MULTI_MODEL
from ...runtime.contract import resource_limits
from ...runtime.image_uris import resolve_image
from ...store.base import MetadataStore
from ..jobs.requests import parse_request
from .requests import (
    MAX_INSTANCES,
    MAX_VARIANTS,
    SERIAL,
    ContainerSpec,
    CreateEndpointConfigRequest,
    CreateModelRequest,
    tags_of,
)

log = logging.getLogger(__name__)

ENV_FIELD = "PrimaryContainer.Environment"


def check_container(
    container: ContainerSpec, where: str = "PrimaryContainer"
) -> tuple[str | None, str | None]:
    """The script-mode entry point and code location it names (either may be None);
    ValidationError names the field (below ``where``, e.g. ``Containers[1]``) when the
    container cannot be served."""
    check_mode(container)
    if container.ModelDataUrl:
        transfer.check_source(container.ModelDataUrl, field=f"{where}.ModelDataUrl")
    program = container.Environment.get("SAGEMAKER_PROGRAM")
    code = container.Environment.get("SAGEMAKER_SUBMIT_DIRECTORY")
    if not container.Image and not program and not container.ModelDataUrl:
        raise ValidationError(
            f"give {where}.Image, or script-mode code (Environment"
            " SAGEMAKER_PROGRAM and SAGEMAKER_SUBMIT_DIRECTORY), or ModelDataUrl",
            field=where,
        )
    if program and not code and not container.Image:
        raise ValidationError(
            "SAGEMAKER_PROGRAM needs SAGEMAKER_SUBMIT_DIRECTORY (the folder of the code)",
            field=f"{where}.Environment.SAGEMAKER_SUBMIT_DIRECTORY",
        )
    return program, code


def check_mode(container: ContainerSpec) -> None:
    """Check ``Mode`` and what it asks of the other fields.

    Args:
        container: The container as requested.

    Raises:
        ValidationError: An unknown ``PrimaryContainer.Mode``; MultiModel without a
            ``PrimaryContainer.ModelDataUrl`` prefix ending in ``/``; a
            ``PrimaryContainer.MultiModelConfig`` without Mode MultiModel.
    """
    if container.Mode not in (None, "SingleModel", MULTI_MODEL):
        raise ValidationError(
            f"Mode {container.Mode!r}: use SingleModel or {MULTI_MODEL}",
            field="PrimaryContainer.Mode",
        )
    if container.Mode != MULTI_MODEL:
        if container.MultiModelConfig is not None:
            raise ValidationError(
                f"MultiModelConfig needs Mode {MULTI_MODEL}",
                field="PrimaryContainer.MultiModelConfig",
            )
        return
    url = container.ModelDataUrl or ""
    if not url.endswith("/"):
        raise ValidationError(
            f"with Mode {MULTI_MODEL}, ModelDataUrl is the prefix (folder) of the model"
            f" archives and ends in '/' (got {url or 'none'!r})",
            field="PrimaryContainer.ModelDataUrl",
        )


def snapshot_code(
    artifacts: ArtifactStore,
    model_name: str,
    code: str,
    program: str | None,
    env_field: str = ENV_FIELD,
) -> tuple[str, str | None]:
    """``(SAGEMAKER_SUBMIT_DIRECTORY to record, artifact prefix written or None)``: a local
    code folder is packed into the artifact store (later edits do not change the model); a
    ``.tar.gz`` or URI is checked and kept as given, and so is ``/opt/ml/model/code`` (the
    model archive's own code, where the SDKs repack it). ``env_field`` names the container's
    Environment in errors."""
    field = f"{env_field}.SAGEMAKER_SUBMIT_DIRECTORY"
    if transfer.is_s3(code) or in_model_archive(code):
        return code, None
    path = transfer.local_path(code, field=field)
    if not path.exists():
        raise ValidationError(f"{field}: {path} does not exist", field=field)
    if not path.is_dir():
        return path.as_uri(), None
    if program and not (path / program).is_file():
        raise ValidationError(
            f"the entry point {program!r} is not in {path}", field=f"{env_field}.SAGEMAKER_PROGRAM"
        )
    prefix = f"models/{model_name}/{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="mlstudio-code-") as tmp:
        staged = Path(tmp) / "code"
        shutil.copytree(
            path, staged, ignore=shutil.ignore_patterns("__pycache__", ".git", ".ipynb_checkpoints")
        )
        archive = transfer.pack(staged, Path(tmp) / "sourcedir.tar.gz")
        artifacts.put_file(f"{prefix}/sourcedir.tar.gz", archive)
    return artifacts.uri_for(f"{prefix}/sourcedir.tar.gz"), prefix


def pipeline_members(req: CreateModelRequest) -> list[tuple[str, ContainerSpec]]:
    """The containers a CreateModel request names, each with its field: ``PrimaryContainer``
    alone, or ``Containers[i]`` (an inference pipeline, served in order).

    Args:
        req: The request.

    Returns:
        ``(field, container)`` pairs, in order.

    Raises:
        ValidationError: Both or neither of ``PrimaryContainer`` and ``Containers``; more
            than :data:`MAX_PIPELINE_CONTAINERS` containers; a pipeline container with a
            ``Mode`` other than SingleModel, or a duplicate ``ContainerHostname``;
            ``InferenceExecutionConfig.Mode`` other than Serial, or given without
            ``Containers``.
    """
    config = req.InferenceExecutionConfig
    if req.PrimaryContainer is not None and req.Containers is not None:
        raise ValidationError(
            "give PrimaryContainer or Containers (an inference pipeline), not both",
            field="Containers",
        )
    if config is not None and config.Mode != SERIAL:
        raise ValidationError(
            f"InferenceExecutionConfig.Mode {config.Mode!r}: the studio runs pipelines"
            f" {SERIAL} (each container's answer is the next one's request)",
            field="InferenceExecutionConfig.Mode",
        )
    if req.Containers is None:
        if req.PrimaryContainer is None:
            raise ValidationError(
                "give PrimaryContainer, or Containers (an inference pipeline)",
                field="PrimaryContainer",
            )
        if config is not None:
            raise ValidationError(
                "InferenceExecutionConfig applies to Containers (an inference pipeline)",
                field="InferenceExecutionConfig",
            )
        return [("PrimaryContainer", req.PrimaryContainer)]
    if not 1 <= len(req.Containers) <= MAX_PIPELINE_CONTAINERS:
        raise ValidationError(
            f"Containers: an inference pipeline has 1 to {MAX_PIPELINE_CONTAINERS} containers"
            f" (got {len(req.Containers)})",
            field="Containers",
        )
    members = []
    seen: set[str] = set()
    for i, container in enumerate(req.Containers):
        where = f"Containers[{i}]"
        if container.Mode not in (None, "SingleModel"):
            raise ValidationError(
                f"{where}.Mode: a container of an inference pipeline serves one model"
                " (SingleModel)",
                field=f"{where}.Mode",
            )
        hostname = container.ContainerHostname
        if hostname:
            if hostname in seen:
                raise ValidationError(
                    f"{where}.ContainerHostname {hostname!r} is given twice",
                    field=f"{where}.ContainerHostname",
                )
            seen.add(hostname)
        members.append((where, container))
    return members


class HostingRecords:
    """CreateModel and CreateEndpointConfig and their reads and deletes, on the metadata
    store (and the artifact store, for code snapshots). Thread-safe."""

    def __init__(self, store: MetadataStore, artifacts: ArtifactStore) -> None:
        self._store = store
        self._artifacts = artifacts

    # -- models -------------------------------------------------------------------------------

    def create_model(self, request: CreateModelRequest | Mapping[str, Any]) -> Model:
        req = parse_request(CreateModelRequest, request)
        name = validate_name(req.ModelName, field="ModelName", max_length=ENDPOINT_NAME_MAX)
        if self._exists(self._store.get_model, name):
            raise ConflictError(f"Model {name!r} exists already", field="ModelName")
        members = pipeline_members(req)
        snapshots: list[str] = []
        try:
            definitions = [
                self._definition(name, where, container, snapshots) for where, container in members
            ]
            return self._store.create_model(
                name,
                definitions[0],
                tags=tags_of(req.Tags),
                containers=definitions if req.Containers is not None else None,
            )
        except BaseException:
            for snapshot in snapshots:
                self._artifacts.delete_prefix(snapshot)
            raise

    def _definition(
        self, model_name: str, where: str, container: ContainerSpec, snapshots: list[str]
    ) -> ContainerDefinition:
        """One container checked and recorded as served (``where``: its field, e.g.
        ``Containers[1]``); a code snapshot written is appended to ``snapshots``."""
        package_name = container.ModelPackageName or None
        if package_name:
            container = self._package_container(container, where)
        env = dict(container.Environment)
        program, code = check_container(container, where)
        # an ECR image the studio cannot run is refused now, not when an endpoint starts
        resolve_image(
            container.Image,
            field=f"{where}.ModelPackageName" if package_name else f"{where}.Image",
        )
        if code:
            env["SAGEMAKER_SUBMIT_DIRECTORY"], snapshot = snapshot_code(
                self._artifacts, model_name, code, program, f"{where}.Environment"
            )
            if snapshot is not None:
                snapshots.append(snapshot)
        return ContainerDefinition(
            image=container.Image or None,
            model_data_url=container.ModelDataUrl or None,
            environment=env,
            model_package_name=package_name,
            mode=container.Mode or None,
            multi_model_config=(
                container.MultiModelConfig.model_dump(exclude_none=True)
                if container.MultiModelConfig is not None
                else None
            ),
            container_hostname=container.ContainerHostname or None,
        )

    def _package_container(
        self, given: ContainerSpec, where: str = "PrimaryContainer"
    ) -> ContainerSpec:
        """The container a registered version names (ModelPackageName), with the given
        Environment on top of its own."""
        field = f"{where}.ModelPackageName"
        group, version = package_of(str(given.ModelPackageName), field)
        try:
            package = self._store.get_model_package(group, version)
        except NotFoundError as exc:
            raise ValidationError(str(exc), field=field) from None
        containers = (package.spec.get("InferenceSpecification") or {}).get("Containers") or []
        if not containers:
            raise ValidationError(
                f"model package {group}/{version} has no inference container", field=field
            )
        first = containers[0]
        return ContainerSpec(
            Image=first.get("Image"),
            ModelDataUrl=first.get("ModelDataUrl"),
            Environment={**(first.get("Environment") or {}), **given.Environment},
            ContainerHostname=given.ContainerHostname,
        )

    def get_model(self, model_name: str) -> Model:
        return self._store.get_model(model_name)

    def list_models(self, **query: Any) -> Page[Model]:
        return self._store.list_models(**query)

    def delete_model(self, model_name: str) -> None:
        self._store.delete_model(model_name)
        try:
            self._artifacts.delete_prefix(f"models/{model_name}")
        except StudioError:
            log.warning("could not delete the code snapshots of model %s", model_name)

    # -- endpoint configurations ------------------------------------------------------------

    def create_endpoint_config(
        self, request: CreateEndpointConfigRequest | Mapping[str, Any]
    ) -> EndpointConfig:
        req = parse_request(CreateEndpointConfigRequest, request)
        if len(req.ProductionVariants) > MAX_VARIANTS:
            raise ValidationError(
                f"at most {MAX_VARIANTS} production variants", field="ProductionVariants"
            )
        variants = []
        for i, spec in enumerate(req.ProductionVariants):
            field = f"ProductionVariants[{i}]"
            if not 1 <= spec.InitialInstanceCount <= MAX_INSTANCES:
                raise ValidationError(
                    f"{field}.InitialInstanceCount must be between 1 and {MAX_INSTANCES}",
                    field=f"{field}.InitialInstanceCount",
                )
            try:
                self._store.get_model(spec.ModelName)
            except NotFoundError as exc:
                raise ValidationError(
                    f"Could not find model {spec.ModelName!r}", field=f"{field}.ModelName"
                ) from exc
            try:
                resource_limits(spec.InstanceType)
            except ValidationError as exc:
                raise ValidationError(exc.message, field=f"{field}.InstanceType") from exc
            variants.append(
                ProductionVariant(
                    variant_name=spec.VariantName,
                    model_name=spec.ModelName,
                    initial_instance_count=spec.InitialInstanceCount,
                    instance_type=spec.InstanceType,
                    initial_variant_weight=spec.InitialVariantWeight,
                    volume_size_in_gb=spec.VolumeSizeInGB,
                    model_data_download_timeout_in_seconds=spec.ModelDataDownloadTimeoutInSeconds,
                    container_startup_health_check_timeout_in_seconds=(
                        spec.ContainerStartupHealthCheckTimeoutInSeconds
                    ),
                )
            )
        capture = None
        if req.DataCaptureConfig is not None:
            capture = req.DataCaptureConfig.model_dump(exclude_none=True)
            CaptureSettings.parse(capture, self._capture_root())
            if capture.get("DestinationS3Uri"):
                transfer.check_destination(
                    capture["DestinationS3Uri"], field="DataCaptureConfig.DestinationS3Uri"
                )
        return self._store.create_endpoint_config(
            req.EndpointConfigName, variants, data_capture_config=capture
        )

    def _capture_root(self) -> str:
        return self._artifacts.uri_for("data-capture")

    def get_endpoint_config(self, name: str) -> EndpointConfig:
        return self._store.get_endpoint_config(name)

    def list_endpoint_configs(self, **query: Any) -> Page[EndpointConfig]:
        return self._store.list_endpoint_configs(**query)

    def delete_endpoint_config(self, name: str) -> None:
        self._store.delete_endpoint_config(name)

    def _exists(self, get: Callable[[str], Any], name: str) -> bool:
        try:
            get(name)
        except NotFoundError:
            return False
        return True
