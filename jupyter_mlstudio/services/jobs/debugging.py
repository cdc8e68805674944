"""A training job's Debugger and profiler settings: checked, and written into its hosts.

:func:`plan_debugging` checks ``DebugHookConfig``, ``DebugRuleConfigurations``,
``ProfilerConfig`` and ``ProfilerRuleConfigurations`` before anything starts (an unknown
rule, a parameter the rule does not take or of the wrong type, a save interval ≤ 0, a
tensor path outside the job's ``/opt/ml``: refused with the field named). The hook's
configuration goes to every host as SageMaker's ``debughookconfig.json``
(:func:`write_hook_config`, read by :mod:`jupyter_mlstudio.debugger`'s
``Hook.create_from_json_file``); in containers the studio's ``jupyter_mlstudio.debugger``
package is copied next to the tracking channel's module (:func:`install_package`), on the
process runtime the studio's own package is imported.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ... import debugger
from ...artifacts import transfer
from ...debugger.rules.base import ENDED_FILE
from ...debugger.rules.catalog import RULES, ParameterError, parse_parameters, rule_name
from ...entities import JobStatus
from ...exceptions import ValidationError
from ...runtime.base import OPT_ML, JobHandle, JobRunner
from .layout import host_ml_dir
from .profiler import ProfilerSampler
from .requests import CreateTrainingJobRequest, RuleConfigurationSpec, parse_request

log = logging.getLogger(__name__)

DEFAULT_TENSOR_PATH = f"{OPT_ML}/output/tensors"
HOOK_CONFIG = "input/config/debughookconfig.json"  # below /opt/ml
ENV_HOOK_CONFIG = "SMDEBUG_CONFIG_FILE_PATH"
PROFILING_INTERVALS_MS = (100, 200, 500, 1000, 5000, 60000)
DEFAULT_INTERVAL_MS = 500
MAX_RULES = 20
#: the keys of the training job's ``outputs`` (and DescribeTrainingJob's members)
DEBUG_STATUSES = "DebugRuleEvaluationStatuses"
PROFILER_STATUSES = "ProfilerRuleEvaluationStatuses"
_INTERVAL_KEYS = ("save_interval", "train.save_interval", "eval.save_interval")


@dataclass(frozen=True)
class RulePlan:
    """One rule configuration: the built-in rule it runs and its evaluation job."""

    configuration_name: str
    rule: str
    profiler: bool
    parameters: dict[str, str]
    job_name: str
    stop_training: bool
    instance_type: str

    @property
    def statuses_key(self) -> str:
        return PROFILER_STATUSES if self.profiler else DEBUG_STATUSES


@dataclass(frozen=True)
class DebugPlan:
    """What a training job's hosts save and which rules watch it."""

    hook: dict[str, Any] | None  # debughookconfig.json, LocalPath as a container sees it
    tensor_path: str | None  # the hook's LocalPath below /opt/ml (output/tensors)
    rules: tuple[RulePlan, ...]
    profiling: bool
    interval_ms: int

    @property
    def enabled(self) -> bool:
        return self.hook is not None or bool(self.rules) or self.profiling


