"""The SageMaker-compatible API vs the studio's own REST path: DescribeTrainingJob and
InvokeEndpoint, same studio, same machine.

A real ``jupyter server`` with the extension (fresh studio home, token, process runtime;
``tests/support/studio_server.py``) holds one completed script-mode training job (the
linear model of ``tests/aws/scripts/linear``) and one InService endpoint serving it, both
created through boto3. Then, from this process, every way below makes N calls after a
warm-up, one at a time (latency p50/p99, calls/s) and from ``--threads`` threads at once
(calls/s); the ways alternate round by round and the medians of the rounds are reported.

DescribeTrainingJob:

* ``boto3``: ``boto3.client("sagemaker").describe_training_job`` signed with the studio's
  key pair. Client: botocore's parameter validation, JSON serialisation, SigV4 signing,
  urllib3 (keep-alive), response parsing into Python types (timestamps to datetimes).
  Server: SigV4 verification (botocore's signer), the JSON 1.1 protocol, validation
  against botocore's model, the studio's describe, output shaping (``conform``), a hop to
  the studio's executor;
* ``signed raw``: the same signed request, built and signed once by botocore, resent as
  bytes over one ``http.client`` keep-alive connection: the server's side of ``boto3``
  without botocore's client (the signature stays valid for 15 minutes; the studio does
  not refuse a replayed one);
* ``sign + raw``: as ``signed raw`` but signed anew on every call with botocore's
  ``SigV4Auth`` (what signing alone costs the client);
* ``REST raw``: ``GET /mlstudio/api/training-jobs/{name}`` with ``Authorization: token``
  over one ``http.client`` keep-alive connection, the answer parsed with ``json.loads``:
  the studio's own route, same client as the raw AWS ways;
* ``REST SDK``: the same route through the SDK's transport
  (``jupyter_mlstudio.sdk.transport.StudioConnection``: urllib, a new connection a call).

InvokeEndpoint (two CSV rows in, two predictions out):

* ``boto3``: ``boto3.client("sagemaker-runtime").invoke_endpoint`` (botocore's client as
  above; the server: SigV4 verification, the runtime's validation against botocore's
  model, then the studio's router on the loop);
* ``signed raw`` / ``sign + raw``: as for DescribeTrainingJob, to
  ``/mlstudio/aws/endpoints/{name}/invocations``;
* ``REST raw``: ``POST /mlstudio/api/endpoints/{name}/invocations`` with the token, same
  body and headers, over one keep-alive connection;
* ``REST SDK``: the same through ``StudioConnection.send``.

The headline ratios: ``boto3`` against ``REST SDK`` (each side with its own client, as a
user calls them) and ``signed raw`` against ``REST raw`` (the same client: the difference
is the server's). Added p50 is the difference of the p50s, in ms. The client and the
studio share the machine's cores; the load average is printed around each phase.

Run: ``.venv/bin/python benchmarks/bench_sagemaker_api.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the repository root, for the studio launcher in tests/support (not in the package)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import ROOT, median, scratch_dir

from jupyter_mlstudio.aws.credentials import AwsIdentity, read_identity
from jupyter_mlstudio.runtime.images import DEFAULT_TAG
from jupyter_mlstudio.sdk.transport import StudioConnection
from tests.support.studio_server import StudioServer

LINEAR = ROOT / "tests" / "aws" / "scripts" / "linear"
ROLE = "arn:aws:iam::000000000000:role/bench"
JOB = "bench-linear"
ENDPOINT = "bench-linear-endpoint"
#: y = 2 * x1 + 3 * x2
ROWS = "8,1,2\n7,2,1\n5,1,1\n13,2,3\n"
BODY = b"1,2\n2,1\n"
EXPECTED = [8.0, 7.0]
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=64)

Call = Callable[[], Any]


def loadavg() -> str:
    return "/".join(f"{v:.2f}" for v in os.getloadavg())


def numbers(body: bytes) -> list[float]:
    return [float(v) for v in body.decode().replace(",", "\n").split()]


# -- set-up ---------------------------------------------------------------------------------


def boto_client(service: str, studio: StudioServer, identity: AwsIdentity) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service,
        config=NO_RETRIES,
        endpoint_url=aws_url(studio),
        region_name=identity.region,
        aws_access_key_id=identity.access_key_id,
        aws_secret_access_key=identity.secret_access_key,
    )


def aws_url(studio: StudioServer) -> str:
    return f"http://127.0.0.1:{studio.port}/mlstudio/aws"


def prepare(studio: StudioServer, identity: AwsIdentity, work: Path) -> None:
    """One completed training job and one InService endpoint, through boto3."""
    sm = boto_client("sagemaker", studio, identity)
    data = work / "rows"
    data.mkdir()
    (data / "rows.csv").write_text(ROWS)
    sm.create_training_job(
        TrainingJobName=JOB,
        AlgorithmSpecification={"TrainingImage": DEFAULT_TAG, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        HyperParameters={
            "sagemaker_program": json.dumps("train.py"),
            "sagemaker_submit_directory": json.dumps(LINEAR.as_uri()),
        },
        InputDataConfig=[
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": data.as_uri()}},
            }
        ],
        OutputDataConfig={"S3OutputPath": (work / "output").as_uri()},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    deadline = time.monotonic() + 180
    while True:
        job = sm.describe_training_job(TrainingJobName=JOB)
        if job["TrainingJobStatus"] == "Completed":
            break
        if job["TrainingJobStatus"] in ("Failed", "Stopped") or time.monotonic() > deadline:
            raise RuntimeError(f"training job {job['TrainingJobStatus']}: {job}")
        time.sleep(0.2)
    sm.create_model(
        ModelName=f"{ENDPOINT}-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": DEFAULT_TAG,
            "ModelDataUrl": job["ModelArtifacts"]["S3ModelArtifacts"],
            "Environment": {
                "SAGEMAKER_PROGRAM": "inference.py",
                "SAGEMAKER_SUBMIT_DIRECTORY": LINEAR.as_uri(),
            },
        },
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{ENDPOINT}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{ENDPOINT}-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=f"{ENDPOINT}-config")
    sm.get_waiter("endpoint_in_service").wait(
        EndpointName=ENDPOINT, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )


# -- the ways -------------------------------------------------------------------------------


class Raw:
    """One keep-alive ``http.client`` connection per thread; a call sends prepared bytes."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        payload = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{method} {path}: {answer.status} {payload[:300]!r}")
        return payload


