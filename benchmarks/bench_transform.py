"""Batch transform throughput: records per second for a CSV of ``--rows`` lines.

A scikit-learn LogisticRegression (4 features, trained here) is created as a studio
model; each way transforms the same CSV on the process runtime (real model servers):

* SingleRecord on 1 instance, then on 2 instances (one request per line;
  MaxConcurrentTransforms from the model server's /execution-parameters unless
  ``--concurrency`` is given);
* MultiRecord on 1 and 2 instances with ``MaxPayloadInMB=1`` over ``--files`` input files,
  so that there are several batches to spread;
* the baseline: one model server called directly, one line per request, by a plain
  ``http.client`` keep-alive loop in one thread (what a notebook loop would do).

Records/s is the Transforming phase (records ÷ its seconds, from the job's outputs);
"job" is the whole job from the create call to Completed (model servers' start
included). Median of ``--repeats``.

Run: ``.venv/bin/python benchmarks/bench_transform.py`` (``--rows 10000 --repeats 3``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, scratch_dir

INFERENCE = """
import os
import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))
"""


def build(work: Path, rows: int, files: int) -> tuple[Path, Path, Path]:
    import joblib
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 4))
    model = LogisticRegression().fit(x[:1000], (x[:1000, 0] > 0).astype(int))
    (work / "model").mkdir()
    joblib.dump(model, work / "model" / "model.joblib")
    archive = work / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(work / "model" / "model.joblib", arcname="model.joblib")
    code = work / "code"
    code.mkdir()
    (code / "inference.py").write_text(INFERENCE)
    lines = ["".join(",".join(repr(float(v)) for v in row) + "\n") for row in x]
    single = work / "one"
    single.mkdir()
    (single / "data.csv").write_text("".join(lines))
    split = work / "many"
    split.mkdir()
    per = -(-rows // files)
    for i in range(files):
        (split / f"part-{i:03d}.csv").write_text("".join(lines[i * per : (i + 1) * per]))
    return archive, code, single


def direct_loop(archive: Path, code: Path, data: Path, work: Path) -> float:
    """Records/s of one model server called line by line from one thread."""
    from jupyter_mlstudio.runtime.process import MODEL_SERVER, free_port

    model_dir = work / "direct-model"
    model_dir.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(model_dir, filter="data")
    port = free_port()
    env = {
        **os.environ,
        "SM_MODEL_DIR": str(model_dir),
        "SAGEMAKER_PROGRAM": "inference.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
        "SAGEMAKER_BIND_ADDRESS": "127.0.0.1",
        "SAGEMAKER_BIND_TO_PORT": str(port),
    }
    server = subprocess.Popen([sys.executable, str(MODEL_SERVER)], env=env)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        deadline = time.monotonic() + 60
        while True:
            try:
                conn.request("GET", "/ping")
                conn.getresponse().read()
                break
            except OSError:
                conn.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        rows = (data / "data.csv").read_bytes().splitlines()
        headers = {"Content-Type": "text/csv", "Accept": "text/csv"}
        started = time.perf_counter()
        for row in rows:
            conn.request("POST", "/invocations", body=row + b"\n", headers=headers)
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 200
        return len(rows) / (time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(30)


def run_job(studio: Any, name: str, source: Path, out: Path, **settings: Any) -> dict[str, Any]:
    request = {
        "TransformJobName": name,
        "ModelName": "bench-model",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3Uri": str(source)}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        "TransformOutput": {"S3OutputPath": str(out), "Accept": "text/csv", "AssembleWith": "Line"},
        **settings,
    }
    started = time.perf_counter()
    studio.transform.create_transform_job(request)
    job = studio.transform.wait(name, 3600)
    seconds = time.perf_counter() - started
    if job.status.value != "Completed":
        raise RuntimeError(f"{name}: {job.status.value}: {job.failure_reason}")
    return {
        "records_per_s": job.outputs["RecordsPerSecond"],
        "job_s": seconds,
        "settings": job.outputs["TransformSettings"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--files", type=int, default=8, help="input files of the MultiRecord ways")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=0, help="MaxConcurrentTransforms")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from jupyter_mlstudio.config import resolve_config
    from jupyter_mlstudio.services.studio import Studio

    work = scratch_dir("transform-")
    archive, code, single = build(work, args.rows, args.files)
    home = work / "home"
    home.mkdir()
    studio = Studio.open(resolve_config(home=home, default_runtime="process"))
    figures: dict[str, Any] = {}
    try:
        studio.endpoints.create_model(
            {
                "ModelName": "bench-model",
                "PrimaryContainer": {
                    "ModelDataUrl": str(archive),
                    "Environment": {
                        "SAGEMAKER_PROGRAM": "inference.py",
                        "SAGEMAKER_SUBMIT_DIRECTORY": str(code),
                    },
                },
            }
        )
        extra = {"MaxConcurrentTransforms": args.concurrency} if args.concurrency else {}
        ways = {
            "SingleRecord, 1 instance": (single, "SingleRecord", 1, {}),
            "SingleRecord, 2 instances": (single, "SingleRecord", 2, {}),
            "MultiRecord 1 MB, 1 instance": (
                work / "many",
                "MultiRecord",
                1,
                {"MaxPayloadInMB": 1},
            ),
            "MultiRecord 1 MB, 2 instances": (
                work / "many",
                "MultiRecord",
                2,
                {"MaxPayloadInMB": 1},
            ),
        }
        runs: dict[str, list[dict[str, Any]]] = {way: [] for way in ways}
        direct: list[float] = []
        for repeat in range(args.repeats):
            direct.append(direct_loop(archive, code, single, work / f"direct-{repeat}"))
            for i, (way, (source, strategy, count, more)) in enumerate(ways.items()):
                name = f"bench-{repeat}-{i}"
                out = work / "out" / name
                runs[way].append(
                    run_job(
                        studio,
                        name,
                        source,
                        out,
                        BatchStrategy=strategy,
                        TransformResources={"InstanceType": "local", "InstanceCount": count},
                        **extra,
                        **more,
                    )
                )
                shutil.rmtree(out, ignore_errors=True)
        base = median(direct)
        print(
            f"{args.rows} CSV lines, process runtime, median of {args.repeats};"
            f" cpus={os.cpu_count()}"
        )
        print(f"{'way':34} {'records/s':>10} {'vs direct':>10} {'job s':>7}  settings")
        print(f"{'direct loop, 1 server, 1 thread':34} {base:10.0f} {1.0:10.2f} {'':>7}")
        figures["direct_loop_records_per_s"] = base
        for way, results in runs.items():
            rate = median([r["records_per_s"] for r in results])
            seconds = median([r["job_s"] for r in results])
            settings = results[-1]["settings"]
            print(
                f"{way:34} {rate:10.0f} {rate / base:10.2f} {seconds:7.2f}  "
                f"{settings['MaxConcurrentTransforms']} per instance, {settings['Workers']} workers"
            )
            figures[way] = {"records_per_s": rate, "job_s": seconds, "settings": settings}
    finally:
        studio.close()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