def plan_debugging(request: CreateTrainingJobRequest) -> DebugPlan:
    """Check the request's Debugger and profiler settings; nothing is written.

    Args:
        request: The CreateTrainingJob request.

    Returns:
        The job's :class:`DebugPlan`.

    Raises:
        ValidationError: With the field named (``DebugRuleConfigurations[0].RuleParameters
            .num_steps``, ``DebugHookConfig.LocalPath``, ...).
    """
    rules: list[RulePlan] = []
    names: set[str] = set()
    for field, configs, watches_system in (
        ("DebugRuleConfigurations", request.DebugRuleConfigurations, False),
        ("ProfilerRuleConfigurations", request.ProfilerRuleConfigurations, True),
    ):
        if len(configs) > MAX_RULES:
            raise ValidationError(f"at most {MAX_RULES} rules", field=field)
        for i, config in enumerate(configs):
            where = f"{field}[{i}]"
            if config.RuleConfigurationName in names:
                raise ValidationError(
                    f"{config.RuleConfigurationName!r} is given twice",
                    field=f"{where}.RuleConfigurationName",
                )
            names.add(config.RuleConfigurationName)
            rules.append(_rule_plan(request.TrainingJobName, config, where, watches_system))
    hook_spec = request.DebugHookConfig
    tensor_path: str | None = None
    hook: dict[str, Any] | None = None
    if hook_spec is not None or any(not r.profiler for r in rules):
        local = (hook_spec.LocalPath if hook_spec else None) or DEFAULT_TENSOR_PATH
        tensor_path = _tensor_path(local)
        hook = {"LocalPath": f"{OPT_ML}/{tensor_path}"}
        if hook_spec is not None:
            _check_intervals(hook_spec.HookParameters, "DebugHookConfig.HookParameters")
            hook["HookParameters"] = _strings(hook_spec.HookParameters)
            collections = []
            for i, item in enumerate(hook_spec.CollectionConfigurations):
                where = f"DebugHookConfig.CollectionConfigurations[{i}].CollectionParameters"
                _check_intervals(item.CollectionParameters, where)
                collections.append(
                    {
                        "CollectionName": item.CollectionName,
                        "CollectionParameters": _strings(item.CollectionParameters),
                    }
                )
            hook["CollectionConfigurations"] = collections
            if hook_spec.S3OutputPath:
                hook["S3OutputPath"] = hook_spec.S3OutputPath
    profiler = request.ProfilerConfig
    interval = DEFAULT_INTERVAL_MS
    if profiler is not None and profiler.ProfilingIntervalInMilliseconds is not None:
        interval = profiler.ProfilingIntervalInMilliseconds
        if interval not in PROFILING_INTERVALS_MS:
            raise ValidationError(
                f"must be one of {', '.join(map(str, PROFILING_INTERVALS_MS))}, not {interval}",
                field="ProfilerConfig.ProfilingIntervalInMilliseconds",
            )
    profiling = profiler is None or not profiler.DisableProfiler
    if not profiling and any(r.profiler for r in rules):
        raise ValidationError(
            "profiler rules need the profiler: remove DisableProfiler",
            field="ProfilerConfig.DisableProfiler",
        )
    return DebugPlan(hook, tensor_path, tuple(rules), profiling, interval)


def _rule_plan(
    job_name: str, config: RuleConfigurationSpec, where: str, profiler: bool
) -> RulePlan:
    parameters = _strings(config.RuleParameters)
    name = rule_name(parameters, config.RuleConfigurationName)
    field = f"{where}.RuleParameters.rule_to_invoke"
    if "rule_to_invoke" not in parameters:
        field = f"{where}.RuleConfigurationName"
    spec = RULES.get(name)
    if spec is None:
        known = ", ".join(r for r, s in RULES.items() if s.profiler == profiler)
        raise ValidationError(
            f"unknown rule {name!r}: the studio runs the built-in rules ({known});"
            " custom rule images are not supported",
            field=field,
        )
    if spec.profiler != profiler:
        other = "ProfilerRuleConfigurations" if spec.profiler else "DebugRuleConfigurations"
        raise ValidationError(f"{name} belongs in {other}", field=field)
    try:
        parse_parameters(spec, parameters)
    except ParameterError as exc:
        raise ValidationError(str(exc), field=f"{where}.RuleParameters.{exc.parameter}") from None
    stop = False
    if "action_json" in parameters:
        stop = _stop_training(parameters["action_json"], f"{where}.RuleParameters.action_json")
    instance_type = config.InstanceType or "local"
    return RulePlan(
        configuration_name=config.RuleConfigurationName,
        rule=name,
        profiler=profiler,
        parameters=parameters,
        job_name=rule_job_name(job_name, config.RuleConfigurationName),
        stop_training=stop,
        instance_type=instance_type,
    )


