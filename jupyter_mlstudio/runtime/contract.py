"""The SageMaker training contract for one host: the ``/opt/ml`` files and the SM_* variables.

:func:`write_training_contract` lays out a host's ``/opt/ml`` folder on disk;
:func:`training_env` gives the script-mode environment with paths under ``base``
(``/opt/ml`` in a container, the folder itself for the process runtime — ask the runner's
``ml_path``). Formats follow the sagemaker-training-toolkit: hyperparameters.json holds
strings; SM_HPS and SM_TRAINING_ENV hold them JSON-decoded where they decode; SM_HP_<NAME>
is the upper-cased name with the raw string (or compact JSON); arguments are sorted
``--name value`` pairs (``-n value`` for one-letter names).

:func:`resource_limits` maps ``instance_type`` to CPU and memory limits capped to this
machine (``local`` means no limit).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..exceptions import ValidationError
from .base import OPT_ML

GIB = 1024**3
HOMOGENEOUS_GROUP = "homogeneousCluster"
NETWORK_INTERFACE = "eth0"
LOCAL_INSTANCE_TYPES = ("local", "local_gpu")

# GiB of memory per vCPU by instance family letter (m5: 4, c5: 2, r5: 8, ...)
_GIB_PER_VCPU = {"m": 4, "c": 2, "r": 8, "t": 4, "g": 4, "p": 8, "x": 16, "z": 8, "i": 8}
_INSTANCE_RE = re.compile(r"^ml\.([a-z]+)(\d+)([a-z-]*)\.(medium|large|(\d*)xlarge)$")
_CHANNEL_RE = re.compile(r"^[A-Za-z0-9\.\-_]{1,64}$")


@dataclass(frozen=True)
class ResourceLimits:
    """CPU and memory for one host. ``None`` means no limit (``local``)."""

    instance_type: str
    cpus: float | None
    memory_bytes: int | None
    nominal_cpus: int | None = None
    nominal_memory_bytes: int | None = None

    @property
    def num_cpus(self) -> int:
        """What SM_NUM_CPUS says: the limit (at least 1), or the machine's CPUs."""
        if self.cpus is None:
            return os.cpu_count() or 1
        return max(1, int(self.cpus))


def machine_memory_bytes() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def resource_limits(instance_type: str = "local") -> ResourceLimits:
    """``ml.m5.large`` → 2 vCPU / 8 GiB (capped to this machine); ``local`` → no limit.

    Raises ValidationError(field="instance_type") for a name that is not ``local`` or
    ``ml.<family><generation>.<size>``.
    """
    if instance_type in LOCAL_INSTANCE_TYPES:
        return ResourceLimits(instance_type, None, None)
    match = _INSTANCE_RE.match(instance_type or "")
    family = match.group(1)[0] if match else ""
    if not match or family not in _GIB_PER_VCPU:
        raise ValidationError(
            f"unknown instance type {instance_type!r}: use 'local' or an ml.* name such as"
            " 'ml.m5.large'",
            field="instance_type",
        )
    size, multiple = match.group(4), match.group(5)
    vcpus = 2 if size in ("medium", "large") else 4 * (int(multiple) if multiple else 1)
    memory = vcpus * _GIB_PER_VCPU[family] * GIB
    if size == "medium":
        memory = 4 * GIB
    machine_cpus = os.cpu_count() or vcpus
    machine_memory = machine_memory_bytes() or memory
    return ResourceLimits(
        instance_type,
        cpus=float(min(vcpus, machine_cpus)),
        memory_bytes=min(memory, machine_memory),
        nominal_cpus=vcpus,
        nominal_memory_bytes=memory,
    )


@dataclass(frozen=True)
class Channel:
    """An input channel as inputdataconfig.json describes it."""

    name: str
    content_type: str | None = None
    input_mode: str = "File"
    distribution: str = "FullyReplicated"
    record_wrapper: str = "None"

    def config(self) -> dict[str, str]:
        body = {
            "TrainingInputMode": self.input_mode,
            "S3DistributionType": self.distribution,
            "RecordWrapperType": self.record_wrapper,
        }
        if self.content_type:
            body["ContentType"] = self.content_type
        return body


