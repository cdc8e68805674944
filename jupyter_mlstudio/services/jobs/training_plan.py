"""From a CreateTrainingJob request to what a runner starts: checks, folders, the spec.

:func:`plan_training_job` checks the whole request (nothing is written or started);
:func:`write_job_folder` lays out the job's folder (code and ``/opt/ml`` contract files);
:func:`container_spec` builds the runner's :class:`ContainerSpec` for the host.

The job's folder is laid out by :mod:`.layout`. A job of N instances has one ``/opt/ml``
folder per host: ``ml/`` for ``algo-1`` (where the model is taken from, as SageMaker does)
and ``hosts/algo-<i>/ml/`` for the others (:func:`.layout.host_ml_dir`), each with its own
code, channels and contract files (SM_HOSTS, SM_CURRENT_HOST, resourceconfig.json).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ...artifacts import transfer
from ...config import StudioConfig
from ...entities.common import JOB_NAME_MAX, validate_name
from ...exceptions import ValidationError
from ...runtime.base import LABEL_MANAGED, OPT_ML, ContainerSpec, JobRunner, host_name
from ...runtime.contract import (
    Channel,
    TrainingSetup,
    resource_limits,
    training_env,
    validate_channels,
    write_training_contract,
)
from ...runtime.image_uris import resolve_image
from . import checkpoints, debugging, tracking_channel
from .layout import HOST, host_ml_dir
from .requests import CreateTrainingJobRequest

MAX_INSTANCES = 16
LABEL_KIND = "mlstudio.kind"
RUN_GROUP_TEMPLATE = "Default-Run-Group-{}"
JOB_COMPONENT_SUFFIX = "-aws-training-job"
ENV_TRACKING_URI = "MLSTUDIO_TRACKING_URI"
ENV_ARTIFACT_ROOT = "MLSTUDIO_ARTIFACT_ROOT"
ENV_EXPERIMENT_NAME = "MLSTUDIO_EXPERIMENT_NAME"
ENV_RUN_NAME = "MLSTUDIO_RUN_NAME"


_OPT_ML_RE = re.compile(r"(?:(?<=^)|(?<=[=:,;\s'\"]))/opt/ml(?=/|$|[\s,;:'\"])")


def job_paths(text: str, runner: JobRunner, ml_dir: Path) -> str:
    """``text`` with every ``/opt/ml`` path in it (alone, or after ``=``, ``:``, ``,``, a
    space or a quote, as in ``--input=/opt/ml/processing/input``) where the job sees
    ``/opt/ml`` on ``runner``: unchanged in a container, the host's folder on the
    process runtime."""
    return rebase_opt_ml(text, runner.ml_path(ml_dir))


def rebase_opt_ml(value: Any, base: str) -> Any:
    """``value`` (a string, or lists and mappings of them) with its ``/opt/ml`` paths at
    ``base`` (see :func:`job_paths`)."""
    if isinstance(value, str):
        if base == OPT_ML or OPT_ML not in value:
            return value
        return _OPT_ML_RE.sub(lambda _: base, value)
    if isinstance(value, list):
        return [rebase_opt_ml(v, base) for v in value]
    if isinstance(value, dict):
        return {k: rebase_opt_ml(v, base) for k, v in value.items()}
    return value


def job_network(job_name: str) -> str:
    """The docker network the hosts of a multi-instance job share."""
    return f"mlstudio-{job_name}"


@dataclass(frozen=True)
class RunTarget:
    """Where the job's metrics go: a run (trial component), maybe in an experiment."""

    trial_component_name: str
    experiment_name: str | None = None
    trial_name: str | None = None
    run_name: str | None = None
    display_name: str | None = None


