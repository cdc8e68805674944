"""The model server's multi-model API (SAGEMAKER_MULTI_MODEL=true) as a real subprocess:
real scikit-learn models, real HTTP."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import joblib
import numpy as np
from sklearn.dummy import DummyRegressor

from .conftest import ServerProcess, StartServer

OWN_CODE = """
import os

from helper import shout  # a module beside the entry point in the model's code/


def model_fn(model_dir):
    return open(os.path.join(model_dir, "identity.txt")).read().strip()


def predict_fn(data, model):
    return {"model": shout(model), "rows": len(data)}
"""

SHARED_CODE = """
import os

import joblib

LOADED = []


def model_fn(model_dir):
    LOADED.append(model_dir)
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def output_fn(prediction, accept):
    return ",".join(str(float(v)) for v in prediction) + ";loads=" + str(len(LOADED)), accept
"""


def constant_model(folder: Path, value: float) -> Path:
    """A model folder whose model answers ``value`` for every row."""
    folder.mkdir(parents=True, exist_ok=True)
    model = DummyRegressor(strategy="constant", constant=value).fit(np.zeros((2, 2)), [0, 0])
    joblib.dump(model, folder / "model.joblib")
    return folder


def load(server: ServerProcess, name: str, url: str | Path) -> tuple[int, dict]:
    body = json.dumps({"model_name": name, "url": str(url)})
    status, _, answer = server.request("POST", "/models", body, {"Content-Type": JSON})
    return status, json.loads(answer)


def invoke(server: ServerProcess, name: str, body: str = "1,2\n3,4") -> tuple[int, bytes]:
    status, _, answer = server.request(
        "POST", f"/models/{name}/invoke", body, {"Content-Type": "text/csv", "Accept": JSON}
    )
    return status, answer


JSON = "application/json"


def test_load_list_invoke_unload(start_server: StartServer, tmp_path: Path) -> None:
    root = tmp_path / "root"
    for i in range(3):
        constant_model(root / f"m{i}", float(i * 10))
    server = start_server({"SM_MODEL_DIR": str(root), "SAGEMAKER_MULTI_MODEL": "true"})
    assert server.request("GET", "/ping")[0] == 200
    assert "(multi-model)" in server.text()
    # nothing is loaded at start; /invocations is not the multi-model path
    assert json.loads(server.request("GET", "/models")[2]) == {"models": []}
    assert server.invoke("1,2", "text/csv")[0] == 404
    assert invoke(server, "m0")[0] == 404
    # absolute and SM_MODEL_DIR-relative urls
    assert load(server, "m0", root / "m0")[0] == 200
    assert load(server, "m1", "m1")[0] == 200
    status, answer = load(server, "m1", "m1")
    assert status == 409
    assert "already loaded" in answer["status"]
    assert json.loads(invoke(server, "m0")[1]) == [0.0, 0.0]
    assert json.loads(invoke(server, "m1")[1]) == [10.0, 10.0]
    listed = json.loads(server.request("GET", "/models")[2])["models"]
    assert [m["modelName"] for m in listed] == ["m0", "m1"]
    status, _, one = server.request("GET", "/models/m1")
    assert status == 200
    assert json.loads(one) == [{"modelName": "m1", "modelUrl": str(root / "m1")}]
    assert server.request("GET", "/models/m2")[0] == 404
    assert server.request("DELETE", "/models/m1")[0] == 200
    assert server.request("DELETE", "/models/m1")[0] == 404
    assert invoke(server, "m1")[0] == 404
    assert json.loads(invoke(server, "m0")[1]) == [0.0, 0.0]  # the other one is untouched
    assert server.terminate() == 0


def test_caps_refuse_with_507(start_server: StartServer, tmp_path: Path) -> None:
    root = tmp_path / "root"
    for i in range(3):
        constant_model(root / f"m{i}", float(i))
    server = start_server(
        {"SM_MODEL_DIR": str(root), "SAGEMAKER_MULTI_MODEL": "true", "MLSTUDIO_MME_MAX_MODELS": "2"}
    )
    assert load(server, "m0", "m0")[0] == 200
    assert load(server, "m1", "m1")[0] == 200
    status, answer = load(server, "m2", "m2")
    assert status == 507
    assert "2 models are loaded" in answer["status"]
    assert server.request("DELETE", "/models/m0")[0] == 200
    assert load(server, "m2", "m2")[0] == 200  # room again
    # memory: a server already over its share of a tiny instance loads nothing
    small = start_server(
        {
            "SM_MODEL_DIR": str(root),
            "SAGEMAKER_MULTI_MODEL": "true",
            "MLSTUDIO_MME_MEMORY_BYTES": str(1024 * 1024),
        }
    )
    status, answer = load(small, "m0", "m0")
    assert status == 507
    assert "memory in use" in answer["status"]


def test_load_failures_name_the_cause(start_server: StartServer, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "empty").mkdir(parents=True)
    (root / "broken").mkdir()
    (root / "broken" / "model.joblib").write_bytes(b"not a joblib file")
    constant_model(root / "good", 7.0)
    server = start_server({"SM_MODEL_DIR": str(root), "SAGEMAKER_MULTI_MODEL": "true"})
    status, answer = load(server, "empty", "empty")
    assert status == 500
    assert "no model_fn and no model.joblib" in answer["status"]
    status, answer = load(server, "missing", "missing")
    assert status == 500
    assert "does not exist" in answer["status"]
    assert load(server, "broken", "broken")[0] == 500
    assert load(server, "../up", "good")[0] == 400
    status, _body = server.request("POST", "/models", "{}", {"Content-Type": JSON})[::2]
    assert status == 400
    # the failures left nothing behind and the server still loads and serves
    assert load(server, "good", "good")[0] == 200
    assert json.loads(invoke(server, "good")[1]) == [7.0, 7.0]
    assert load(server, "empty", "good")[0] == 200  # a failed name is free again


def test_own_code_and_shared_entry_point(start_server: StartServer, tmp_path: Path) -> None:
    root = tmp_path / "root"
    for name in ("a", "b"):
        folder = root / name
        (folder / "code").mkdir(parents=True)
        (folder / "code" / "inference.py").write_text(OWN_CODE)
        (folder / "code" / "helper.py").write_text("def shout(text):\n    return text.upper()\n")
        (folder / "identity.txt").write_text(f"I am {name}")
    constant_model(root / "plain", 3.0)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "inference.py").write_text(SHARED_CODE)
    server = start_server(
        {
            "SM_MODEL_DIR": str(root),
            "SAGEMAKER_MULTI_MODEL": "true",
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": str(shared),
        }
    )
    for name in ("a", "b", "plain"):
        assert load(server, name, name)[0] == 200
    assert json.loads(invoke(server, "a")[1]) == {"model": "I AM A", "rows": 2}
    assert json.loads(invoke(server, "b")[1]) == {"model": "I AM B", "rows": 2}
    # no code of its own: the container's entry point (model_fn, output_fn)
    assert invoke(server, "plain")[1] == b"3.0,3.0;loads=1"


def test_concurrent_loads_of_one_name_load_it_once(
    start_server: StartServer, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    constant_model(root / "m", 1.0)
    server = start_server({"SM_MODEL_DIR": str(root), "SAGEMAKER_MULTI_MODEL": "true"})
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def go() -> None:
        barrier.wait()
        statuses.append(load(server, "m", "m")[0])

    threads = [threading.Thread(target=go) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 5
