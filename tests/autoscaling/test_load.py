"""The autoscaling load test: an endpoint of real model servers on the process runtime,
min 1 / max 4 instances, a target-tracking policy on invocations a minute per instance,
and a rising then falling request rate. It must scale to at least 3 instances and back to
1, and no request may fail while instances come and go (scale-in drains)."""

from __future__ import annotations

import asyncio
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import EndpointStatus
from jupyter_mlstudio.services.studio import Studio
from tests.hosting.conftest import model_request, variant

ENDPOINT = "scaling"
RESOURCE = f"endpoint/{ENDPOINT}/variant/AllTraffic"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
#: invocations a minute per instance the policy keeps to (10 a second)
TARGET = 600.0
#: requests a second: below the target on one instance, then three instances' worth
#: (1,800 a minute on one instance asks for ceil(1800 / 600) = 3), then little again
CALM, BUSY, QUIET = 4.0, 30.0, 8.0
#: a model that takes a while, so requests are in flight while instances stop
SLOW_MODEL = """
import time


def model_fn(model_dir):
    return None


def predict_fn(data, model):
    time.sleep(0.03)
    return data
"""


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The load's event loop: open until the studio (whose router has connections on
    it) is closed."""
    made = asyncio.new_event_loop()
    yield made
    made.close()


@pytest.fixture
def studio(tmp_path: Path, loop: asyncio.AbstractEventLoop) -> Iterator[Studio]:
    home = tmp_path / "home"
    home.mkdir()
    config = resolve_config(home=home, default_runtime="process")
    opened = Studio.open(config, autoscaling_period_s=1.0)
    yield opened
    opened.close()


def deploy_slow_model(studio: Studio, tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text(SLOW_MODEL)
    (tmp_path / "weights.txt").write_text("none")
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "weights.txt", arcname="weights.txt")
    hosting = studio.endpoints
    hosting.create_model(model_request("slow", archive, code))
    hosting.create_endpoint_config(
        {
            "EndpointConfigName": "scaling-config",
            "ProductionVariants": [variant("AllTraffic", "slow")],
        }
    )
    hosting.create_endpoint({"EndpointName": ENDPOINT, "EndpointConfigName": "scaling-config"})
    done = hosting.wait(ENDPOINT, timeout=120)
    assert done.endpoint_status is EndpointStatus.IN_SERVICE, done.failure_reason


def register(studio: Studio) -> None:
    key = {"ServiceNamespace": "sagemaker", "ResourceId": RESOURCE, "ScalableDimension": DIMENSION}
    studio.autoscaling.register_scalable_target({**key, "MinCapacity": 1, "MaxCapacity": 4})
    studio.autoscaling.put_scaling_policy(
        {
            **key,
            "PolicyName": "invocations-per-instance",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": TARGET,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                },
                "ScaleOutCooldown": 1,
                "ScaleInCooldown": 3,
            },
        }
    )


class Load:
    """Requests at a set rate through the studio's router; every outcome is kept."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self.sent = 0
        self.failures: list[str] = []
        self.counts: list[int] = []  # healthy instances, as the endpoint view shows them
        self._tasks: set[asyncio.Task[None]] = set()

    def described(self) -> dict[str, Any]:
        (only,) = self.studio.endpoints.describe_endpoint(ENDPOINT)["ProductionVariants"]
        return dict(only)

    async def _one(self) -> None:
        try:
            answer = await self.studio.endpoints.invoke(
                ENDPOINT, b"1,2,3", content_type="text/csv", accept="text/csv"
            )
            assert answer.body.strip() == b"1.0,2.0,3.0" or answer.body.strip() == b"1,2,3"
        except Exception as exc:  # every failure is counted, none may happen
            self.failures.append(f"{type(exc).__name__}: {exc}")

    async def run(
        self, rate: float, until: Callable[[dict[str, Any]], bool], timeout: float
    ) -> None:
        """Send ``rate`` requests a second until ``until(variant)`` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        next_at = loop.time()
        checked = 0.0
        while True:
            now = loop.time()
            if now - checked >= 0.25:
                checked = now
                seen = self.described()
                self.counts.append(seen["CurrentInstanceCount"])
                if until(seen):
                    return
                assert now < deadline, f"not reached in {timeout} s: {seen}"
            task = asyncio.create_task(self._one())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            self.sent += 1
            next_at += 1 / rate
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    async def drain(self) -> None:
        await asyncio.gather(*self._tasks)


@pytest.mark.timeout(120)
def test_rising_then_falling_load_scales_out_and_back_in_without_a_failed_request(
    studio: Studio,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deploy_slow_model(studio, tmp_path)
    register(studio)
    load = Load(studio)
    started = time.monotonic()

    async def scenario() -> None:
        calm_until = time.monotonic() + 3
        await load.run(CALM, lambda v: time.monotonic() > calm_until, timeout=10)
        assert max(load.counts) == 1  # below the target: no scale-out
        await load.run(BUSY, lambda v: v["CurrentInstanceCount"] >= 3, timeout=40)
        busy_until = time.monotonic() + 2  # the new instances take their share
        await load.run(BUSY, lambda v: time.monotonic() > busy_until, timeout=10)
        await load.run(
            QUIET,
            lambda v: v["DesiredInstanceCount"] == 1 and v["CurrentInstanceCount"] == 1,
            timeout=40,
        )
        await load.drain()

    loop.run_until_complete(scenario())
    seconds = time.monotonic() - started
    assert load.failures == [], load.failures[:5]
    assert max(load.counts) >= 3
    assert load.counts[-1] == 1
    # the endpoint view's record of it: activities out and in, each Successful once settled
    deadline = time.monotonic() + 10
    while True:
        view = studio.autoscaling.endpoint_view(ENDPOINT)
        activities = view["ScalingActivities"]
        if activities and all(a["StatusCode"] != "InProgress" for a in activities):
            break
        assert time.monotonic() < deadline, activities
        time.sleep(0.1)  # the controller settles the last activity in its next round
    counts = [int(a["Description"].split()[-1].rstrip(".")) for a in reversed(activities)]
    assert all(a["StatusCode"] == "Successful" for a in activities), activities
    assert max(counts) >= 3
    assert counts[-1] == 1
    (target,) = view["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    with capsys.disabled():
        print(
            f"\n  autoscaling: {load.sent} requests, 0 failed, instances"
            f" {' -> '.join(str(c) for c in [1, *counts])} in {seconds:.1f} s"
        )
