"""``HyperparameterTuner``: the request it builds, what it refuses before sending anything
(unit tests, with the jobs client replaced at its seam), and tuning end to end against a
real studio on the process runtime."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import Job, JobKind
from jupyter_mlstudio.exceptions import StudioError, ValidationError
from jupyter_mlstudio.sdk import TrackingClient
from jupyter_mlstudio.sdk import analytics as analytics_module
from jupyter_mlstudio.sdk import tuner as tuner_module
from jupyter_mlstudio.sdk.estimator import Estimator
from jupyter_mlstudio.sdk.tuner import (
    CategoricalParameter,
    ContinuousParameter,
    HyperbandStrategyConfig,
    HyperparameterTuner,
    IntegerParameter,
    StrategyConfig,
    TuningJobCompletionCriteriaConfig,
    WarmStartConfig,
    WarmStartTypes,
)

from .conftest import in_thread

OBJECTIVE = [{"Name": "objective", "Regex": r"objective: (-?[0-9.eE+-]+)"}]


class FakeJobs:
    """The jobs client's seam: records what would be sent."""

    def __init__(self) -> None:
        self.created: list[tuple[JobKind, dict[str, Any]]] = []

    def create_job(self, kind: JobKind, request: dict[str, Any]) -> None:
        self.created.append((kind, request))


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> FakeJobs:
    fake = FakeJobs()
    monkeypatch.setattr(tuner_module, "jobs_client", lambda session=None: fake)
    return fake


def estimator(**kwargs: Any) -> Estimator:
    arguments: dict[str, Any] = {
        "entry_point": "train.py",
        "hyperparameters": {"n-estimators": 10, "max-depth": 3, "warm": True, "eta": 0.5},
        "metric_definitions": OBJECTIVE,
        "tags": [{"Key": "team", "Value": "fraud"}],
    }
    return Estimator(**{**arguments, **kwargs})


RANGES = {
    "n-estimators": IntegerParameter(10, 200),
    "eta": ContinuousParameter(1e-4, 0.5, "Logarithmic"),
    "kernel": CategoricalParameter(["linear", "rbf"]),
}


def tuner(**kwargs: Any) -> HyperparameterTuner:
    arguments: dict[str, Any] = {
        "estimator": estimator(),
        "objective_metric_name": "objective",
        "hyperparameter_ranges": RANGES,
        "strategy": "Random",
        "max_jobs": 4,
        "max_parallel_jobs": 2,
    }
    return HyperparameterTuner(**{**arguments, **kwargs})


# -- the request --------------------------------------------------------------------------


def test_fit_sends_sagemakers_create_request_built_from_the_estimator(sent: FakeJobs) -> None:
    t = tuner(
        metric_definitions=[
            {"Name": "objective", "Regex": r"score=([0-9.]+)"},  # replaces the estimator's
            {"Name": "loss", "Regex": r"loss=([0-9.]+)"},  # added
        ],
        tags=[{"Key": "project", "Value": "x"}],
        max_runtime_in_seconds=600,
        random_seed=3,
        completion_criteria_config=TuningJobCompletionCriteriaConfig(
            max_number_of_training_jobs_not_improving=5,
            complete_on_convergence=True,
            target_objective_metric_value=0.9,
        ),
        warm_start_config=WarmStartConfig(WarmStartTypes.TRANSFER_LEARNING, ["parent-a"]),
    )
    t.fit({"train": "/data/train"}, job_name="my-tuning", wait=False)

    [(kind, request)] = sent.created
    assert kind is JobKind.TUNING
    assert request["HyperParameterTuningJobName"] == "my-tuning"
    config = request["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == "Random"
    assert config["HyperParameterTuningJobObjective"] == {
        "Type": "Maximize",
        "MetricName": "objective",
    }
    assert config["ResourceLimits"] == {
        "MaxNumberOfTrainingJobs": 4,
        "MaxParallelTrainingJobs": 2,
        "MaxRuntimeInSeconds": 600,
    }
    assert config["ParameterRanges"] == {
        "IntegerParameterRanges": [
            {"Name": "n-estimators", "MinValue": "10", "MaxValue": "200", "ScalingType": "Auto"}
        ],
        "ContinuousParameterRanges": [
            {"Name": "eta", "MinValue": "0.0001", "MaxValue": "0.5", "ScalingType": "Logarithmic"}
        ],
        "CategoricalParameterRanges": [{"Name": "kernel", "Values": ["linear", "rbf"]}],
    }
    assert config["TrainingJobEarlyStoppingType"] == "Off"
    assert config["RandomSeed"] == 3
    assert config["TuningJobCompletionCriteria"] == {
        "BestObjectiveNotImproving": {"MaxNumberOfTrainingJobsNotImproving": 5},
        "TargetObjectiveMetricValue": 0.9,
        "ConvergenceDetected": {"CompleteOnConvergence": "Enabled"},
    }
    definition = request["TrainingJobDefinition"]
    # the tuned ones are left out; the others are strings, as every job's hyperparameters
    assert definition["StaticHyperParameters"] == {"max-depth": "3", "warm": "true"}
    assert definition["AlgorithmSpecification"]["MetricDefinitions"] == [
        {"Name": "objective", "Regex": r"score=([0-9.]+)"},
        {"Name": "loss", "Regex": r"loss=([0-9.]+)"},
    ]
    assert definition["ScriptMode"] == {"EntryPoint": str(Path("train.py").absolute())}
    assert definition["InputDataConfig"] == [
        {
            "ChannelName": "train",
            "DataSource": {"S3DataSource": {"S3Uri": "/data/train", "S3DataType": "S3Prefix"}},
        }
    ]
    assert definition["ResourceConfig"] == {"InstanceType": "local", "InstanceCount": 1}
    assert not {"TrainingJobName", "HyperParameters", "Tags"} & set(definition)
    assert request["WarmStartConfig"] == {
        "WarmStartType": "TransferLearning",
        "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": "parent-a"}],
    }
    assert request["Tags"] == [
        {"Key": "project", "Value": "x"},
        {"Key": "team", "Value": "fraud"},
    ]
    assert t.latest_tuning_job is not None
    assert t.latest_tuning_job.job_name == t.latest_tuning_job.name == "my-tuning"


