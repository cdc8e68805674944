"""Processing jobs (CreateProcessingJob): the plan and the supervisor.

Inputs are copied to ``/opt/ml/processing/...`` (their ``LocalPath``) before the start;
after a successful run each output's ``LocalPath`` folder is copied to its ``S3Uri``
(``s3://``, ``file://`` or a path). ``AppSpecification.ContainerEntrypoint`` (and
arguments) run in the image (docker) or, on the process runtime, as a command whose
``/opt/ml/...`` arguments are translated to the job's folder (``python3`` is the studio's
Python). Scripts that hard-code ``/opt/ml`` paths need the docker runtime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..config import StudioConfig
from ..entities import JobKind
from ..entities.common import JOB_NAME_MAX, validate_name
from ..exceptions import ValidationError
from ..runtime.base import LABEL_MANAGED, OPT_ML, ContainerSpec, JobRunner
from ..runtime.contract import resource_limits, write_processing_config
from ..runtime.images import DEFAULT_TAG
from . import job_files
from .job_requests import CreateProcessingJobRequest
from .training import TrainingSupervisor
from .training_plan import HOST, LABEL_KIND, RunTarget, run_target

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
    inputs: tuple[tuple[str, str], ...]  # (source URI, path under /opt/ml)
    outputs: tuple[tuple[str, str, str | None], ...]  # (name, path under /opt/ml, destination)
    run: RunTarget
    cpus: float | None = None
    memory_bytes: int | None = None
    metric_regexes: tuple[tuple[str, re.Pattern[str]], ...] = ()

    @property
    def max_runtime_s(self) -> int:
        return self.request.StoppingCondition.MaxRuntimeInSeconds


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
    image = app.ImageUri or None
    if runtime == "process":
        if image not in (None, DEFAULT_TAG):
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
    if cluster.InstanceCount != 1:
        raise ValidationError(
            "only InstanceCount 1 is supported so far",
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
            job_files.check_source(item.S3Input.S3Uri, field=f"{where}.S3Input.S3Uri")
        inputs.append(
            (item.S3Input.S3Uri, _relative(item.S3Input.LocalPath, f"{where}.S3Input.LocalPath"))
        )
    outputs = []
    for i, output in enumerate(
        request.ProcessingOutputConfig.Outputs if request.ProcessingOutputConfig else []
    ):
        where = f"ProcessingOutputConfig.Outputs[{i}]"
        if output.S3Output.S3Uri is not None:
            job_files.check_destination(output.S3Output.S3Uri, field=f"{where}.S3Output.S3Uri")
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
    )


def write_processing_folder(plan: ProcessingPlan, folder: Path) -> Path:
    ml_dir = folder / "ml"
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    config = plan.request.model_dump(mode="json", exclude_none=True)
    config.pop("ProcessingJobName", None)
    write_processing_config(ml_dir, plan.job_name, config, current_host=HOST, hosts=(HOST,))
    for _, relative in plan.inputs:
        (ml_dir / relative).mkdir(parents=True, exist_ok=True)
    for _, relative, _ in plan.outputs:
        (ml_dir / relative).mkdir(parents=True, exist_ok=True)
    (ml_dir / "output").mkdir(parents=True, exist_ok=True)
    return ml_dir


def processing_spec(
    plan: ProcessingPlan, runner: JobRunner, ml_dir: Path, config: StudioConfig
) -> ContainerSpec:
    def translate(arg: str) -> str:
        if runner.name != "process" or not arg.startswith(OPT_ML):
            return arg
        rest = arg[len(OPT_ML) :].lstrip("/")
        return runner.ml_path(ml_dir, rest)

    env = dict(plan.request.Environment)
    if runner.name == "process" or not config.database_url.startswith("sqlite"):
        env.setdefault("MLSTUDIO_TRACKING_URI", config.database_url)
        env.setdefault("MLSTUDIO_ARTIFACT_ROOT", config.artifact_root)
    if plan.run.run_name and plan.run.experiment_name:
        env["MLSTUDIO_EXPERIMENT_NAME"] = plan.run.experiment_name
        env["MLSTUDIO_RUN_NAME"] = plan.run.run_name
    entrypoint = tuple(translate(a) for a in plan.entrypoint) if plan.entrypoint else None
    return ContainerSpec(
        job_name=plan.job_name,
        ml_dir=ml_dir,
        command=tuple(translate(a) for a in plan.arguments),
        image=plan.image,
        entrypoint=entrypoint,
        env=env,
        cpus=plan.cpus,
        memory_bytes=plan.memory_bytes,
        host=HOST,
        labels={LABEL_KIND: "ProcessingJob", LABEL_MANAGED: "true"},
        working_dir=PROCESSING_ROOT if runner.name == "process" else None,
    )


class ProcessingSupervisor(TrainingSupervisor):
    what = "processing"
    kind = JobKind.PROCESSING
    failure_files = ("output/message", "output/failure")

    def _has_inputs(self) -> bool:
        return bool(self.plan.inputs)

    def _download(self) -> None:
        for uri, relative in self.plan.inputs:
            job_files.fetch(uri, self.ml_dir / relative)

    def _specs(self) -> list[ContainerSpec]:
        return [processing_spec(self.plan, self.runner, self.ml_dir, self.config)]

    def _upload(self) -> dict[str, Any]:
        written = []
        for name, relative, destination in self.plan.outputs:
            if destination is None:
                key = f"jobs/{self.plan.job_name}/output/{name}"
                if job_files.has_files(self.ml_dir / relative):
                    self.artifacts.put_dir(key, self.ml_dir / relative)
                destination = self.artifacts.uri_for(key)
            else:
                job_files.push_dir(self.ml_dir / relative, destination)
            written.append({"OutputName": name, "S3Uri": destination})
        return {"ProcessingOutputs": written} if written else {}
