"""Endpoints end to end on the process runtime: real model servers, a real scikit-learn
model, the studio's router (weights, TargetVariant, restarts, blue/green update, capture,
figures, rebuild after a restart)."""

from __future__ import annotations

import json
import os
import signal
import tarfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.entities import EndpointStatus
from jupyter_mlstudio.exceptions import (
    ConflictError,
    LimitExceededError,
    ModelError,
    ModelTimeoutError,
    NotFoundError,
    ValidationError,
)
from jupyter_mlstudio.hosting.instances import LABEL_ENDPOINT, InstanceStatus
from jupyter_mlstudio.services.studio import Studio
from tests.hosting.conftest import model_request, variant

INFERENCE = """
import os
import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


if __name__ == "__main__":
    raise SystemExit("training code must not run when serving")
"""

FAILING = """
import os
import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    if (data < -999).any():
        raise ValueError("a marker row asked me to fail")
    if (data > 999).any():
        import time

        time.sleep(5)  # a model that takes too long
    return model.predict(data)
"""


@pytest.fixture
def trained(tmp_path: Path) -> tuple[LogisticRegression, np.ndarray, Path]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    model = LogisticRegression().fit(x, y)
    staged = tmp_path / "model"
    staged.mkdir()
    joblib.dump(model, staged / "model.joblib")
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staged / "model.joblib", arcname="model.joblib")
    return model, x, archive


@pytest.fixture
def code(tmp_path: Path) -> Path:
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "inference.py").write_text(INFERENCE)
    (folder / "failing.py").write_text(FAILING)
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


def deploy(studio: Studio, name: str, variants: list[dict], capture: dict | None = None) -> None:
    hosting = studio.endpoints
    config = {"EndpointConfigName": f"{name}-config", "ProductionVariants": variants}
    if capture:
        config["DataCaptureConfig"] = capture
    hosting.create_endpoint_config(config)
    endpoint = hosting.create_endpoint(
        {"EndpointName": name, "EndpointConfigName": f"{name}-config"}
    )
    assert endpoint.endpoint_status is EndpointStatus.CREATING
    done = hosting.wait(name, timeout=120)
    assert done.endpoint_status is EndpointStatus.IN_SERVICE, done.failure_reason


def csv_rows(x: np.ndarray) -> bytes:
    return "\n".join(",".join(repr(float(v)) for v in row) for row in x).encode()


def test_deploy_predict_csv_and_json_then_delete(
    studio: Studio, trained: tuple, code: Path
) -> None:
    model, x, archive = trained
    hosting = studio.endpoints
    hosting.create_model(model_request("clf", archive, code))
    deploy(studio, "ep-clf", [variant("AllTraffic", "clf")])
    answer = hosting.invoke_sync(
        "ep-clf", csv_rows(x[:20]), content_type="text/csv", accept="text/csv"
    )
    assert answer.variant == "AllTraffic"
    assert answer.content_type.startswith("text/csv")
    got = [int(float(v)) for v in answer.body.decode().split()]
    assert got == model.predict(x[:20]).tolist()
    answer = hosting.invoke_sync(
        "ep-clf",
        json.dumps(x[:5].tolist()).encode(),
        content_type="application/json",
        accept="application/json",
    )
    assert json.loads(answer.body) == model.predict(x[:5]).tolist()
    described = hosting.describe_endpoint("ep-clf")
    assert described["EndpointStatus"] == "InService"
    (only,) = described["ProductionVariants"]
    assert only["CurrentInstanceCount"] == 1
    assert only["Instances"][0]["Status"] == "Healthy"
    figures = hosting.figures("ep-clf")["Variants"][0]
    assert figures["Invocations"] == 2
    assert figures["ModelLatency"]["P50"] > 0
    hosting.delete_endpoint("ep-clf")
    with pytest.raises(NotFoundError):
        hosting.get_endpoint("ep-clf")
    with pytest.raises(NotFoundError):
        hosting.invoke_sync("ep-clf", b"1,2,3,4", content_type="text/csv")
    assert not (studio.config.home / "endpoints" / "ep-clf").exists()
    runner = studio.jobs.runner("process")
    assert runner.find({LABEL_ENDPOINT: "ep-clf"}) == []  # no model server left


