"""Processing jobs (CreateProcessingJob): the plan and the supervisor.

``ProcessingResources.ClusterConfig.InstanceCount`` N runs hosts algo-1 .. algo-N (each with
its own ``/opt/ml``, ``config/resourceconfig.json`` and log, as training jobs). Inputs are
copied to ``/opt/ml/processing/...`` (their ``LocalPath``) of every host before the start:
all files (``FullyReplicated``) or, with ``ShardedByS3Key``, every N-th file of the sorted
listing. After a successful run each output's ``LocalPath`` folder of every host is copied
to its ``S3Uri`` (``s3://``, ``file://`` or a path), all hosts under the same prefix.
``AppSpecification.ContainerEntrypoint`` (and arguments) run in the image (docker) or, on
the process runtime, as a command (``python3`` is the studio's Python) whose ``/opt/ml``
paths — in the command, its arguments (also ``--x=/opt/ml/...``), the environment and
``processingjobconfig.json`` — are the host's folder. A script's own hard-coded
``/opt/ml`` defaults need the docker runtime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ...artifacts import transfer
from ...config import StudioConfig
from ...entities import JobKind
from ...entities.common import JOB_NAME_MAX, validate_name
from ...exceptions import ValidationError
from ...runtime.base import LABEL_MANAGED, OPT_ML, ContainerSpec, JobRunner, Mount, host_name
from ...runtime.contract import resource_limits, write_processing_config
from ...runtime.image_uris import resolve_image
from . import debugging, tracking_channel
from .layout import HOST, host_ml_dir
from .requests import CreateProcessingJobRequest
from .training import TrainingSupervisor
from .training_plan import (
    LABEL_KIND,
    MAX_INSTANCES,
    RunTarget,
    job_network,
    job_paths,
    rebase_opt_ml,
    run_target,
)

PROCESSING_ROOT = f"{OPT_ML}/processing"
JOB_COMPONENT_SUFFIX = "-aws-processing-job"


@dataclass(frozen=True)
class ProcessingPlan:
    request: CreateProcessingJobRequest
    job_name: str
    runtime: str
    image: str | None
    entrypoint: tuple[str, ...] | None
    arguments: tuple[str, ...]
    inputs: tuple[tuple[str, str, str], ...]  # (source URI, path under /opt/ml, distribution)
    outputs: tuple[tuple[str, str, str | None], ...]  # (name, path under /opt/ml, destination)
    run: RunTarget
    cpus: float | None = None
    memory_bytes: int | None = None
    metric_regexes: tuple[tuple[str, re.Pattern[str]], ...] = ()
    image_note: str | None = None  # what a SageMaker framework image runs as
    #: folders of the studio's the job reads (a rule job: its training job's folder)
    mounts: tuple[Mount, ...] = ()

    @property
    def max_runtime_s(self) -> int:
        return self.request.StoppingCondition.MaxRuntimeInSeconds

    @property
    def hosts(self) -> tuple[str, ...]:
        count = self.request.ProcessingResources.ClusterConfig.InstanceCount
        return tuple(host_name(i) for i in range(count))


def _relative(local_path: str, field: str) -> str:
    path = PurePosixPath(local_path)
    root = PurePosixPath(PROCESSING_ROOT)
    if not path.is_absolute() or ".." in path.parts or not path.is_relative_to(root):
        raise ValidationError(f"{local_path!r} must be under {PROCESSING_ROOT}", field=field)
    if path == root:
        raise ValidationError(f"give a folder below {PROCESSING_ROOT}", field=field)
    return str(path.relative_to(OPT_ML))


def plan_processing_job(
    request: CreateProcessingJobRequest, runtime: str, *, check_paths: bool = True
) -> ProcessingPlan:
    name = validate_name(
        request.ProcessingJobName, field="ProcessingJobName", max_length=JOB_NAME_MAX
    )
    app = request.AppSpecification
    resolved = resolve_image(app.ImageUri, field="AppSpecification.ImageUri")
    image = resolved.image
    if runtime == "process":
        if not resolved.script_mode:
            raise ValidationError(
                f"the process runtime cannot run image {image!r}; use the docker runtime",
                field="AppSpecification.ImageUri",
            )
        if not app.ContainerEntrypoint:
            raise ValidationError(
                "the process runtime needs a command", field="AppSpecification.ContainerEntrypoint"
            )
        image = None
    cluster = request.ProcessingResources.ClusterConfig
    if not 1 <= cluster.InstanceCount <= MAX_INSTANCES:
        raise ValidationError(
            f"InstanceCount must be between 1 and {MAX_INSTANCES}",
            field="ProcessingResources.ClusterConfig.InstanceCount",
        )
    try:
        limits = resource_limits(cluster.InstanceType)
    except ValidationError as exc:
        raise ValidationError(
            exc.message, field="ProcessingResources.ClusterConfig.InstanceType"
        ) from None
    seen: set[str] = set()
    inputs = []
    for i, item in enumerate(request.ProcessingInputs):
        where = f"ProcessingInputs[{i}]"
        if item.InputName in seen:
            raise ValidationError(f"{item.InputName!r} is given twice", field=f"{where}.InputName")
        seen.add(item.InputName)
        if check_paths:
            transfer.check_source(item.S3Input.S3Uri, field=f"{where}.S3Input.S3Uri")
        distribution = transfer.check_distribution(
            item.S3Input.S3DataDistributionType, field=f"{where}.S3Input.S3DataDistributionType"
        )
        relative = _relative(item.S3Input.LocalPath, f"{where}.S3Input.LocalPath")
        inputs.append((item.S3Input.S3Uri, relative, distribution))
    outputs = []
    for i, output in enumerate(
        request.ProcessingOutputConfig.Outputs if request.ProcessingOutputConfig else []
    ):
        where = f"ProcessingOutputConfig.Outputs[{i}]"
        if output.S3Output.S3Uri is not None:
            transfer.check_destination(output.S3Output.S3Uri, field=f"{where}.S3Output.S3Uri")
        relative = _relative(output.S3Output.LocalPath, f"{where}.S3Output.LocalPath")
        outputs.append((output.OutputName, relative, output.S3Output.S3Uri))
    for key in request.Environment:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            raise ValidationError(f"invalid variable name {key!r}", field=f"Environment.{key}")
    return ProcessingPlan(
        request=request,
        job_name=name,
        runtime=runtime,
        image=image,
        entrypoint=tuple(app.ContainerEntrypoint) if app.ContainerEntrypoint else None,
        arguments=tuple(app.ContainerArguments or ()),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        run=run_target(request.ExperimentConfig, name, JOB_COMPONENT_SUFFIX),
        cpus=limits.cpus,
        memory_bytes=limits.memory_bytes,
        image_note=resolved.note(runtime),
    )


def write_processing_folder(plan: ProcessingPlan, folder: Path, final: Path) -> Path:
    """Lay out the job's folder (``folder``, renamed to ``final`` before the start): every
    host's ``/opt/ml`` with its ``config/processingjobconfig.json`` and
    ``resourceconfig.json`` and its input and output folders; return algo-1's."""
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    for host in plan.hosts:
        ml_dir = host_ml_dir(folder, host)
        config = plan.request.model_dump(mode="json", exclude_none=True)
        config.pop("ProcessingJobName", None)
        if plan.runtime == "process":  # the job is told where its folders really are
            config = rebase_opt_ml(config, str(host_ml_dir(final, host)))
        write_processing_config(ml_dir, plan.job_name, config, current_host=host, hosts=plan.hosts)
        for _, relative, _ in (*plan.inputs, *plan.outputs):
            (ml_dir / relative).mkdir(parents=True, exist_ok=True)
        (ml_dir / "output").mkdir(parents=True, exist_ok=True)
        tracking_channel.install(ml_dir)
        if plan.runtime != "process":  # the studio's Python imports its own
            debugging.install_package(ml_dir / tracking_channel.MODULE_DIR)
    return host_ml_dir(folder)


