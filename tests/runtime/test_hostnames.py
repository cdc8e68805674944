"""The host names of a multi-instance job on the process runtime (``runtime/hostnames``):
what a job's Python resolves, in real interpreters started as the runner starts them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_mlstudio.runtime.process import HOST_ADDRESSES, HOSTNAMES_DIR, host_addresses

PROBE = """
import json, socket
out = {
    "byname": [socket.gethostbyname(n) for n in ("algo-1", "ALGO-2", "algo-2.")],
    "ex": socket.gethostbyname_ex("algo-2"),
    "addrinfo": sorted({a[4][0] for a in socket.getaddrinfo("algo-2", 80, socket.AF_INET)}),
    "bytes": socket.getaddrinfo(b"algo-1", None, socket.AF_INET)[0][4][0],
    "byaddr": socket.gethostbyaddr("127.77.0.2")[0],
    "localhost": socket.gethostbyname("localhost"),
}
try:
    socket.gethostbyname("algo-3")
    out["algo-3"] = "resolved"
except OSError as exc:
    out["algo-3"] = type(exc).__name__
server = socket.create_server(("algo-2", 0))
port = server.getsockname()[1]
with socket.create_connection(("algo-2", port), timeout=5) as client:
    conn, peer = server.accept()
    conn.sendall(b"hi")
    out["talk"] = [client.recv(2).decode(), server.getsockname()[0]]
    conn.close()
raw = socket.socket()  # bind and connect resolve in C unless told the address
raw.bind(("algo-1", 0))
raw.listen()
with socket.socket() as client:
    client.connect(("algo-1", raw.getsockname()[1]))
    out["raw"] = [raw.getsockname()[0], client.getpeername()[0]]
    out["connect_ex"] = socket.socket().connect_ex(("algo-2", raw.getsockname()[1]))
raw.close()
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver, socket.socket(
    socket.AF_INET, socket.SOCK_DGRAM
) as sender:
    receiver.bind(("algo-2", 0))
    sender.sendto(b"udp", ("algo-2", receiver.getsockname()[1]))
    out["udp"] = receiver.recv(10).decode()
print(json.dumps(out))
"""


def run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def job_env(count: int, pythonpath: str = "") -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(HOSTNAMES_DIR), pythonpath) if p)
    return {**os.environ, HOST_ADDRESSES: host_addresses(count), "PYTHONPATH": path}


def test_host_addresses_are_one_loopback_address_per_host() -> None:
    assert host_addresses(3) == "algo-1=127.77.0.1,algo-2=127.77.0.2,algo-3=127.77.0.3"


def test_a_jobs_python_resolves_the_host_names_and_nothing_else() -> None:
    done = run(PROBE, job_env(2))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["byname"] == ["127.77.0.1", "127.77.0.2", "127.77.0.2"]
    assert out["ex"] == ["algo-2", [], ["127.77.0.2"]]
    assert out["addrinfo"] == ["127.77.0.2"]
    assert out["bytes"] == "127.77.0.1"
    assert out["byaddr"] == "algo-2"
    assert out["localhost"] == socket.gethostbyname("localhost")  # others as before
    assert out["algo-3"] == "gaierror"  # a 2-host job has no algo-3
    assert out["talk"] == ["hi", "127.77.0.2"]  # a host serves and is reached by its name
    assert out["raw"] == ["127.77.0.1", "127.77.0.1"]
    assert out["connect_ex"] != 0  # refused: nothing listens on algo-2 at that port
    assert out["udp"] == "udp"


def test_without_the_table_nothing_changes() -> None:
    env = job_env(2)
    env.pop(HOST_ADDRESSES)
    done = run("import socket; socket.gethostbyname('algo-1')", env)
    assert done.returncode != 0
    assert "gaierror" in done.stderr


def test_a_sitecustomize_it_hides_still_runs(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "sitecustomize.py").write_text("import builtins\nbuiltins.THEIRS = 'ran'\n")
    done = run(
        "import builtins, socket; print(builtins.THEIRS, socket.gethostbyname('algo-1'))",
        job_env(2, str(theirs)),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ran", "127.77.0.1"]


def test_installed_once_per_interpreter() -> None:
    code = """
    import socket, mlstudio_hostnames
    first = socket.getaddrinfo
    print(mlstudio_hostnames.install({"algo-9": "127.77.0.9"}), socket.getaddrinfo is first)
    print(socket.gethostbyname("algo-1"))
    """
    done = run(code, job_env(2))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True", "127.77.0.1"]


@pytest.mark.parametrize(
    ("text", "table"),
    [
        ("algo-1=127.77.0.1,ALGO-2 = 127.77.0.2", {"algo-1": "127.77.0.1", "algo-2": "127.77.0.2"}),
        ("algo-1,=1.2.3.4,algo-3=,", {}),
        ("", {}),
    ],
)
def test_parse(text: str, table: dict[str, str]) -> None:
    sys.path.insert(0, str(HOSTNAMES_DIR))
    try:
        import mlstudio_hostnames
    finally:
        sys.path.remove(str(HOSTNAMES_DIR))
    assert mlstudio_hostnames.parse(text) == table
