"""The model server as a real subprocess: a scikit-learn model trained here, real HTTP."""

from __future__ import annotations

import http.client
import io
import json
import pickle
import threading
import time
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from jupyter_mlstudio.testing.runtime_contract_serving import INFERENCE_SCRIPT

from .conftest import ServerProcess, StartServer

ROWS = np.array([[0.5, 1.0], [3.0, -4.0], [1e-3, 7.25]])


def train(model_dir: Path, file_name: str = "model.joblib") -> LinearRegression:
    """A real regression model, saved in the model folder (joblib or pickle)."""
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = X @ np.array([1.5, -2.0]) + 0.25 + np.sin(X[:, 0])
    model = LinearRegression().fit(X, y)
    model_dir.mkdir(parents=True, exist_ok=True)
    if file_name.endswith(".joblib"):
        joblib.dump(model, model_dir / file_name)
    else:
        (model_dir / file_name).write_bytes(pickle.dumps(model))
    return model


def write_code(model_dir: Path, script: str, name: str = "inference.py") -> Path:
    code = model_dir / "code"
    code.mkdir(parents=True, exist_ok=True)
    (code / name).write_text(script)
    return code


def csv_body(rows: np.ndarray) -> str:
    return "\n".join(",".join(repr(float(v)) for v in row) for row in rows)


