"""Multi-model endpoints end to end on the process runtime: 20 real scikit-learn models
under one prefix, a cap of 5 loaded per instance, real model servers; and the LRU rules."""

from __future__ import annotations

import json
import random
import tarfile
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.dummy import DummyRegressor

from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import EndpointStatus
from jupyter_mlstudio.exceptions import ModelError, ValidationError
from jupyter_mlstudio.hosting.figures import ModelFigures
from jupyter_mlstudio.hosting.multi_model import (
    CACHE_FOLDER,
    ModelCache,
    check_target_model,
    server_name,
)
from jupyter_mlstudio.services.studio import Studio
from tests.hosting.conftest import variant

MODELS = 20
CAP = 5


def archive_of(folder: Path, target: Path) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        for item in sorted(folder.iterdir()):
            tar.add(item, arcname=item.name)
    return target


def constant_archive(tmp: Path, target: Path, value: float) -> Path:
    """A model.tar.gz whose model answers ``value`` for every row (its identity)."""
    staged = tmp / f"stage-{target.name}"
    staged.mkdir(parents=True)
    model = DummyRegressor(strategy="constant", constant=value).fit(np.zeros((2, 1)), [0, 0])
    joblib.dump(model, staged / "model.joblib")
    return archive_of(staged, target)


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    """``model-0.tar.gz`` .. ``model-19.tar.gz`` (answering 0 .. 19), ``broken.tar.gz`` (a
    model file joblib cannot read) and ``sub/deep.tar.gz`` (answering 99)."""
    folder = tmp_path / "prefix"
    (folder / "sub").mkdir(parents=True)
    for i in range(MODELS):
        constant_archive(tmp_path, folder / f"model-{i}.tar.gz", float(i))
    constant_archive(tmp_path, folder / "sub" / "deep.tar.gz", 99.0)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.joblib").write_bytes(b"this is not a joblib file")
    archive_of(broken, folder / "broken.tar.gz")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.txt").write_text("no model in here")
    archive_of(empty, folder / "empty.tar.gz")
    return folder


@pytest.fixture
def config(tmp_path: Path) -> StudioConfig:
    home = tmp_path / "home"
    home.mkdir()
    return resolve_config(home=home, default_runtime="process")


@pytest.fixture
def studio(config: StudioConfig) -> Iterator[Studio]:
    opened = Studio.open(config)
    yield opened
    opened.close()


def deploy_multi(studio: Studio, name: str, prefix: Path, count: int = 1) -> None:
    hosting = studio.endpoints
    hosting.create_model(
        {
            "ModelName": f"{name}-model",
            "PrimaryContainer": {
                "Mode": "MultiModel",
                "ModelDataUrl": f"{prefix}/",
                "Environment": {"MLSTUDIO_MME_MAX_MODELS": str(CAP)},
            },
        }
    )
    hosting.create_endpoint_config(
        {
            "EndpointConfigName": f"{name}-config",
            "ProductionVariants": [variant("AllTraffic", f"{name}-model", count=count)],
        }
    )
    hosting.create_endpoint({"EndpointName": name, "EndpointConfigName": f"{name}-config"})
    done = hosting.wait(name, timeout=120)
    assert done.endpoint_status is EndpointStatus.IN_SERVICE, done.failure_reason


def ask(studio: Studio, name: str, target: str, rows: int = 2) -> list[float]:
    answer = studio.endpoints.invoke_sync(
        name,
        "\n".join("1.5" for _ in range(rows)).encode(),
        content_type="text/csv",
        accept="application/json",
        target_model=target,
    )
    return list(json.loads(answer.body))


def server_models(url: str) -> list[str]:
    """What the model server itself has loaded."""
    with urllib.request.urlopen(f"{url}/models", timeout=10) as answer:
        return [m["modelName"] for m in json.loads(answer.read())["models"]]