def test_defaults_are_sagemakers_and_names_fit_in_32_characters(sent: FakeJobs) -> None:
    t = HyperparameterTuner(
        estimator(entry_point="a_rather_long_training_script_name.py"),
        "objective",
        {"eta": ContinuousParameter(0.1, 0.2)},
    )
    assert (t.strategy, t.objective_type, t.max_jobs, t.max_parallel_jobs) == (
        "Bayesian",
        "Maximize",
        1,
        1,
    )
    assert t.early_stopping_type == "Off"
    t.fit(wait=False)
    t.fit(wait=False)
    names = [request["HyperParameterTuningJobName"] for _, request in sent.created]
    assert names[0] != names[1]
    for name in names:
        assert len(name) <= 32
        assert re.fullmatch(r"a-rather-long\w*-\d{6}-\d{6}-[0-9a-f]{4}", name), name
    config = sent.created[0][1]["HyperParameterTuningJobConfig"]
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 1, "MaxParallelTrainingJobs": 1}
    assert "TuningJobCompletionCriteria" not in config
    assert "WarmStartConfig" not in sent.created[0][1]


def test_grid_runs_every_combination_and_hyperband_takes_its_config(sent: FakeJobs) -> None:
    grid = tuner(
        strategy="Grid",
        max_jobs=None,
        max_parallel_jobs=4,
        hyperparameter_ranges={
            "kernel": CategoricalParameter(["linear", "rbf"]),
            "depth": CategoricalParameter([2, 4, 8]),
        },
    )
    grid.fit(wait=False)
    limits = sent.created[-1][1]["HyperParameterTuningJobConfig"]["ResourceLimits"]
    assert limits == {"MaxParallelTrainingJobs": 4}  # the server runs all 6 combinations
    band = tuner(
        strategy="Hyperband",
        strategy_config=StrategyConfig(HyperbandStrategyConfig(max_resource=9, min_resource=1)),
    )
    band.fit(wait=False, include_cls_metadata=True)
    request = sent.created[-1][1]
    assert request["HyperParameterTuningJobConfig"]["StrategyConfig"] == {
        "HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 9}
    }
    static = request["TrainingJobDefinition"]["StaticHyperParameters"]
    assert static["sagemaker_estimator_class_name"] == '"Estimator"'
    assert static["sagemaker_estimator_module"] == '"jupyter_mlstudio.sdk.estimator"'


