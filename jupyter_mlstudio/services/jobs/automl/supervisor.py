"""The thread that runs an AutoML job, stage by stage.

``AnalyzingData``: the table is fetched, its columns typed, the problem type inferred
when the request left it out, the objective checked against it, and the rows split once
into training and holdout files (``<output>/<job>/data/``) that every candidate reads.
``FeatureEngineering``: the data exploration notebook and a first candidate definitions
notebook (each algorithm with its defaults) are written (``GenerateCandidateDefinitionsOnly``
ends here, ``CandidateDefinitionsGenerated``). ``ModelTuning`` (``TrainingModels`` in
ENSEMBLING mode): candidates are ordinary training jobs (``<job>-<NNN>-<8 hex>``, in an
experiment named after the AutoML job) proposed by :class:`.search.CandidateSearch`, a
few at a time, until MaxCandidates or MaxAutoMLJobRuntimeInSeconds; the candidate
definitions notebook is then rewritten with every trained candidate, best first.

Nothing lives only in memory: the stage reached and the data's location are in the job's
Outputs, the candidates are training jobs, so a restarted studio carries on where this one
stopped (finished candidates feed the search, running ones are watched again).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ....artifacts.base import ArtifactStore
from ....entities import TERMINAL_JOB_STATUSES, Job, JobKind, JobStatus, utcnow
from ....exceptions import ConflictError, NotFoundError, StudioError
from ....store.base import MetadataStore
from ..runs import source_arn
from ..tuning.summaries import job_number, training_job_name
from . import candidates as cand
from .data import Location, StageFailed, analyse_input, analysis_summary, load_analysis
from .job import automl_pipeline as ap
from .requests import ENSEMBLING, CreateAutoMLJobRequest, completion
from .search import ENSEMBLE_SIZE, CandidateSearch

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
#: the job code every candidate runs (this package's ``job`` folder)
JOB_CODE = Path(__file__).resolve().parent / "job"
DATA_EXPLORATION = "SageMakerAutopilotDataExplorationNotebook.ipynb"
CANDIDATE_DEFINITIONS = "SageMakerAutopilotCandidateDefinitionNotebook.ipynb"


@dataclass
class Running:
    name: str
    #: known to the search (False for one a previous studio started)
    asked: bool = True


@dataclass
class Progress:
    launched: int = 0
    best: float | None = None
    stop_reason: str | None = None
    published: dict[str, Any] = field(default_factory=dict)


class AutoMLSupervisor(threading.Thread):
    """Runs the AutoML job ``job`` until it ends, or until :meth:`detach`.

    Args:
        store: The metadata store.
        job: The AutoML job's record.
        request: Its request (checked).
        artifacts: The studio's artifact store (the default output location).
        create_training_job: Starts a training job from a CreateTrainingJob request.
        stop_training_job: Asks a training job to stop.
        log_file: The AutoML job's log.
        parallel: Candidates trained at once.
    """

    def __init__(
        self,
        *,
        store: MetadataStore,
        job: Job,
        request: CreateAutoMLJobRequest,
        artifacts: ArtifactStore,
        create_training_job: Callable[[dict[str, Any]], Job],
        stop_training_job: Callable[[str], Any],
        log_file: Path,
        parallel: int = 2,
    ) -> None:
        super().__init__(name=f"automl-{job.job_name}", daemon=True)
        self.store = store
        self.name_ = job.job_name
        self.request = request
        self._create = create_training_job
        self._stop_job = stop_training_job
        self._log_file = log_file
        self.parallel = max(1, parallel)
        #: threads a candidate may use
        self.threads = max(1, (os.cpu_count() or 1) // self.parallel)
        self.limits = completion(request)
        self.location = Location(request.OutputDataConfig.S3OutputPath, job.job_name, artifacts)
        self._began = time.monotonic()
        self._stop_asked = threading.Event()
        self._let_go = threading.Event()
        self.running: dict[str, Running] = {}
        self.progress = Progress()
        self.analysis: ap.Analysis | None = None
        self.objective: ap.Objective | None = None
        self.search: CandidateSearch | None = None
        self._ensemble_started = False

    # -- control ---------------------------------------------------------------------------

    def request_stop(self) -> None:
        self._stop_asked.set()

    def detach(self) -> None:
        """Let go without ending anything (the studio is closing; the next one carries on)."""
        self._let_go.set()

    # -- the stages ------------------------------------------------------------------------

    def run(self) -> None:
        try:
            outputs = self.store.get_job(self.name_, JobKind.AUTOML).outputs or {}
            if "DataLocation" not in outputs:
                self._stage("AnalyzingData")
                self._analyse()
            else:
                self._load_analysis(outputs)
            if self._stopping():
                self._end(JobStatus.STOPPED, None, "Stopped")
                return
            if "AutoMLJobArtifacts" not in outputs:
                self._stage("FeatureEngineering")
                self._write_notebooks(first=True)
            if self.request.GenerateCandidateDefinitionsOnly:
                self._end(JobStatus.COMPLETED, None, "CandidateDefinitionsGenerated")
                return
            self._stage("TrainingModels" if self._mode() == ENSEMBLING else "ModelTuning")
            self._train()
        except StageFailed as exc:
            self._say(f"failed: {exc}")
            self._end(JobStatus.FAILED, str(exc), "Failed")
        except Exception as exc:
            log.exception("AutoML job %s failed", self.name_)
            self._end(JobStatus.FAILED, f"AutoML failed: {type(exc).__name__}: {exc}", "Failed")

    def _mode(self) -> str:
        config = self.request.AutoMLJobConfig
        mode = (config.Mode if config else None) or "AUTO"
        if mode == "AUTO":
            outputs = self.store.get_job(self.name_, JobKind.AUTOML).outputs or {}
            size = int((outputs.get("DataLocation") or {}).get("Bytes") or 0)
            return ENSEMBLING if size < 100 * 1024 * 1024 else "HYPERPARAMETER_TUNING"
        return mode

    def _analyse(self) -> None:
        found = analyse_input(self.request, self.location)
        self.analysis, self.objective = found.analysis, found.objective
        analysis = found.analysis
        self._say(
            f"analysed {analysis.rows} rows: {analysis.problem_type}"
            + (f" ({analysis.inferred_because})" if analysis.inferred_because else "")
            + f"; objective {found.objective.name}; {len(analysis.features())} feature columns"
            f" ({len(analysis.features(ap.NUMERIC))} numeric,"
            f" {len(analysis.features(ap.CATEGORICAL))} categorical); holdout of"
            f" {found.data['ValidationRows']} rows"
        )
        self._update(
            DataLocation=found.data,
            Analysis=analysis_summary(analysis),
            ProblemType=analysis.problem_type,
            AutoMLJobObjective={"MetricName": found.objective.name},
            ResolvedAttributes={
                "ProblemType": analysis.problem_type,
                "AutoMLJobObjective": {"MetricName": found.objective.name},
                "CompletionCriteria": self.limits,
            },
        )

    def _load_analysis(self, outputs: dict[str, Any]) -> None:
        self.analysis, self.objective = load_analysis(outputs)

    # -- notebooks -------------------------------------------------------------------------

    def _write_notebooks(self, *, first: bool) -> None:
        import nbformat

        from . import notebooks

        assert self.analysis is not None
        assert self.objective is not None
        data = (self.store.get_job(self.name_, JobKind.AUTOML).outputs or {})["DataLocation"]
        entries = self._notebook_entries(first)
        with tempfile.TemporaryDirectory(prefix="mlstudio-automl-") as scratch:
            folder = Path(scratch)
            artifacts: dict[str, str] = {}
            if first:
                book = notebooks.data_exploration_notebook(
                    self.analysis, job_name=self.name_, data_uri=data["Table"]
                )
                nbformat.write(book, folder / DATA_EXPLORATION)
                artifacts["DataExplorationNotebookLocation"] = self.location.put(
                    folder / DATA_EXPLORATION,
                    "sagemaker-automl-candidates",
                    "notebooks",
                    DATA_EXPLORATION,
                )
            book = notebooks.candidate_definitions_notebook(
                self.analysis,
                entries,
                job_name=self.name_,
                objective=self.objective.name,
                train_uri=data["Train"],
                validation_uri=data["Validation"],
            )
            nbformat.write(book, folder / CANDIDATE_DEFINITIONS)
            artifacts["CandidateDefinitionNotebookLocation"] = self.location.put(
                folder / CANDIDATE_DEFINITIONS,
                "sagemaker-automl-candidates",
                "notebooks",
                CANDIDATE_DEFINITIONS,
            )
        current = (self.store.get_job(self.name_, JobKind.AUTOML).outputs or {}).get(
            "AutoMLJobArtifacts"
        ) or {}
        self._update(AutoMLJobArtifacts={**current, **artifacts})
        self._say(f"wrote the candidate definitions notebook ({len(entries)} candidates)")

    def _notebook_entries(self, first: bool) -> list[Any]:
        from .notebooks import CandidateEntry

        assert self.objective is not None
        if first:
            return [
                CandidateEntry(
                    name=f"{algorithm}-defaults",
                    spec=ap.default_spec(algorithm),
                    objective_value=None,
                )
                for algorithm in ap.ALGORITHMS
            ]
        items = self._candidates()
        ranked = cand.sort_candidates(
            items, "FinalObjectiveMetricValue", True, self.objective.maximize
        )
        jobs = {j.job_name: j for j in cand.candidate_jobs(self.store, self.name_)}
        out = []
        for item in ranked:
            job = jobs[item["CandidateName"]]
            hyperparameters = {
                k: str(v) for k, v in (job.spec.get("HyperParameters") or {}).items()
            }
            spec = ap.CandidateSpec.from_hyperparameters(hyperparameters)
            metric = item.get("FinalAutoMLJobObjectiveMetric") or {}
            out.append(
                CandidateEntry(name=job.job_name, spec=spec, objective_value=metric.get("Value"))
            )
        return out

    # -- candidates ------------------------------------------------------------------------

    def _train(self) -> None:
        assert self.objective is not None
        self.search = CandidateSearch(maximize=self.objective.maximize)
        self._adopt()
        while not self._let_go.is_set():
            if self._step():
                return
            self._let_go.wait(POLL_SECONDS)

    def _step(self) -> bool:
        stopping = self._stopping()
        for running in list(self.running.values()):
            self._watch(running, stopping)
        if stopping:
            if not self.running:
                self._publish()
                self._end(JobStatus.STOPPED, None, "Stopped")
                return True
            return False
        self._check_runtime()
        while self._may_launch():
            self._launch()
        self._publish()
        if not self.running and not self._may_launch():
            self._finish()
            return True
        return False

    def _stopping(self) -> bool:
        if self._stop_asked.is_set():
            return True
        try:
            return self.store.get_job(self.name_, JobKind.AUTOML).status is JobStatus.STOPPING
        except NotFoundError:
            return True

    def _may_launch(self) -> bool:
        if self.progress.stop_reason is not None or len(self.running) >= self.parallel:
            return False
        if self.progress.launched >= self.limits["MaxCandidates"]:
            return False
        if self._mode() == ENSEMBLING:
            assert self.search is not None
            if self.search.defaults_done():
                return not self._ensemble_started and not self.running and self._ensemble_ready()
        return True

    def _ensemble_ready(self) -> bool:
        return len(self._ensemble_members()) >= 2

    def _ensemble_members(self) -> list[ap.CandidateSpec]:
        assert self.objective is not None
        jobs = {j.job_name: j for j in cand.candidate_jobs(self.store, self.name_)}
        ranked = cand.sort_candidates(
            self._candidates(), "FinalObjectiveMetricValue", True, self.objective.maximize
        )
        members: list[ap.CandidateSpec] = []
        for item in ranked:
            if item.get("FinalAutoMLJobObjectiveMetric") is None:
                continue
            hyperparameters = {
                k: str(v)
                for k, v in (jobs[item["CandidateName"]].spec.get("HyperParameters") or {}).items()
            }
            spec = ap.CandidateSpec.from_hyperparameters(hyperparameters)
            if spec.preprocessing == "ordinal" and spec.algorithm != ap.ENSEMBLE:
                members.append(spec)
        return members[:ENSEMBLE_SIZE]

    def _launch(self) -> None:
        assert self.search is not None
        assert self.analysis is not None
        assert self.objective is not None
        number = self.progress.launched + 1
        name = training_job_name(self.name_, number, secrets.token_hex(4))
        asked = True
        if self._mode() == ENSEMBLING and self.search.defaults_done():
            spec = ap.ensemble_spec(self._ensemble_members())
            self._ensemble_started = True
            asked = False
        else:
            spec = self.search.ask(name)
        self.progress.launched = number
        try:
            self._create(self._training_request(name, spec))
        except StudioError as exc:
            if asked:
                self.search.tell(name, None)
            self._say(f"{name}: could not start: {exc}")
            self.progress.stop_reason = f"candidate {name} could not start: {exc}"
            return
        self.running[name] = Running(name, asked)
        self._say(f"{name}: {ap.describe_spec(spec)}")

    def _training_request(self, name: str, spec: ap.CandidateSpec) -> dict[str, Any]:
        assert self.analysis is not None
        assert self.objective is not None
        data = (self.store.get_job(self.name_, JobKind.AUTOML).outputs or {})["DataLocation"]
        regex = r"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)"
        channels = [
            ("train", data["Train"]),
            ("validation", data["Validation"]),
            ("analysis", data["Analysis"]),
        ]
        return {
            "TrainingJobName": name,
            "AlgorithmSpecification": {
                "TrainingInputMode": "File",
                "MetricDefinitions": [
                    {"Name": f"{cand.METRIC_PREFIX}{metric}", "Regex": f"metric {metric}={regex}"}
                    for metric in [*ap.metric_names(self.analysis.problem_type)]
                ],
            },
            "HyperParameters": {**spec.hyperparameters(), "objective": self.objective.name},
            "InputDataConfig": [
                {
                    "ChannelName": channel,
                    "DataSource": {"S3DataSource": {"S3Uri": uri.rsplit("/", 1)[0] + "/"}},
                    "ContentType": "text/csv" if channel != "analysis" else "application/json",
                }
                for channel, uri in channels
            ],
            "OutputDataConfig": {"S3OutputPath": self.location.uri("tuning")},
            "ResourceConfig": {"InstanceType": "local", "InstanceCount": 1},
            "StoppingCondition": {
                "MaxRuntimeInSeconds": self.limits["MaxRuntimePerTrainingJobInSeconds"]
            },
            "ScriptMode": {"EntryPoint": cand.ENTRY_POINT, "SourceDir": str(JOB_CODE)},
            # the candidates running at once share the cores (OpenMP for gradient
            # boosting, the forests' n_jobs): more threads than cores slowed fits 10x
            "Environment": {"OMP_NUM_THREADS": str(self.threads)},
            "ExperimentConfig": {"ExperimentName": self.name_, "TrialName": self.name_},
            "Tags": [{"Key": cand.AUTOML_TAG, "Value": self.name_}],
        }

    def _watch(self, running: Running, stopping: bool) -> None:
        try:
            job = self.store.get_job(running.name, JobKind.TRAINING)
        except NotFoundError:
            self.running.pop(running.name)
            if running.asked and self.search is not None:
                self.search.tell(running.name, None)
            return
        if job.status in TERMINAL_JOB_STATUSES:
            self._ended(running, job)
        elif stopping and job.status is not JobStatus.STOPPING:
            with contextlib.suppress(ConflictError, NotFoundError):
                self._stop_job(running.name)

    def _ended(self, running: Running, job: Job) -> None:
        assert self.search is not None
        assert self.objective is not None
        self.running.pop(running.name)
        value = cand.objective_value(job, self.objective.name)
        if job.status is not JobStatus.COMPLETED:
            value = None
        if running.asked:
            self.search.tell(running.name, value)
        else:
            self._add_finished(job, value)
        if value is not None and (
            self.progress.best is None
            or (
                value > self.progress.best
                if self.objective.maximize
                else value < self.progress.best
            )
        ):
            self.progress.best = value
        shown = f"{self.objective.name} {value:.6g}" if value is not None else "no objective"
        reason = f" ({job.failure_reason})" if job.failure_reason else ""
        self._say(f"{running.name}: {job.status.value}, {shown}{reason}")

    def _add_finished(self, job: Job, value: float | None) -> None:
        assert self.search is not None
        hyperparameters = {k: str(v) for k, v in (job.spec.get("HyperParameters") or {}).items()}
        with contextlib.suppress(KeyError, ValueError):
            spec = ap.CandidateSpec.from_hyperparameters(hyperparameters)
            if spec.algorithm == ap.ENSEMBLE:
                self._ensemble_started = True
                return
            self.search.add_finished(spec, value)

    def _adopt(self) -> None:
        """Carry on after a restart: finished candidates feed the search, running ones are
        watched again."""
        for job in cand.candidate_jobs(self.store, self.name_):
            number = job_number(self.name_, job.job_name) or 0
            self.progress.launched = max(self.progress.launched, number)
            if job.status in TERMINAL_JOB_STATUSES:
                assert self.objective is not None
                value = cand.objective_value(job, self.objective.name)
                self._add_finished(job, value if job.status is JobStatus.COMPLETED else None)
            else:
                self.running[job.job_name] = Running(job.job_name, asked=False)
        if self.progress.launched:
            self._say(f"carrying on after {self.progress.launched} candidates")

    def _check_runtime(self) -> None:
        if self.progress.stop_reason is not None:
            return
        job = self.store.get_job(self.name_, JobKind.AUTOML)
        elapsed = (utcnow() - (job.start_time or job.creation_time)).total_seconds()
        if elapsed > self.limits["MaxAutoMLJobRuntimeInSeconds"]:
            self.progress.stop_reason = "MaxAutoMLJobRuntimeReached"
            self._say("MaxAutoMLJobRuntimeInSeconds reached: stopping the candidates")
            for running in self.running.values():
                with contextlib.suppress(ConflictError, NotFoundError):
                    self._stop_job(running.name)

    # -- ending ----------------------------------------------------------------------------

    def _candidates(self) -> list[dict[str, Any]]:
        assert self.analysis is not None
        assert self.objective is not None
        return [
            cand.candidate(
                job,
                objective=self.objective.name,
                maximize=self.objective.maximize,
                problem_type=self.analysis.problem_type,
                arn=source_arn(job.job_name),
            )
            for job in cand.candidate_jobs(self.store, self.name_)
        ]

    def _publish(self) -> None:
        assert self.objective is not None
        items = self._candidates()
        outputs: dict[str, Any] = {
            "CandidateCounts": _counts(items),
        }
        top = cand.best(items, self.objective.maximize)
        if top is not None:
            outputs["BestCandidate"] = json.loads(json.dumps(top, default=_iso))
        if outputs != self.progress.published:
            self.progress.published = outputs
            self._update(**outputs)

    def _finish(self) -> None:
        assert self.objective is not None
        items = self._candidates()
        self._publish()
        if not any(i.get("FinalAutoMLJobObjectiveMetric") for i in items):
            reasons = [i["FailureReason"] for i in items if i.get("FailureReason")]
            reason = self.progress.stop_reason or "no candidate reported the objective"
            if reasons:
                reason += f": {reasons[0]}"
            self._end(JobStatus.FAILED, reason, "Failed")
            return
        with contextlib.suppress(Exception):
            self._write_notebooks(first=False)
        secondary = (
            "MaxAutoMLJobRuntimeReached"
            if self.progress.stop_reason == "MaxAutoMLJobRuntimeReached"
            else (
                "MaxCandidatesReached"
                if self.progress.launched >= self.limits["MaxCandidates"]
                else "Completed"
            )
        )
        self._end(JobStatus.COMPLETED, None, secondary)

    # -- records ---------------------------------------------------------------------------

    def _stage(self, stage: str) -> None:
        self._say(f"stage {stage}")
        job = self.store.get_job(self.name_, JobKind.AUTOML)
        stages = list((job.outputs or {}).get("Stages") or [])
        now = utcnow().isoformat()
        if stages and not stages[-1].get("EndTime"):
            stages[-1] = {**stages[-1], "EndTime": now}
        stages.append({"Stage": stage, "StartTime": now})
        self._update(AutoMLJobSecondaryStatus=stage, Stages=stages)

    def _update(self, **outputs: Any) -> None:
        with contextlib.suppress(ConflictError, NotFoundError):
            self.store.update_job(self.name_, outputs=outputs)

    def _end(self, status: JobStatus, reason: str | None, secondary: str) -> None:
        self._say(f"AutoML job {status.value} ({secondary})" + (f": {reason}" if reason else ""))
        with contextlib.suppress(ConflictError, NotFoundError):
            job = self.store.get_job(self.name_, JobKind.AUTOML)
            stages = list((job.outputs or {}).get("Stages") or [])
            now = utcnow().isoformat()
            if stages and not stages[-1].get("EndTime"):
                stages[-1] = {**stages[-1], "EndTime": now}
            self.store.update_job(
                self.name_,
                status=status,
                failure_reason=reason,
                status_message=reason,
                end_time=utcnow(),
                outputs={"AutoMLJobSecondaryStatus": secondary, "Stages": stages},
            )

    def _say(self, line: str) -> None:
        stamp = utcnow().strftime("%Y-%m-%dT%H:%M:%S")
        with contextlib.suppress(OSError):
            self._log_file.parent.mkdir(parents=True, exist_ok=True)
            with open(self._log_file, "a", encoding="utf-8") as out:
                out.write(f"{stamp} {line}\n")


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _counts(items: list[dict[str, Any]]) -> dict[str, int]:
    out = {"Completed": 0, "InProgress": 0, "Failed": 0, "Stopped": 0, "Stopping": 0}
    for item in items:
        out[item["CandidateStatus"]] = out.get(item["CandidateStatus"], 0) + 1
    return out