def test_two_variants_split_by_weight_and_target_variant(
    studio: Studio, trained: tuple, code: Path
) -> None:
    _, x, archive = trained
    hosting = studio.endpoints
    hosting.create_model(model_request("clf", archive, code))
    deploy(studio, "ep-ab", [variant("a", "clf", 3.0), variant("b", "clf", 1.0, count=2)])
    body = csv_rows(x[:1])
    counts = Counter(
        hosting.invoke_sync("ep-ab", body, content_type="text/csv").variant for _ in range(400)
    )
    assert abs(counts["a"] / 400 - 0.75) < 0.08, counts
    targeted = {
        hosting.invoke_sync("ep-ab", body, content_type="text/csv", target_variant="b").variant
        for _ in range(20)
    }
    assert targeted == {"b"}
    with pytest.raises(ValidationError) as info:
        hosting.invoke_sync("ep-ab", body, content_type="text/csv", target_variant="c")
    assert info.value.field == "TargetVariant"
    # weights change in place; counts too
    hosting.update_endpoint_weights_and_capacities(
        "ep-ab",
        [{"VariantName": "a", "DesiredWeight": 0}, {"VariantName": "b", "DesiredInstanceCount": 1}],
    )
    assert hosting.wait("ep-ab", 60).endpoint_status is EndpointStatus.IN_SERVICE
    assert {
        hosting.invoke_sync("ep-ab", body, content_type="text/csv").variant for _ in range(30)
    } == {"b"}
    described = {
        v["VariantName"]: v for v in hosting.describe_endpoint("ep-ab")["ProductionVariants"]
    }
    assert described["a"]["CurrentWeight"] == 0
    assert described["b"]["CurrentInstanceCount"] == 1
    stored = hosting.get_endpoint("ep-ab").desired_variants
    assert stored["a"].desired_weight == 0
    with pytest.raises(ValidationError) as info:
        hosting.update_endpoint_weights_and_capacities(
            "ep-ab", [{"VariantName": "b", "DesiredWeight": 0}]
        )
    assert info.value.field == "DesiredWeightsAndCapacities"
    with pytest.raises(ValidationError) as info:
        hosting.update_endpoint_weights_and_capacities(
            "ep-ab", [{"VariantName": "zz", "DesiredWeight": 1}]
        )
    assert info.value.field == "DesiredWeightsAndCapacities[0].VariantName"
    per_variant = {v["VariantName"]: v for v in hosting.figures("ep-ab")["Variants"]}
    assert per_variant["a"]["Invocations"] + per_variant["b"]["Invocations"] == 450


def test_a_killed_instance_comes_back(studio: Studio, trained: tuple, code: Path) -> None:
    _, x, archive = trained
    hosting = studio.endpoints
    hosting.engine.health_interval_s = 0.3
    hosting.create_model(model_request("clf", archive, code))
    deploy(studio, "ep-heal", [variant("AllTraffic", "clf", count=2)])
    live = hosting.engine.get("ep-heal")
    pool = live.variants["AllTraffic"].pool
    victim = pool.instances[0]
    assert victim.handle is not None
    os.killpg(int(victim.handle.ref), signal.SIGKILL)
    body = csv_rows(x[:1])
    # requests keep working on the other instance meanwhile
    for _ in range(20):
        assert hosting.invoke_sync("ep-heal", body, content_type="text/csv").variant == "AllTraffic"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        instances = pool.instances
        if (
            len(instances) == 2
            and all(i.status == InstanceStatus.HEALTHY for i in instances)
            and sum(i.restarts for i in instances) == 1
        ):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the instance did not come back: {hosting.describe_endpoint('ep-heal')}")
    hosts = {
        i["Host"]: i
        for i in hosting.describe_endpoint("ep-heal")["ProductionVariants"][0]["Instances"]
    }
    assert hosts[victim.host]["Restarts"] == 1


def test_model_errors_payload_limit_and_states(studio: Studio, trained: tuple, code: Path) -> None:
    _, x, archive = trained
    hosting = studio.endpoints
    hosting.create_model(model_request("flaky", archive, code, program="failing.py"))
    deploy(studio, "ep-err", [variant("AllTraffic", "flaky")])
    with pytest.raises(ModelError) as info:
        hosting.invoke_sync("ep-err", b"-1000,0,0,0", content_type="text/csv")
    assert info.value.original_status == 500
    assert "marker row" in info.value.message
    with pytest.raises(ModelError) as info:
        hosting.invoke_sync("ep-err", b"1,2", content_type="application/x-unknown")
    assert info.value.original_status == 415
    with pytest.raises(LimitExceededError):
        hosting.invoke_sync("ep-err", b"0" * (6 * 1024 * 1024 + 1), content_type="text/csv")
    ok = hosting.invoke_sync("ep-err", csv_rows(x[:1]), content_type="text/csv")
    assert json.loads(ok.body) in ([0], [1])  # JSON unless Accept asks otherwise
    figures = hosting.figures("ep-err")["Variants"][0]
    assert figures["Invocation5XXErrors"] == 1
    assert figures["Invocation4XXErrors"] == 1
    with pytest.raises(ValidationError) as bad:
        hosting.create_model(
            {
                "ModelName": "broken",
                "PrimaryContainer": {
                    "Environment": {
                        "SAGEMAKER_PROGRAM": "nope.py",
                        "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
                    }
                },
            }
        )
    assert bad.value.field == "PrimaryContainer.Environment.SAGEMAKER_PROGRAM"
    with pytest.raises(ConflictError):
        hosting.create_endpoint({"EndpointName": "ep-err", "EndpointConfigName": "ep-err-config"})