def rule_job_name(job_name: str, configuration_name: str) -> str:
    """The rule evaluation job's name: ``<job>-<rule>-<8 hex>`` within 63 characters."""
    digest = hashlib.sha1(f"{job_name}\0{configuration_name}".encode()).hexdigest()[:8]
    rule = re.sub(r"[^A-Za-z0-9]+", "", configuration_name)[:20] or "rule"
    return f"{job_name[:32].rstrip('-')}-{rule}-{digest}"


def _stop_training(text: str, field: str) -> bool:
    """Whether ``action_json`` (smdebug's ActionList, as the SageMaker SDK sends it, its
    quotes sometimes escaped) asks to stop the training job. Email and SMS actions are
    accepted and not sent (no notification service here)."""
    try:
        try:
            actions = json.loads(text)
        except ValueError:
            actions = json.loads(text.replace('\\"', '"'))
        if isinstance(actions, dict):
            actions = [actions]
        names = [str(a["name"]).lower() for a in actions]
    except (ValueError, TypeError, KeyError):
        raise ValidationError(
            'not a list of actions such as [{"name": "stoptraining"}]', field=field
        ) from None
    unknown = [n for n in names if n not in ("stoptraining", "email", "sms")]
    if unknown:
        raise ValidationError(f"unknown action {unknown[0]!r}", field=field)
    return "stoptraining" in names


def _tensor_path(local: str) -> str:
    path = PurePosixPath(local)
    root = PurePosixPath(OPT_ML)
    bad = not path.is_absolute() or ".." in path.parts or not path.is_relative_to(root)
    relative = "" if bad else str(path.relative_to(root))
    if bad or relative in ("", ".") or relative.split("/")[0] in ("input", "code"):
        raise ValidationError(
            f"{local!r} must be a folder of the job's output below {OPT_ML}"
            f" (such as {DEFAULT_TENSOR_PATH})",
            field="DebugHookConfig.LocalPath",
        )
    return relative


def _check_intervals(parameters: dict[str, Any], where: str) -> None:
    for key in _INTERVAL_KEYS:
        if key not in parameters:
            continue
        try:
            value = float(parameters[key])
            ok = value == int(value) and value > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValidationError(
                f"{key} must be a whole number of steps above 0, not {parameters[key]!r}",
                field=f"{where}.{key}",
            )


def _strings(parameters: dict[str, Any]) -> dict[str, str]:
    """Parameters as the API keeps them: strings (``True``/``False`` as the SDK writes)."""
    return {str(k): v if isinstance(v, str) else str(v) for k, v in parameters.items()}


def initial_statuses(plan: DebugPlan, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The job's ``DebugRuleEvaluationStatuses`` and ``ProfilerRuleEvaluationStatuses``
    as it starts: every rule InProgress."""
    out: dict[str, list[dict[str, Any]]] = {}
    for rule in plan.rules:
        out.setdefault(rule.statuses_key, []).append(
            {
                "RuleConfigurationName": rule.configuration_name,
                "RuleEvaluationJobName": rule.job_name,
                "RuleEvaluationStatus": "InProgress",
                "LastModifiedTime": now.isoformat(),
            }
        )
    return out


def write_hook_config(ml_dir: Path, plan: DebugPlan, base: str) -> None:
    """Write ``debughookconfig.json`` into a host's ``ml_dir`` (``LocalPath`` at ``base``,
    where the job sees ``/opt/ml``) and make the tensor folder."""
    if plan.hook is None or plan.tensor_path is None:
        return
    body = dict(plan.hook)
    body["LocalPath"] = f"{base.rstrip('/')}/{plan.tensor_path}"
    target = ml_dir / HOOK_CONFIG
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(body, indent=1))
    (ml_dir / plan.tensor_path).mkdir(parents=True, exist_ok=True)


def hook_env(plan: DebugPlan, runner: JobRunner, ml_dir: Path) -> dict[str, str]:
    """The variable that points the job's hook at its configuration."""
    if plan.hook is None:
        return {}
    return {ENV_HOOK_CONFIG: runner.ml_path(ml_dir, HOOK_CONFIG)}


