"""Jobs on the Ray runtime: per-job launch overhead, and many short jobs at once.

The script starts its own 2-node Ray cluster on this machine (``tests/support/ray_cluster.py``:
a head and a second node, each with ``--cpus-per-node`` logical CPUs; their processes are
killed at the end, also on failure) and runs jobs through the studio's ``JobService`` on a
scratch home, as the tests do (``default_runtime="ray"`` with the cluster's address).

1. **Launch overhead.** ``--jobs`` one-host processing jobs of a trivial command
   (``ContainerEntrypoint: python3 -c "print(1)"``, instance type ``local``: one CPU),
   each timed from ``create_processing_job`` to Completed (``wait`` returns), against a
   bare ``ray.remote`` task (one CPU) that runs the same command with ``subprocess`` on
   the same cluster, timed from ``.remote()`` to its result. One warm-up of each way is
   not counted; the two ways alternate, median; bar: job at most 1.5x the task. For
   reference, a bare actor of one CPU created, asked to run the command and killed: a
   job's host is a new actor (a new worker process), which a pooled task is not.
2. **Many jobs.** 40 (``--parallel-jobs``) processing jobs that each sleep one second,
   at most 8 at once (a thread pool of 8, each thread creating a job and waiting for it:
   the tuning service cannot be pointed at the cluster yet), on the ray runtime and on
   the process runtime; wall time of the whole batch and the ratio ray / process.
3. **Endpoint throughput** on Ray Serve: an endpoint of 2 instances (``local``: one CPU
   a replica, one on each node) on the ray runtime serving the iris tree of
   ``bench_serving.py`` (``tests/support/studio_server.py``), the same one-row JSON body,
   ``--concurrency`` (8) requests at once for ``--serve-seconds`` (8 s) a round, two ways
   alternating, three rounds each, median: through the studio's router
   (``HostingEngine.invoke``: routing, figures, its keep-alive client to Serve's proxy)
   and straight to Serve's HTTP proxy with the same keep-alive client
   (``hosting/upstream.py``) on the application's route. Both load generators are
   coroutines on one asyncio loop in this process; bar: router at least 0.8x direct.
   ``--serve-only`` skips parts 1 and 2.

Run: ``.venv/bin/python benchmarks/bench_ray.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the test support's cluster helper: the same 2-node cluster as the tests
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import median, scratch_dir

from tests.support.ray_cluster import ray_cluster
from tests.support.studio_server import build_iris_model

TRIVIAL = ["python3", "-c", "print(1)"]
SLEEPER = ["python3", "-c", "import time; time.sleep(1)"]
_names = itertools.count()


class Jobs:
    """A job service on a scratch home whose jobs run on ``runtime``."""

    def __init__(self, runtime: str, work: Path, address: str | None) -> None:
        from jupyter_mlstudio.artifacts import open_artifact_store
        from jupyter_mlstudio.config import resolve_config
        from jupyter_mlstudio.services.jobs.service import JobService
        from jupyter_mlstudio.store import open_store

        home = work / runtime / "home"
        home.mkdir(parents=True)
        config = resolve_config(home=home, default_runtime=runtime, ray_address=address)
        self.store = open_store(config.database_url)
        self.service = JobService(self.store, open_artifact_store(config.artifact_root), config)
        self.runtime = runtime

    def run(self, command: list[str]) -> float:
        """Create one processing job of ``command`` and wait for it; seconds it took."""
        name = f"{self.runtime}-{next(_names)}"
        body = {
            "ProcessingJobName": name,
            "AppSpecification": {"ContainerEntrypoint": command},
            "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "local"}},
        }
        start = time.monotonic()
        self.service.create_processing_job(body)
        job = self.service.wait(name, 300)
        took = time.monotonic() - start
        if job.status.value != "Completed":
            raise RuntimeError(f"{name} {job.status.value}: {job.failure_reason}")
        if job.runtime != self.runtime:
            raise RuntimeError(f"{name} ran on {job.runtime}, not {self.runtime}")
        return took

    def close(self) -> None:
        self.service.close()
        self.store.close()


def _run(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


class _Runner:
    """The body of the bare actor: runs a command in its own (new) worker process."""

    def run(self, command: list[str]) -> str:
        return _run(command)


def _connected() -> Any:
    import ray

    if not ray.is_initialized():
        raise RuntimeError("the ray runner did not connect this process to the cluster")
    return ray


def _checked(out: str) -> None:
    if out.strip() != "1":
        raise RuntimeError(f"the bare command printed {out!r}")


def bare_task() -> Callable[[], float]:
    """A bare ``ray.remote`` task of one CPU that runs :data:`TRIVIAL` with subprocess, on
    the cluster the studio's runner connected this process to; the call times one."""
    ray = _connected()
    run = ray.remote(num_cpus=1)(_run)

    def timed() -> float:
        start = time.monotonic()
        out = ray.get(run.remote(TRIVIAL), timeout=300)
        took = time.monotonic() - start
        _checked(out)
        return took

    return timed


