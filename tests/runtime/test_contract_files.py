"""The training contract on disk and in the environment, and instance types → limits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.runtime.contract import (
    GIB,
    Channel,
    TrainingSetup,
    hyperparameter_args,
    hyperparameters_to_strings,
    resource_limits,
    training_env,
    write_processing_config,
    write_training_contract,
)

SETUP = TrainingSetup(
    job_name="sweep-1",
    current_host="algo-2",
    hosts=("algo-1", "algo-2"),
    hyperparameters={"epochs": 10, "lr": "0.01", "name": "resnet", "flag": True, "d": {"a": 1}},
    channels=(Channel("train", content_type="text/csv"), Channel("validation")),
    instance_type="ml.m5.large",
    num_cpus=2,
    entry_point="train.py",
)


def test_files_and_folders(tmp_path: Path) -> None:
    write_training_contract(tmp_path, SETUP)
    for folder in ("input/data/train", "input/data/validation", "model", "output/data",
                   "code", "checkpoints"):  # fmt: skip
        assert (tmp_path / folder).is_dir(), folder
    config = tmp_path / "input" / "config"
    hps = json.loads((config / "hyperparameters.json").read_text())
    assert hps == {"epochs": "10", "lr": "0.01", "name": "resnet", "flag": "true", "d": '{"a": 1}'}
    assert all(isinstance(v, str) for v in hps.values())
    data = json.loads((config / "inputdataconfig.json").read_text())
    assert data["train"] == {
        "ContentType": "text/csv",
        "TrainingInputMode": "File",
        "S3DistributionType": "FullyReplicated",
        "RecordWrapperType": "None",
    }
    assert "ContentType" not in data["validation"]
    resources = json.loads((config / "resourceconfig.json").read_text())
    assert resources["current_host"] == "algo-2"
    assert resources["hosts"] == ["algo-1", "algo-2"]
    assert resources["current_instance_type"] == "ml.m5.large"
    assert resources["instance_groups"][0]["hosts"] == ["algo-1", "algo-2"]
    assert not (tmp_path / "output" / "failure").exists()


def test_environment_in_a_container() -> None:
    env = training_env(SETUP)
    assert env["SM_MODEL_DIR"] == "/opt/ml/model"
    assert env["SM_CHANNEL_TRAIN"] == "/opt/ml/input/data/train"
    assert env["SM_CHANNEL_VALIDATION"] == "/opt/ml/input/data/validation"
    assert json.loads(env["SM_CHANNELS"]) == ["train", "validation"]
    assert json.loads(env["SM_HPS"]) == {
        "epochs": 10, "lr": 0.01, "name": "resnet", "flag": True, "d": {"a": 1},
    }  # fmt: skip
    assert env["SM_HP_EPOCHS"] == "10"
    assert env["SM_HP_NAME"] == "resnet"
    assert env["SM_HP_D"] == '{"a":1}'
    assert env["SM_HOSTS"] == '["algo-1","algo-2"]'
    assert env["SM_CURRENT_HOST"] == "algo-2"
    assert env["SM_NUM_CPUS"] == "2"
    assert env["SM_NUM_GPUS"] == "0"
    assert env["SM_OUTPUT_DIR"] == "/opt/ml/output"
    assert env["SM_OUTPUT_DATA_DIR"] == "/opt/ml/output/data"
    assert env["SM_INPUT_DIR"] == "/opt/ml/input"
    assert env["SM_INPUT_CONFIG_DIR"] == "/opt/ml/input/config"
    assert env["SM_USER_ENTRY_POINT"] == "train.py"
    assert env["SAGEMAKER_PROGRAM"] == "train.py"
    assert env["SM_MODULE_NAME"] == "train"
    assert env["TRAINING_JOB_NAME"] == "sweep-1"
    training = json.loads(env["SM_TRAINING_ENV"])
    assert training["channel_input_dirs"]["train"] == "/opt/ml/input/data/train"
    assert training["hosts"] == ["algo-1", "algo-2"]
    assert training["is_master"] is False
    assert training["master_hostname"] == "algo-1"
    assert training["hyperparameters"]["epochs"] == 10
    assert json.loads(env["SM_USER_ARGS"]) == hyperparameter_args(SETUP.hyperparameters)
    assert all(isinstance(v, str) for v in env.values())


def test_environment_for_the_process_runtime(tmp_path: Path) -> None:
    env = training_env(SETUP, str(tmp_path))
    assert env["SM_MODEL_DIR"] == str(tmp_path / "model")
    assert env["SM_CHANNEL_TRAIN"] == str(tmp_path / "input" / "data" / "train")
    assert env["SAGEMAKER_SUBMIT_DIRECTORY"] == str(tmp_path / "code")
    assert json.loads(env["SM_TRAINING_ENV"])["model_dir"] == str(tmp_path / "model")


def test_hyperparameters_as_arguments() -> None:
    args = hyperparameter_args({"epochs": 10, "lr": "0.01", "b": "x", "flag": True, "d": {"a": 1}})
    assert args == ["-b", "x", "-d", "a=1", "--epochs", "10", "--flag", "True",
                    "--lr", "0.01"]  # fmt: skip
    assert hyperparameters_to_strings({"a": "text", "b": 2.5}) == {"a": "text", "b": "2.5"}


@pytest.mark.parametrize("name", ["bad name", "a/b", "", "x" * 65])
def test_bad_channel_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValidationError) as info:
        write_training_contract(tmp_path, TrainingSetup("j", channels=(Channel(name),)))
    assert info.value.field == "input_data_config.channel_name"


def test_duplicate_channels(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        write_training_contract(tmp_path, TrainingSetup("j", channels=(Channel("a"), Channel("a"))))


def test_processing_config(tmp_path: Path) -> None:
    write_processing_config(tmp_path, "prep-1", {"ProcessingResources": {}}, hosts=("algo-1",))
    body = json.loads((tmp_path / "config" / "processingjobconfig.json").read_text())
    assert body["ProcessingJobName"] == "prep-1"
    assert json.loads((tmp_path / "config" / "resourceconfig.json").read_text())["hosts"] == [
        "algo-1"
    ]
    assert (tmp_path / "processing").is_dir()


@pytest.mark.parametrize(
    ("instance_type", "cpus", "gib"),
    [
        ("ml.m5.large", 2, 8),
        ("ml.m5.xlarge", 4, 16),
        ("ml.m5.2xlarge", 8, 32),
        ("ml.c5.xlarge", 4, 8),
        ("ml.r5.large", 2, 16),
        ("ml.t3.medium", 2, 4),
        ("ml.g4dn.xlarge", 4, 16),
    ],
)
def test_instance_types(instance_type: str, cpus: int, gib: int) -> None:
    limits = resource_limits(instance_type)
    assert limits.nominal_cpus == cpus
    assert limits.nominal_memory_bytes == gib * GIB
    assert limits.cpus == min(cpus, os.cpu_count() or cpus)  # capped to the machine
    assert limits.memory_bytes is not None
    assert limits.memory_bytes <= gib * GIB
    assert limits.num_cpus == int(limits.cpus)


def test_local_has_no_limits() -> None:
    limits = resource_limits("local")
    assert (limits.cpus, limits.memory_bytes) == (None, None)
    assert limits.num_cpus == (os.cpu_count() or 1)


@pytest.mark.parametrize("name", ["m5.large", "ml.m5.huge", "ml.q5.large", "", "ml.m5.metal"])
def test_unknown_instance_types(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        resource_limits(name)
    assert info.value.field == "instance_type"
