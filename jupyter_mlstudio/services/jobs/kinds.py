"""One interface for every kind of job, and the registry of the kinds a studio runs.

A kind (:class:`JobKindService`) says what its resource is called (the REST collection,
the request model, the name field, the summaries of its operations) and answers the same
six calls whatever runs the jobs: create, describe, list, stop, logs, artifact. The REST
handlers are one set parameterised by kind (``server/handlers/jobs.py``); a new kind of
job (AutoML, monitoring, rule evaluation, pipeline steps) plugs in by implementing
:class:`JobKindService` and being registered in :class:`JobKinds`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel

from ...entities import Job, JobKind, JobStatus
from ...exceptions import NotFoundError
from ...store.base import MetadataStore, Page, SortOrder
from .automl.requests import CreateAutoMLJobRequest
from .automl.service import AutoMLService
from .layout import HOST
from .requests import CreateProcessingJobRequest, CreateTrainingJobRequest, JobLogs
from .service import JobArtifact, JobService
from .transform.requests import CreateTransformJobRequest
from .transform.service import TransformService
from .tuning.requests import CreateHyperParameterTuningJobRequest
from .tuning.service import TuningService


@dataclass(frozen=True)
class KindSummaries:
    """What each operation on a kind does, in a sentence (the API document shows them)."""

    list: str
    create: str
    describe: str
    stop: str
    logs: str
    artifact: str


class JobKindService(ABC):
    """A kind of job, as the REST API and the SDK see it."""

    #: the kind recorded on its jobs (``TrainingJob``: operation ids derive from it)
    kind: ClassVar[JobKind]
    #: the REST collection (``training-jobs``)
    collection: ClassVar[str]
    #: the body of its create call
    request_model: ClassVar[type[BaseModel]]
    #: the request field that names a job (``TrainingJobName``)
    name_field: ClassVar[str]
    summaries: ClassVar[KindSummaries]
    #: its jobs publish files (the artifact route); a tuning job's training jobs do
    publishes_files: ClassVar[bool] = True

    def __init__(self, store: MetadataStore) -> None:
        #: where every kind's job records are read
        self.store = store

    @abstractmethod
    def create(self, request: Any) -> Job:
        """Check, record and start a job; return it as recorded. ``request`` is a
        :attr:`request_model` or a mapping of its fields."""

    def describe(self, job_name: str) -> Job:
        """The job (NotFoundError if there is none of this kind)."""
        return self.store.get_job(job_name, self.kind)

    def list(
        self,
        *,
        status: JobStatus | None = None,
        name_contains: str | None = None,
        sort_order: SortOrder = "Descending",
        max_results: int = 100,
        next_token: str | None = None,
    ) -> Page[Job]:
        """One page of this kind's jobs, newest first unless ``sort_order`` says otherwise."""
        return self.store.list_jobs(
            kind=self.kind,
            status=status,
            name_contains=name_contains,
            sort_order=sort_order,
            max_results=max_results,
            next_token=next_token,
        )

    @abstractmethod
    def stop(self, job_name: str) -> Job:
        """Ask the job to stop; return it (Stopping, or as it ended)."""

    @abstractmethod
    def logs(self, job_name: str, host: str = HOST, offset: int = 0) -> JobLogs:
        """A host's log from byte ``offset`` on."""

    @abstractmethod
    def artifact(self, job_name: str, path: str) -> JobArtifact:
        """Open a file the job published, for download (the caller closes it)."""


class _RunnerJobs(JobKindService):
    """A kind that :class:`JobService` runs (training and processing share its engine)."""

    def __init__(self, store: MetadataStore, jobs: JobService) -> None:
        super().__init__(store)
        self.jobs = jobs

    def stop(self, job_name: str) -> Job:
        return self.jobs.stop_job(job_name, self.kind)

    def logs(self, job_name: str, host: str = HOST, offset: int = 0) -> JobLogs:
        return self.jobs.read_logs(job_name, self.kind, host, offset)

    def artifact(self, job_name: str, path: str) -> JobArtifact:
        return self.jobs.open_artifact(job_name, self.kind, path)


class TrainingJobs(_RunnerJobs):
    """Training jobs (CreateTrainingJob, plus ScriptMode)."""

    kind = JobKind.TRAINING
    collection = "training-jobs"
    request_model = CreateTrainingJobRequest
    name_field = "TrainingJobName"
    summaries = KindSummaries(
        list="List training jobs, newest first",
        create="Create and start a training job (CreateTrainingJob request, plus ScriptMode)",
        describe="Describe a training job",
        stop="Stop a training job (Stopping now, Stopped once its host has exited)",
        logs="Read a training job's log from a byte offset (follow it with NextOffset)",
        artifact="Download a file a training job published (model.tar.gz, output.tar.gz)",
    )

    def create(self, request: Any) -> Job:
        return self.jobs.create_training_job(request)


class ProcessingJobs(_RunnerJobs):
    """Processing jobs (CreateProcessingJob); an artifact is ``<OutputName>/<path>``."""

    kind = JobKind.PROCESSING
    collection = "processing-jobs"
    request_model = CreateProcessingJobRequest
    name_field = "ProcessingJobName"
    summaries = KindSummaries(
        list="List processing jobs, newest first",
        create="Create and start a processing job (CreateProcessingJob request)",
        describe="Describe a processing job",
        stop="Stop a processing job (Stopping now, Stopped once its host has exited)",
        logs="Read a processing job's log from a byte offset (follow it with NextOffset)",
        artifact="Download a file of a processing job's output (<OutputName>/<path>)",
    )

    def create(self, request: Any) -> Job:
        return self.jobs.create_processing_job(request)


