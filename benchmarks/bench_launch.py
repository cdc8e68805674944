"""Job launch overhead: from ``Estimator.fit(wait=False)`` to the first line of user code.

The user script's first statement prints ``time.time()``; the launch is timed from the
wall clock just before the launch call to that printed time (the host and its
containers share one clock). Three ways per runtime, median of ``--repeats``:

* process runtime: a training job (``Estimator(entry_point=...).fit(wait=False)``, direct
  backend, ``MLSTUDIO_RUNTIME=process``) vs the bare ``python script.py`` with the studio's
  Python (``subprocess.Popen``);
* docker runtime: the same job with ``MLSTUDIO_RUNTIME=docker`` (script mode in
  ``mlstudio/python:3-sklearn``) vs ``docker run --rm <image> python3 -c <script>`` of
  the same image through the docker CLI.

One warm-up of each way is not counted (imports, the job service, the page cache). Job
and bare launches alternate, so both see the same load on a shared machine; each job
waits for the previous one to end, so launches never overlap.

Run: ``.venv/bin/python benchmarks/bench_launch.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import STUDIO_PYTHON, median, scratch_dir

SCRIPT = "import time; print(f'USER_CODE_START={time.time():.6f}', flush=True)\n"
MARK = "USER_CODE_START="


def first_line_time(text: str) -> float:
    for line in text.splitlines():
        if line.startswith(MARK):
            return float(line[len(MARK) :])
    raise RuntimeError(f"no {MARK} line in:\n{text[-2000:]}")


def bare_process(script: Path) -> float:
    start = time.time()
    out = subprocess.run(
        [str(STUDIO_PYTHON), str(script)], capture_output=True, text=True, check=True
    )
    return first_line_time(out.stdout) - start


def bare_docker(image: str) -> float:
    start = time.time()
    out = subprocess.run(
        ["docker", "run", "--rm", image, "python3", "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=True,
    )
    return first_line_time(out.stdout) - start


class JobLauncher:
    """Training jobs as a script outside JupyterLab launches them: tracking straight into
    SQLite, the job through the background studio the SDK starts for the home (one per
    runtime here), stopped by :meth:`close`."""

    def __init__(self, runtime: str, work: Path, script: Path) -> None:
        self.home = work / runtime / "home"
        os.environ["MLSTUDIO_HOME"] = str(self.home)
        os.environ["MLSTUDIO_ARTIFACT_ROOT"] = str(work / runtime / "artifacts")
        os.environ["MLSTUDIO_RUNTIME"] = runtime
        from jupyter_mlstudio.sdk import TrackingClient
        from jupyter_mlstudio.sdk.estimator import Estimator
        from jupyter_mlstudio.sdk.jobs_client import jobs_client

        self.tracking = TrackingClient(f"sqlite:///{work / runtime / 'studio.db'}")
        self.jobs = jobs_client(self.tracking)
        self.estimator = Estimator(
            entry_point=str(script),
            base_job_name=f"launch-{runtime}",
            sagemaker_session=self.tracking,
        )
        self.runtime = runtime

    def launch(self) -> float:
        start = time.time()
        self.estimator.fit(wait=False)
        job = self.estimator.latest_training_job
        assert job is not None
        record = job.wait(logs=False, timeout=300)
        if record.status.value != "Completed":
            raise RuntimeError(f"{job.name} {record.status.value}: {record.failure_reason}")
        if record.runtime != self.runtime:
            raise RuntimeError(f"{job.name} ran on {record.runtime}, not {self.runtime}")
        text = self.jobs.job_logs(record.kind, job.name).Text
        return first_line_time(text) - start

    def close(self) -> None:
        from jupyter_mlstudio.ownership import stop_owner

        self.tracking.close()
        stop_owner(self.home)


def measure(job: Any, bare: Any, repeats: int) -> tuple[list[float], list[float]]:
    """Job and bare launches interleaved (in alternating order), so that both see the same
    load on a shared machine; one warm-up of each is not counted."""
    job(), bare()
    jobs: list[float] = []
    bares: list[float] = []
    for i in range(repeats):
        if i % 2:
            jobs.append(job())
            bares.append(bare())
        else:
            bares.append(bare())
            jobs.append(job())
    return jobs, bares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--runtimes", default="process,docker")
    parser.add_argument("--image", default=None, help="default: the script-mode image")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()

    from jupyter_mlstudio.runtime.images import DEFAULT_TAG

    image = args.image or DEFAULT_TAG
    work = scratch_dir("launch-")
    script = work / "first_line.py"
    script.write_text(SCRIPT)
    results: dict[str, Any] = {"repeats": args.repeats}
    print(f"launch to the first line of user code, median of {args.repeats} (ms)")
    try:
        for runtime in [r.strip() for r in args.runtimes.split(",") if r.strip()]:
            bare_fn: Any
            if runtime == "process":
                bare_name = "python script.py"
                bare_fn = lambda: bare_process(script)  # noqa: E731
            elif runtime == "docker":
                if shutil.which("docker") is None:
                    raise SystemExit("the docker CLI is needed for the bare docker baseline")
                bare_name = f"docker run --rm {image} python3 -c"
                bare_fn = lambda: bare_docker(image)  # noqa: E731
            else:
                raise SystemExit(f"unknown runtime {runtime!r} (process, docker)")
            launcher = JobLauncher(runtime, work, script)
            try:
                jobs, bare = measure(launcher.launch, bare_fn, args.repeats)
            finally:
                launcher.close()
            job_ms, bare_ms = median(jobs) * 1000, median(bare) * 1000
            ratio = job_ms / bare_ms
            results[runtime] = {
                "job_ms": job_ms,
                "bare_ms": bare_ms,
                "ratio": ratio,
                "job_all_ms": [round(v * 1000, 1) for v in jobs],
                "bare_all_ms": [round(v * 1000, 1) for v in bare],
            }
            verdict = "within" if ratio <= 1.5 else "OVER"
            print(f"{runtime}:")
            print(f"  training job (Estimator.fit)   {job_ms:8.1f}")
            print(f"  bare ({bare_name}) {bare_ms:8.1f}")
            print(f"  ratio job / bare               {ratio:8.2f}x ({verdict} the 1.5x bar)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