# -- refused at call time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: IntegerParameter(5, 1), "max_value"),
        (lambda: IntegerParameter(1.5, 3), "min_value"),
        (lambda: ContinuousParameter("a", 1), "min_value"),
        (lambda: ContinuousParameter(0, 1, "Logarithmic"), "scaling_type"),
        (lambda: IntegerParameter(-3, 10, "Logarithmic"), "scaling_type"),
        (lambda: ContinuousParameter(0.1, 1.0, "ReverseLogarithmic"), "scaling_type"),
        (lambda: IntegerParameter(0, 0, "ReverseLogarithmic"), "scaling_type"),
        (lambda: ContinuousParameter(0, 1, "Exponential"), "scaling_type"),
        (lambda: CategoricalParameter([]), "values"),
        (lambda: CategoricalParameter(["a", "a"]), "values"),
        (lambda: WarmStartConfig("Cold", ["p"]), "warm_start_type"),
        (lambda: WarmStartConfig(WarmStartTypes.TRANSFER_LEARNING, []), "parents"),
        (lambda: HyperbandStrategyConfig(max_resource=2, min_resource=5), "min_resource"),
        (
            lambda: TuningJobCompletionCriteriaConfig(max_number_of_training_jobs_not_improving=2),
            "max_number_of_training_jobs_not_improving",
        ),
    ],
)
def test_bad_settings_are_refused_when_made(make: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make()
    assert caught.value.field == field


def test_settings_sagemaker_accepts_are_accepted() -> None:
    assert ContinuousParameter(0, 0.99, "ReverseLogarithmic").scaling_type == "ReverseLogarithmic"
    assert IntegerParameter(1, 1024, "Logarithmic").as_tuning_range("n")["MinValue"] == "1"
    assert CategoricalParameter("only").values == ["only"]
    assert CategoricalParameter([True, 2, "x"]).values == ["true", "2", "x"]
    assert IntegerParameter(1, 5).is_valid(3)
    assert not IntegerParameter(1, 5).is_valid(6)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"hyperparameter_ranges": {}}, "hyperparameter_ranges"),
        ({"hyperparameter_ranges": {"eta": (0, 1)}}, "hyperparameter_ranges.eta"),
        ({"objective_metric_name": "accuracy"}, "objective_metric_name"),
        ({"max_jobs": 2, "max_parallel_jobs": 3}, "max_parallel_jobs"),
        ({"max_jobs": None, "max_parallel_jobs": 2}, "max_parallel_jobs"),  # max_jobs is 1
        ({"max_jobs": 0}, "max_jobs"),
        ({"max_jobs": 751}, "max_jobs"),
        ({"strategy": "Genetic"}, "strategy"),
        ({"objective_type": "Maximise"}, "objective_type"),
        ({"early_stopping_type": "On"}, "early_stopping_type"),
        ({"strategy": "Hyperband", "early_stopping_type": "Auto"}, "early_stopping_type"),
        (
            {"strategy_config": StrategyConfig(HyperbandStrategyConfig(9, 1))},
            "strategy_config",
        ),
        ({"strategy": "Grid", "max_jobs": None}, "hyperparameter_ranges.n-estimators"),
        ({"random_seed": -1}, "random_seed"),
        (
            {"metric_definitions": [{"Name": "objective", "Regex": "("}]},
            "metric_definitions[0].Regex",
        ),
        ({"estimator_name": "a"}, "estimator_name"),
        ({"autotune": True}, "autotune"),
    ],
)
def test_bad_tuners_are_refused_by_the_constructor(
    sent: FakeJobs, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        tuner(**arguments)
    assert caught.value.field == field
    assert sent.created == []


def test_what_went_wrong_after_construction_is_refused_by_fit(sent: FakeJobs) -> None:
    t = tuner()
    t.estimator.metric_definitions = []  # the objective lost its definition
    with pytest.raises(ValidationError) as caught:
        t.fit(wait=False)
    assert caught.value.field == "objective_metric_name"
    t = tuner(hyperparameter_ranges={"depth": IntegerParameter(1, 9)})
    t._hyperparameter_ranges["depth"].min_value = 10
    with pytest.raises(ValidationError) as caught:
        t.fit(wait=False)
    assert caught.value.field == "hyperparameter_ranges.depth.max_value"
    with pytest.raises(ValidationError) as caught:
        tuner().fit(job_name="x" * 33, wait=False)
    assert caught.value.field == "job_name"
    with pytest.raises(ValidationError) as caught:
        tuner().fit(job_name="no_underscores", wait=False)
    assert caught.value.field == "job_name"
    assert sent.created == []
    with pytest.raises(ValidationError) as caught:
        tuner().best_training_job()  # no tuning job yet
    assert caught.value.field == "job_name"


# -- attach, describe and best job without a studio ------------------------------------------


def details_of(request: dict[str, Any], **outputs: Any) -> dict[str, Any]:
    """What describe() answers for a job made from ``request`` (see analytics)."""
    return {
        "HyperParameterTuningJobName": request["HyperParameterTuningJobName"],
        "HyperParameterTuningJobConfig": request["HyperParameterTuningJobConfig"],
        "TrainingJobDefinition": request["TrainingJobDefinition"],
        **({"WarmStartConfig": request["WarmStartConfig"]} if "WarmStartConfig" in request else {}),
        **outputs,
    }


def test_attach_rebuilds_the_tuner_from_the_recorded_request(sent: FakeJobs) -> None:
    original = tuner(
        estimator=estimator(source_dir="/code", entry_point="fit.py"),
        objective_type="Minimize",
        early_stopping_type="Auto",
        completion_criteria_config=TuningJobCompletionCriteriaConfig(
            target_objective_metric_value=0.1
        ),
        warm_start_config=WarmStartConfig("IdenticalDataAndAlgorithm", ["p1", "p2"]),
        random_seed=11,
        base_tuning_job_name="churn",
    )
    original.fit(wait=False, include_cls_metadata=True)
    request = sent.created[-1][1]
    attached = HyperparameterTuner.attach(
        request["HyperParameterTuningJobName"], job_details=details_of(request)
    )
    assert attached.hyperparameter_ranges() == original.hyperparameter_ranges()
    assert attached._hyperparameter_ranges == RANGES
    assert attached.objective_metric_name == "objective"
    assert (attached.objective_type, attached.strategy) == ("Minimize", "Random")
    assert (attached.max_jobs, attached.max_parallel_jobs) == (4, 2)
    assert attached.early_stopping_type == "Auto"
    assert attached.random_seed == 11
    assert attached.base_tuning_job_name == "churn"
    assert attached.completion_criteria_config is not None
    assert attached.completion_criteria_config.target_objective_metric_value == 0.1
    assert attached.warm_start_config is not None
    assert attached.warm_start_config.parents == {"p1", "p2"}
    assert attached.warm_start_config.type is WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM
    assert attached.estimator.hyperparameters() == {"max-depth": "3", "warm": "true"}
    assert (attached.estimator.entry_point, attached.estimator.source_dir) == ("fit.py", "/code")
    assert attached.estimator.metric_definitions == OBJECTIVE
    assert attached.latest_tuning_job is not None
    assert attached.latest_tuning_job.name == request["HyperParameterTuningJobName"]
    # and it tunes again the same way
    attached.fit(job_name="again", wait=False)
    again = sent.created[-1][1]
    assert again["HyperParameterTuningJobConfig"] == request["HyperParameterTuningJobConfig"]
    static = dict(request["TrainingJobDefinition"]["StaticHyperParameters"])
    for key in ("sagemaker_estimator_class_name", "sagemaker_estimator_module"):
        static.pop(key)
    assert again["TrainingJobDefinition"]["StaticHyperParameters"] == static
    warm = attached.transfer_learning_tuner(additional_parents={"p3"})
    assert warm.warm_start_config is not None
    assert warm.warm_start_config.parents == {"again", "p3"}
    assert warm.warm_start_config.type is WarmStartTypes.TRANSFER_LEARNING


def test_best_job_describe_and_deploy_read_the_tuning_job(
    sent: FakeJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = tuner()
    t.fit(job_name="tj", wait=False)
    described: dict[str, Any] = {"HyperParameterTuningJobName": "tj"}
    monkeypatch.setattr(tuner_module, "describe_tuning_job", lambda name, session: described)
    with pytest.raises(StudioError, match="Best training job not available for tuning job: tj"):
        t.best_training_job()
    described["BestTrainingJob"] = {"TrainingJobName": "tj-003-0a1b2c3d"}
    assert t.best_training_job() == "tj-003-0a1b2c3d"
    assert t.describe() is described
    deployed: dict[str, Any] = {}

    def attach(name: str, sagemaker_session: Any = None) -> Any:
        deployed["attached"] = name
        return type("Best", (), {"deploy": lambda self, **kw: deployed.update(kw) or "predictor"})()

    monkeypatch.setattr(Estimator, "attach", staticmethod(attach))
    assert t.deploy(instance_type="ml.m5.large") == "predictor"
    assert deployed["attached"] == "tj-003-0a1b2c3d"
    assert deployed["endpoint_name"] == "tj-003-0a1b2c3d"
    assert deployed["instance_type"] == "ml.m5.large"


def test_describe_is_shaped_like_describe_hyper_parameter_tuning_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = {"HyperParameterTuningJobConfig": {"Strategy": "Random"}, "TrainingJobDefinition": {}}
    job = Job.model_validate(
        {
            "JobName": "tj",
            "Kind": "HyperParameterTuningJob",
            "Status": "Completed",
            "Spec": spec,
            "Outputs": {
                "TrainingJobStatusCounters": {"Completed": 2},
                "BestTrainingJob": {
                    "TrainingJobName": "tj-001-00000000",
                    "TrainingStartTime": "2026-01-01T00:00:00+00:00",
                },
                "TrainingJobsStoppedEarly": 0,
            },
            "CreationTime": "2026-01-01T00:00:00Z",
            "EndTime": "2026-01-01T00:01:00Z",
            "LastModifiedTime": "2026-01-01T00:01:00Z",
        }
    )

    class Jobs:
        def describe_job(self, kind: JobKind, name: str) -> Job:
            assert (kind, name) == (JobKind.TUNING, "tj")
            return job

    monkeypatch.setattr(analytics_module, "jobs_client", lambda session=None: Jobs())
    described = analytics_module.describe_tuning_job("tj")
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["HyperParameterTuningJobConfig"] == {"Strategy": "Random"}
    assert described["HyperParameterTuningJobArn"].endswith(":hyper-parameter-tuning-job/tj")
    assert described["HyperParameterTuningEndTime"] == job.end_time
    assert described["ObjectiveStatusCounters"] == {"Succeeded": 0, "Pending": 0, "Failed": 0}
    best = described["BestTrainingJob"]
    assert best["TrainingStartTime"].isoformat() == "2026-01-01T00:00:00+00:00"
    assert described["TrainingJobsStoppedEarly"] == 0
    assert "FailureReason" not in described
    assert "WarmStartConfig" not in described


# -- end to end, against a studio -----------------------------------------------------------

#: prints ``objective: <value>``, a known function of its hyperparameters
SCRIPT = """
import argparse, time
parser = argparse.ArgumentParser()
parser.add_argument("--n-estimators", type=int, required=True)
parser.add_argument("--learning-rate", type=float, required=True)
parser.add_argument("--kernel", required=True)
parser.add_argument("--offset", type=float, required=True)
parser.add_argument("--sleep", type=float, default=0)
args = parser.parse_args()
time.sleep(args.sleep)
value = args.offset - (args.n_estimators - 40) ** 2 / 100 - args.learning_rate
value += 1 if args.kernel == "rbf" else 0
print(f"objective: {value}")
"""


def objective_of(tuned: dict[str, str]) -> float:
    value = 5 - (int(tuned["n-estimators"]) - 40) ** 2 / 100 - float(tuned["learning-rate"])
    return value + (1 if tuned["kernel"] == "rbf" else 0)


@pytest.fixture
def tracking_uri(studio_uri: str) -> str:
    """Tuning jobs belong to a studio: these tests run once, against one."""
    return studio_uri


@pytest.fixture
def script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MLSTUDIO_HOME", str(tmp_path / "sdk-home"))
    monkeypatch.setenv("MLSTUDIO_RUNTIME", "process")
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    return path


def studio_tuner(client: TrackingClient, script: Path, **kwargs: Any) -> HyperparameterTuner:
    trainer = Estimator(
        entry_point=str(script),
        hyperparameters={"offset": 5, "n-estimators": 1},
        metric_definitions=OBJECTIVE,
        sagemaker_session=client,
    )
    arguments: dict[str, Any] = {
        "objective_metric_name": "objective",
        "hyperparameter_ranges": {
            "n-estimators": IntegerParameter(10, 70),
            "learning-rate": ContinuousParameter(0.001, 0.1, "Logarithmic"),
            "kernel": CategoricalParameter(["linear", "rbf"]),
        },
        "strategy": "Random",
        "max_jobs": 4,
        "max_parallel_jobs": 2,
        "random_seed": 5,
        "base_tuning_job_name": "sdk-tune",
    }
    return HyperparameterTuner(trainer, **{**arguments, **kwargs})


async def test_a_tuning_job_runs_finds_the_best_and_is_analysed(
    client: TrackingClient, script: Path
) -> None:
    t = studio_tuner(client, script)
    await in_thread(t.fit)
    assert t.latest_tuning_job is not None
    name = t.latest_tuning_job.job_name

    described = await in_thread(t.describe)
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["TrainingJobStatusCounters"]["Completed"] == 4
    assert described["ObjectiveStatusCounters"] == {"Succeeded": 4, "Pending": 0, "Failed": 0}
    assert described["HyperParameterTuningEndTime"] >= described["CreationTime"]

    frame = await in_thread(lambda: t.analytics().dataframe())
    assert set(frame.columns) == {
        "n-estimators",
        "learning-rate",
        "kernel",
        "TrainingJobName",
        "TrainingJobStatus",
        "FinalObjectiveValue",
        "TrainingStartTime",
        "TrainingEndTime",
        "TrainingElapsedTimeSeconds",
    }
    assert len(frame) == 4
    assert set(frame["TrainingJobStatus"]) == {"Completed"}
    assert (frame["TrainingElapsedTimeSeconds"] >= 0).all()
    summaries = await in_thread(lambda: t.analytics().training_job_summaries())
    # the script saw every hyperparameter under its hyphenated name (it requires them)
    for item in summaries:
        want = objective_of(item["TunedHyperParameters"])
        got = item["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
        assert got == pytest.approx(want, rel=1e-6)
    best = max(summaries, key=lambda i: i["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert await in_thread(t.best_training_job) == best["TrainingJobName"]
    assert best["TrainingJobName"].startswith(f"{name}-")

    attached = await in_thread(lambda: HyperparameterTuner.attach(name, sagemaker_session=client))
    assert attached.hyperparameter_ranges() == t.hyperparameter_ranges()
    assert attached.estimator.hyperparameters() == {"offset": "5"}
    assert await in_thread(attached.best_training_job) == best["TrainingJobName"]
    assert await in_thread(lambda: attached.analytics().tuning_ranges) == {
        r["Name"]: r for rs in t.hyperparameter_ranges().values() for r in rs
    }

    winner = await in_thread(t.best_estimator)
    assert winner.latest_training_job is not None
    assert winner.latest_training_job.name == best["TrainingJobName"]
    points = await in_thread(lambda: winner.training_job_analytics.dataframe())
    assert list(points.columns) == ["timestamp", "metric_name", "value"]
    assert list(points["metric_name"]) == ["objective"]
    assert points["value"][0] == pytest.approx(
        best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    )


async def test_the_studio_refuses_a_warm_start_from_no_parent(
    client: TrackingClient, script: Path
) -> None:
    t = studio_tuner(
        client,
        script,
        warm_start_config=WarmStartConfig(WarmStartTypes.IDENTICAL_DATA_AND_ALGORITHM, ["gone"]),
    )
    with pytest.raises(ValidationError) as caught:
        await in_thread(lambda: t.fit(wait=False))
    assert caught.value.field == (
        "WarmStartConfig.ParentHyperParameterTuningJobs[0].HyperParameterTuningJobName"
    )
    assert t.latest_tuning_job is None


async def test_a_stopped_tuning_job_stops_its_training_jobs(
    client: TrackingClient, script: Path
) -> None:
    t = studio_tuner(client, script)
    t.estimator.set_hyperparameters(sleep=60)

    def work() -> dict[str, Any]:
        t.fit(wait=False)
        deadline = time.monotonic() + 60
        while t.describe()["TrainingJobStatusCounters"]["InProgress"] < 2:  # both started
            assert time.monotonic() < deadline, "the training jobs did not start"
            time.sleep(0.05)
        t.stop_tuning_job()
        t.wait()  # Stopped is an end, not an error
        t.stop_tuning_job()  # an ended tuning job is left as it is, as on SageMaker
        return t.describe()

    described = await in_thread(work)
    assert described["HyperParameterTuningJobStatus"] == "Stopped"
    counters = described["TrainingJobStatusCounters"]
    assert (counters["InProgress"], counters["Completed"], counters["Stopped"]) == (0, 0, 2)
    frame = await in_thread(lambda: t.analytics().dataframe())
    assert list(frame["TrainingJobStatus"]) == ["Stopped", "Stopped"]
    with pytest.raises(StudioError, match="Best training job not available"):
        await in_thread(t.best_training_job)