def test_endpoint_that_cannot_start_is_failed_with_the_reason(
    config: StudioConfig, trained: tuple, tmp_path: Path
) -> None:
    _, _, archive = trained
    code = tmp_path / "bad-code"
    code.mkdir()
    (code / "inference.py").write_text(
        "print('loading the bad model', flush=True)\nraise RuntimeError('cannot import me')\n"
    )
    studio = Studio.open(config)
    try:
        hosting = studio.endpoints
        hosting.create_model(model_request("bad", archive, code))
        hosting.create_endpoint_config(
            {
                "EndpointConfigName": "bad-config",
                "ProductionVariants": [variant("AllTraffic", "bad")],
            }
        )
        hosting.create_endpoint({"EndpointName": "ep-bad", "EndpointConfigName": "bad-config"})
        failed = hosting.wait("ep-bad", 120)
        assert failed.endpoint_status is EndpointStatus.FAILED
        assert "cannot import me" in (failed.failure_reason or "")
        with pytest.raises(ConflictError):
            hosting.invoke_sync("ep-bad", b"1", content_type="text/csv")
        # the instance is gone, its whole log is kept: more than the reason's last lines
        logs = hosting.read_logs("ep-bad")
        assert "loading the bad model" in logs["Text"]
        assert "RuntimeError: cannot import me" in logs["Text"]
        assert logs["Complete"] is True
        assert hosting.read_logs("ep-bad", offset=logs["NextOffset"])["Text"] == ""
        assert hosting.read_logs("ep-bad", variant="AllTraffic")["Text"] == logs["Text"]
        assert hosting.read_logs("ep-bad", host="algo-2")["Text"] == ""
        assert hosting.read_logs("ep-bad", variant="..", host="failed-logs")["Text"] == ""
    finally:
        studio.close()
    again = Studio.open(config)  # a restart leaves a Failed endpoint's logs readable
    try:
        assert "cannot import me" in again.endpoints.read_logs("ep-bad")["Text"]
        again.endpoints.delete_endpoint("ep-bad")
        assert not (again.endpoints.engine.root / "ep-bad").exists()
    finally:
        again.close()


def test_blue_green_update_fails_no_request_in_flight(
    studio: Studio, trained: tuple, code: Path, tmp_path: Path
) -> None:
    model, x, archive = trained
    hosting = studio.endpoints
    hosting.create_model(model_request("v1", archive, code))
    hosting.create_model(model_request("v2", archive, code))
    deploy(studio, "ep-bg", [variant("AllTraffic", "v1")])
    hosting.create_endpoint_config(
        {"EndpointConfigName": "bg-2", "ProductionVariants": [variant("Blue", "v2", count=2)]}
    )
    body = csv_rows(x[:3])
    expected = model.predict(x[:3]).tolist()
    errors: list[BaseException] = []
    seen: Counter[str] = Counter()
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                answer = hosting.invoke_sync("ep-bg", body, content_type="text/csv")
                assert json.loads(answer.body) == expected
                seen[answer.variant] += 1
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    updating = hosting.update_endpoint("ep-bg", "bg-2")
    assert updating.endpoint_status is EndpointStatus.UPDATING
    done = hosting.wait("ep-bg", 120)
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert done.endpoint_status is EndpointStatus.IN_SERVICE
    assert done.endpoint_config_name == "bg-2"
    assert seen["AllTraffic"] > 0
    assert seen["Blue"] > 0
    assert [v["VariantName"] for v in hosting.describe_endpoint("ep-bg")["ProductionVariants"]] == [
        "Blue"
    ]