def bare_actor() -> Callable[[], float]:
    """A reference for what a host's actor costs in Ray itself: a bare actor of one CPU
    created (a new worker process), asked to run :data:`TRIVIAL`, then killed."""
    ray = _connected()
    runner = ray.remote(num_cpus=1)(_Runner)

    def timed() -> float:
        start = time.monotonic()
        actor = runner.remote()
        out = ray.get(actor.run.remote(TRIVIAL), timeout=300)
        took = time.monotonic() - start
        ray.kill(actor)
        _checked(out)
        return took

    return timed


def launch_overhead(ray_jobs: Jobs, repeats: int) -> dict[str, Any]:
    """Job and bare task interleaved (alternating which goes first); one warm-up each."""
    job = lambda: ray_jobs.run(TRIVIAL)  # noqa: E731
    job()  # also connects this process to the cluster, which the bare task needs
    bare, actor = bare_task(), bare_actor()
    bare(), actor()
    jobs: list[float] = []
    bares: list[float] = []
    actors: list[float] = []
    for i in range(repeats):
        if i % 2:
            jobs.append(job())
            bares.append(bare())
        else:
            bares.append(bare())
            jobs.append(job())
        actors.append(actor())
    job_ms, bare_ms = median(jobs) * 1000, median(bares) * 1000
    return {
        "job_ms": job_ms,
        "bare_ms": bare_ms,
        "actor_ms": median(actors) * 1000,
        "ratio": job_ms / bare_ms,
        "job_all_ms": [round(v * 1000, 1) for v in jobs],
        "bare_all_ms": [round(v * 1000, 1) for v in bares],
        "actor_all_ms": [round(v * 1000, 1) for v in actors],
    }


def batch(jobs: Jobs, count: int, parallel: int) -> float:
    """Wall seconds for ``count`` one-second jobs, at most ``parallel`` at once."""
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(lambda _: jobs.run(SLEEPER), range(count)))
    return time.monotonic() - start


@contextlib.contextmanager
def job_services(work: Path, address: str) -> Iterator[dict[str, Jobs]]:
    """The ray and process job services; closed, and this driver shut down, on exit (the
    cluster's processes are killed after that by :func:`ray_cluster`)."""
    services: dict[str, Jobs] = {}
    try:
        services["ray"] = Jobs("ray", work, address)
        services["process"] = Jobs("process", work, None)
        yield services
    finally:
        for jobs in services.values():
            jobs.close()
        with contextlib.suppress(ImportError):
            import ray

            if ray.is_initialized():
                ray.shutdown()


def _load(
    call: Callable[[], Any], check: Callable[[Any], None], seconds: float, at_once: int
) -> float:
    """Requests a second: ``at_once`` coroutines awaiting ``call()`` back to back for
    ``seconds`` on a new loop (each answer passes ``check``)."""

    async def run() -> float:
        done = 0
        end = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < end:
                check(await call())
                done += 1

        start = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(at_once)))
        return done / (time.monotonic() - start)

    return asyncio.run(run())