def npy_body(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def decode(kind: str, body: bytes) -> np.ndarray:
    if kind == "text/csv":
        return np.array([[float(v) for v in line.split(",")] for line in body.decode().split()])
    if kind == "application/json":
        return np.array(json.loads(body))
    assert kind == "application/x-npy"
    return np.asarray(np.load(io.BytesIO(body)))


@pytest.fixture(scope="module")
def classic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model folder: model.joblib and the classic inference script in code/."""
    model_dir = tmp_path_factory.mktemp("classic") / "model"
    train(model_dir)
    write_code(model_dir, INFERENCE_SCRIPT)
    return model_dir


@pytest.fixture
def server(start_server: StartServer, classic: Path) -> ServerProcess:
    return start_server({"SM_MODEL_DIR": str(classic), "SAGEMAKER_PROGRAM": "inference.py"})


BODIES = {
    "text/csv": lambda rows: csv_body(rows),
    "application/json": lambda rows: json.dumps(rows.tolist()),
    "application/x-npy": lambda rows: npy_body(rows),
}


def test_every_input_and_output_format(server: ServerProcess, classic: Path) -> None:
    expected = joblib.load(classic / "model.joblib").predict(ROWS)
    for content_type, body in BODIES.items():
        for accept in BODIES:
            status, kind, answer = server.invoke(body(ROWS), content_type, accept)
            assert (status, kind) == (200, accept), answer
            got = decode(kind, answer).reshape(-1)
            assert got.tolist() == expected.tolist(), (content_type, accept)
    # CSV: one line per row, each number in its shortest exact form
    answer = server.invoke(csv_body(ROWS), "text/csv", "text/csv")[2].decode()
    assert answer == "".join(f"{v!r}\n" for v in expected.tolist())
    # JSON wrappers, a single CSV row, a charset parameter
    for body in ({"instances": ROWS.tolist()}, {"inputs": ROWS.tolist()}):
        status, _, answer = server.invoke(json.dumps(body), "application/json")
        assert (status, json.loads(answer)) == (200, expected.tolist())
    status, _, answer = server.invoke("3.0,-4.0", "text/csv; charset=utf-8")
    assert (status, json.loads(answer)) == (200, [expected[1]])
    assert not (classic / "code" / "MAIN_RAN").exists()  # __main__ code did not run
    assert server.terminate() == 0


def test_accept_defaults(start_server: StartServer, classic: Path) -> None:
    env = {"SM_MODEL_DIR": str(classic), "SAGEMAKER_PROGRAM": "inference.py"}
    server = start_server({**env, "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"})
    for accept in (None, "*/*", "application/foo, text/csv;q=0.9, */*"):
        status, kind, answer = server.invoke(csv_body(ROWS), "text/csv", accept)
        assert (status, kind) == (200, "text/csv"), accept
        assert len(answer.decode().splitlines()) == len(ROWS)
    status, kind, _ = server.invoke(csv_body(ROWS), "text/csv", "application/x-npy, */*")
    assert (status, kind) == (200, "application/x-npy")


def test_errors_and_their_statuses(server: ServerProcess) -> None:
    cases = [
        ("1,2", "text/plain", "application/json", 415, "unsupported content type 'text/plain'"),
        ("1,2", "", "application/json", 415, "(none)"),
        ("1,2", "text/csv", "image/png", 406, "unsupported accept 'image/png'"),
        ("1,x", "text/csv", "application/json", 400, "CSV rows must be numbers"),
        ("1,2\n3", "text/csv", "application/json", 400, "same number of values"),
        ("", "text/csv", "application/json", 400, "no rows"),
        ("[[1, 2", "application/json", "application/json", 400, "not JSON"),
        ('{"rows": []}', "application/json", "application/json", 400, '"instances"'),
        ("[[1, 2], [3]]", "application/json", "application/json", 400, "not an array"),
        ("NUMPY?", "application/x-npy", "application/json", 400, "not a .npy array"),
        # the model raises (three features instead of two): a 500 with sklearn's message
        ("1,2,3", "text/csv", "application/json", 500, "features"),
    ]
    for body, content_type, accept, status, message in cases:
        got, kind, answer = server.invoke(body, content_type, accept)
        assert (got, kind) == (status, "text/plain"), (body, content_type, answer)
        assert message in answer.decode(), answer
    bad_utf8 = server.invoke(b"\xff\xfe1,2", "text/csv")
    assert bad_utf8[0] == 400
    assert server.request("GET", "/nowhere")[0] == 404
    assert server.request("POST", "/nowhere", b"1")[0] == 404
    assert server.terminate() == 0
    log = server.text()
    assert "Traceback" in log  # the model's error, with its traceback, on stderr
    assert "features" in log
    assert log.count("Traceback") == 1  # the decoding errors are not the server's


def test_execution_parameters_and_ping(start_server: StartServer, classic: Path) -> None:
    server = start_server(
        {
            "SM_MODEL_DIR": str(classic),
            "SAGEMAKER_PROGRAM": "inference.py",
            "SAGEMAKER_MODEL_SERVER_WORKERS": "3",
        }
    )
    status, kind, body = server.request("GET", "/execution-parameters")
    assert (status, kind) == (200, "application/json")
    assert json.loads(body) == {
        "MaxConcurrentTransforms": 3,
        "BatchStrategy": "MULTI_RECORD",
        "MaxPayloadInMB": 6,
    }
    assert server.request("GET", "/ping")[:2] == (200, "text/plain")
    first = server.text().splitlines()[0]
    assert first.startswith(f"model server: loaded inference.py from {classic / 'code'} in ")
    assert first.endswith(f"; listening on 127.0.0.1:{server.port}")


CUSTOM = """
import json, os, pickle
import numpy as np

LOADED = []

def model_fn(model_dir):
    LOADED.append(model_dir)
    with open(os.path.join(model_dir, "model.pkl"), "rb") as f:
        return pickle.load(f)

def input_fn(body, content_type):
    if content_type == "application/x-pipes":
        assert isinstance(body, bytes)
        rows = [[float(v) for v in line.split("|")] for line in body.decode().split()]
        return np.array(rows)
    if content_type in ("text/csv", "application/json"):
        assert isinstance(body, str), type(body)  # text types arrive decoded
        return np.array(json.loads(body)) if content_type == "application/json" else \\
            np.array([[float(v) for v in line.split(",")] for line in body.split()])
    raise ValueError("input_fn cannot read " + content_type)

def predict_fn(data, model):
    if (data < 0).any():
        raise ValueError("the model refuses negative features")
    return {"predictions": (model.predict(data) * 10).tolist(), "loads": len(LOADED)}

def output_fn(prediction, accept):
    if accept == "application/x-sum":
        return "sum=%.3f" % sum(prediction["predictions"]), "text/x-sum"
    if accept == "application/json":
        return json.dumps(prediction)
    raise ValueError("output_fn cannot write " + accept)
"""


def test_custom_handlers(start_server: StartServer, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model = train(model_dir, "model.pkl")
    code = write_code(tmp_path / "elsewhere", CUSTOM, "serving.py")
    server = start_server(
        {
            "SM_MODEL_DIR": str(model_dir),
            "SAGEMAKER_PROGRAM": "serving.py",
            "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
        }
    )
    rows = np.array([[1.0, 2.0], [3.0, 4.0]])
    expected = (model.predict(rows) * 10).tolist()
    pipes = "\n".join("|".join(str(v) for v in row) for row in rows.tolist())
    # bytes for a binary type; a body alone is answered with the accept type
    status, kind, body = server.invoke(pipes, "application/x-pipes", "application/json")
    assert (status, kind) == (200, "application/json")
    assert json.loads(body) == {"predictions": expected, "loads": 1}  # model_fn ran once
    # (body, content type) from output_fn
    status, kind, body = server.invoke(csv_body(rows), "text/csv", "application/x-sum")
    assert (status, kind, body.decode()) == (200, "text/x-sum", f"sum={sum(expected):.3f}")
    status, _, body = server.invoke(json.dumps(rows.tolist()), "application/json")
    assert (status, json.loads(body)["loads"]) == (200, 1)
    # the user's code raising is a 500 with its message, whichever step raises
    for body_, content_type, accept, message in (
        ("-1|2", "application/x-pipes", "application/json", "the model refuses negative"),
        ("1,2", "text/tab-separated-values", "application/json", "input_fn cannot read"),
        ("1,2", "text/csv", "text/html", "output_fn cannot write text/html"),
    ):
        status, kind, answer = server.invoke(body_, content_type, accept)
        assert (status, kind) == (500, "text/plain")
        assert message in answer.decode()
    assert server.terminate() == 0
    assert server.text().count("Traceback") == 3


TRANSFORM = """
class NotReady(Exception):
    status_code = 503  # as sagemaker-inference's errors carry theirs

def model_fn(model_dir):
    return "a model"

def transform_fn(model, body, content_type, accept):
    if body == "wait":
        raise NotReady("not ready yet")
    return ("%s|%s|%s|%s" % (model, body, content_type, accept)).encode(), "text/plain"
"""


def test_transform_fn_and_error_statuses(start_server: StartServer, tmp_path: Path) -> None:
    write_code(tmp_path / "model", TRANSFORM)
    server = start_server(
        {"SM_MODEL_DIR": str(tmp_path / "model"), "SAGEMAKER_PROGRAM": "inference"}
    )
    status, kind, body = server.invoke("hello", "text/csv", "*/*")
    assert (status, kind, body) == (200, "text/plain", b"a model|hello|text/csv|application/json")
    assert server.invoke("wait", "text/csv")[0::2] == (503, b"not ready yet")


@pytest.mark.parametrize("file_name", ["model.joblib", "model.pkl", "model.pickle"])
def test_a_model_file_without_any_code(
    start_server: StartServer, tmp_path: Path, file_name: str
) -> None:
    model = train(tmp_path / "model", file_name)
    server = start_server({"SM_MODEL_DIR": str(tmp_path / "model")})
    status, _, body = server.invoke(csv_body(ROWS), "text/csv", "application/json")
    assert (status, json.loads(body)) == (200, model.predict(ROWS).tolist())
    assert f"loaded {file_name} from {tmp_path / 'model'}" in server.text()


def test_a_classifier_answers_labels_as_csv_and_json(
    start_server: StartServer, tmp_path: Path
) -> None:
    X = np.array([[0.0, 0.0], [0.1, 0.2], [5.0, 5.0], [5.1, 4.9]])
    model = LogisticRegression().fit(X, np.array(["small", "small", "big", "big"]))
    (tmp_path / "model").mkdir()
    joblib.dump(model, tmp_path / "model" / "model.joblib")
    server = start_server({"SM_MODEL_DIR": str(tmp_path / "model")})
    rows = "0.05,0.1\n5.0,5.2"
    assert server.invoke(rows, "text/csv", "text/csv")[2] == b"small\nbig\n"
    assert json.loads(server.invoke(rows, "text/csv")[2]) == ["small", "big"]


def test_startup_failures_exit_non_zero_with_a_reason(
    start_server: StartServer, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = write_code(tmp_path / "broken", "raise RuntimeError('cannot import me')")
    cases = [
        ({"SM_MODEL_DIR": str(empty)}, 1, "no model_fn and no model.joblib, model.pkl or"),
        (
            {"SM_MODEL_DIR": str(empty), "SAGEMAKER_PROGRAM": "inference.py"},
            2,
            f"no code folder for 'inference.py': {empty / 'code'} or /opt/ml/code",
        ),
        (
            {
                "SM_MODEL_DIR": str(empty),
                "SAGEMAKER_PROGRAM": "missing.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": str(broken),
            },
            2,
            f"the entry point 'missing.py' is not in {broken}",
        ),
        (
            {"SM_MODEL_DIR": str(tmp_path / "broken"), "SAGEMAKER_PROGRAM": "inference.py"},
            1,
            "RuntimeError: cannot import me",
        ),
        ({"SM_MODEL_DIR": str(empty), "SAGEMAKER_BIND_TO_PORT": "http"}, 2, "not a number"),
    ]
    for env, code, message in cases:
        server = start_server(env, wait=False)
        assert server.process.wait(60) == code, server.text()
        assert message in server.text()
        assert "listening" not in server.text()


def test_many_requests_on_one_keep_alive_connection(server: ServerProcess) -> None:
    conn = server.connect()
    conn.connect()
    sock = conn.sock
    started = time.perf_counter()
    for index in range(300):
        if index % 50 == 7:  # an error keeps the connection open too
            conn.request("POST", "/invocations", "1,2", {"Content-Type": "text/plain"})
            expected_status = 415
        else:
            conn.request("POST", "/invocations", csv_body(ROWS), {"Content-Type": "text/csv"})
            expected_status = 200
        response = conn.getresponse()
        assert response.status == expected_status
        assert response.getheader("Content-Length") is not None
        response.read()
        assert conn.sock is sock  # never reconnected
    elapsed = time.perf_counter() - started
    assert elapsed < 30, elapsed
    # chunked bodies are read too
    conn.request(
        "POST",
        "/invocations",
        iter([b"0.5,1.0\n", b"3.0,-4.0"]),
        {"Content-Type": "text/csv"},
        encode_chunked=True,
    )
    response = conn.getresponse()
    assert (response.status, len(json.loads(response.read()))) == (200, 2)
    assert conn.sock is sock
    assert server.terminate() == 0
    assert len(server.text().splitlines()) == 2  # loaded ... listening; stopping


def test_sigterm_lets_a_request_in_flight_finish(start_server: StartServer, tmp_path: Path) -> None:
    script = "import time\ndef model_fn(d):\n    return None\n"
    script += "def transform_fn(model, body, content_type, accept):\n"
    script += "    time.sleep(1.0)\n    return b'slow answer', 'text/plain'\n"
    write_code(tmp_path / "model", script)
    server = start_server(
        {"SM_MODEL_DIR": str(tmp_path / "model"), "SAGEMAKER_PROGRAM": "inference.py"}
    )
    answers: list[tuple[int, bytes]] = []

    def ask() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("POST", "/invocations", "x", {"Content-Type": "text/csv"})
        response = conn.getresponse()
        answers.append((response.status, response.read()))
        conn.close()

    thread = threading.Thread(target=ask)
    thread.start()
    time.sleep(0.3)  # the request is in transform_fn
    assert server.terminate() == 0
    thread.join(10)
    assert answers == [(200, b"slow answer")]
    assert "model server: SIGTERM: stopping" in server.text()
