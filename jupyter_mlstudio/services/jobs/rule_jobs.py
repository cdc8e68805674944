"""Rule evaluation jobs: one processing job per rule configuration of a training job.

A rule job runs :mod:`jupyter_mlstudio.debugger.rules` on the training job's runtime
(the studio's image on docker, the studio's Python on the process runtime) with the
training job's folder mounted read-only at :data:`TRAINING_MOUNT`; it writes its status
to ``status.json`` in :data:`OUTPUT_PATH` as it goes. Its supervisor, a
:class:`RuleSupervisor`, copies every change of that status into the training job's
``DebugRuleEvaluationStatuses`` (or ``ProfilerRuleEvaluationStatuses``), stops the
training job when the rule fired and asked for it (``StopTraining``), and gives the
rule's final status when the rule job ends. What a rule job belongs to is in its tags
(:data:`TAG_PARENT`, ...), so a restarted studio's supervisor knows it too.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ...debugger.rules.evaluate import read_status
from ...entities import Job, JobStatus, SecondaryStatus, utcnow
from ...exceptions import StudioError
from ...runtime.base import OPT_ML, Mount
from ...store.base import MetadataStore
from .debugging import DebugPlan, RulePlan
from .layout import host_ml_dir
from .processing import ProcessingSupervisor
from .training_plan import TrainingPlan

log = logging.getLogger(__name__)

TRAINING_MOUNT = f"{OPT_ML}/processing/input/training-job"
OUTPUT_PATH = f"{OPT_ML}/processing/output/rule"
CONFIG_DIR = "rules"  # below the training job's folder
TAG_PARENT = "mlstudio:rule-of"
TAG_CONFIGURATION = "mlstudio:rule-configuration"
TAG_STATUSES = "mlstudio:rule-statuses"
TAG_ACTION = "mlstudio:rule-action"
#: rule jobs outlive their training job by at most this much (they end once it ended)
EXTRA_RUNTIME_S = 3600

_records = threading.Lock()  # one read-modify-write of a training job's statuses at once


def output_folder(rule_job_folder: Path) -> Path:
    """Where a rule job's :data:`OUTPUT_PATH` is in its folder (status and report)."""
    return host_ml_dir(rule_job_folder) / OUTPUT_PATH.removeprefix(f"{OPT_ML}/")