@dataclass(frozen=True)
class TrainingSetup:
    """Everything the contract of one host of a training job depends on."""

    job_name: str
    current_host: str = "algo-1"
    hosts: Sequence[str] = ("algo-1",)
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    channels: Sequence[Channel] = ()
    instance_type: str = "local"
    num_cpus: int = 1
    num_gpus: int = 0
    entry_point: str | None = None
    log_level: int = 20


def validate_channels(channels: Sequence[Channel]) -> None:
    seen: set[str] = set()
    for channel in channels:
        if not _CHANNEL_RE.match(channel.name):
            raise ValidationError(
                f"invalid channel name {channel.name!r} (letters, digits, '.', '-', '_')",
                field="input_data_config.channel_name",
            )
        if channel.name in seen:
            raise ValidationError(
                f"channel {channel.name!r} is given twice", field="input_data_config.channel_name"
            )
        seen.add(channel.name)


def hyperparameters_to_strings(hyperparameters: Mapping[str, Any]) -> dict[str, str]:
    """hyperparameters.json form: strings stay, anything else becomes JSON."""
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in hyperparameters.items()}


def decode_hyperparameters(hyperparameters: Mapping[str, Any]) -> dict[str, Any]:
    """The toolkit's reading: each string value JSON-decoded when it decodes."""
    decoded: dict[str, Any] = {}
    for key, value in hyperparameters_to_strings(hyperparameters).items():
        try:
            decoded[key] = json.loads(value)
        except ValueError:
            decoded[key] = value
    return decoded


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def hyperparameter_args(hyperparameters: Mapping[str, Any]) -> list[str]:
    """Sorted ``--name value`` arguments (``-n value`` for one-letter names)."""
    decoded = decode_hyperparameters(hyperparameters)
    args: list[str] = []
    for key in sorted(decoded):
        value = decoded[key]
        if isinstance(value, dict):
            text = ",".join(f"{k}={v}" for k, v in sorted(value.items()))
        else:
            text = "" if value is None else str(value)
        args += [f"--{key}" if len(key) > 1 else f"-{key}", text]
    return args


def resource_config(setup: TrainingSetup) -> dict[str, Any]:
    hosts = list(setup.hosts)
    return {
        "current_host": setup.current_host,
        "current_instance_type": setup.instance_type,
        "current_group_name": HOMOGENEOUS_GROUP,
        "hosts": hosts,
        "instance_groups": [
            {
                "instance_group_name": HOMOGENEOUS_GROUP,
                "instance_type": setup.instance_type,
                "hosts": hosts,
            }
        ],
        "network_interface_name": NETWORK_INTERFACE,
    }


def input_data_config(setup: TrainingSetup) -> dict[str, dict[str, str]]:
    return {c.name: c.config() for c in setup.channels}


def write_training_contract(ml_dir: Path, setup: TrainingSetup) -> None:
    """Create ``ml_dir`` as a host's ``/opt/ml``: folders and the three config files.

    Existing files in ``code/``, ``input/data/<channel>/`` and ``checkpoints/`` are kept (the
    caller fills them before or after). Raises ValidationError for bad channel names.
    """
    validate_channels(setup.channels)
    folders = ["input/config", "model", "output/data", "code", "checkpoints"]
    folders += [f"input/data/{c.name}" for c in setup.channels]
    for folder in folders:
        (ml_dir / folder).mkdir(parents=True, exist_ok=True)
    config = ml_dir / "input" / "config"
    files = {
        "hyperparameters.json": hyperparameters_to_strings(setup.hyperparameters),
        "inputdataconfig.json": input_data_config(setup),
        "resourceconfig.json": resource_config(setup),
    }
    for name, body in files.items():
        (config / name).write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")


