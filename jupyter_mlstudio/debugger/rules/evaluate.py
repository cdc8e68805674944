"""The rule evaluation job's program: one rule over one training job, until it fires or
the training job has ended.

The studio starts it as a processing job (``python3 -m jupyter_mlstudio.debugger.rules``)
with ``MLSTUDIO_RULE_CONFIG`` naming a JSON file::

    {"RuleConfigurationName": "...", "RuleParameters": {...}, "TrainingJobName": "...",
     "TrainingJobFolder": "<the training job's folder, mounted read-only>",
     "Hosts": ["algo-1", ...], "TensorLocalPath": "output/tensors" | null,
     "ProfilerIntervalMillis": 500, "CreatedAt": <epoch s>,
     "OutputPath": "<a folder of the rule job's, uploaded as its output>"}

(``MLSTUDIO_RULE_JOB_FOLDER`` and ``MLSTUDIO_RULE_OUTPUT``, when set, give the two folders
instead: the studio passes them so, as paths the job sees on its runtime)

and reads :data:`STATUS_FILE` in ``OutputPath`` while it runs: ``RuleEvaluationStatus``
(InProgress, IssuesFound, NoIssuesFound, Error) with ``StatusDetails``, rewritten whole
(write and rename) whenever it changes. A rule that raises is Error with the exception
in ``StatusDetails`` and exit code 1; IssuesFound and NoIssuesFound exit 0.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from . import implementation
from .base import Finding, Rule, RuleContext
from .catalog import RULES, parse_parameters, rule_name

CONFIG_ENV = "MLSTUDIO_RULE_CONFIG"
FOLDER_ENV = "MLSTUDIO_RULE_JOB_FOLDER"
OUTPUT_ENV = "MLSTUDIO_RULE_OUTPUT"
STATUS_FILE = "status.json"
POLL_S = 1.0


def write_status(folder: Path, status: str, details: str | None, **extra: Any) -> None:
    """Replace the status file in ``folder`` in one step."""
    folder.mkdir(parents=True, exist_ok=True)
    body = {"RuleEvaluationStatus": status, "StatusDetails": details, "Time": time.time()}
    body.update(extra)
    partial = folder / f".{STATUS_FILE}.tmp"
    partial.write_text(json.dumps(body))
    os.replace(partial, folder / STATUS_FILE)


def read_status(folder: Path) -> dict[str, Any] | None:
    """The status a rule job wrote in ``folder``, or None (none yet, or unreadable)."""
    try:
        return dict(json.loads((folder / STATUS_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None


def load(config: dict[str, Any]) -> Rule:
    """The rule a configuration names, with its parameters parsed."""
    parameters = dict(config.get("RuleParameters") or {})
    name = rule_name(parameters, str(config["RuleConfigurationName"]))
    context = RuleContext(
        job_name=str(config["TrainingJobName"]),
        job_folder=Path(config["TrainingJobFolder"]),
        hosts=tuple(config.get("Hosts") or ("algo-1",)),
        tensor_path=config.get("TensorLocalPath"),
        profiler_interval_ms=int(config.get("ProfilerIntervalMillis") or 500),
        created_at=config.get("CreatedAt"),
        output_folder=Path(config["OutputPath"]),
    )
    return implementation(name)(context, parse_parameters(RULES[name], parameters))


def evaluate(rule: Rule, output: Path, poll_s: float = POLL_S) -> Finding | None:
    """Run ``rule`` until it fires or the training job has ended; write the status."""
    write_status(output, "InProgress", None)
    while True:
        final = rule.context.ended() is not None
        finding = rule.check(final)
        if finding is not None:
            write_status(
                output,
                "IssuesFound",
                finding.message,
                Step=finding.step,
                Host=finding.host,
                Details=finding.details,
                Warnings=rule.warnings,
            )
            print(f"[{rule.name}] IssuesFound: {finding.message}", flush=True)
            return finding
        if final:
            write_status(output, "NoIssuesFound", _no_issues(rule), Warnings=rule.warnings)
            print(f"[{rule.name}] NoIssuesFound", flush=True)
            return None
        time.sleep(poll_s)


def _no_issues(rule: Rule) -> str | None:
    if not rule.warnings:
        return None
    return f"No issues found; skipped: {'; '.join(rule.warnings[:3])}"


def main() -> int:
    path = os.environ.get(CONFIG_ENV)
    if not path:
        print(f"{CONFIG_ENV} is not set", file=sys.stderr)
        return 2
    config = json.loads(Path(path).read_text())
    config["TrainingJobFolder"] = os.environ.get(FOLDER_ENV) or config["TrainingJobFolder"]
    config["OutputPath"] = os.environ.get(OUTPUT_ENV) or config["OutputPath"]
    output = Path(config["OutputPath"])
    try:
        rule = load(config)
        print(
            f"[{rule.name}] watching {rule.context.job_name} ({', '.join(rule.context.hosts)})",
            flush=True,
        )
        evaluate(rule, output)
    except Exception as exc:  # the rule failed: Error, with why
        traceback.print_exc()
        write_status(output, "Error", f"{type(exc).__name__}: {exc}")
        return 1
    return 0