def serve_throughput(
    work: Path, address: str, seconds: float, at_once: int, rounds: int = 3
) -> dict[str, Any]:
    """Part 3: router → Serve vs straight to Serve's proxy (see the module docstring)."""
    from jupyter_mlstudio.config import resolve_config
    from jupyter_mlstudio.hosting.serve import ENV_SERVE_PORT, ServeVariant
    from jupyter_mlstudio.hosting.upstream import Upstream
    from jupyter_mlstudio.runtime.process import free_port
    from jupyter_mlstudio.services.studio import Studio

    os.environ.setdefault(ENV_SERVE_PORT, str(free_port()))
    home = work / "serve" / "home"
    home.mkdir(parents=True)
    model = build_iris_model(work / "serve" / "model")
    case = model.cases()[0]
    body, expected = case["body"].encode(), case["expected"]
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    studio = Studio.open(resolve_config(home=home, default_runtime="ray", ray_address=address))
    try:
        hosting = studio.endpoints
        hosting.create_model(
            {
                "ModelName": "iris",
                "PrimaryContainer": {
                    "ModelDataUrl": str(model.archive),
                    "Environment": {
                        "SAGEMAKER_PROGRAM": model.program,
                        "SAGEMAKER_SUBMIT_DIRECTORY": str(model.code),
                    },
                },
            }
        )
        variant = {
            "VariantName": "AllTraffic",
            "ModelName": "iris",
            "InitialInstanceCount": 2,
            "InstanceType": "local",
        }
        hosting.create_endpoint_config(
            {"EndpointConfigName": "iris-config", "ProductionVariants": [variant]}
        )
        hosting.create_endpoint({"EndpointName": "iris", "EndpointConfigName": "iris-config"})
        endpoint = hosting.wait("iris", 300)
        if endpoint.endpoint_status.value != "InService":
            raise RuntimeError(f"the endpoint did not start: {endpoint.failure_reason}")
        pool = hosting.engine.get("iris").variants["AllTraffic"].pool
        if not isinstance(pool, ServeVariant):
            raise RuntimeError(f"the variant runs as {type(pool).__name__}, not on Ray Serve")
        nodes = {
            i["Node"]["NodeId"]
            for i in hosting.describe_endpoint("iris")["ProductionVariants"][0]["Instances"]
        }
        engine = hosting.engine
        proxy: dict[str, Upstream] = {}

        def routed() -> Any:
            return engine.invoke(
                "iris", body, content_type="application/json", accept="application/json"
            )

        def direct() -> Any:
            loop = asyncio.get_running_loop()
            upstream = proxy.get(str(id(loop)))
            if upstream is None:
                upstream = proxy[str(id(loop))] = Upstream()
            return upstream.post(pool.url, "/invocations", body, headers, 60.0)

        def check_routed(answer: Any) -> None:
            if json.loads(answer.body) != expected:
                raise RuntimeError(f"the router answered {answer.body!r}")

        def check_direct(answer: Any) -> None:
            if answer.status != 200 or json.loads(answer.body) != expected:
                raise RuntimeError(f"Serve's proxy answered {answer.status} {answer.body!r}")

        _load(routed, check_routed, 1.0, at_once)  # warm-up: connections, workers
        _load(direct, check_direct, 1.0, at_once)
        rates: dict[str, list[float]] = {"router": [], "direct": []}
        for _ in range(rounds):
            proxy.clear()
            rates["router"].append(_load(routed, check_routed, seconds, at_once))
            rates["direct"].append(_load(direct, check_direct, seconds, at_once))
        router, straight = median(rates["router"]), median(rates["direct"])
        return {
            "router_rps": router,
            "direct_rps": straight,
            "ratio": router / straight,
            "replica_nodes": len(nodes),
            "router_all_rps": [round(v, 1) for v in rates["router"]],
            "direct_all_rps": [round(v, 1) for v in rates["direct"]],
        }
    finally:
        studio.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=10, help="launches timed (part 1)")
    parser.add_argument("--parallel-jobs", type=int, default=40, help="jobs (part 2)")
    parser.add_argument("--max-parallel", type=int, default=8, help="at once (part 2)")
    parser.add_argument("--cpus-per-node", type=int, default=4, help="logical CPUs a node")
    parser.add_argument("--quick", action="store_true", help="3 launches, 16 jobs")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--serve-seconds", type=float, default=8.0, help="a round (part 3)")
    parser.add_argument("--concurrency", type=int, default=8, help="at once (part 3)")
    parser.add_argument("--serve-only", action="store_true", help="part 3 only")
    args = parser.parse_args()
    if args.quick:
        args.jobs, args.parallel_jobs = 3, 16
    if min(args.jobs, args.parallel_jobs, args.max_parallel, args.cpus_per_node) < 1:
        parser.error("--jobs, --parallel-jobs, --max-parallel and --cpus-per-node must be >= 1")

    work = scratch_dir("ray-")
    results: dict[str, Any] = {"jobs": args.jobs, "parallel_jobs": args.parallel_jobs}
    started = time.monotonic()
    try:
        with (
            ray_cluster(cpus_per_node=args.cpus_per_node) as cluster,
            job_services(work, cluster.address) as services,
        ):
            print(
                f"2-node local Ray cluster at {cluster.address},"
                f" {args.cpus_per_node} logical CPUs a node"
            )
            if not args.serve_only:
                parts_1_and_2(args, services, results)
            serve = serve_throughput(work, cluster.address, args.serve_seconds, args.concurrency)
            results["serve"] = serve
            verdict = "within" if serve["ratio"] >= 0.8 else "MISSED"
            print(
                f"endpoint of 2 replicas on Ray Serve ({serve['replica_nodes']} nodes),"
                f" {args.concurrency} requests at once, median of 3 rounds (requests/s)"
            )
            print(f"  through the studio's router          {serve['router_rps']:8.1f}")
            print(f"  straight to Serve's HTTP proxy       {serve['direct_rps']:8.1f}")
            print(
                f"  ratio router / direct                {serve['ratio']:8.2f}x"
                f" ({verdict} the 0.8x aim)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"(whole run {time.monotonic() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def parts_1_and_2(args: Any, services: dict[str, Jobs], results: dict[str, Any]) -> None:
    """Launch overhead and the batch of jobs (printed; figures into ``results``)."""
    launch = launch_overhead(services["ray"], args.jobs)
    results["launch"] = launch
    verdict = "within" if launch["ratio"] <= 1.5 else "MISSED"
    print(f"launch to Completed, median of {args.jobs} (ms)")
    print(f"  processing job on ray (JobService)   {launch['job_ms']:8.1f}")
    print(f"  bare ray.remote task (subprocess)    {launch['bare_ms']:8.1f}")
    print(
        f"  ratio job / bare                     {launch['ratio']:8.2f}x ({verdict} the 1.5x aim)"
    )
    print(f"  reference: bare actor, created+killed {launch['actor_ms']:8.1f}")

    count, parallel = args.parallel_jobs, args.max_parallel
    walls = {rt: batch(services[rt], count, parallel) for rt in ("process", "ray")}
    ratio = walls["ray"] / walls["process"]
    results["batch"] = {**{f"{k}_s": v for k, v in walls.items()}, "ratio": ratio}
    print(f"{count} one-second jobs, at most {parallel} at once (wall s)")
    print(f"  process runtime                      {walls['process']:8.1f}")
    print(f"  ray runtime (2 nodes)                {walls['ray']:8.1f}")
    print(f"  ratio ray / process                  {ratio:8.2f}x")


if __name__ == "__main__":
    main()