def test_twenty_models_behind_one_endpoint_with_five_loaded(studio: Studio, prefix: Path) -> None:
    deploy_multi(studio, "mme", prefix)
    hosting = studio.endpoints
    (instance,) = hosting.engine.get("mme").variants["AllTraffic"].pool.instances
    cache = studio.config.home / "endpoints"
    order = [f"model-{i}.tar.gz" for i in range(MODELS)]
    rng = random.Random(15)
    for _ in range(2):
        rng.shuffle(order)
        for target in order:
            identity = float(target.split("-")[1].split(".")[0])
            assert ask(studio, "mme", target) == [identity, identity]
            loaded = server_models(instance.url or "")
            assert len(loaded) <= CAP
            assert server_name(target) in loaded
            unpacked = [p for p in cache.rglob(f"{CACHE_FOLDER}/algo-1/*") if p.is_dir()]
            assert len(unpacked) == len(loaded)  # evicted models' files are gone
    described = hosting.endpoint_models("mme")
    (only,) = described["Variants"]
    assert only["Mode"] == "MultiModel"
    assert only["ModelDataUrl"] == f"{prefix}/"
    assert only["MaxModels"] == CAP
    (host,) = only["Instances"]
    assert host["Host"] == "algo-1"
    assert len(host["LoadedModels"]) == CAP
    assert host["LoadedModels"][-1] == order[-1]  # most recently used last
    figures = {m["TargetModel"]: m for m in host["Models"]}
    assert set(figures) == set(order)
    assert all(m["Invocations"] == 2 for m in figures.values())
    loads = sum(m["Loads"] for m in figures.values())
    evictions = sum(m["Evictions"] for m in figures.values())
    assert loads >= MODELS + (MODELS - CAP)  # the second round had to load most again
    assert evictions == loads - CAP
    assert all(m["Loaded"] == (t in host["LoadedModels"]) for t, m in figures.items())
    assert all(m["LoadTime"]["Last"] > 0 for m in figures.values())
    assert all(m["ModelLatency"]["P50"] > 0 for m in figures.values())
    # a model in a sub-folder of the prefix
    assert ask(studio, "mme", "sub/deep.tar.gz", rows=1) == [99.0]
    assert hosting.figures("mme")["Variants"][0]["Invocations"] == 2 * MODELS + 1


def test_bad_target_models_leave_the_others_serving(studio: Studio, prefix: Path) -> None:
    deploy_multi(studio, "mme-bad", prefix)
    assert ask(studio, "mme-bad", "model-3.tar.gz") == [3.0, 3.0]
    with pytest.raises(ValidationError) as missing:
        ask(studio, "mme-bad", "model-404.tar.gz")
    assert missing.value.field == "TargetModel"
    assert "model-404.tar.gz" in missing.value.message
    with pytest.raises(ValidationError) as none:
        ask(studio, "mme-bad", "")
    assert none.value.field == "TargetModel"
    with pytest.raises(ValidationError) as outside:
        ask(studio, "mme-bad", "../prefix/model-1.tar.gz")
    assert outside.value.field == "TargetModel"
    with pytest.raises(ModelError) as broken:
        ask(studio, "mme-bad", "broken.tar.gz")
    assert "broken.tar.gz" in broken.value.message
    assert "could not be loaded" in broken.value.message
    assert broken.value.original_status == 500
    with pytest.raises(ModelError) as empty:
        ask(studio, "mme-bad", "empty.tar.gz")
    assert "no model_fn and no model.joblib" in empty.value.message  # the loader's words
    # the others are unaffected, and the broken one left nothing loaded or unpacked
    assert ask(studio, "mme-bad", "model-3.tar.gz") == [3.0, 3.0]
    (host,) = studio.endpoints.endpoint_models("mme-bad")["Variants"][0]["Instances"]
    assert host["LoadedModels"] == ["model-3.tar.gz"]
    figures = studio.endpoints.figures("mme-bad")["Variants"][0]
    assert figures["Invocation4XXErrors"] == 1  # the missing one; the others never route
    assert figures["Invocation5XXErrors"] == 2


