"""``Session``'s tuning calls (``describe_tuning_job``, ``stop_tuning_job``,
``wait_for_tuning_job``, as ``sagemaker.Session`` has them) against a real studio, with
tuning jobs of a small script on the process runtime: one that completes, one stopped
while its training jobs run, one whose training jobs all fail."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.exceptions import NotFoundError, StudioError
from jupyter_mlstudio.sdk import Session, TrackingClient
from jupyter_mlstudio.sdk.estimator import Estimator
from jupyter_mlstudio.sdk.tuner import HyperparameterTuner, IntegerParameter

from .conftest import in_thread

#: prints ``score: <value>`` after ``--sleep`` seconds; fails without ``--offset``
SCRIPT = """
import argparse, time
parser = argparse.ArgumentParser()
parser.add_argument("--depth", type=int, required=True)
parser.add_argument("--offset", type=float, required=True)
parser.add_argument("--sleep", type=float, default=0)
args = parser.parse_args()
time.sleep(args.sleep)
print(f"score: {args.offset - (args.depth - 3) ** 2}")
"""


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    """Tuning jobs belong to a studio: these tests run once, against one."""
    return studio_uri


@pytest.fixture
def session(client: TrackingClient) -> Session:
    return Session(client)


@pytest.fixture
def script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path / "sdk-home"))
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "process")
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return path


def started(session: Session, script: Path, **hyperparameters: Any) -> str:
    """Start a tuning job of two training jobs at once; return its name."""
    trainer = Estimator(
        entry_point=str(script),
        hyperparameters=hyperparameters,
        metric_definitions=[{"Name": "score", "Regex": r"score: (-?[0-9.]+)"}],
        sagemaker_session=session,
    )
    tuner = HyperparameterTuner(
        trainer,
        "score",
        {"depth": IntegerParameter(1, 6)},
        strategy="Random",
        max_jobs=2,
        max_parallel_jobs=2,
        random_seed=1,
        base_tuning_job_name="session-tune",
    )
    tuner.fit(wait=False)
    assert tuner.latest_tuning_job is not None
    return tuner.latest_tuning_job.name


async def test_wait_returns_the_description_of_a_completed_tuning_job(
    session: Session, script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = await in_thread(lambda: started(session, script, offset=10))
    described = await in_thread(lambda: session.wait_for_tuning_job(name, poll=0.2))

    assert described["HyperParameterTuningJobName"] == name
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["TrainingJobStatusCounters"]["Completed"] == 2
    assert described["ObjectiveStatusCounters"]["Succeeded"] == 2
    best = described["BestTrainingJob"]
    depth = int(best["TunedHyperParameters"]["depth"])
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] == 10 - (depth - 3) ** 2
    # SageMaker's marks: dots while InProgress, then "!" and a new line
    marks = capsys.readouterr().out
    assert marks.endswith("!\n")
    assert set(marks[:-2]) <= {"."}
    again = await in_thread(lambda: session.describe_tuning_job(name))
    assert again["HyperParameterTuningJobStatus"] == "Completed"
    assert again["BestTrainingJob"]["TrainingJobName"] == best["TrainingJobName"]


async def test_stop_ends_a_running_tuning_job_stopped_and_stopping_again_is_no_error(
    session: Session, script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def work() -> dict[str, Any]:
        name = started(session, script, offset=10, sleep=60)
        deadline = time.monotonic() + 60
        while session.describe_tuning_job(name)["TrainingJobStatusCounters"]["InProgress"] < 2:
            assert time.monotonic() < deadline, "the training jobs did not start"
            time.sleep(0.05)
        session.stop_tuning_job(name)
        described = session.wait_for_tuning_job(name, poll=0.2)  # Stopped is an end
        session.stop_tuning_job(name)  # ended already: logged, as on SageMaker
        return described

    described = await in_thread(work)
    assert described["HyperParameterTuningJobStatus"] == "Stopped"
    counters = described["TrainingJobStatusCounters"]
    assert (counters["InProgress"], counters["Stopped"]) == (0, 2)
    assert capsys.readouterr().out.endswith("s\n")


async def test_wait_raises_with_the_reason_when_the_tuning_job_fails(
    session: Session, script: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = await in_thread(lambda: started(session, script))  # no --offset: jobs fail
    with pytest.raises(StudioError) as caught:
        await in_thread(lambda: session.wait_for_tuning_job(name, poll=0.2))
    message = str(caught.value)
    assert message.startswith(f"Error for HyperParameterTuning job {name}: Failed. Reason: ")
    assert "no training job reported the objective 'score'" in message
    assert capsys.readouterr().out.endswith("*\n")
    described = await in_thread(lambda: session.describe_tuning_job(name))
    assert described["TrainingJobStatusCounters"]["NonRetryableError"] == 2
    assert described["FailureReason"] in message


async def test_a_tuning_job_that_does_not_exist_is_not_found(session: Session) -> None:
    for call in (
        lambda: session.describe_tuning_job("no-such-tuning"),
        lambda: session.stop_tuning_job("no-such-tuning"),
        lambda: session.wait_for_tuning_job("no-such-tuning"),
    ):
        with pytest.raises(NotFoundError):
            await in_thread(call)
