"""Training, processing, transform and tuning jobs, as the SageMaker API describes them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import Field

from .common import Entity


class JobStatus(str, Enum):
    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"
    FAILED = "Failed"
    STOPPING = "Stopping"
    STOPPED = "Stopped"


TERMINAL_JOB_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.STOPPED})


class SecondaryStatus(str, Enum):
    STARTING = "Starting"
    LAUNCHING_ML_INSTANCES = "LaunchingMLInstances"
    PREPARING_TRAINING_STACK = "PreparingTrainingStack"
    DOWNLOADING = "Downloading"
    DOWNLOADING_TRAINING_IMAGE = "DownloadingTrainingImage"
    TRAINING = "Training"
    TRANSFORMING = "Transforming"
    UPLOADING = "Uploading"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    MAX_RUNTIME_EXCEEDED = "MaxRuntimeExceeded"
    COMPLETED = "Completed"
    FAILED = "Failed"


class JobKind(str, Enum):
    TRAINING = "TrainingJob"
    PROCESSING = "ProcessingJob"
    TRANSFORM = "TransformJob"
    TUNING = "HyperParameterTuningJob"
    PIPELINE_EXECUTION = "PipelineExecution"
    AUTOML = "AutoMLJob"


class SecondaryStatusTransition(Entity):
    status: SecondaryStatus
    start_time: datetime
    end_time: datetime | None = None
    status_message: str | None = None


class Job(Entity):
    """A training, processing or transform job.

    ``spec`` holds the request as given (AlgorithmSpecification, HyperParameters,
    InputDataConfig, ResourceConfig, ... in SageMaker's field names); the studio's
    runtimes read it, the store keeps it verbatim.
    """

    job_name: str
    kind: JobKind
    status: JobStatus
    secondary_status: SecondaryStatus | None = None
    failure_reason: str | None = None
    exit_code: int | None = None
    runtime: str | None = None
    spec: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    experiment_name: str | None = None
    trial_component_name: str | None = None
    creation_time: datetime
    start_time: datetime | None = None
    end_time: datetime | None = None
    last_modified_time: datetime
    secondary_status_transitions: list[SecondaryStatusTransition] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)