def test_concurrent_first_calls_load_a_model_once(studio: Studio, prefix: Path) -> None:
    deploy_multi(studio, "mme-race", prefix)
    answers: list[list[float]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def call(target: str) -> None:
        barrier.wait()
        try:
            answers.append(ask(studio, "mme-race", target))
        except BaseException as exc:  # the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=call, args=("model-7.tar.gz",)) for _ in range(6)]
    threads += [threading.Thread(target=call, args=("model-8.tar.gz",)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(answers) == [[7.0, 7.0]] * 6 + [[8.0, 8.0]] * 2
    (host,) = studio.endpoints.endpoint_models("mme-race")["Variants"][0]["Instances"]
    figures = {m["TargetModel"]: m for m in host["Models"]}
    assert figures["model-7.tar.gz"]["Loads"] == 1
    assert figures["model-7.tar.gz"]["Invocations"] == 6
    assert figures["model-8.tar.gz"]["Loads"] == 1


def test_target_model_on_a_single_model_endpoint_is_refused(
    studio: Studio, prefix: Path, tmp_path: Path
) -> None:
    archive = constant_archive(tmp_path, tmp_path / "single.tar.gz", 5.0)
    hosting = studio.endpoints
    hosting.create_model(
        {"ModelName": "single", "PrimaryContainer": {"ModelDataUrl": str(archive)}}
    )
    hosting.create_endpoint_config(
        {"EndpointConfigName": "single-config", "ProductionVariants": [variant("A", "single")]}
    )
    hosting.create_endpoint({"EndpointName": "single", "EndpointConfigName": "single-config"})
    assert hosting.wait("single", timeout=120).endpoint_status is EndpointStatus.IN_SERVICE
    with pytest.raises(ValidationError) as refused:
        ask(studio, "single", "model-1.tar.gz")
    assert refused.value.field == "TargetModel"
    answer = hosting.invoke_sync("single", b"1", content_type="text/csv", accept="text/csv")
    assert answer.body == b"5.0\n"
    assert hosting.endpoint_models("single")["Variants"][0]["Mode"] == "SingleModel"


@pytest.mark.parametrize(
    ("request_container", "field"),
    [
        ({"Mode": "Multi", "ModelDataUrl": "s3://b/p/"}, "PrimaryContainer.Mode"),
        (
            {"Mode": "MultiModel", "ModelDataUrl": "s3://b/p/m.tar.gz"},
            "PrimaryContainer.ModelDataUrl",
        ),
        ({"Mode": "MultiModel"}, "PrimaryContainer.ModelDataUrl"),
        (
            {
                "ModelDataUrl": "s3://b/m.tar.gz",
                "MultiModelConfig": {"ModelCacheSetting": "Enabled"},
            },
            "PrimaryContainer.MultiModelConfig",
        ),
    ],
)
def test_create_model_checks_the_mode(studio: Studio, request_container: dict, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        studio.endpoints.create_model({"ModelName": "m", "PrimaryContainer": request_container})
    assert refused.value.field == field


def test_create_model_keeps_the_mode(studio: Studio, prefix: Path) -> None:
    model = studio.endpoints.create_model(
        {
            "ModelName": "kept",
            "PrimaryContainer": {
                "Mode": "MultiModel",
                "ModelDataUrl": f"{prefix}/",
                "MultiModelConfig": {"ModelCacheSetting": "Disabled"},
            },
        }
    )
    again = studio.endpoints.get_model("kept")
    assert again.primary_container.mode == "MultiModel"
    assert again.primary_container.multi_model_config == {"ModelCacheSetting": "Disabled"}
    assert model.to_api()["PrimaryContainer"]["Mode"] == "MultiModel"


def test_cache_disabled_unloads_after_each_invocation(studio: Studio, prefix: Path) -> None:
    hosting = studio.endpoints
    hosting.create_model(
        {
            "ModelName": "nocache",
            "PrimaryContainer": {
                "Mode": "MultiModel",
                "ModelDataUrl": f"{prefix}/",
                "MultiModelConfig": {"ModelCacheSetting": "Disabled"},
            },
        }
    )
    hosting.create_endpoint_config(
        {"EndpointConfigName": "nocache-config", "ProductionVariants": [variant("A", "nocache")]}
    )
    hosting.create_endpoint({"EndpointName": "nocache", "EndpointConfigName": "nocache-config"})
    assert hosting.wait("nocache", timeout=120).endpoint_status is EndpointStatus.IN_SERVICE
    assert ask(studio, "nocache", "model-2.tar.gz") == [2.0, 2.0]
    assert ask(studio, "nocache", "model-2.tar.gz") == [2.0, 2.0]
    (host,) = hosting.endpoint_models("nocache")["Variants"][0]["Instances"]
    assert host["LoadedModels"] == []
    assert host["Models"][0]["Loads"] == 2


def test_an_instance_out_of_memory_loads_nothing(studio: Studio, prefix: Path) -> None:
    hosting = studio.endpoints
    hosting.create_model(
        {
            "ModelName": "tiny",
            "PrimaryContainer": {
                "Mode": "MultiModel",
                "ModelDataUrl": f"{prefix}/",
                # an instance of 1 MiB: the model server is over its memory share at once
                "Environment": {"MLSTUDIO_MME_MEMORY_BYTES": str(1024 * 1024)},
            },
        }
    )
    hosting.create_endpoint_config(
        {"EndpointConfigName": "tiny-config", "ProductionVariants": [variant("A", "tiny")]}
    )
    hosting.create_endpoint({"EndpointName": "tiny", "EndpointConfigName": "tiny-config"})
    assert hosting.wait("tiny", timeout=120).endpoint_status is EndpointStatus.IN_SERVICE
    with pytest.raises(ModelError) as full:
        ask(studio, "tiny", "model-1.tar.gz")
    assert full.value.original_status == 507
    assert "memory in use" in full.value.message
    (host,) = hosting.endpoint_models("tiny")["Variants"][0]["Instances"]
    assert host["LoadedModels"] == []
    unpacked = list((studio.config.home / "endpoints").rglob(f"{CACHE_FOLDER}/algo-1/*"))
    assert unpacked == []  # the fetched archive was removed again


# -- the rules, without servers ----------------------------------------------------------


def test_model_figures_count_invocations_loads_and_evictions() -> None:
    now = [1000.0]
    figures = ModelFigures(clock=lambda: now[0])
    assert figures.snapshot()["ModelLatency"] == {"P50": None, "P90": None, "P99": None}
    figures.record_load(12.0)
    for ms in (1.0, 2.0, 3.0, 4.0):
        figures.record(200, ms)
    now[0] = 1005.0
    figures.record(404, 1.0)
    figures.record(503, None)
    figures.record_eviction()
    figures.record_load(8.0)
    snapshot = figures.snapshot()
    assert snapshot["Invocations"] == 6
    assert snapshot["Invocation4XXErrors"] == 1
    assert snapshot["Invocation5XXErrors"] == 1
    assert snapshot["ModelLatency"] == {"P50": 2.0, "P90": 4.0, "P99": 4.0}
    assert snapshot["Loads"] == 2
    assert snapshot["LoadTime"] == {"Last": 8.0, "Mean": 10.0}
    assert snapshot["Evictions"] == 1
    assert snapshot["LoadedAt"] == 1005.0
    assert snapshot["LastInvokedAt"] == 1005.0


def test_lru_evicts_the_least_recently_used_model_not_in_use() -> None:
    cache = ModelCache(3)
    assert cache.victim() is None
    for name in ("a", "b", "c"):
        assert not cache.use(name)
        cache.add(name)
        cache.release(name)
    assert cache.full()
    assert cache.names() == ["a", "b", "c"]
    assert cache.use("a")  # a is now the most recent
    cache.release("a")
    assert cache.names() == ["b", "c", "a"]
    assert cache.victim() == "b"
    assert cache.use("b")  # in use: never a victim
    assert cache.victim() == "c"
    cache.remove("c")
    assert not cache.full()
    assert cache.victim() == "a"
    cache.use("a")
    assert cache.victim() is None  # everything is in use
    cache.release("b")
    cache.release("b")  # more releases than uses do no harm
    assert cache.victim() == "b"
    assert ModelCache(0).max_models == 1


def test_target_model_rules() -> None:
    check_target_model(False, None, "ep")
    check_target_model(True, "model-1.tar.gz", "ep")
    check_target_model(True, "a/b/c.tar.gz", "ep")
    for bad in ("", None, "/abs.tar.gz", "../x.tar.gz", "a//b", "a/./b", "x" * 1025, "a\nb"):
        with pytest.raises(ValidationError) as refused:
            check_target_model(True, bad, "ep")
        assert refused.value.field == "TargetModel"
    with pytest.raises(ValidationError):
        check_target_model(False, "model-1.tar.gz", "ep")
    names = {server_name(t) for t in ("a b", "a_b", "a-b", "a/b", "a.b", "ünï")}
    assert len(names) == 6
    assert all(n.startswith("m-") and "/" not in n and " " not in n for n in names)