def training_env(setup: TrainingSetup, base: str = OPT_ML) -> dict[str, str]:
    """The script-mode environment of one host, with ``/opt/ml`` at ``base``."""

    def path(*parts: str) -> str:
        return posixpath.join(base, *parts) if base.startswith("/") else os.path.join(base, *parts)

    hyperparameters = decode_hyperparameters(setup.hyperparameters)
    channel_dirs = {c.name: path("input", "data", c.name) for c in setup.channels}
    entry = setup.entry_point or ""
    module_name = entry[:-3] if entry.endswith(".py") else entry
    args = hyperparameter_args(setup.hyperparameters)
    hosts = list(setup.hosts)
    resources = resource_config(setup)
    data_config = input_data_config(setup)
    training: dict[str, Any] = {
        "additional_framework_parameters": {},
        "channel_input_dirs": channel_dirs,
        "current_host": setup.current_host,
        "current_instance_type": setup.instance_type,
        "hosts": hosts,
        "hyperparameters": hyperparameters,
        "input_config_dir": path("input", "config"),
        "input_data_config": data_config,
        "input_dir": path("input"),
        "is_master": setup.current_host == (hosts[0] if hosts else setup.current_host),
        "job_name": setup.job_name,
        "log_level": setup.log_level,
        "master_hostname": hosts[0] if hosts else setup.current_host,
        "model_dir": path("model"),
        "module_dir": path("code"),
        "module_name": module_name,
        "network_interface_name": NETWORK_INTERFACE,
        "num_cpus": setup.num_cpus,
        "num_gpus": setup.num_gpus,
        "output_data_dir": path("output", "data"),
        "output_dir": path("output"),
        "output_intermediate_dir": path("output", "intermediate"),
        "resource_config": resources,
        "user_entry_point": entry,
    }
    env: dict[str, str] = {
        "TRAINING_JOB_NAME": setup.job_name,
        "SAGEMAKER_BASE_DIR": base,
        "SM_MODEL_DIR": training["model_dir"],
        "SM_CHANNELS": _compact(sorted(channel_dirs)),
        "SM_HPS": _compact(hyperparameters),
        "SM_HOSTS": _compact(hosts),
        "SM_CURRENT_HOST": setup.current_host,
        "SM_CURRENT_INSTANCE_TYPE": setup.instance_type,
        "SM_NUM_CPUS": str(setup.num_cpus),
        "SM_NUM_GPUS": str(setup.num_gpus),
        "SM_LOG_LEVEL": str(setup.log_level),
        "SM_NETWORK_INTERFACE_NAME": NETWORK_INTERFACE,
        "SM_OUTPUT_DIR": training["output_dir"],
        "SM_OUTPUT_DATA_DIR": training["output_data_dir"],
        "SM_OUTPUT_INTERMEDIATE_DIR": training["output_intermediate_dir"],
        "SM_INPUT_DIR": training["input_dir"],
        "SM_INPUT_CONFIG_DIR": training["input_config_dir"],
        "SM_INPUT_DATA_CONFIG": _compact(data_config),
        "SM_RESOURCE_CONFIG": _compact(resources),
        "SM_MODULE_DIR": training["module_dir"],
        "SM_MODULE_NAME": module_name,
        "SM_USER_ENTRY_POINT": entry,
        "SM_USER_ARGS": _compact(args),
        "SM_FRAMEWORK_PARAMS": "{}",
        "SM_TRAINING_ENV": _compact(training),
        "SAGEMAKER_SUBMIT_DIRECTORY": training["module_dir"],
        "PYTHONUNBUFFERED": "1",
    }
    if entry:
        env["SAGEMAKER_PROGRAM"] = entry
    for name, directory in channel_dirs.items():
        env[f"SM_CHANNEL_{name.upper()}"] = directory
    for key, value in hyperparameters.items():
        env[f"SM_HP_{key.upper()}"] = value if isinstance(value, str) else _compact(value)
    return env


def write_processing_config(
    ml_dir: Path,
    job_name: str,
    processing_config: Mapping[str, Any],
    *,
    current_host: str = "algo-1",
    hosts: Sequence[str] = ("algo-1",),
) -> None:
    """A processing host's ``/opt/ml/config/{processingjobconfig,resourceconfig}.json``
    and its ``/opt/ml/processing`` folder (inputs and outputs are mounts under it)."""
    config = ml_dir / "config"
    config.mkdir(parents=True, exist_ok=True)
    (ml_dir / "processing").mkdir(parents=True, exist_ok=True)
    body = {"ProcessingJobName": job_name, **processing_config}
    (config / "processingjobconfig.json").write_text(json.dumps(body, indent=2) + "\n")
    resources = {"current_host": current_host, "hosts": list(hosts)}
    (config / "resourceconfig.json").write_text(json.dumps(resources, indent=2) + "\n")