@dataclass(frozen=True)
class TrainingPlan:
    request: CreateTrainingJobRequest
    job_name: str
    runtime: str
    image: str | None
    command: tuple[str, ...]
    entrypoint: tuple[str, ...] | None
    metric_regexes: tuple[tuple[str, re.Pattern[str]], ...]
    hyperparameters: dict[str, str]
    channels: tuple[tuple[Channel, str], ...]
    run: RunTarget
    cpus: float | None = None
    memory_bytes: int | None = None
    entry_point: str | None = None
    code_sources: tuple[tuple[Path, str], ...] = field(default_factory=tuple)
    checkpoint_path: str | None = None  # CheckpointConfig.LocalPath as the job sees it
    image_note: str | None = None  # what a SageMaker framework image runs as
    debug: debugging.DebugPlan | None = None  # None: no tensors, rules or profiler

    @property
    def max_runtime_s(self) -> int:
        return self.request.StoppingCondition.MaxRuntimeInSeconds

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(host_name(i) for i in range(self.request.ResourceConfig.InstanceCount))

    @property
    def output_path(self) -> str | None:
        config = self.request.OutputDataConfig
        return config.S3OutputPath if config and config.S3OutputPath else None


def plan_training_job(
    request: CreateTrainingJobRequest, runtime: str, *, check_paths: bool = True
) -> TrainingPlan:
    """Check the request for ``runtime`` (``process``/``docker``); nothing is written.

    ValidationError names the field: TrainingJobName, ScriptMode.EntryPoint,
    InputDataConfig[i].DataSource.S3DataSource.S3Uri, ResourceConfig.InstanceType, ...
    """
    name = validate_name(request.TrainingJobName, field="TrainingJobName", max_length=JOB_NAME_MAX)
    algorithm = request.AlgorithmSpecification
    script = request.ScriptMode
    resolved = resolve_image(algorithm.TrainingImage, field="AlgorithmSpecification.TrainingImage")
    image = resolved.image
    if script is None and image is None:
        raise ValidationError(
            "give ScriptMode.EntryPoint (script mode) or AlgorithmSpecification.TrainingImage",
            field="ScriptMode.EntryPoint",
        )
    if runtime == "process" and not resolved.script_mode:
        raise ValidationError(
            f"the process runtime cannot run image {image!r}; use the docker runtime or "
            "script mode",
            field="AlgorithmSpecification.TrainingImage",
        )
    if runtime == "process":
        image = None
    code_sources: list[tuple[Path, str]] = []
    entry_point = None
    if script is not None:
        entry_point, code_sources = _script_code(
            script.EntryPoint, script.SourceDir, script.Dependencies, check_paths
        )
    if not 1 <= request.ResourceConfig.InstanceCount <= MAX_INSTANCES:
        raise ValidationError(
            f"InstanceCount must be between 1 and {MAX_INSTANCES}",
            field="ResourceConfig.InstanceCount",
        )
    try:
        limits = resource_limits(request.ResourceConfig.InstanceType)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="ResourceConfig.InstanceType") from None
    channels: list[tuple[Channel, str]] = []
    for i, item in enumerate(request.InputDataConfig):
        where = f"InputDataConfig[{i}]"
        uri = item.DataSource.S3DataSource.S3Uri
        if check_paths:
            transfer.check_source(uri, field=f"{where}.DataSource.S3DataSource.S3Uri")
        distribution = transfer.check_distribution(
            item.DataSource.S3DataSource.S3DataDistributionType,
            field=f"{where}.DataSource.S3DataSource.S3DataDistributionType",
        )
        channel = Channel(
            item.ChannelName,
            content_type=item.ContentType,
            input_mode=item.InputMode or algorithm.TrainingInputMode,
            distribution=distribution,
            record_wrapper=item.RecordWrapperType or "None",
        )
        channels.append((channel, uri))
    try:
        validate_channels([c for c, _ in channels])
    except ValidationError as exc:
        raise ValidationError(exc.message, field="InputDataConfig.ChannelName") from None
    regexes = []
    for i, definition in enumerate(algorithm.MetricDefinitions):
        try:
            regexes.append((definition.Name, re.compile(definition.Regex)))
        except re.error as exc:
            raise ValidationError(
                f"invalid regex: {exc}",
                field=f"AlgorithmSpecification.MetricDefinitions[{i}].Regex",
            ) from None
    if request.OutputDataConfig and request.OutputDataConfig.S3OutputPath:
        transfer.check_destination(
            request.OutputDataConfig.S3OutputPath, field="OutputDataConfig.S3OutputPath"
        )
    checkpoint_path = None
    if request.CheckpointConfig is not None:
        transfer.check_destination(request.CheckpointConfig.S3Uri, field="CheckpointConfig.S3Uri")
        checkpoint_path = checkpoints.check_local_path(request.CheckpointConfig.LocalPath, runtime)
    for key in request.Environment:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            raise ValidationError(f"invalid variable name {key!r}", field=f"Environment.{key}")
    hyperparameters = {
        k: v if isinstance(v, str) else _hp_string(v) for k, v in request.HyperParameters.items()
    }
    debug = debugging.plan_debugging(request)
    return TrainingPlan(
        request=request,
        job_name=name,
        runtime=runtime,
        image=image,
        command=tuple(algorithm.ContainerArguments or ("train",)),
        entrypoint=tuple(algorithm.ContainerEntrypoint) if algorithm.ContainerEntrypoint else None,
        metric_regexes=tuple(regexes),
        hyperparameters=hyperparameters,
        channels=tuple(channels),
        run=run_target(request.ExperimentConfig, name),
        cpus=limits.cpus,
        memory_bytes=limits.memory_bytes,
        entry_point=entry_point,
        code_sources=tuple(code_sources),
        checkpoint_path=checkpoint_path,
        image_note=resolved.note(runtime),
        debug=debug if debug.enabled else None,
    )


