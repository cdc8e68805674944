"""A Tuning step: a tuning job whose best training job a later step reads
(``Steps.Tune.BestTrainingJob`` and ``TrainingJobSummaries``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.config import StudioConfig
from jupyter_mlstudio.entities import JobKind
from jupyter_mlstudio.services.jobs.service import JobService
from jupyter_mlstudio.services.jobs.tuning.service import TuningService
from jupyter_mlstudio.services.pipelines.executions import PipelineExecutions
from jupyter_mlstudio.services.pipelines.service import PipelineService
from jupyter_mlstudio.store.base import MetadataStore
from tests.tuning.conftest import SCRIPT, tuning_request

from .conftest import train_step


@pytest.fixture
def with_tuning(
    store: MetadataStore, jobs: JobService, pipeline_config: StudioConfig
) -> Iterator[PipelineExecutions]:
    tuning = TuningService(store, pipeline_config, jobs)
    service = PipelineExecutions(store, jobs, tuning=tuning)
    yield service
    service.close()
    tuning.close()


def test_a_tuning_step_and_its_best_job(
    with_tuning: PipelineExecutions,
    pipelines: PipelineService,
    store: MetadataStore,
    scripts: Path,
    tmp_path: Path,
) -> None:
    script = tmp_path / "objective.py"
    script.write_text(SCRIPT)
    arguments = tuning_request("unused", script, max_jobs=2, parallel=2)
    del arguments["HyperParameterTuningJobName"]
    best = {"Get": "Steps.Tune.BestTrainingJob.TrainingJobName"}
    top = {"Get": "Steps.Tune.TrainingJobSummaries[0].TrainingJobName"}
    steps = [
        {"Name": "Tune", "Type": "Tuning", "Arguments": arguments},
        train_step("Next", scripts, base=best, top=top),
    ]
    text = json.dumps({"Version": "2020-12-01", "Steps": steps})
    pipelines.create({"PipelineName": "tuned", "PipelineDefinition": text})
    arn = with_tuning.start("tuned", {})["PipelineExecutionArn"]
    done = with_tuning.wait(arn, 180)
    listed = {s["StepName"]: s for s in with_tuning.list_steps(arn)}
    assert done["PipelineExecutionStatus"] == "Succeeded", (done, listed)
    tuning_arn = listed["Tune"]["Metadata"]["TuningJob"]["Arn"]
    tuning_name = tuning_arn.rsplit("/", 1)[1]
    assert len(tuning_name) <= 32
    tuned = store.get_job(tuning_name, JobKind.TUNING)
    winner = tuned.outputs["BestTrainingJob"]["TrainingJobName"]
    next_name = listed["Next"]["Metadata"]["TrainingJob"]["Arn"].rsplit("/", 1)[1]
    hyperparameters = store.get_job(next_name, JobKind.TRAINING).spec["HyperParameters"]
    assert hyperparameters["base"] == winner
    assert hyperparameters["top"] == winner  # the summaries are best first