def install_package(python_dir: Path) -> None:
    """Copy ``jupyter_mlstudio.debugger`` (its ``.py`` files) below ``python_dir`` (the
    tracking channel's module folder of a container), with an empty
    ``jupyter_mlstudio/__init__.py`` above it."""
    source = Path(debugger.__file__).parent
    package = python_dir / "jupyter_mlstudio"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""The studio\'s job-side packages."""\n')
    shutil.copytree(
        source,
        package / "debugger",
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )


def write_ended(folder: Path, status: JobStatus) -> None:
    """Tell the job's rule jobs that it has ended
    (:meth:`jupyter_mlstudio.debugger.rules.base.RuleContext.ended`)."""
    if not folder.is_dir():
        return
    body = {"TrainingJobStatus": status.value, "EndTime": time.time()}
    with contextlib.suppress(OSError):
        partial = folder / f".{ENDED_FILE}.tmp"
        partial.write_text(json.dumps(body))
        partial.replace(folder / ENDED_FILE)


def debug_output_uri(hook: dict[str, Any] | None, job_name: str) -> str | None:
    """Where the job's tensors are published: ``<S3OutputPath>/<job>/debug-output``."""
    if not hook or not hook.get("S3OutputPath"):
        return None
    return f"{str(hook['S3OutputPath']).rstrip('/')}/{job_name}/debug-output"


def start_sampler(
    plan: DebugPlan | None, runner: JobRunner, handles: list[JobHandle], folder: Path
) -> ProfilerSampler | None:
    """Sample every host of a running job (:mod:`.profiler`) unless its ProfilerConfig
    turned the profiler off; the started sampler."""
    if plan is None or not plan.profiling:
        return None
    sampler = ProfilerSampler(runner, handles, folder, plan.interval_ms)
    sampler.start()
    return sampler


def publish_tensors(
    plan: DebugPlan, job_name: str, folder: Path, hosts: tuple[str, ...]
) -> str | None:
    """Every host's saved tensors under ``<S3OutputPath>/<job>/debug-output``, as SageMaker
    uploads them; the URI, or None when nothing was saved (or it could not be written:
    the job's outcome stands either way)."""
    if plan.tensor_path is None:
        return None
    uri = debug_output_uri(plan.hook, job_name)
    folders = [host_ml_dir(folder, h) / plan.tensor_path for h in hosts]
    folders = [f for f in folders if transfer.has_files(f)]
    if uri is None or not folders:
        return None
    try:
        for tensors in folders:
            transfer.push_dir(tensors, uri)
    except Exception:
        log.exception("job %s: saved tensors not published", job_name)
        return None
    return uri


def with_debug_output(plan: Any, default_root: str) -> Any:
    """``plan`` (a training plan) with its ``DebugHookConfig.S3OutputPath`` set: a job
    that saves tensors publishes them, as SageMaker does, below it — by default the job's
    output path, else ``default_root`` (the artifact store's ``jobs/``) —, and the request
    recorded says where."""
    debug = getattr(plan, "debug", None)
    if debug is None or debug.hook is None or debug.hook.get("S3OutputPath"):
        return plan
    where = plan.output_path or default_root
    hook = plan.request.DebugHookConfig
    spec = {"LocalPath": debug.hook["LocalPath"], "S3OutputPath": where}
    if hook is not None:
        spec = {**hook.model_dump(exclude_none=True), **spec}
    request = parse_request(
        CreateTrainingJobRequest,
        {**plan.request.model_dump(exclude_none=True), "DebugHookConfig": spec},
    )
    debug = dataclasses.replace(debug, hook={**debug.hook, "S3OutputPath": where})
    return dataclasses.replace(plan, request=request, debug=debug)