def _hp_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _script_code(
    entry: str, source_dir: str | None, dependencies: list[str], check: bool
) -> tuple[str, list[tuple[Path, str]]]:
    """The entry point's name in the code folder and what to copy there."""
    field = "ScriptMode.EntryPoint"
    if not entry:
        raise ValidationError("the entry point is required", field=field)
    sources: list[tuple[Path, str]] = []
    if source_dir:
        root = transfer.local_path(source_dir, field="ScriptMode.SourceDir")
        if check and not root.is_dir():
            raise ValidationError(f"{root} is not a folder", field="ScriptMode.SourceDir")
        relative = Path(entry)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValidationError(
                f"{entry!r} must be a path inside SourceDir", field="ScriptMode.EntryPoint"
            )
        if check and not (root / relative).is_file():
            raise ValidationError(f"{root / relative} does not exist", field=field)
        sources.append((root, ""))
        name = relative.as_posix()
    else:
        path = transfer.local_path(entry, field=field)
        if check and not path.is_file():
            raise ValidationError(f"{path} does not exist", field=field)
        sources.append((path, path.name))
        name = path.name
    for i, dependency in enumerate(dependencies):
        path = transfer.local_path(dependency, field=f"ScriptMode.Dependencies[{i}]")
        if check and not path.exists():
            raise ValidationError(f"{path} does not exist", field=f"ScriptMode.Dependencies[{i}]")
        sources.append((path, path.name))
    return name, sources


def run_target(config: Any, job_name: str, suffix: str = JOB_COMPONENT_SUFFIX) -> RunTarget:
    """The job's run: ``<experiment>-<run>`` with a RunName, else ``<job><suffix>``."""
    own = f"{job_name}{suffix}"
    if config is None or not (config.ExperimentName or config.TrialName or config.RunName):
        return RunTarget(own)
    if not config.ExperimentName:
        raise ValidationError(
            "ExperimentConfig needs ExperimentName", field="ExperimentConfig.ExperimentName"
        )
    experiment = validate_name(
        config.ExperimentName, field="ExperimentConfig.ExperimentName", max_length=120
    )
    trial = config.TrialName or RUN_GROUP_TEMPLATE.format(experiment)
    validate_name(trial, field="ExperimentConfig.TrialName", max_length=120)
    if config.RunName:
        run = validate_name(config.RunName, field="ExperimentConfig.RunName", max_length=120)
        component = f"{experiment}-{run}"
        if len(component) > 120:
            raise ValidationError("experiment and run names are too long together", field="RunName")
        return RunTarget(component, experiment, trial, run, config.TrialComponentDisplayName)
    return RunTarget(own, experiment, trial, None, config.TrialComponentDisplayName)


def write_job_folder(plan: TrainingPlan, folder: Path, final: Path | None = None) -> Path:
    """Lay out the job's folder (code copied, contract files written for every host);
    return algo-1's ``ml/``. ``final`` is where the folder moves before the start (the
    process runtime's hyperparameters.json names paths there)."""
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    for host in plan.hosts:
        # hyperparameters.json: on the process runtime its /opt/ml paths are where the
        # host's folder will be once moved
        base = str(host_ml_dir(final or folder, host)) if plan.runtime == "process" else OPT_ML
        _write_host_folder(plan, host_ml_dir(folder, host), host, base)
    return host_ml_dir(folder)


