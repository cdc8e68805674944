"""The profiler's cost on a busy job: the sampler at 500 ms against the aim of <= 2% of one core.

A job keeps one core busy for ``--seconds`` (a Python loop counting iterations; it prints
its count at the end). Per runtime, the job runs once without sampling (the baseline) and
once with a :class:`ProfilerSampler` at ``--interval-ms`` beside it, alternating for
``--repeats`` rounds. Measured in the studio's process while the job runs:

* the sampling thread's own CPU time (``time.thread_time`` inside it), as % of one core
  over the job's run;
* the whole studio process's CPU time (``resource.getrusage``) with sampling less the
  same without: on docker this adds the threads that follow the containers' stats
  streams (the engine sends one reading a second);
* the job's throughput (iterations/s) with and without sampling, to show the job is not
  slowed down.

The engine's own work for ``docker stats`` runs in dockerd, outside the studio, and is
not counted. Run: ``.venv/bin/python benchmarks/bench_profiler.py`` (DOCKER_HOST set for
docker).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, scratch_dir

from jupyter_mlstudio.runtime.base import ContainerSpec, JobRunner
from jupyter_mlstudio.runtime.docker import DockerRunner
from jupyter_mlstudio.runtime.images import DEFAULT_TAG
from jupyter_mlstudio.runtime.process import ProcessRunner
from jupyter_mlstudio.services.jobs.profiler import ProfilerSampler

BUSY = """
import sys, time
end = time.time() + float(sys.argv[1])
count = 0
while time.time() < end:
    count += 1
print("COUNT", count, flush=True)
"""


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_once(
    runner: JobRunner, root: Path, image: str | None, seconds: float, interval_ms: int | None
) -> dict[str, Any]:
    """One busy job, sampled or not; its figures."""
    name = f"busy-{time.monotonic_ns() % 10**9}"
    ml_dir = root / name
    ml_dir.mkdir(parents=True)
    command = ("python3", "-c", BUSY, str(seconds))
    spec = ContainerSpec(job_name=name, ml_dir=ml_dir, command=command, image=image)
    handle = runner.launch(spec)
    sampler = None
    cpu_before, wall_before = _cpu(), time.monotonic()
    if interval_ms is not None:
        sampler = ProfilerSampler(runner, [handle], root / f"{name}-job", interval_ms)
        sampler.start()
    state = runner.wait(handle, seconds + 120)
    if sampler is not None:
        sampler.stop()
    wall = time.monotonic() - wall_before
    studio_cpu = _cpu() - cpu_before
    log = runner.logs(handle)[0]
    runner.cleanup(handle)
    if state.exit_code != 0 or "COUNT" not in log:
        raise RuntimeError(f"the busy job failed ({state.exit_code}): {log[-2000:]}")
    count = int(log.split("COUNT", 1)[1].split()[0])
    out: dict[str, Any] = {
        "wall_s": wall,
        "studio_cpu_s": studio_cpu,
        "iterations_per_s": count / seconds,
    }
    if sampler is not None:
        out["sampler_cpu_s"] = sampler.cpu_seconds or 0.0
        out["samples"] = sum(sampler.written.values())
    return out


def _spread(runs: list[dict[str, Any]]) -> str:
    rates = [r["iterations_per_s"] for r in runs]
    return f"(runs: {', '.join(f'{r:,.0f}' for r in rates)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval-ms", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--runtimes", default="process,docker")
    parser.add_argument("--image", default=DEFAULT_TAG)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    root = scratch_dir("profiler-")
    report: dict[str, Any] = {}
    print(
        f"profiler cost on a job keeping one core busy for {args.seconds:g} s, sampled every"
        f" {args.interval_ms} ms; median of {args.repeats} (aim: <= 2% of one core)"
    )
    for runtime in args.runtimes.split(","):
        if runtime == "process":
            runner: JobRunner = ProcessRunner(root / "state-process", warm_start=False)
            image = None
        else:
            runner = DockerRunner(root / "state-docker")
            image = args.image
        plain, sampled = [], []
        try:
            for _ in range(args.repeats):
                plain.append(run_once(runner, root / runtime, image, args.seconds, None))
                sampled.append(
                    run_once(runner, root / runtime, image, args.seconds, args.interval_ms)
                )
        finally:
            runner.close()
        thread = median([100 * s["sampler_cpu_s"] / s["wall_s"] for s in sampled])
        studio = median([100 * s["studio_cpu_s"] / s["wall_s"] for s in sampled])
        studio_plain = median([100 * p["studio_cpu_s"] / p["wall_s"] for p in plain])
        rate_plain = median([p["iterations_per_s"] for p in plain])
        rate_sampled = median([s["iterations_per_s"] for s in sampled])
        samples = median([s["samples"] for s in sampled])
        verdict = "within" if max(thread, studio - studio_plain) <= 2.0 else "over"
        print(f"{runtime}:")
        print(f"  samples written per run            {samples:10.0f}")
        print(f"  sampling thread CPU (% of a core)  {thread:10.2f}")
        print(f"  studio process CPU, sampled (%)    {studio:10.2f}")
        print(f"  studio process CPU, baseline (%)   {studio_plain:10.2f}")
        print(f"  job iterations/s, baseline         {rate_plain:10,.0f}  {_spread(plain)}")
        print(f"  job iterations/s, sampled          {rate_sampled:10,.0f}  {_spread(sampled)}")
        print(f"  job throughput sampled / baseline  {rate_sampled / rate_plain:10.3f}")
        print(f"  -> {verdict} the 2% aim")
        report[runtime] = {
            "runs_baseline": plain,
            "runs_sampled": sampled,
            "sampler_thread_cpu_percent": thread,
            "studio_cpu_percent_sampled": studio,
            "studio_cpu_percent_baseline": studio_plain,
            "iterations_per_s_baseline": rate_plain,
            "iterations_per_s_sampled": rate_sampled,
            "samples": samples,
        }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
