"""The studio: its configuration, stores and services, opened once and shared."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..artifacts.base import ArtifactStore
from ..config import StudioConfig
from ..entities import utcnow
from ..ownership import OwnerCheck
from ..store.base import MetadataStore
from ..stores import open_stores
from .hosting.autoscaling import DEFAULT_PERIOD_S, AutoscalingService
from .hosting.service import HostingService
from .jobs.automl.service import AutoMLService
from .jobs.debugger_service import DebuggerService
from .jobs.kinds import (
    AutoMLJobs,
    JobKinds,
    ProcessingJobs,
    TrainingJobs,
    TransformJobs,
    TuningJobs,
)
from .jobs.service import JobService
from .jobs.transform.service import TransformService
from .jobs.tuning.service import TuningService
from .monitoring.service import Clock, MonitoringService
from .pipelines.executions import PipelineExecutions
from .pipelines.service import PipelineService
from .registry.service import RegistryService
from .system import SystemService
from .tracking.experiments import ExperimentService

log = logging.getLogger(__name__)


class Studio:
    """Owns the stores and the services built on them.

    ``executor`` is where the server runs blocking service calls, off the event loop.
    """

    def __init__(
        self,
        config: StudioConfig,
        store: MetadataStore,
        artifacts: ArtifactStore,
        *,
        workers: int = 8,
        invocation_timeout: float = 60.0,
        max_payload_mb: float = 6.0,
        owns_home: bool = True,
        clock: Clock = utcnow,
        autoscaling_period_s: float = DEFAULT_PERIOD_S,
    ) -> None:
        self.config = config
        #: whether this studio may start jobs and endpoints (it owns the home)
        self.owner_check = OwnerCheck(config.home, owns=owns_home)
        self.store = store
        self.artifacts = artifacts
        self.experiments = ExperimentService(store, artifacts)
        self.jobs = JobService(store, artifacts, config, owner_check=self.owner_check)
        self.endpoints = HostingService(
            store,
            artifacts,
            config,
            runner=self.jobs.runner,
            runtime_name=self.jobs.runtime_name,
            timeout_s=invocation_timeout,
            max_payload=int(max_payload_mb * 1024 * 1024),
            owner_check=self.owner_check,
        )
        self.transform = TransformService(
            store,
            artifacts,
            config,
            runner=self.jobs.runner,
            runtime_name=self.jobs.runtime_name,
            jobs=self.jobs,
            owner_check=self.owner_check,
        )
        self.registry = RegistryService(store, artifacts)
        self.tuning = TuningService(store, config, self.jobs, owner_check=self.owner_check)
        self.automl = AutoMLService(
            store, artifacts, config, self.jobs, owner_check=self.owner_check
        )
        self.pipeline_executions = PipelineExecutions(
            store,
            self.jobs,
            hosting=self.endpoints,
            registry=self.registry,
            transform=self.transform,
            tuning=self.tuning,
            owner_check=self.owner_check,
        )
        self.pipelines = PipelineService(store, self.pipeline_executions)
        #: every kind of job behind one interface (what the REST handlers use)
        self.job_kinds = JobKinds(
            TrainingJobs(store, self.jobs),
            ProcessingJobs(store, self.jobs),
            TransformJobs(store, self.transform),
            TuningJobs(store, self.tuning),
            AutoMLJobs(store, self.automl),
        )
        #: Model Monitor's schedules and executions (clock: when schedules fire)
        self.monitoring = MonitoringService(
            store, artifacts, self.jobs, self.endpoints, owner_check=self.owner_check, clock=clock
        )
        #: endpoint autoscaling: targets, policies, activities and the controller
        self.autoscaling = AutoscalingService(
            store,
            self.endpoints,
            period_s=autoscaling_period_s,
            owner_check=self.owner_check,
        )
        self.system = SystemService(config, store, artifacts)
        #: a training job's saved tensors, profiler samples and report (the job view)
        self.debugger = DebuggerService(store, config)
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mlstudio")

    @classmethod
    def open(
        cls, config: StudioConfig, *, workers: int = 8, recover: bool = True, **options: Any
    ) -> Studio:
        """Open the stores and services of ``config``.

        Args:
            config: Where the studio keeps things.
            workers: Threads of :attr:`executor`.
            recover: Re-attach jobs and rebuild endpoints left running; only the studio
                that owns the home (:mod:`jupyter_mlstudio.ownership`) may, and only it
                starts new ones.
            options: Passed to the services (invocation timeout, payload limit,
                autoscaling's evaluation period ``autoscaling_period_s``).

        Returns:
            The open studio; :meth:`close` releases it.
        """
        config.home.mkdir(parents=True, exist_ok=True)
        store, artifacts = open_stores(config)
        studio = cls(config, store, artifacts, workers=workers, owns_home=recover, **options)
        if recover:
            studio.recover()
        return studio

    def recover(self) -> None:
        """Re-attach jobs, end transform jobs and rebuild endpoints left by a studio that
        stopped; a failure of one part is logged and the others still run."""
        try:
            self.jobs.recover()  # jobs left InProgress: re-attach or mark Failed
        except Exception:  # a broken runtime must not keep the studio from opening
            log.exception("could not recover the jobs left running")
        try:
            self.transform.recover()  # transform jobs do not resume: marked Failed
        except Exception:
            log.exception("could not end the transform jobs left running")
        try:
            self.endpoints.recover()  # endpoints in service: rebuilt from their configs
        except Exception:
            log.exception("could not rebuild the endpoints")
        try:
            self.tuning.recover()  # tuning jobs carry on from the training jobs recorded
        except Exception:
            log.exception("could not carry on with the tuning jobs")
        try:
            self.automl.recover()  # AutoML jobs carry on from the candidates recorded
        except Exception:
            log.exception("could not carry on with the AutoML jobs")
        try:
            self.pipeline_executions.recover()  # executions carry on from their finished steps
        except Exception:
            log.exception("could not carry on with the pipeline executions")
        self.monitoring.start()  # schedules run their windows from here on
        self.autoscaling.start()  # policies change instance counts from here on

    def close(self) -> None:
        self.autoscaling.close()  # first: no policy changes an instance count
        self.monitoring.close()  # first: no schedule starts an execution's job
        self.pipeline_executions.close()  # first: no executor starts a step's job,
        self.tuning.close()  # nor a tuner a training job, while jobs close
        self.automl.close()
        self.transform.close()
        self.endpoints.close()
        self.jobs.close()
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.store.close()