def test_capture_and_rebuild_after_restart(
    config: StudioConfig, trained: tuple, code: Path, tmp_path: Path
) -> None:
    model, x, archive = trained
    destination = tmp_path / "capture"
    first = Studio.open(config)
    try:
        first.endpoints.create_model(model_request("clf", archive, code))
        deploy(
            first,
            "ep-cap",
            [variant("AllTraffic", "clf")],
            capture={
                "EnableCapture": True,
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": str(destination),
            },
        )
        for row in x[:3]:
            first.endpoints.invoke_sync("ep-cap", csv_rows(row[None, :]), content_type="text/csv")
        first.endpoints.update_endpoint_weights_and_capacities(
            "ep-cap", [{"VariantName": "AllTraffic", "DesiredInstanceCount": 2}]
        )
        first.endpoints.wait("ep-cap", 60)
    finally:
        first.close()  # stops the instances; the record stays InService
    second = Studio.open(config)
    try:
        rebuilt = second.endpoints.wait("ep-cap", 120)
        assert rebuilt.endpoint_status is EndpointStatus.IN_SERVICE
        variants = second.endpoints.describe_endpoint("ep-cap")["ProductionVariants"]
        assert variants[0]["CurrentInstanceCount"] == 2  # the changed count survived
        answer = second.endpoints.invoke_sync("ep-cap", csv_rows(x[3:4]), content_type="text/csv")
        assert json.loads(answer.body) == model.predict(x[3:4]).tolist()
        second.endpoints.engine.get("ep-cap").capture.close()  # flush now
        captured = second.endpoints.captures("ep-cap")
        assert captured["CaptureStatus"] == "Started"
        inputs = [r["captureData"]["endpointInput"]["data"] for r in captured["Records"]]
        assert len(inputs) == 4
        assert csv_rows(x[3:4]).decode() in inputs
        assert all(r["eventMetadata"]["variantName"] == "AllTraffic" for r in captured["Records"])
    finally:
        second.close()


def test_a_model_that_takes_too_long_gets_a_timeout(
    config: StudioConfig, trained: tuple, code: Path
) -> None:
    _, x, archive = trained
    studio = Studio.open(config, invocation_timeout=1.0)
    try:
        hosting = studio.endpoints
        hosting.create_model(model_request("slow", archive, code, program="failing.py"))
        deploy(studio, "ep-slow", [variant("AllTraffic", "slow", count=2)])
        started = time.monotonic()
        with pytest.raises(ModelTimeoutError) as info:
            hosting.invoke_sync("ep-slow", b"1000,0,0,0", content_type="text/csv")
        assert time.monotonic() - started < 3
        assert "did not answer within 1 s" in info.value.message
        fine = hosting.invoke_sync("ep-slow", csv_rows(x[:1]), content_type="text/csv")
        assert json.loads(fine.body) in ([0], [1])
        assert hosting.figures("ep-slow")["Variants"][0]["Invocation5XXErrors"] == 1
    finally:
        studio.close()


SLOW_START = """
import os
import time

import joblib

print("warming up the model", flush=True)


def model_fn(model_dir):
    time.sleep(4)
    return joblib.load(os.path.join(model_dir, "model.joblib"))
"""


def test_instance_logs_are_readable_while_the_endpoint_is_creating(
    studio: Studio, trained: tuple, tmp_path: Path
) -> None:
    _, _, archive = trained
    code = tmp_path / "slow-code"
    code.mkdir()
    (code / "inference.py").write_text(SLOW_START)
    hosting = studio.endpoints
    hosting.create_model(model_request("slow", archive, code))
    hosting.create_endpoint_config(
        {"EndpointConfigName": "slow-config", "ProductionVariants": [variant("AllTraffic", "slow")]}
    )
    hosting.create_endpoint({"EndpointName": "ep-slow", "EndpointConfigName": "slow-config"})
    seen = ""
    deadline = time.monotonic() + 60
    while "warming up" not in seen and time.monotonic() < deadline:
        logs = hosting.read_logs("ep-slow")
        seen += logs["Text"]
        time.sleep(0.1)
    status = hosting.get_endpoint("ep-slow").endpoint_status
    assert "warming up the model" in seen
    assert status is EndpointStatus.CREATING  # the log was read before it was in service
    assert hosting.read_logs("ep-slow", host="algo-2")["Text"] == ""  # not launched (yet)
    done = hosting.wait("ep-slow", 120)
    assert done.endpoint_status is EndpointStatus.IN_SERVICE, done.failure_reason
    assert "model server: loaded" in hosting.read_logs("ep-slow")["Text"]