def processing_spec(
    plan: ProcessingPlan, runner: JobRunner, ml_dir: Path, config: StudioConfig, host: str = HOST
) -> ContainerSpec:
    """The spec of one host; on the process runtime every ``/opt/ml`` path of the command,
    its arguments and the environment is the host's folder (:func:`job_paths`)."""

    def translate(text: str) -> str:
        return job_paths(text, runner, ml_dir)

    env = {key: translate(value) for key, value in plan.request.Environment.items()}
    env.update(tracking_channel.channel_env(runner, ml_dir, plan.image, env))
    if runner.name == "process" or not config.database_url.startswith("sqlite"):
        env.setdefault("MLSTUDIO_TRACKING_URI", config.database_url)
        env.setdefault("MLSTUDIO_ARTIFACT_ROOT", config.artifact_root)
    if plan.run.run_name and plan.run.experiment_name:
        env["MLSTUDIO_EXPERIMENT_NAME"] = plan.run.experiment_name
        env["MLSTUDIO_RUN_NAME"] = plan.run.run_name
    entrypoint = tuple(translate(a) for a in plan.entrypoint) if plan.entrypoint else None
    hosts = plan.hosts
    return ContainerSpec(
        job_name=plan.job_name,
        ml_dir=ml_dir,
        command=tuple(translate(a) for a in plan.arguments),
        image=plan.image,
        entrypoint=entrypoint,
        env=env,
        mounts=plan.mounts,
        cpus=plan.cpus,
        memory_bytes=plan.memory_bytes,
        host=host,
        instance_index=hosts.index(host),
        instance_count=len(hosts),
        network=job_network(plan.job_name) if len(hosts) > 1 and runner.name == "docker" else None,
        labels={LABEL_KIND: "ProcessingJob", LABEL_MANAGED: "true"},
        working_dir=PROCESSING_ROOT if runner.name == "process" else None,
        instance_type=plan.request.ProcessingResources.ClusterConfig.InstanceType,
    )