class TransformJobs(JobKindService):
    """Batch transform jobs (CreateTransformJob); an artifact is ``<input file>.out``."""

    kind = JobKind.TRANSFORM
    collection = "transform-jobs"
    request_model = CreateTransformJobRequest
    name_field = "TransformJobName"
    summaries = KindSummaries(
        list="List batch transform jobs, newest first",
        create="Create and start a batch transform job (CreateTransformJob request)",
        describe=(
            "Describe a batch transform job (the request is in Spec; outputs, figures and"
            " failed records in Outputs)"
        ),
        stop="Stop a batch transform job (Stopping now, Stopped once its model servers are gone)",
        logs="Read a transform job instance's log from a byte offset (follow it with NextOffset)",
        artifact="Download an output file of a transform job (<input file>.out)",
    )

    def __init__(self, store: MetadataStore, transform: TransformService) -> None:
        super().__init__(store)
        self.transform = transform

    def create(self, request: Any) -> Job:
        return self.transform.create_transform_job(request)

    def stop(self, job_name: str) -> Job:
        return self.transform.stop_transform_job(job_name)

    def logs(self, job_name: str, host: str = HOST, offset: int = 0) -> JobLogs:
        return self.transform.read_logs(job_name, host, offset)

    def artifact(self, job_name: str, path: str) -> JobArtifact:
        return self.transform.open_output(job_name, path)


class TuningJobs(JobKindService):
    """Hyperparameter tuning jobs (CreateHyperParameterTuningJob): training jobs driven
    by a search; its log is the tuner's, and it publishes no files of its own."""

    kind = JobKind.TUNING
    collection = "hyper-parameter-tuning-jobs"
    request_model = CreateHyperParameterTuningJobRequest
    name_field = "HyperParameterTuningJobName"
    publishes_files = False
    summaries = KindSummaries(
        list="List hyperparameter tuning jobs, newest first",
        create=(
            "Create and start a hyperparameter tuning job (CreateHyperParameterTuningJob request)"
        ),
        describe=(
            "Describe a tuning job (the request is in Spec; TrainingJobStatusCounters,"
            " ObjectiveStatusCounters and BestTrainingJob in Outputs)"
        ),
        stop="Stop a tuning job (Stopping now, Stopped once its training jobs have stopped)",
        logs="Read the tuner's log (the training jobs it started and stopped, and why)",
        artifact="",
    )

    def __init__(self, store: MetadataStore, tuning: TuningService) -> None:
        super().__init__(store)
        self.tuning = tuning

    def create(self, request: Any) -> Job:
        return self.tuning.create_tuning_job(request)

    def stop(self, job_name: str) -> Job:
        return self.tuning.stop_tuning_job(job_name)

    def logs(self, job_name: str, host: str = HOST, offset: int = 0) -> JobLogs:
        return self.tuning.read_logs(job_name, host, offset)

    def artifact(self, job_name: str, path: str) -> JobArtifact:
        raise NotFoundError(
            f"tuning job {job_name!r} publishes no files: its training jobs do",
            field="ArtifactPath",
        )


class AutoMLJobs(JobKindService):
    """AutoML jobs (CreateAutoMLJob): a table analysed, candidates trained as training jobs
    and ranked; its log is the AutoML job's own, its files are its two notebooks."""

    kind = JobKind.AUTOML
    collection = "auto-ml-jobs"
    request_model = CreateAutoMLJobRequest
    name_field = "AutoMLJobName"
    summaries = KindSummaries(
        list="List AutoML jobs, newest first",
        create="Create and start an AutoML job (CreateAutoMLJob request)",
        describe=(
            "Describe an AutoML job (the request is in Spec; AutoMLJobSecondaryStatus, Stages,"
            " ResolvedAttributes, BestCandidate, AutoMLJobArtifacts and the analysis of the"
            " table in Outputs)"
        ),
        stop="Stop an AutoML job (Stopping now, Stopped once its candidates have stopped)",
        logs="Read the AutoML job's log (its stages and candidates, and why they ended)",
        artifact=(
            "Download an AutoML job's notebook (SageMakerAutopilotDataExplorationNotebook.ipynb"
            " or SageMakerAutopilotCandidateDefinitionNotebook.ipynb)"
        ),
    )

    def __init__(self, store: MetadataStore, automl: AutoMLService) -> None:
        super().__init__(store)
        self.automl = automl

    def create(self, request: Any) -> Job:
        return self.automl.create_automl_job(request)

    def stop(self, job_name: str) -> Job:
        return self.automl.stop_automl_job(job_name)

    def logs(self, job_name: str, host: str = HOST, offset: int = 0) -> JobLogs:
        return self.automl.read_logs(job_name, host, offset)

    def artifact(self, job_name: str, path: str) -> JobArtifact:
        return self.automl.open_notebook(job_name, path)


#: every kind the REST API serves, in the order its routes are listed
KIND_TYPES: tuple[type[JobKindService], ...] = (
    TrainingJobs,
    ProcessingJobs,
    TransformJobs,
    TuningJobs,
    AutoMLJobs,
)


class JobKinds:
    """The kinds a studio runs, by :class:`JobKind`."""

    def __init__(self, *kinds: JobKindService) -> None:
        self._kinds = {k.kind: k for k in kinds}

    def __getitem__(self, kind: JobKind) -> JobKindService:
        try:
            return self._kinds[kind]
        except KeyError:
            raise NotFoundError(f"this studio runs no {kind.value}s") from None

    def __iter__(self) -> Iterator[JobKindService]:
        return iter(self._kinds.values())
