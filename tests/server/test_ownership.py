"""One owner per home: the lock, ``mlstudio serve/status/stop``, a JupyterLab taking a home
over from a background studio, and a second studio leaving the owner's endpoints alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from jupyter_mlstudio.ownership import (
    OWNER_FILE,
    Owner,
    acquire_home,
    current_owner,
    stop_owner,
)
from tests.jobs.test_crash import INFERENCE, Crash, descendants, gone, until
from tests.support.studio_server import (
    IrisModel,
    StudioServer,
    build_iris_model,
    predictions_of,
)


def _other_process_acquires(home: Path) -> bool:
    code = (
        "import sys; from pathlib import Path; from jupyter_mlstudio.ownership import"
        " acquire_home; sys.exit(0 if acquire_home(Path(sys.argv[1])) else 3)"
    )
    return subprocess.run([sys.executable, "-c", code, str(home)], check=False).returncode == 0


def _mlstudio(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_mlstudio.cli", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _wait_owner(home: Path, timeout: float = 90.0) -> Owner:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        owner = current_owner(home)
        if owner is not None:
            return owner
        time.sleep(0.1)
    log = home / "serve.log"
    raise AssertionError(f"no studio owns {home}: {log.read_text() if log.exists() else ''}")


def _serve_in_background(home: Path) -> subprocess.Popen[bytes]:
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "serve.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "jupyter_mlstudio.cli", "serve", "--home", str(home)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MLSTUDIO_RUNTIME": "process"},
        )


#: well-formed requests (the handlers check a body's shape before the service runs)
PROCESSING = {
    "ProcessingJobName": "p2",
    "AppSpecification": {"ImageUri": "mlstudio/python:3-sklearn"},
    "ProcessingResources": {
        "ClusterConfig": {"InstanceCount": 1, "InstanceType": "local", "VolumeSizeInGB": 1}
    },
}
TRANSFORM = {
    "TransformJobName": "t2",
    "ModelName": "owned-model",
    "TransformInput": {
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "/tmp/in"}}
    },
    "TransformOutput": {"S3OutputPath": "/tmp/out"},
    "TransformResources": {"InstanceType": "local", "InstanceCount": 1},
}


def _client_of(owner: Owner, work: Path) -> StudioServer:
    """A StudioServer handle (REST calls, deploy) on a studio someone else started."""
    port = urlsplit(owner.url).port
    assert port is not None
    return StudioServer(work, token=owner.token, port=port)


def _invoke(studio: StudioServer, endpoint: str, model: IrisModel) -> list[int]:
    case = model.cases()[0]
    request = urllib.request.Request(
        studio.invocation_url(endpoint),
        data=case["body"].encode(),
        method="POST",
        headers={"Authorization": studio.authorization, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        predictions = predictions_of(json.loads(answer.read()))
    assert predictions == case["expected"]
    return predictions


def test_one_process_owns_a_home_and_a_dead_owner_frees_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lock = acquire_home(home)
    assert lock is not None
    again = acquire_home(home)  # the owning process may ask again
    assert again is lock
    assert not _other_process_acquires(home)
    lock.publish(Owner(url="http://127.0.0.1:1/", token="t", pid=os.getpid(), kind="jupyterlab"))
    assert (home / OWNER_FILE).stat().st_mode & 0o077 == 0  # it holds the token
    assert current_owner(home) == Owner("http://127.0.0.1:1/", "t", os.getpid(), "jupyterlab")
    lock.release()
    assert current_owner(home) is not None  # one hold is left
    again.release()
    assert current_owner(home) is None
    assert not (home / OWNER_FILE).exists()
    assert _other_process_acquires(home)  # and that process's exit freed it again

    # a studio.json left by a studio killed with -9: no lock behind it, so no owner
    (home / OWNER_FILE).write_text(
        json.dumps({"url": "http://127.0.0.1:1/", "token": "t", "pid": 1, "kind": "background"})
    )
    assert current_owner(home) is None
    assert stop_owner(home, timeout=1)


def test_serve_status_and_stop(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _mlstudio("status", home=home).returncode == 1
    server = _serve_in_background(home)
    try:
        owner = _wait_owner(home)
        assert owner.kind == "background"
        assert owner.pid == server.pid
        assert urlsplit(owner.url).hostname == "127.0.0.1"
        status = _mlstudio("status", home=home)
        assert status.returncode == 0
        assert owner.url in status.stdout
        second = _mlstudio("serve", home=home)  # one per home: says who and exits
        assert second.returncode == 0
        assert "already owns" in second.stdout
        health = _client_of(owner, tmp_path)._ok("GET", "health")
        assert health["Store"]["Url"] == f"sqlite:///{home / 'mlstudio.db'}"
        stopped = _mlstudio("stop", home=home)
        assert stopped.returncode == 0, stopped.stderr
        assert server.wait(timeout=30) == 0
        assert current_owner(home) is None
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def iris(tmp_path_factory: pytest.TempPathFactory) -> IrisModel:
    return build_iris_model(tmp_path_factory.mktemp("iris"))


def test_jupyterlab_takes_a_home_over_from_a_background_studio(
    tmp_path: Path, iris: IrisModel
) -> None:
    lab = StudioServer(tmp_path / "lab")
    lab.work.mkdir()
    background = _serve_in_background(lab.home)
    try:
        owner = _wait_owner(lab.home)
        _client_of(owner, tmp_path).deploy(iris, "handed-over")
        with lab:
            assert background.wait(timeout=30) == 0  # asked to stop, and it did
            new_owner = _wait_owner(lab.home)
            assert new_owner.kind == "jupyterlab"
            assert lab.process is not None
            assert new_owner.pid == lab.process.pid
            assert _mlstudio("stop", home=lab.home).returncode == 2  # not a background one
            deadline = time.monotonic() + 60
            while lab._ok("GET", "endpoints/handed-over")["EndpointStatus"] != "InService":
                assert time.monotonic() < deadline, "the endpoint was not rebuilt"
                time.sleep(0.1)
            _invoke(lab, "handed-over", iris)
            status, _ = lab.call("DELETE", "endpoints/handed-over")
            assert status == 204
    finally:
        if background.poll() is None:
            background.kill()
            background.wait()


def test_an_endpoint_creating_when_jupyterlab_takes_over_is_finished_by_it(
    tmp_path: Path,
) -> None:
    """The background studio stops its starting model server and leaves the endpoint
    Creating (no failed deploy); the JupyterLab that took over brings it in service."""
    lab = StudioServer(tmp_path / "lab")
    lab.work.mkdir()
    code = tmp_path / "model-code"
    code.mkdir()
    (code / "inference.py").write_text(INFERENCE)
    background = _serve_in_background(lab.home)
    try:
        deploying = Crash(_client_of(_wait_owner(lab.home), lab.work))
        deploying.start_endpoint(code)
        logs = f"endpoints/{deploying.endpoint}/logs"
        until(lambda: deploying.logs_show(logs, "model_fn waits"), "the model server")
        started = descendants(background.pid)
        assert started  # its model server (and the server's supervisor)
        with lab:
            assert background.wait(timeout=30) == 0
            assert sorted(pid for pid in started if not gone(pid)) == []
            finishing = Crash(lab, token=deploying.token)
            # the background studio wrote no Failed on its way out: the JupyterLab's
            # rebuild (waiting for the test's go) shows
            described = finishing.ok("GET", f"endpoints/{finishing.endpoint}")
            assert described["EndpointStatus"] == "SystemUpdating", described
            assert until(finishing.endpoint_settled, "the endpoint") == "InService"
            answer = finishing.ok(
                "POST", f"endpoints/{finishing.endpoint}/invocations", {"instances": [[1]]}
            )
            assert answer == {"model": "loaded", "rows": 1}
    finally:
        if background.poll() is None:
            background.kill()
            background.wait()


def test_a_second_studio_leaves_the_owners_endpoints_alone(tmp_path: Path, iris: IrisModel) -> None:
    first = StudioServer(tmp_path / "first")
    first.work.mkdir()
    with first:
        first.deploy(iris, "owned")
        second = StudioServer(
            tmp_path / "second",
            extra_args=(f"--StudioApp.home={first.home}",),
            env={"MLSTUDIO_HOME": str(first.home)},
        )
        second.work.mkdir()
        with second:
            # it reads the same records, and owns nothing
            assert second._ok("GET", "endpoints/owned")["EndpointStatus"] == "InService"
            owner = current_owner(first.home)
            assert owner is not None
            assert first.process is not None
            assert owner.pid == first.process.pid
            for _ in range(3):
                _invoke(first, "owned", iris)
            # it serves none of them, and says who does
            status, answer = second.call("POST", "endpoints/owned/invocations", {"instances": []})
            assert status == 409, answer
            assert f"served by the studio that owns {first.home}" in answer["message"]
            assert owner.url in answer["message"]
            # and starts nothing that would die with it: jobs and endpoints go to the owner
            starts = [
                ("endpoints", {"EndpointName": "e2", "EndpointConfigName": "c"}, "EndpointName"),
                ("endpoints/owned", {"EndpointConfigName": "owned-config"}, "EndpointName"),
                ("training-jobs", {"TrainingJobName": "j2"}, "TrainingJobName"),
                ("processing-jobs", PROCESSING, "ProcessingJobName"),
                ("transform-jobs", TRANSFORM, "TransformJobName"),
            ]
            for path, body, field in starts:
                method = "PUT" if path == "endpoints/owned" else "POST"
                status, answer = second.call(method, path, body)
                assert (status, answer["field"]) == (409, field), (path, answer)
                assert owner.url in answer["message"]
        assert "owns" in second.log.read_text()
        _invoke(first, "owned", iris)  # still served after the second one stopped