def _write_host_folder(plan: TrainingPlan, ml_dir: Path, host: str, base: str) -> None:
    write_training_contract(ml_dir, _setup(plan, host, base))
    tracking_channel.install(ml_dir)
    if plan.runtime != "process":  # the studio's Python imports its own
        debugging.install_package(ml_dir / tracking_channel.MODULE_DIR)
    if plan.debug is not None:
        debugging.write_hook_config(ml_dir, plan.debug, base)
    if plan.checkpoint_path:
        checkpoints.host_folder(ml_dir, plan.checkpoint_path).mkdir(parents=True, exist_ok=True)
    code = ml_dir / "code"
    for source, name in plan.code_sources:
        target = code / name if name else code
        if source.is_dir():
            shutil.copytree(
                source,
                target,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", ".git", ".ipynb_checkpoints"),
            )
        else:
            shutil.copy2(source, target)


def _setup(plan: TrainingPlan, host: str = HOST, base: str = OPT_ML) -> TrainingSetup:
    """The host's contract, with the ``/opt/ml`` paths in hyperparameter values at
    ``base`` (where the job sees ``/opt/ml``)."""
    limits = resource_limits(plan.request.ResourceConfig.InstanceType)
    return TrainingSetup(
        job_name=plan.job_name,
        current_host=host,
        hosts=plan.hosts,
        hyperparameters=rebase_opt_ml(plan.hyperparameters, base),
        channels=tuple(c for c, _ in plan.channels),
        instance_type=plan.request.ResourceConfig.InstanceType,
        num_cpus=limits.num_cpus,
        entry_point=plan.entry_point,
    )


def container_spec(
    plan: TrainingPlan, runner: JobRunner, ml_dir: Path, config: StudioConfig, host: str = HOST
) -> ContainerSpec:
    """The spec of one host (``ml_dir`` is that host's folder, see :func:`host_ml_dir`)."""
    hosts = plan.hosts
    base = runner.ml_path(ml_dir)
    env = training_env(_setup(plan, host, base), base=base)
    env.update({k: job_paths(v, runner, ml_dir) for k, v in plan.request.Environment.items()})
    env.update(tracking_channel.channel_env(runner, ml_dir, plan.image, env))
    if plan.debug is not None:
        env.update(debugging.hook_env(plan.debug, runner, ml_dir))
    if runner.name == "process" or not config.database_url.startswith("sqlite"):
        env.setdefault(ENV_TRACKING_URI, config.database_url)
        env.setdefault(ENV_ARTIFACT_ROOT, config.artifact_root)
    if plan.run.run_name and plan.run.experiment_name:
        env[ENV_EXPERIMENT_NAME] = plan.run.experiment_name
        env[ENV_RUN_NAME] = plan.run.run_name
    mounts = []
    if plan.checkpoint_path:
        path = PurePosixPath(plan.checkpoint_path)
        inside = path.is_relative_to(OPT_ML)
        env[checkpoints.ENV_CHECKPOINT_DIR] = (
            runner.ml_path(ml_dir, str(path.relative_to(OPT_ML))) if inside else str(path)
        )
        mount = checkpoints.mount_for(ml_dir, plan.checkpoint_path)
        if mount is not None:
            mounts.append(mount)
    return ContainerSpec(
        job_name=plan.job_name,
        ml_dir=ml_dir,
        command=plan.command,
        image=plan.image,
        entrypoint=plan.entrypoint,
        env=env,
        mounts=mounts,
        cpus=plan.cpus,
        memory_bytes=plan.memory_bytes,
        host=host,
        instance_index=hosts.index(host),
        instance_count=len(hosts),
        network=job_network(plan.job_name) if len(hosts) > 1 and runner.name == "docker" else None,
        labels={LABEL_KIND: "TrainingJob", LABEL_MANAGED: "true"},
        instance_type=plan.request.ResourceConfig.InstanceType,
    )
