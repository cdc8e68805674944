"""Load through a real studio: a ``jupyter server`` subprocess with the extension, the iris
model deployed over REST, and 20,000 invocations at concurrency 32 from an aiohttp load
generator in another process. No request may fail and every answer must be the model's
prediction for the row sent (the requests cycle through all 150 iris rows)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.studio_server import StudioServer, build_iris_model

REQUESTS = 20_000
CONCURRENCY = 32
#: the generator runs as ``python -m tests.support.studio_server`` from here
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(240)
def test_20000_invocations_at_concurrency_32_through_the_studio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = build_iris_model(tmp_path / "iris")
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(model.cases()))
    with StudioServer(tmp_path) as studio:
        studio.deploy(model, "load-iris")
        generator = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.support.studio_server",
                studio.invocation_url("load-iris"),
                "--cases",
                str(cases),
                "--requests",
                str(REQUESTS),
                "--concurrency",
                str(CONCURRENCY),
            ],
            env={**os.environ, "MLSTUDIO_LOAD_AUTHORIZATION": studio.authorization},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert generator.returncode == 0, generator.stderr[-3000:]
        result = json.loads(generator.stdout.strip().splitlines()[-1])
        status, figures = studio.call("GET", "endpoints/load-iris/metrics")

    with capsys.disabled():
        print(
            f"\n  load: {REQUESTS} invocations at concurrency {CONCURRENCY} through the studio:"
            f" {result['rps']:.0f} req/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
            f" ({result['seconds']:.1f} s; the generator used"
            f" {result['client_cpu_ms_per_request']} ms CPU a request; loadavg"
            f" {os.getloadavg()[0]:.2f})"
        )
    assert result["errors"] == 0, (result["statuses"], result["failures"])
    assert result["statuses"] == {"200": REQUESTS}
    assert (result["checked"], result["wrong"]) == (REQUESTS, 0), result["failures"]
    # the router counted every request, none as an error
    assert status == 200, figures
    (variant,) = figures["Variants"]
    assert variant["Invocations"] == REQUESTS
    assert (variant["Invocation4XXErrors"], variant["Invocation5XXErrors"]) == (0, 0)


@pytest.mark.timeout(180)
def test_a_studio_stopped_under_load_exits_promptly_and_stops_its_model_servers(
    tmp_path: Path,
) -> None:
    """SIGTERM while invocations are in flight: the studio drains them and stops every model
    server; it used to wait on its own loop for requests that loop had to finish, until
    it was killed and its model servers were left running."""
    import signal
    import time

    import psutil

    model = build_iris_model(tmp_path / "iris")
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(model.cases()))
    studio = StudioServer(tmp_path).start()
    try:
        studio.deploy(model, "stop-iris")
        assert studio.process is not None
        servers = psutil.Process(studio.process.pid).children(recursive=True)
        assert servers, "the endpoint's model server runs under the studio"
        generator = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.studio_server",
                studio.invocation_url("stop-iris"),
                "--cases",
                str(cases),
                "--requests",
                "1000000",
                "--concurrency",
                str(CONCURRENCY),
            ],
            env={**os.environ, "MLSTUDIO_LOAD_AUTHORIZATION": studio.authorization},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            served = 0
            while served < 500 and time.monotonic() < deadline:
                time.sleep(0.2)
                _, figures = studio.call("GET", "endpoints/stop-iris/metrics")
                served = figures["Variants"][0]["Invocations"]
            assert served >= 500, figures
            started = time.monotonic()
            studio.process.send_signal(signal.SIGTERM)
            code = studio.process.wait(timeout=20)
            took = time.monotonic() - started
        finally:
            generator.kill()
            generator.wait()
    finally:
        studio.stop()
    assert code == 0, studio.log.read_text()[-3000:]
    assert took < 15, f"the studio took {took:.1f} s to stop"
    psutil.wait_procs(servers, timeout=10)
    alive = [p.pid for p in servers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"model servers left running: {alive}"
