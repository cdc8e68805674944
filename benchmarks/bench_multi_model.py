"""Multi-model endpoint latency: the first (cold: the model is loaded) and warm invocations
of a model behind a multi-model endpoint vs the same model on a single-model endpoint.

Model: ``DecisionTreeClassifier(random_state=0)`` trained on iris, saved as
``model.joblib`` in a ``model.tar.gz`` (the model server's default loader, no entry
point); request: one-row CSV, JSON answer. The studio is opened in this process (process
runtime, fresh home under build/bench-tmp) and invoked with ``invoke_sync`` (the router
and its keep-alive client, as the REST route uses them, without HTTP in front):

* single: a single-model endpoint of the archive. Its "first" invocation is the first
  after InService (the model was loaded when the instance started; the time to
  InService is printed too);
* multi: a multi-model endpoint over a prefix holding ``--models`` copies of the same
  archive (``model-0.tar.gz`` ...). Cold: the first invocation of each copy (fetch,
  unpack, load in the model server, invoke), median over the copies but the first, which
  is printed apart (the instance's model server imports the model's libraries then, which
  a single-model instance does before it is InService); warm: invocations of a loaded
  one.

Warm invocations alternate between the two endpoints in rounds of ``--batch`` so that a
change in the machine's load hits both alike; medians and p99 are reported with the
ratio multi / single.

Run: ``.venv/bin/python benchmarks/bench_multi_model.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tarfile
import time
from pathlib import Path

import joblib
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the repository root, for the package when run from a checkout
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import median, scratch_dir

from jupyter_mlstudio.config import resolve_config
from jupyter_mlstudio.entities import EndpointStatus
from jupyter_mlstudio.exceptions import ValidationError
from jupyter_mlstudio.services.studio import Studio

BODY = b"5.1,3.5,1.4,0.2"


def build_archive(folder: Path) -> Path:
    x, y = load_iris(return_X_y=True)
    model = DecisionTreeClassifier(random_state=0).fit(x, y)
    staged = folder / "staged"
    staged.mkdir()
    joblib.dump(model, staged / "model.joblib")
    archive = folder / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(staged / "model.joblib", arcname="model.joblib")
    return archive


def deploy(studio: Studio, name: str, container: dict) -> float:
    """Create the model, config and endpoint; seconds until InService."""
    hosting = studio.endpoints
    hosting.create_model({"ModelName": name, "PrimaryContainer": container})
    hosting.create_endpoint_config(
        {
            "EndpointConfigName": name,
            "ProductionVariants": [
                {"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "local"}
            ],
        }
    )
    started = time.perf_counter()
    hosting.create_endpoint({"EndpointName": name, "EndpointConfigName": name})
    done = hosting.wait(name, timeout=300)
    if done.endpoint_status is not EndpointStatus.IN_SERVICE:
        raise SystemExit(f"{name} did not start: {done.failure_reason}")
    return time.perf_counter() - started


def invoke_ms(studio: Studio, name: str, target: str | None = None) -> float:
    started = time.perf_counter()
    answer = studio.endpoints.invoke_sync(
        name, BODY, content_type="text/csv", accept="application/json", target_model=target
    )
    elapsed = (time.perf_counter() - started) * 1000
    if answer.body.strip() != b"[0]":
        raise SystemExit(f"{name} {target}: unexpected answer {answer.body[:200]!r}")
    return elapsed


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10, help="copies under the prefix")
    parser.add_argument("--warm", type=int, default=400, help="warm invocations per endpoint")
    parser.add_argument("--batch", type=int, default=50, help="warm invocations per round")
    args = parser.parse_args()

    scratch = scratch_dir("mme-")
    try:
        archive = build_archive(scratch)
        prefix = scratch / "prefix"
        prefix.mkdir()
        for i in range(args.models):
            shutil.copyfile(archive, prefix / f"model-{i}.tar.gz")
        home = scratch / "home"
        home.mkdir()
        studio = Studio.open(resolve_config(home=home, default_runtime="process"))
        try:
            single_start = deploy(studio, "bench-single", {"ModelDataUrl": str(archive)})
            multi_start = deploy(
                studio, "bench-multi", {"Mode": "MultiModel", "ModelDataUrl": f"{prefix}/"}
            )
            # starts the private event loop without touching either model
            with contextlib.suppress(ValidationError):
                studio.endpoints.invoke_sync("bench-multi", BODY, target_model="")
            single_first = invoke_ms(studio, "bench-single")
            cold = [
                invoke_ms(studio, "bench-multi", f"model-{i}.tar.gz") for i in range(1, args.models)
            ]
            # model-0 is warmed by one call, like single-model's first above
            multi_first = invoke_ms(studio, "bench-multi", "model-0.tar.gz")
            single_warm: list[float] = []
            multi_warm: list[float] = []
            while len(single_warm) < args.warm:
                single_warm += [invoke_ms(studio, "bench-single") for _ in range(args.batch)]
                multi_warm += [
                    invoke_ms(studio, "bench-multi", "model-0.tar.gz") for _ in range(args.batch)
                ]
            (described,) = studio.endpoints.endpoint_models("bench-multi")["Variants"]
            loads = [m["LoadTime"]["Last"] for i in described["Instances"] for m in i["Models"]]
        finally:
            studio.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    first_ever, cold_rest = cold[0], [*cold[1:], multi_first]
    print(
        f"iris DecisionTreeClassifier, one-row CSV, process runtime; load {os.getloadavg()[0]:.2f}"
    )
    print(f"time to InService: single {single_start:.2f} s, multi {multi_start:.2f} s")
    print(
        f"first invocation: single {single_first:.2f} ms (model loaded at start);"
        f" multi cold median {median(cold_rest):.2f} ms over {len(cold_rest)} models"
        f" (min {min(cold_rest):.2f}, max {max(cold_rest):.2f}; platform load time median"
        f" {median(loads):.2f} ms) -> {median(cold_rest) / single_first:.1f}x"
    )
    print(
        f"the instance's first load (its model server imports joblib/scikit-learn then):"
        f" {first_ever:.0f} ms"
    )
    print(
        f"warm: single p50 {median(single_warm):.3f} ms p99 {p99(single_warm):.3f} ms;"
        f" multi p50 {median(multi_warm):.3f} ms p99 {p99(multi_warm):.3f} ms"
        f" -> p50 {median(multi_warm) / median(single_warm):.2f}x,"
        f" p99 {p99(multi_warm) / p99(single_warm):.2f}x"
    )


if __name__ == "__main__":
    main()