def signed_headers(
    identity: AwsIdentity, method: str, url: str, body: bytes, headers: dict[str, str]
) -> dict[str, str]:
    """``headers`` plus botocore's SigV4 signature (service ``sagemaker``)."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    credentials = Credentials(identity.access_key_id, identity.secret_access_key)
    SigV4Auth(credentials, "sagemaker", identity.region).add_auth(request)
    return dict(request.headers.items())


def describe_ways(studio: StudioServer, identity: AwsIdentity) -> dict[str, Callable[[], Call]]:
    """Factories (one per thread) of a DescribeTrainingJob call for each way."""
    url = aws_url(studio)
    path = urlsplit(url).path
    body = json.dumps({"TrainingJobName": JOB}).encode()
    base = {
        "X-Amz-Target": "SageMaker.DescribeTrainingJob",
        "Content-Type": "application/x-amz-json-1.1",
    }
    presigned = signed_headers(identity, "POST", url, body, base)
    raw = Raw(studio.port)
    sdk = StudioConnection(f"http://127.0.0.1:{studio.port}/", token=studio.token)
    token = {"Authorization": studio.authorization}

    def check(answer: Any) -> Any:
        if JOB not in (answer.get("TrainingJobName"), answer.get("JobName")):
            raise RuntimeError(f"wrong answer: {answer}")
        return answer

    def boto() -> Call:
        client = boto_client("sagemaker", studio, identity)
        return lambda: check(client.describe_training_job(TrainingJobName=JOB))

    return {
        "boto3": boto,
        "signed raw": lambda: lambda: check(json.loads(raw.send("POST", path, body, presigned))),
        "sign + raw": lambda: (
            lambda: check(
                json.loads(
                    raw.send("POST", path, body, signed_headers(identity, "POST", url, body, base))
                )
            )
        ),
        "REST raw": lambda: (
            lambda: check(
                json.loads(raw.send("GET", f"/mlstudio/api/training-jobs/{JOB}", None, token))
            )
        ),
        "REST SDK": lambda: lambda: check(sdk.json("GET", f"training-jobs/{JOB}")),
    }


def invoke_ways(studio: StudioServer, identity: AwsIdentity) -> dict[str, Callable[[], Call]]:
    """Factories (one per thread) of an InvokeEndpoint call for each way."""
    aws_path = f"/mlstudio/aws/endpoints/{ENDPOINT}/invocations"
    url = f"http://127.0.0.1:{studio.port}{aws_path}"
    base = {"Content-Type": "text/csv", "Accept": "text/csv"}
    presigned = signed_headers(identity, "POST", url, BODY, base)
    raw = Raw(studio.port)
    sdk = StudioConnection(f"http://127.0.0.1:{studio.port}/", token=studio.token)
    rest_path = f"/mlstudio/api/endpoints/{ENDPOINT}/invocations"
    token = {"Authorization": studio.authorization, **base}

    def check(body: bytes) -> bytes:
        if numbers(body) != EXPECTED:
            raise RuntimeError(f"wrong answer: {body[:200]!r}")
        return body

    def boto() -> Call:
        client = boto_client("sagemaker-runtime", studio, identity)
        return lambda: check(
            client.invoke_endpoint(
                EndpointName=ENDPOINT, Body=BODY, ContentType="text/csv", Accept="text/csv"
            )["Body"].read()
        )

    return {
        "boto3": boto,
        "signed raw": lambda: lambda: check(raw.send("POST", aws_path, BODY, presigned)),
        "sign + raw": lambda: (
            lambda: check(
                raw.send("POST", aws_path, BODY, signed_headers(identity, "POST", url, BODY, base))
            )
        ),
        "REST raw": lambda: lambda: check(raw.send("POST", rest_path, BODY, token)),
        "REST SDK": lambda: (
            lambda: check(
                sdk.send("POST", f"endpoints/{ENDPOINT}/invocations", data=BODY, headers=base).body
            )
        ),
    }


# -- measuring ------------------------------------------------------------------------------


def sequential(make: Callable[[], Call], calls: int, warmup: int) -> dict[str, float]:
    call = make()
    for _ in range(warmup):
        call()
    latencies = []
    started = time.perf_counter()
    for _ in range(calls):
        t = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - t)
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": calls / seconds,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }


def concurrent(make: Callable[[], Call], calls: int, warmup: int, threads: int) -> float:
    """Calls/s of ``threads`` threads, each making ``calls // threads`` calls."""
    each = max(1, calls // threads)
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        call = make()
        for _ in range(max(1, warmup // threads)):
            call()
        barrier.wait()
        for _ in range(each):
            call()

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(worker) for _ in range(threads)]
        barrier.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        seconds = time.perf_counter() - started
    return each * threads / seconds


def measure(
    title: str, ways: dict[str, Callable[[], Call]], args: argparse.Namespace
) -> dict[str, dict[str, float]]:
    print(f"\n{title}: {args.calls} calls a way, {args.repeats} rounds (load {loadavg()})")
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in ways}
    for r in range(args.repeats):
        for name, make in ways.items():
            figures = sequential(make, args.calls, args.warmup)
            figures["concurrent_rps"] = concurrent(make, args.calls, args.warmup, args.threads)
            rounds[name].append(figures)
            print(
                f"  round {r + 1} {name:<11} {figures['rps']:7.0f}/s  p50 {figures['p50_ms']:6.2f}"
                f"  p99 {figures['p99_ms']:6.2f} ms  {args.threads} threads"
                f" {figures['concurrent_rps']:7.0f}/s",
                flush=True,
            )
    result = {
        name: {key: median([f[key] for f in got]) for key in got[0]} for name, got in rounds.items()
    }
    print(f"  medians (load {loadavg()}):")
    threads = f"/s {args.threads} thr"
    print(f"  {'way':<11} {'calls/s':>8} {'p50 ms':>7} {'p99 ms':>7} {threads:>9}")
    for name, f in result.items():
        print(
            f"  {name:<11} {f['rps']:8.0f} {f['p50_ms']:7.2f} {f['p99_ms']:7.2f}"
            f" {f['concurrent_rps']:9.0f}"
        )
    for aws, rest in (("boto3", "REST SDK"), ("signed raw", "REST raw"), ("boto3", "REST raw")):
        a, b = result[aws], result[rest]
        print(
            f"  {aws} / {rest}: throughput {a['rps'] / b['rps']:.2f}x sequential,"
            f" {a['concurrent_rps'] / b['concurrent_rps']:.2f}x with {args.threads} threads;"
            f" added p50 {a['p50_ms'] - b['p50_ms']:+.2f} ms"
        )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=500, help="calls a way a round")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--only", choices=("describe", "invoke"), help="one operation only")
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench-sagemaker-api.json")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)

    work = scratch_dir("sagemaker-api-")
    print(f"scratch: {work}; load average {loadavg()}; {os.cpu_count()} cores")
    results: dict[str, Any] = {"args": vars(args) | {"json": str(args.json)}}
    with StudioServer(work) as studio:
        identity = read_identity(studio.home)
        if identity is None:
            raise RuntimeError("the studio wrote no AWS key pair")
        started = time.monotonic()
        prepare(studio, identity, work)
        print(f"training job and endpoint ready in {time.monotonic() - started:.1f} s")
        if args.only in (None, "describe"):
            results["describe"] = measure(
                "DescribeTrainingJob", describe_ways(studio, identity), args
            )
        if args.only in (None, "invoke"):
            results["invoke"] = measure("InvokeEndpoint", invoke_ways(studio, identity), args)
    results["loadavg_end"] = loadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"\nfigures written to {args.json}")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
