"""The script-mode launcher (``train``): the entry point runs in the launcher's own
interpreter, as ``python script.py`` would run it. Real processes, no mocks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from jupyter_mlstudio.runtime import launcher
from jupyter_mlstudio.runtime.base import signal_exit_code

REPORT = """
import sys
LOADED = sorted(m for m in ("json", "runpy", "re", "importlib.util") if m in sys.modules)
import json, os, pickle

class Point:
    def __init__(self, x):
        self.x = x

def square(x):
    return x * x

if __name__ == "__main__":
    import __main__
    again = pickle.loads(pickle.dumps(Point(3)))
    print("REPORT " + json.dumps({
        "pid": os.getpid(),
        "argv": sys.argv,
        "name": __name__,
        "file": __main__.__file__,
        "path": sys.path[:3],
        "cwd": os.getcwd(),
        "pythonpath": os.environ.get("PYTHONPATH", ""),
        "pickled": again.x,
        "loaded": LOADED,
    }), flush=True)
"""


def write_code(tmp_path: Path, name: str, text: str) -> Path:
    code = tmp_path / "code"
    code.mkdir(exist_ok=True)
    path = code / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def start(
    tmp_path: Path, program: str, *args: str, user_args: str = '["--lr", "0.1"]', **env: str
) -> subprocess.Popen[str]:
    environ = {
        **os.environ,
        "SM_INPUT_DIR": str(tmp_path / "input"),
        "SAGEMAKER_PROGRAM": program,
        "SM_USER_ARGS": user_args,
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    environ.pop("SAGEMAKER_SUBMIT_DIRECTORY", None)
    return subprocess.Popen(
        [sys.executable, launcher.__file__, *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def report_of(out: str) -> dict:
    line = next(x for x in out.splitlines() if x.startswith("REPORT "))
    return json.loads(line[len("REPORT ") :])


def test_the_script_runs_in_the_launchers_interpreter_as_main(tmp_path: Path) -> None:
    script = write_code(tmp_path, "train.py", REPORT)
    child = start(tmp_path, "train.py", "--extra", "1")
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    report = report_of(out)
    assert report["pid"] == child.pid  # one interpreter: no exec of a second one
    assert report["argv"] == [str(script), "--lr", "0.1", "--extra", "1"]
    assert report["name"] == "__main__"
    assert report["file"] == str(script)
    assert report["path"][0] == str(script.parent)  # the script's folder, as python does
    assert str(Path(launcher.__file__).parent) not in report["path"]
    assert report["cwd"] == str(script.parent)
    assert report["pythonpath"].split(os.pathsep)[0] == str(script.parent)
    assert report["pickled"] == 3  # classes of __main__ pickle
    # the launcher itself imports nothing beyond what Python loads at start-up
    assert report["loaded"] == []


def test_a_script_below_the_code_folder_has_both_folders_on_the_path(tmp_path: Path) -> None:
    script = write_code(tmp_path, "pkg/train.py", REPORT)
    write_code(tmp_path, "helper.py", "VALUE = 42\n")
    child = start(tmp_path, "pkg/train.py", user_args="[]")
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    report = report_of(out)
    assert report["path"][:2] == [str(script.parent), str(tmp_path / "code")]


@pytest.mark.parametrize(
    ("body", "code", "stderr"),
    [
        ("import sys\nsys.exit(7)\n", 7, ""),
        ("raise SystemExit('giving up')\n", 1, "giving up"),
        ("print('fine')\n", 0, ""),
        ("def f():\n    raise ValueError('bad data')\nf()\n", 1, "ValueError: bad data"),
    ],
)
def test_exit_codes_are_the_scripts(tmp_path: Path, body: str, code: int, stderr: str) -> None:
    write_code(tmp_path, "train.py", body)
    child = start(tmp_path, "train.py")
    _, err = child.communicate(timeout=60)
    assert child.returncode == code, err
    assert stderr in err
    if "ValueError" in stderr:  # the traceback is the script's, without the launcher
        assert err.startswith("Traceback (most recent call last):")
        assert "train.py" in err
        assert "launcher.py" not in err


def test_sigterm_ends_the_job_with_143_unless_the_script_handles_it(tmp_path: Path) -> None:
    write_code(tmp_path, "plain.py", "import time\nprint('ready', flush=True)\ntime.sleep(60)\n")
    write_code(
        tmp_path,
        "handles.py",
        """
        import signal, sys, time
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(7))
        print('ready', flush=True)
        time.sleep(60)
        """,
    )
    for program, expected in (("plain.py", 143), ("handles.py", 7)):
        child = start(tmp_path, program)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
        assert signal_exit_code(child.returncode) == expected
        assert time.monotonic() - started < 10
        child.communicate()


def test_multiprocessing_spawn_finds_the_scripts_main(tmp_path: Path) -> None:
    write_code(
        tmp_path,
        "train.py",
        """
        import multiprocessing as mp

        def square(x):
            return x * x

        if __name__ == "__main__":
            with mp.get_context("spawn").Pool(1) as pool:
                print("squares", pool.map(square, [2, 3]), flush=True)
        """,
    )
    child = start(tmp_path, "train.py")
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert "squares [4, 9]" in out


def test_a_non_python_entry_point_is_executed(tmp_path: Path) -> None:
    script = write_code(tmp_path, "train.sh", '#!/bin/sh\necho "args: $*"\nexit 4\n')
    script.chmod(0o755)
    child = start(tmp_path, "train.sh", "x")
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 4
    assert out.strip() == "args: --lr 0.1 x"


def test_a_missing_entry_point_or_bad_arguments_exit_2(tmp_path: Path) -> None:
    write_code(tmp_path, "train.py", "pass\n")
    for program, user_args in (("nope.py", "[]"), ("train.py", "{}"), ("", "[]")):
        child = start(tmp_path, program, user_args=user_args)
        _, err = child.communicate(timeout=60)
        assert child.returncode == 2
        assert err.startswith("train: ")


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        ' [ "--a" , "1" ] ',
        '["--name", "a, b", "--x", ""]',
        '["--path", "C:\\\\data", "--q", "say \\"hi\\"", "--u", "caf\\u00e9"]',
        '["--n", 3, "--ok", true]',
    ],
)
def test_user_args_read_as_json_does(text: str) -> None:
    expected = [v if isinstance(v, str) else json.dumps(v) for v in json.loads(text)]
    assert launcher.parse_string_list(text) == expected


@pytest.mark.parametrize("text", ['["a",]', '["a" "b"]', '{"a": 1}', '"a"', "[1"])
def test_user_args_that_are_not_a_json_list_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a JSON list"):
        launcher.parse_string_list(text)
