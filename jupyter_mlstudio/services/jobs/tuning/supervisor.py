"""The thread that runs one tuning job: it asks the search for hyperparameters, starts
training jobs (at most ``MaxParallelTrainingJobs`` at once, and no more than the runtime
has room for: a cluster's free resources), feeds their objective back, stops the ones
early stopping gives up on, and ends the tuning job.

Everything it knows is in the store: a restarted studio starts a new supervisor that
rebuilds the search from the training jobs recorded so far and adopts the ones still
running (:meth:`TuningSupervisor._adopt`).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ....entities import (
    TERMINAL_JOB_STATUSES,
    Job,
    JobKind,
    JobStatus,
    SecondaryStatus,
    utcnow,
)
from ....exceptions import ConflictError, NotFoundError, StudioError
from ....store.base import MetadataStore
from .requests import CreateHyperParameterTuningJobRequest, Range
from .search import Search
from .summaries import (
    EARLY_STOPPING_KEY,
    TUNING_TAG,
    Objective,
    best,
    counters,
    final_objective,
    job_number,
    stopped_early,
    summary,
    training_job_name,
    training_jobs_of,
)

log = logging.getLogger(__name__)

#: Seconds between two looks at the running training jobs.
POLL_SECONDS = 0.1
#: Seconds after which the Outputs are refreshed even when no job started or ended.
REFRESH_SECONDS = 2.0
#: Jobs without improvement that count as convergence (``CompleteOnConvergence``).
CONVERGENCE_JOBS = 10
#: Seconds between two questions to a full runtime whether it has room again.
ROOM_SECONDS = 0.5
#: Seconds a started job counts as not placed yet after its hosts run (the runtime's
#: free resources may lag a launch by a moment).
SETTLE_SECONDS = 0.5
#: Secondary statuses of a training job whose hosts are not launched yet.
_BEFORE_LAUNCH = frozenset({SecondaryStatus.STARTING, SecondaryStatus.DOWNLOADING})


@dataclass
class Running:
    """A training job the tuner waits for."""

    name: str
    trial: Any
    reported: int = 0
    stopped_early: bool = False
    run: str | None = None
    #: when its hosts were first seen running (monotonic seconds)
    placed_at: float | None = None


@dataclass
class Progress:
    """What the tuner has seen so far (kept in the tuning job's Outputs)."""

    launched: int = 0
    best: float | None = None
    not_improving: int = 0
    #: why no more jobs start (None while they may)
    reason: str | None = None
    #: why a training job could not start, when one could not
    start_failure: str | None = None
    #: extra TuningJobCompletionDetails (ConvergenceDetectedTime)
    details: dict[str, Any] = field(default_factory=dict)
    #: the Outputs last written
    published: dict[str, Any] | None = None


class TuningSupervisor(threading.Thread):
    """Runs the tuning job ``job`` until it ends, or until :meth:`detach`.

    Args:
        store: The metadata store.
        job: The tuning job's record.
        request: Its request.
        ranges: Its tuned hyperparameters (checked).
        create_training_job: Starts a training job from a CreateTrainingJob request.
        stop_training_job: Asks a training job to stop.
        log_file: Where the tuner writes what it does (the tuning job's log).
        room_for: How many more training jobs of an instance type and count the runtime
            can place now (None: no limit known); None when the runtime has no limit.
    """

    def __init__(
        self,
        *,
        store: MetadataStore,
        job: Job,
        request: CreateHyperParameterTuningJobRequest,
        ranges: list[Range],
        create_training_job: Callable[[dict[str, Any]], Job],
        stop_training_job: Callable[[str], Any],
        log_file: Path,
        room_for: Callable[[str, int], int | None] | None = None,
    ) -> None:
        super().__init__(name=f"tuning-{job.job_name}", daemon=True)
        self.store = store
        self.name_ = job.job_name
        self.request = request
        self.ranges = ranges
        self._create = create_training_job
        self._stop_job = stop_training_job
        self._log_file = log_file
        self._room_for = room_for
        #: when the runtime was last found full (monotonic seconds), while it is
        self._full_since: float | None = None
        self._asked_room_at = 0.0
        config = request.HyperParameterTuningJobConfig
        objective = config.HyperParameterTuningJobObjective
        assert objective is not None  # checked with the request
        self.objective = Objective(objective.MetricName, objective.Type == "Maximize")
        limits = config.ResourceLimits
        self.parallel = limits.MaxParallelTrainingJobs
        self.max_jobs = limits.MaxNumberOfTrainingJobs or 0
        self._began = time.monotonic()
        self._stop_asked = threading.Event()
        self._let_go = threading.Event()
        self.running: dict[str, Running] = {}
        self.progress = Progress()
        self._parents: list[Job] | None = None
        #: jobs started or ended so far, and as of the last publish
        self._changes = 0
        self._published_changes = -1
        self._published_at = 0.0
        hyperband = config.StrategyConfig.HyperbandStrategyConfig if config.StrategyConfig else None
        self.search = Search(
            ranges,
            strategy=config.Strategy,
            maximize=self.objective.maximize,
            early_stopping=config.TrainingJobEarlyStoppingType == "Auto",
            max_jobs=self.max_jobs or 1,
            seed=config.RandomSeed,
            hyperband=(
                (hyperband.MinResource, hyperband.MaxResource) if hyperband else (None, None)
            ),
        )

    # -- control ---------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Stop the running training jobs and end Stopped."""
        self._stop_asked.set()

    def detach(self) -> None:
        """Let go without ending anything (the studio is closing; the next one carries on)."""
        self._let_go.set()

    # -- the loop --------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._adopt()
            while not self._let_go.is_set():
                if self._step():
                    return
                self._let_go.wait(POLL_SECONDS)
        except Exception as exc:
            log.exception("tuning job %s failed", self.name_)
            self._end(JobStatus.FAILED, f"the tuner failed: {type(exc).__name__}: {exc}")

    def _step(self) -> bool:
        """One look at the jobs; True once the tuning job has ended."""
        stopping = self._stop_asked.is_set() or self._status() is JobStatus.STOPPING
        for running in list(self.running.values()):
            self._watch(running, stopping)
        if stopping:
            if not self.running:
                self._publish()
                self._end(JobStatus.STOPPED, None)
                return True
            return False
        self._check_completion()
        if self._may_launch():
            for _ in range(self._room()):
                if not self._may_launch():
                    break
                self._launch()
        self._publish(when_due=True)
        if not self.running and not self._may_launch():
            self._finish()
            return True
        return False

    def _may_launch(self) -> bool:
        if self.progress.reason is not None or len(self.running) >= self.parallel:
            return False
        if self.max_jobs and self.progress.launched >= self.max_jobs:
            return False
        return not self.search.exhausted()

    def _room(self) -> int:
        """How many training jobs may start now as far as the runtime goes: the jobs of
        the definition's shape it can place, less those started and not placed yet (one
        when none of the tuner's jobs runs); says in the log when the tuner waits for room
        (and when it has some again)."""
        wanted = self.parallel - len(self.running)
        if self._room_for is None:
            return wanted
        now = time.monotonic()
        if self._full_since is not None and now - self._asked_room_at < ROOM_SECONDS:
            return 0
        self._asked_room_at = now
        resources = self.request.TrainingJobDefinition.ResourceConfig
        try:
            room = self._room_for(resources.InstanceType, resources.InstanceCount)
        except StudioError as exc:  # the launch will say what is wrong
            log.warning("tuning job %s: no room figure from the runtime: %s", self.name_, exc)
            return wanted
        if room is None:
            return wanted
        unplaced = sum(
            1
            for r in self.running.values()
            if r.placed_at is None or now - r.placed_at < SETTLE_SECONDS
        )
        free, room = room, max(0, room - unplaced)
        if room == 0 and not self.running:
            # none of its jobs holds resources: one starts, and waits for room or says
            # why it cannot be placed (an instance type no node has) rather than none ever
            return 1
        if free == 0 and self._full_since is None:  # full, not only of jobs being placed
            self._full_since = now
            self._say(
                f"waiting for the cluster: no room for a training job of"
                f" {resources.InstanceCount} x {resources.InstanceType} now"
                f" ({len(self.running)} running, MaxParallelTrainingJobs {self.parallel})"
            )
        elif room > 0 and self._full_since is not None:
            self._full_since = None
            self._say(f"the cluster has room again for {min(room, wanted)} training jobs")
        return min(room, wanted)

    # -- training jobs ---------------------------------------------------------------------

    def _launch(self) -> None:
        number = self.progress.launched + 1
        name = training_job_name(self.name_, number, secrets.token_hex(4))
        trial = self.search.ask()
        tuned = self.search.hyperparameters(trial)
        request = self._training_request(name, tuned)
        self.progress.launched = number
        try:
            self._create(request)
        except StudioError as exc:
            # The definition was checked at creation: what fails now (an image gone, the
            # runtime down) fails the next jobs alike, so no more start.
            self.search.tell(trial, None)
            self._say(f"{name}: could not start: {exc}")
            self.progress.start_failure = f"training job {name} could not start: {exc}"
            self.progress.reason = self.progress.start_failure
            return
        self.running[name] = Running(name, trial)
        self._changes += 1
        self._say(f"{name}: started with {_format(tuned)}")

    def _training_request(self, name: str, tuned: dict[str, str]) -> dict[str, Any]:
        definition = self.request.TrainingJobDefinition.model_dump(mode="json", exclude_none=True)
        static = definition.pop("StaticHyperParameters", {})
        return {
            **definition,
            "TrainingJobName": name,
            "HyperParameters": {**static, **tuned},
            "ExperimentConfig": {"ExperimentName": self.name_, "TrialName": self.name_},
            "Tags": [{"Key": TUNING_TAG, "Value": self.name_}],
        }

    def _watch(self, running: Running, stopping: bool) -> None:
        try:
            job = self.store.get_job(running.name, JobKind.TRAINING)
        except NotFoundError:
            self.running.pop(running.name)
            self.search.tell(running.trial, None)
            return
        if job.status in TERMINAL_JOB_STATUSES:
            self._ended(running, job)
            return
        launched = job.secondary_status not in (None, *_BEFORE_LAUNCH)
        if running.placed_at is None and launched:
            running.placed_at = time.monotonic()
        if stopping:
            if job.status is not JobStatus.STOPPING:
                with contextlib.suppress(ConflictError, NotFoundError):
                    self._stop_job(running.name)
            return
        if not running.stopped_early and job.trial_component_name:
            self._report(running, job.trial_component_name)

    def _report(self, running: Running, run: str) -> None:
        """Feed the objective values logged since the last look to early stopping."""
        try:
            series = self.store.get_metric_series(run, self.objective.metric_name)
        except NotFoundError:
            return
        prune = False
        for point in series[running.reported :]:
            prune = self.search.report(running.trial, point.value, running.reported) or prune
            running.reported += 1
        if prune:
            running.stopped_early = True
            try:
                self._stop_job(running.name)
            except (ConflictError, NotFoundError):
                return  # it ended meanwhile, on its own
            with contextlib.suppress(ConflictError, NotFoundError):
                self.store.update_job(running.name, outputs={EARLY_STOPPING_KEY: "Auto"})
            self._say(f"{running.name}: stopping early after {running.reported} values")

    def _ended(self, running: Running, job: Job) -> None:
        self.running.pop(running.name)
        self._changes += 1
        value = final_objective(job, self.objective.metric_name)
        if job.status is JobStatus.FAILED:
            value = None
        early = job.status is JobStatus.STOPPED and (running.stopped_early or stopped_early(job))
        self.search.tell(running.trial, value, stopped_early=early)
        self._count(value)
        ending = f"objective {value}" if value is not None else "no objective"
        self._say(f"{running.name}: {job.status.value}, {ending}")

    def _count(self, value: float | None) -> None:
        """Track the best objective and how many jobs in a row did not beat it."""
        progress = self.progress
        if value is not None and (
            progress.best is None or self.objective.better(value, progress.best)
        ):
            progress.best = value
            progress.not_improving = 0
        else:
            progress.not_improving += 1

    # -- ending ----------------------------------------------------------------------------

    def _check_completion(self) -> None:
        progress = self.progress
        if progress.reason is not None:
            return
        criteria = self.request.HyperParameterTuningJobConfig.TuningJobCompletionCriteria
        limit = self.request.HyperParameterTuningJobConfig.ResourceLimits.MaxRuntimeInSeconds
        if limit is not None and time.monotonic() - self._began > limit:
            progress.reason = "MaxRuntimeInSeconds reached"
            for running in self.running.values():
                with contextlib.suppress(ConflictError, NotFoundError):
                    self._stop_job(running.name)
        if criteria is None:
            return
        target = criteria.TargetObjectiveMetricValue
        best_value = progress.best
        if (
            target is not None
            and best_value is not None
            and (best_value == target or self.objective.better(best_value, target))
        ):
            progress.reason = "TargetObjectiveMetricValue reached"
        patience = criteria.BestObjectiveNotImproving
        if patience and progress.not_improving >= patience.MaxNumberOfTrainingJobsNotImproving:
            progress.reason = "BestObjectiveNotImproving"
        convergence = criteria.ConvergenceDetected
        enabled = convergence is not None and convergence.CompleteOnConvergence == "Enabled"
        if enabled and progress.not_improving >= CONVERGENCE_JOBS:
            progress.reason = "ConvergenceDetected"
            progress.details["ConvergenceDetectedTime"] = utcnow().isoformat()
        if progress.reason is not None:
            self._say(f"no more training jobs: {progress.reason}")

    def _finish(self) -> None:
        jobs = self._own_jobs()
        if not any(final_objective(j, self.objective.metric_name) is not None for j in jobs):
            reasons = [j.failure_reason for j in jobs if j.failure_reason]
            reason = self.progress.start_failure or (
                f"no training job reported the objective {self.objective.metric_name!r}"
                + (f": {reasons[0]}" if reasons else "")
            )
            self._publish()
            self._end(JobStatus.FAILED, reason)
            return
        self.progress.reason = self.progress.reason or (
            "MaxNumberOfTrainingJobs reached" if self.max_jobs else "every grid point tried"
        )
        self._publish()
        self._end(JobStatus.COMPLETED, None)

    def _end(self, status: JobStatus, reason: str | None) -> None:
        self._say(f"tuning job {status.value}" + (f": {reason}" if reason else ""))
        with contextlib.suppress(ConflictError, NotFoundError):
            self.store.update_job(
                self.name_,
                status=status,
                failure_reason=reason,
                status_message=reason,
                end_time=utcnow(),
            )

    def _status(self) -> JobStatus | None:
        try:
            return self.store.get_job(self.name_, JobKind.TUNING).status
        except NotFoundError:
            return None

    # -- records ---------------------------------------------------------------------------

    def _own_jobs(self) -> list[Job]:
        return training_jobs_of(self.store, self.name_)

    def _publish(self, *, when_due: bool = False) -> None:
        """Keep the counters and the best job in the tuning job's Outputs: at once, or
        with ``when_due`` only after a job started or ended, or every few seconds."""
        now = time.monotonic()
        due = self._changes != self._published_changes or now - self._published_at > REFRESH_SECONDS
        if when_due and not due:
            return
        self._published_changes, self._published_at = self._changes, now
        jobs = self._own_jobs()
        tuned = [r.name for r in self.ranges]
        summaries = [summary(j, self.name_, tuned, self.objective) for j in jobs]
        outputs: dict[str, Any] = counters(jobs, self.objective)
        top = best(summaries, self.objective)
        if top is not None:
            outputs["BestTrainingJob"] = top
        if self.request.WarmStartConfig is not None:
            parents = [
                summary(j, str(j.tags.get(TUNING_TAG)), tuned, self.objective)
                for j in self.warm_start_jobs()
            ]
            overall = best([*summaries, *parents], self.objective)
            if overall is not None:
                outputs["OverallBestTrainingJob"] = overall
        outputs["TuningJobCompletionDetails"] = {
            "NumberOfTrainingJobsObjectiveNotImproving": self.progress.not_improving,
            **self.progress.details,
        }
        if self.progress.reason:
            outputs["CompletionReason"] = self.progress.reason
        if outputs != self.progress.published:
            self.progress.published = outputs
            with contextlib.suppress(ConflictError, NotFoundError):
                self.store.update_job(self.name_, outputs=outputs)

    def _adopt(self) -> None:
        """Rebuild the search from the jobs recorded so far (after a restart: finished
        ones are told, running ones watched again) and seed it from warm start parents."""
        for parent_job in self.warm_start_jobs():
            self.search.add_finished(
                {k: str(v) for k, v in (parent_job.spec.get("HyperParameters") or {}).items()},
                final_objective(parent_job, self.objective.metric_name),
            )
        for job in self._own_jobs():
            number = job_number(self.name_, job.job_name) or 0
            self.progress.launched = max(self.progress.launched, number)
            hyperparameters = {
                k: str(v) for k, v in (job.spec.get("HyperParameters") or {}).items()
            }
            if job.status in TERMINAL_JOB_STATUSES:
                value = final_objective(job, self.objective.metric_name)
                if job.status is JobStatus.FAILED:
                    value = None
                self.search.add_finished(hyperparameters, value)
                self._count(value)
            else:
                trial = self.search.ask(hyperparameters)
                self.running[job.job_name] = Running(job.job_name, trial)
        if self.progress.launched:
            self._say(f"carrying on after {self.progress.launched} training jobs")

    def warm_start_jobs(self) -> list[Job]:
        """The training jobs of the warm start parents (read once: they have ended)."""
        warm = self.request.WarmStartConfig
        if warm is None:
            return []
        if self._parents is None:
            self._parents = [
                job
                for parent in warm.ParentHyperParameterTuningJobs
                for job in training_jobs_of(self.store, parent.HyperParameterTuningJobName)
            ]
        return self._parents

    def _say(self, line: str) -> None:
        stamp = utcnow().strftime("%Y-%m-%dT%H:%M:%S")
        with contextlib.suppress(OSError):
            self._log_file.parent.mkdir(parents=True, exist_ok=True)
            with open(self._log_file, "a", encoding="utf-8") as out:
                out.write(f"{stamp} {line}\n")


def _format(values: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())
