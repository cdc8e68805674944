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

from jupyter_mlstudio.testing.studio_server import StudioServer, build_iris_model

REQUESTS = 20_000
CONCURRENCY = 32


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
                "jupyter_mlstudio.testing.studio_server",
                studio.invocation_url("load-iris"),
                "--cases",
                str(cases),
                "--requests",
                str(REQUESTS),
                "--concurrency",
                str(CONCURRENCY),
            ],
            env={**os.environ, "MLSTUDIO_LOAD_AUTHORIZATION": studio.authorization},
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