def rule_job_request(
    plan: TrainingPlan, debug: DebugPlan, rule: RulePlan, folder: Path, created_at: float
) -> dict[str, Any]:
    """The CreateProcessingJob request of ``rule``'s evaluation job; writes the rule's
    configuration into the training job's ``folder`` (the job reads it there)."""
    config = {
        "RuleConfigurationName": rule.configuration_name,
        "RuleParameters": rule.parameters,
        "TrainingJobName": plan.job_name,
        "Hosts": list(plan.hosts),
        "TensorLocalPath": debug.tensor_path,
        "ProfilerIntervalMillis": debug.interval_ms,
        "CreatedAt": created_at,
    }
    target = folder / CONFIG_DIR / f"{rule.configuration_name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(config, indent=1))
    output: dict[str, Any] = {"LocalPath": OUTPUT_PATH}
    if plan.output_path:
        output["S3Uri"] = f"{plan.output_path.rstrip('/')}/{plan.job_name}/rule-output/" + (
            rule.configuration_name
        )
    return {
        "ProcessingJobName": rule.job_name,
        "AppSpecification": {
            "ContainerEntrypoint": ["python3", "-m", "jupyter_mlstudio.debugger.rules"],
        },
        "ProcessingResources": {
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": rule.instance_type}
        },
        "ProcessingOutputConfig": {"Outputs": [{"OutputName": "rule-output", "S3Output": output}]},
        "Environment": {
            "MLSTUDIO_RULE_CONFIG": f"{TRAINING_MOUNT}/{CONFIG_DIR}/{target.name}",
            "MLSTUDIO_RULE_JOB_FOLDER": TRAINING_MOUNT,
            "MLSTUDIO_RULE_OUTPUT": OUTPUT_PATH,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": plan.max_runtime_s + EXTRA_RUNTIME_S},
        "Tags": [
            {"Key": TAG_PARENT, "Value": plan.job_name},
            {"Key": TAG_CONFIGURATION, "Value": rule.configuration_name},
            {"Key": TAG_STATUSES, "Value": rule.statuses_key},
            {"Key": TAG_ACTION, "Value": "StopTraining" if rule.stop_training else ""},
        ],
    }


def start_rule_jobs(
    store: MetadataStore,
    plan: TrainingPlan,
    debug: DebugPlan,
    folder: Path,
    created: datetime,
    create: Callable[..., Job],
) -> None:
    """Start the evaluation job of every rule of a training job that has started; a rule
    whose job cannot start is Error on the training job, with why."""
    for rule in debug.rules:
        try:
            request = rule_job_request(plan, debug, rule, folder, created.timestamp())
            create(request, mounts=(Mount(folder, TRAINING_MOUNT, read_only=True),))
        except StudioError as exc:
            log.warning("rule %s of %s did not start: %s", rule.job_name, plan.job_name, exc)
            with contextlib.suppress(StudioError):
                record_status(
                    store,
                    plan.job_name,
                    rule.statuses_key,
                    rule.configuration_name,
                    RuleEvaluationStatus="Error",
                    StatusDetails=f"the rule evaluation job did not start: {exc.message}",
                )


def record_lost(store: MetadataStore, job: Job, reason: str) -> None:
    """A rule job that a restarted studio found gone: Error on its training job."""
    parent = job.tags.get(TAG_PARENT)
    if not parent:
        return
    with contextlib.suppress(StudioError):
        record_status(
            store,
            parent,
            job.tags.get(TAG_STATUSES, "DebugRuleEvaluationStatuses"),
            job.tags.get(TAG_CONFIGURATION, ""),
            RuleEvaluationStatus="Error",
            StatusDetails=reason,
        )


def is_rule_job(plan: Any) -> bool:
    """Whether a processing plan is a rule evaluation job's."""
    request = getattr(plan, "request", None)
    return any(tag.Key == TAG_PARENT for tag in getattr(request, "Tags", ()))


def record_status(
    store: MetadataStore, job_name: str, key: str, configuration: str, **fields: Any
) -> None:
    """Set a rule's entry in the training job's ``key`` list (``fields`` over it)."""
    with _records:
        job = store.get_job(job_name)
        entries = [dict(e) for e in job.outputs.get(key) or []]
        entry = next((e for e in entries if e.get("RuleConfigurationName") == configuration), None)
        if entry is None:
            entry = {"RuleConfigurationName": configuration}
            entries.append(entry)
        for field, value in fields.items():
            if value is None:
                entry.pop(field, None)
            else:
                entry[field] = value
        entry["LastModifiedTime"] = utcnow().isoformat()
        store.update_job(job_name, outputs={key: entries})


class RuleSupervisor(ProcessingSupervisor):
    """A rule evaluation job's supervisor: a processing job's, that also keeps its
    training job's record of the rule current and carries out the rule's action."""

    def __init__(self, *, stopper: Callable[[str], bool] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: asks the supervisor of a job in this process to stop it (False: none here)
        self.stopper = stopper
        tags = {t.Key: t.Value for t in self.plan.request.Tags}
        self.parent = tags[TAG_PARENT]
        self.configuration = tags.get(TAG_CONFIGURATION, "")
        self.statuses_key = tags.get(TAG_STATUSES, "DebugRuleEvaluationStatuses")
        self.stop_training = tags.get(TAG_ACTION) == "StopTraining"
        self.status_dir = output_folder(self.folder)
        self._seen: tuple[Any, ...] | None = None
        self._stopped_parent = False

    def _tick(self) -> None:
        status = read_status(self.status_dir)
        if status is None:
            return
        key = (status.get("RuleEvaluationStatus"), status.get("Time"))
        if key == self._seen:
            return
        self._seen = key
        self._record(status)

    def _record(self, status: dict[str, Any], final: str | None = None) -> None:
        value = final or str(status.get("RuleEvaluationStatus") or "InProgress")
        details = status.get("StatusDetails")
        if value == "IssuesFound" and self.stop_training:
            details = f"{details or 'The rule fired'}; StopTraining: {self._stop_parent()}"
        try:
            record_status(
                self.store,
                self.parent,
                self.statuses_key,
                self.configuration,
                RuleEvaluationStatus=value,
                StatusDetails=details,
                Step=status.get("Step"),
                RuleEvaluationJobName=self.plan.job_name,
            )
        except StudioError:
            log.warning("rule job %s: status not recorded", self.plan.job_name, exc_info=True)

    def _stop_parent(self) -> str:
        """Stop the training job (once); what happened, for StatusDetails.

        Its supervisor is asked directly: the job stays InProgress (secondary status
        Stopping) until its hosts have exited and then is Stopped, so that a client
        waiting for it (the SageMaker SDK's ``fit``) never sees a passing Stopping.
        Without a supervisor in this process, the record asks (Stopping)."""
        if self._stopped_parent:
            return "the training job was asked to stop"
        self._stopped_parent = True
        message = f"Stopped by rule {self.configuration}"
        try:
            job = self.store.get_job(self.parent)
            if job.status is not JobStatus.IN_PROGRESS:
                return f"the training job was already {job.status.value}"
            self.store.update_job(
                self.parent, secondary_status=SecondaryStatus.STOPPING, status_message=message
            )
            if self.stopper is None or not self.stopper(self.parent):
                self.store.update_job(self.parent, status=JobStatus.STOPPING)
        except StudioError as exc:
            return f"could not stop the training job ({exc.message})"
        log.info("rule %s stopped training job %s", self.configuration, self.parent)
        return "the training job was stopped"

    def _end(self, status: JobStatus, secondary: SecondaryStatus, **kwargs: Any) -> None:
        super()._end(status, secondary, **kwargs)
        result = read_status(self.status_dir) or {}
        outcome = result.get("RuleEvaluationStatus")
        if status is JobStatus.COMPLETED and outcome in ("IssuesFound", "NoIssuesFound"):
            if (outcome, result.get("Time")) != self._seen:
                self._record(result)
            return
        if status is JobStatus.STOPPED:
            self._record(result, final="Stopped")
            return
        reason = kwargs.get("reason") or "the rule ended without a result"
        if outcome == "Error" and result.get("StatusDetails"):
            reason = result["StatusDetails"]
        self._record({"StatusDetails": reason, "Step": result.get("Step")}, final="Error")