class ProcessingSupervisor(TrainingSupervisor):
    """A processing job's supervisor: one host per instance, each with its own inputs
    (all files, or its shard with ShardedByS3Key); every host's outputs go to the same
    destination."""

    what = "processing"
    kind = JobKind.PROCESSING
    failure_files = ("output/message", "output/failure")

    def _has_inputs(self) -> bool:
        return bool(self.plan.inputs)

    def _download(self) -> None:
        count = len(self.hosts)
        for index, host in enumerate(self.hosts):
            ml_dir = host_ml_dir(self.folder, host)
            for uri, relative, distribution in self.plan.inputs:
                transfer.fetch_for_host(uri, ml_dir / relative, distribution, index, count)

    def _specs(self) -> list[ContainerSpec]:
        return [
            processing_spec(
                self.plan, self.runner, host_ml_dir(self.folder, host), self.config, host
            )
            for host in self.hosts
        ]

    def _upload(self) -> dict[str, Any]:
        """Each output's folder of every host under the output's destination (files of the
        same name from several hosts: the last host's stays, as in S3)."""
        written = []
        for name, relative, destination in self.plan.outputs:
            folders = [host_ml_dir(self.folder, host) / relative for host in self.hosts]
            if destination is None:
                key = f"jobs/{self.plan.job_name}/output/{name}"
                for folder in folders:
                    if transfer.has_files(folder):
                        self.artifacts.put_dir(key, folder)
                destination = self.artifacts.uri_for(key)
            else:
                for folder in folders:
                    transfer.push_dir(folder, destination)
            written.append({"OutputName": name, "S3Uri": destination})
        return {"ProcessingOutputs": written} if written else {}
