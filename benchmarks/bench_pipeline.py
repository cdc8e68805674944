"""Pipelines: the executor's overhead over launching the same jobs by hand, and caching.

1. **Overhead.** A 10-step pipeline of trivial processing jobs on the process runtime:
   ``Start`` → 8 steps that each read Start's output (a fan-out) → ``Join``, which reads
   the 8 outputs. Each job is a ``ScriptProcessor`` running a few lines of Python that
   write one small file. ``pipeline.start()`` → ``execution.wait()`` against the same 10
   jobs launched by hand with the SDK in dependency order: Start (``wait=True``), the 8
   at most ``--parallel`` at a time (the executor's bound, ``PARALLEL = 4``: a thread
   pool of ``processor.run(wait=True)``), then Join; and, for reference, the 8 all at
   once (``run(wait=False)`` each, then ``latest_job.wait()`` on each). Wall time, median
   of ``--repeats``, the ways alternating; bar: the pipeline at most 1.3x the bounded
   by-hand way.
2. **Caching.** The same pipeline with ``CacheConfig(enable_caching=True,
   expire_after="T12H")`` on every step, under a new name for each repeat: its first
   execution (every step runs) against its second (every step a cache hit, checked with
   ``list_steps()``'s ``CacheHitResult``). Bar: the second under 10% of the first. A third
   execution (hits too) is watched with ``describe()`` every 0.02 s instead of ``wait()``,
   to tell the studio's time from ``wait()``'s polling.

Both waits look at the studio every 0.5 s (``Job.wait``'s and ``execution.wait(delay=1)``'s
interval), so the client's wall time carries up to 0.5 s of polling per wait; the studio's
own record of the execution (creation → last step's end) is printed beside it.

Jobs run as a script outside JupyterLab runs them: tracking in a SQLite file, jobs and
pipelines through the background studio the SDK starts for the scratch home (stopped at
the end).

Run: ``.venv/bin/python benchmarks/bench_pipeline.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, scratch_dir

from jupyter_mlstudio.services.pipelines.executor import PARALLEL

#: ``write.py <out> [<in> ...]``: one small file naming the inputs' files
WRITE = """
import pathlib, sys
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
seen = sorted(p.name for folder in sys.argv[2:] for p in pathlib.Path(folder).iterdir())
(out / "done.txt").write_text(" ".join(seen) or "start")
"""
BRANCHES = 8
OUT = "/opt/ml/processing/output"
CACHE_AIM = 0.10
OVERHEAD_AIM = 1.3


def _row(label: str, value: str) -> None:
    print(f"  {label:50s}{value}")


def _seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _run(processor: Any, script: Path, sources: list[Any], **kwargs: Any) -> Any:
    """``processor.run`` of ``write.py``: each source copied in, one output ``done``."""
    from jupyter_mlstudio.sdk.processing import ProcessingInput, ProcessingOutput

    folders = [f"/opt/ml/processing/input/in{i}" for i in range(len(sources))]
    return processor.run(
        code=str(script),
        inputs=[
            ProcessingInput(source=s, destination=f) for s, f in zip(sources, folders, strict=True)
        ],
        outputs=[ProcessingOutput(output_name="done", source=OUT)],
        arguments=[OUT, *folders],
        **kwargs,
    )


class Bench:
    """The SDK pointed at a scratch home; jobs and pipelines go to its background studio."""

    def __init__(self, work: Path) -> None:
        self.home = work / "home"
        os.environ["MLSTUDIO_HOME"] = str(self.home)
        os.environ["MLSTUDIO_ARTIFACT_ROOT"] = str(work / "artifacts")
        os.environ["MLSTUDIO_RUNTIME"] = "process"
        from jupyter_mlstudio.sdk import TrackingClient

        self.tracking = TrackingClient(f"sqlite:///{work / 'studio.db'}")
        self.work = work
        self.script = work / "write.py"
        self.script.write_text(WRITE)
        self.count = 0
        #: the last execution's CreationTime and steps
        self.last: tuple[str, list[dict[str, Any]]] | None = None
        #: how long each ``pipeline.start()`` call took (s)
        self.start_calls: list[float] = []

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count}"

    # -- the pipeline ------------------------------------------------------------------
    def pipeline(self, name: str, cache: bool) -> Any:
        """Start → 8 branches → Join, each step a processing job of ``write.py``."""
        from jupyter_mlstudio.sdk.processing import ScriptProcessor
        from jupyter_mlstudio.sdk.workflow.pipeline import Pipeline
        from jupyter_mlstudio.sdk.workflow.pipeline_context import PipelineSession
        from jupyter_mlstudio.sdk.workflow.steps import CacheConfig, ProcessingStep

        session = PipelineSession(self.tracking)
        processor = ScriptProcessor(sagemaker_session=session, base_job_name="bench")
        config = CacheConfig(enable_caching=True, expire_after="T12H") if cache else None

        def step(step_name: str, sources: list[Any]) -> Any:
            args = _run(processor, self.script, sources)
            return ProcessingStep(step_name, step_args=args, cache_config=config)

        def done(of: Any) -> Any:
            return of.properties.ProcessingOutputConfig.Outputs["done"].S3Output.S3Uri

        start = step("Start", [])
        branches = [step(f"Branch{i}", [done(start)]) for i in range(BRANCHES)]
        join = step("Join", [done(b) for b in branches])
        return Pipeline(name=name, steps=[start, *branches, join], sagemaker_session=session)

    def execute(
        self, pipeline: Any, poll: float | None = None
    ) -> tuple[float, float, list[dict[str, Any]]]:
        """One execution: client wall time (start → it is seen Succeeded), the studio's
        own (creation → the last step's end), and its steps.

        Args:
            pipeline: The pipeline (upserted).
            poll: None: ``execution.wait(delay=1)`` (a look every 0.5 s); else a look
                with ``describe()`` every ``poll`` seconds.
        """
        began = time.perf_counter()
        execution = pipeline.start()
        self.start_calls.append(time.perf_counter() - began)
        if poll is None:
            execution.wait(delay=1, max_attempts=600)
        else:
            while execution.describe()["PipelineExecutionStatus"] == "Executing":
                time.sleep(poll)
        elapsed = time.perf_counter() - began
        steps = execution.list_steps()
        if len(steps) != BRANCHES + 2 or any(s["StepStatus"] != "Succeeded" for s in steps):
            raise RuntimeError(f"the execution did not run its 10 steps: {steps}")
        created = execution.describe()["CreationTime"]
        recorded = _seconds(created, max(s["EndTime"] for s in steps))
        self.last = (created, steps)
        return elapsed, recorded, steps

    def run_pipeline(self, pipeline: Any) -> tuple[float, float]:
        elapsed, recorded, steps = self.execute(pipeline)
        if any("CacheHitResult" in s for s in steps):
            raise RuntimeError("an uncached pipeline's step was a cache hit")
        return elapsed, recorded

    def cached(self) -> tuple[float, float, float, float, float]:
        """A new cached pipeline: its first execution, its second (all hits), and a third
        (all hits) looked at every 0.02 s instead of ``wait()``'s 0.5 s."""
        pipeline = self.pipeline(self.name("bench-cached"), cache=True)
        pipeline.upsert(role_arn="arn:aws:iam::1:role/bench")
        first, first_recorded, steps = self.execute(pipeline)
        if any("CacheHitResult" in s for s in steps):
            raise RuntimeError("a first execution's step was a cache hit")
        second, second_recorded, steps = self.execute(pipeline)
        third, _, again = self.execute(pipeline, poll=0.02)
        missed = [s["StepName"] for s in steps + again if "CacheHitResult" not in s]
        if missed:
            raise RuntimeError(f"later executions: steps not served from the cache: {missed}")
        return first, second, first_recorded, second_recorded, third

    def timeline(self) -> list[str]:
        """The last execution's steps as offsets from its creation (s): the step's start,
        its job's creation and status changes, the step's end."""
        from jupyter_mlstudio.entities import JobKind
        from jupyter_mlstudio.sdk.jobs_client import jobs_client

        if self.last is None:
            return []
        created, steps = self.last
        client = jobs_client(self.tracking)
        lines = []
        for step in sorted(steps, key=lambda s: s["StartTime"]):
            line = f"  {step['StepName']:8s} step {_seconds(created, step['StartTime']):5.2f}"
            arn = step.get("Metadata", {}).get("ProcessingJob", {}).get("Arn")
            if arn and "CacheHitResult" not in step:
                job = client.describe_job(JobKind.PROCESSING, arn.rsplit("/", 1)[-1])
                line += f" → job {_seconds(created, job.creation_time.isoformat()):5.2f}"
                for change in job.secondary_status_transitions:
                    at = _seconds(created, change.start_time.isoformat())
                    line += f" {change.status.value} {at:5.2f}"
                if job.end_time is not None:
                    line += f" ended {_seconds(created, job.end_time.isoformat()):5.2f}"
            line += f" → step ended {_seconds(created, step['EndTime']):5.2f}"
            lines.append(line + (" (cache hit)" if "CacheHitResult" in step else ""))
        return lines

    # -- by hand ------------------------------------------------------------------------
    def by_hand(self, parallel: int | None) -> float:
        """The same 10 jobs with the SDK: Start, the 8 (``parallel`` at a time; None: all
        at once), Join, each stage's inputs the previous stage's published outputs."""
        from jupyter_mlstudio.sdk.processing import ScriptProcessor

        prefix = self.name("hand")

        def launch(job_name: str, sources: list[str], wait: bool) -> Any:
            processor = ScriptProcessor(sagemaker_session=self.tracking)
            _run(processor, self.script, sources, job_name=job_name, wait=wait, logs=False)
            return processor.latest_job

        def published(job: Any) -> str:
            record = job.describe()
            if record.status.value != "Completed":
                raise RuntimeError(f"{job.name} {record.status.value}: {record.failure_reason}")
            [output] = record.outputs["ProcessingOutputs"]
            return str(output["S3Uri"])

        began = time.perf_counter()
        start = published(launch(f"{prefix}-start", [], wait=True))
        names = [f"{prefix}-branch{i}" for i in range(BRANCHES)]
        if parallel is None:
            jobs = [launch(n, [start], wait=False) for n in names]
            for job in jobs:
                job.wait(logs=False)
        else:
            with ThreadPoolExecutor(parallel) as threads:
                jobs = list(threads.map(lambda n: launch(n, [start], wait=True), names))
        branches = [published(job) for job in jobs]
        published(launch(f"{prefix}-join", branches, wait=True))
        return time.perf_counter() - began

    def close(self) -> None:
        from jupyter_mlstudio.ownership import stop_owner

        self.tracking.close()
        stop_owner(self.home)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=PARALLEL, help="the by-hand bound")
    parser.add_argument("--skip-cache", action="store_true")
    parser.add_argument(
        "--timeline", action="store_true", help="print the last executions' step times"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()

    work = scratch_dir("pipeline-")
    bench = Bench(work)
    results: dict[str, Any] = {"steps": BRANCHES + 2, "parallel": args.parallel}
    try:
        pipeline = bench.pipeline("bench-fanout", cache=False)
        pipeline.upsert(role_arn="arn:aws:iam::1:role/bench")
        bench.run_pipeline(pipeline), bench.by_hand(args.parallel)  # warm-up
        runs: dict[str, list[float]] = {"pipeline": [], "studio": [], "bounded": [], "all": []}
        for i in range(args.repeats):
            ways = ["pipeline", "bounded", "all"]
            for way in ways[i % 3 :] + ways[: i % 3]:
                if way == "pipeline":
                    elapsed, recorded = bench.run_pipeline(pipeline)
                    runs["studio"].append(recorded)
                else:
                    elapsed = bench.by_hand(args.parallel if way == "bounded" else None)
                runs[way].append(elapsed)
        got = {way: median(values) for way, values in runs.items()}
        ratio = got["pipeline"] / got["bounded"]
        verdict = "within" if ratio <= OVERHEAD_AIM else "OVER"
        print(
            f"{BRANCHES + 2} trivial processing jobs (Start, {BRANCHES} branches, Join),"
            f" median of {args.repeats} (s)"
        )
        all_ratio = got["pipeline"] / got["all"]
        _row(f"pipeline start → wait (≤ {PARALLEL} steps at once)", f"{got['pipeline']:6.2f}")
        _row("  the studio's record (creation → last end)", f"{got['studio']:6.2f}")
        _row(f"by hand, branches {args.parallel} at a time (thread pool)", f"{got['bounded']:6.2f}")
        _row("by hand, branches all at once (wait=False)", f"{got['all']:6.2f}")
        _row(
            f"ratio pipeline / by hand ({args.parallel} at a time)",
            f"{ratio:6.2f}x ({verdict} the {OVERHEAD_AIM}x aim)",
        )
        _row("ratio pipeline / by hand (all at once)", f"{all_ratio:6.2f}x")
        if args.timeline:
            print("  timeline of the last execution (s from its creation):")
            print("\n".join(bench.timeline()))
        results["overhead"] = {
            **{f"{way}_s": value for way, value in got.items()},
            "ratio": ratio,
            "ratio_all_at_once": all_ratio,
            **{f"{way}_all_s": [round(v, 2) for v in values] for way, values in runs.items()},
        }
        if not args.skip_cache:
            cached = [bench.cached() for _ in range(args.repeats)]
            first, second, first_rec, second_rec, tight = (
                median(list(v)) for v in zip(*cached, strict=True)
            )
            share = second / first
            verdict = "within" if share < CACHE_AIM else "OVER"
            print(f"cached pipeline (CacheConfig T12H on every step), median of {args.repeats} (s)")
            studio_share = second_rec / first_rec
            _row("first execution (every step runs)", f"{first:6.2f}   studio {first_rec:5.2f}")
            _row("second execution (10 cache hits)", f"{second:6.2f}   studio {second_rec:5.2f}")
            _row("third (10 hits), a look every 0.02 s", f"{tight:6.2f}   ({tight / first:.1%})")
            _row(
                "second / first",
                f"{share:6.1%} ({verdict} the {CACHE_AIM:.0%} aim; studio's record"
                f" {studio_share:.1%})",
            )
            if args.timeline:
                print("  timeline of the last second execution (s from its creation):")
                print("\n".join(bench.timeline()))
            results["cache"] = {
                "first_s": first,
                "second_s": second,
                "ratio": share,
                "studio_ratio": studio_share,
                "tight_poll_s": tight,
                "first_studio_s": first_rec,
                "second_studio_s": second_rec,
                "all": [[round(v, 3) for v in row] for row in cached],
            }
        print(
            f"pipeline.start() call alone, median of {len(bench.start_calls)}: "
            f"{median(bench.start_calls):.3f} s"
        )
        results["start_call_s"] = median(bench.start_calls)
    finally:
        bench.close()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
