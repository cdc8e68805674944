"""Debugger: what the hook costs a training loop.

A numpy training loop — linear regression on 10,000 float32 features, mini-batches of
``--batch`` rows, SGD with momentum — that saves 4 tensors of 10,000 floats a step (the
weights, the gradient, the momentum buffer and the update) and the loss through a
:class:`~jupyter_mlstudio.debugger.Hook`, ``--steps`` steps, against the same loop
without a hook, measured in the same run (the ways alternating, median of ``--repeats``).
At ``save_interval=10`` (the aim: at most 10% slower than the loop without a hook) and
``save_interval=1`` (every step saved: for reference); ``--sync`` writes each step in the
loop's thread instead of the hook's background writer. numpy's BLAS runs on one thread
(a training loop's data loader has the other core). The hook writes into a scratch
folder under ``build/bench-tmp`` (emptied between repeats, outside the timing); every
saved step is read back with ``create_trial`` once, to check what was written.

Run: ``.venv/bin/python benchmarks/bench_debugger.py`` (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

# numpy's BLAS on one thread: steadier figures on a shared machine, and the core a training
# loop leaves to its data loader (set OPENBLAS_NUM_THREADS yourself to change it)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median, scratch_dir  # noqa: E402

from jupyter_mlstudio.debugger import Hook, SaveConfig, create_trial, modes  # noqa: E402

FEATURES = 10_000
AIM = 0.10


def train(steps: int, batch: int, hook: Hook | None, seed: int = 0) -> float:
    """The loop; returns the wall time in seconds."""
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((batch * 8, FEATURES), dtype=np.float32)
    truth = rng.standard_normal(FEATURES, dtype=np.float32) / 100
    target = data @ truth
    w: np.ndarray = np.zeros(FEATURES, dtype=np.float32)
    velocity: np.ndarray = np.zeros_like(w)
    rate, momentum = np.float32(1e-5), np.float32(0.9)
    if hook is not None:
        hook.set_mode(modes.TRAIN)
    start = time.perf_counter()
    for step in range(steps):
        rows = slice((step % 8) * batch, (step % 8 + 1) * batch)
        x, y = data[rows], target[rows]
        residual = x @ w - y
        loss = float(residual @ residual) / batch
        gradient = (x.T @ residual) * np.float32(2 / batch)
        velocity = momentum * velocity - rate * gradient
        update = velocity
        w = w + update
        if hook is not None:
            hook.save_scalar("loss", loss)
            hook.save_tensor("weights/w", w, "weights")
            hook.save_tensor("gradients/w", gradient, "gradients")
            hook.save_tensor("optimizer/velocity", velocity, "optimizer_variables")
            hook.save_tensor("updates/w", update, "updates")
            hook.next_step()
    if hook is not None:
        hook.close()
    return time.perf_counter() - start


def _hook(out: Path, interval: int, sync: bool = False) -> Hook:
    return Hook(
        out,
        async_write=not sync,
        save_config=SaveConfig(save_interval=interval),
        include_collections=["losses", "weights", "gradients", "optimizer_variables", "updates"],
    )


def _row(label: str, value: str) -> None:
    print(f"  {label:44s}{value}")


def _measure(work: Path, args: argparse.Namespace, batch: int, interval: int) -> dict[str, Any]:
    base_times: list[float] = []
    hook_times: list[float] = []
    out = work / f"batch-{batch}-interval-{interval}"
    for _ in range(args.repeats):
        base_times.append(train(args.steps, batch, None))
        shutil.rmtree(out, ignore_errors=True)
        hook_times.append(train(args.steps, batch, _hook(out, interval, args.sync)))
    trial = create_trial(out)
    saved = trial.tensor("weights/w").steps()
    assert len(saved) == len(range(0, args.steps, interval)), len(saved)
    assert trial.skipped == []
    size = sum(p.stat().st_size for p in (out / "events").iterdir())
    base, hooked = median(base_times), median(hook_times)
    overhead = hooked / base - 1
    print(
        f"batch {batch}, save_interval={interval} ({len(saved)} steps saved, {size / 1e6:.1f} MB)"
    )
    _row("loop without a hook", f"{base:.3f}  ({base / args.steps * 1e3:.3f} ms a step)")
    _row("loop with the hook", f"{hooked:.3f}")
    _row("overhead", f"{overhead:+.1%}")
    _row("added per saved step", f"{(hooked - base) / len(saved) * 1e3:.3f} ms")
    if interval == 10:
        _row(f"aim <= {AIM:.0%}", "meets" if overhead <= AIM else "MISSES")
    return {
        "batch": batch,
        "save_interval": interval,
        "baseline_s": base,
        "hook_s": hooked,
        "overhead": overhead,
        "saved_steps": len(saved),
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batches", default="64,256", help="mini-batch sizes (rows)")
    parser.add_argument("--sync", action="store_true", help="write steps in the loop's thread")
    parser.add_argument("--intervals", default="10,1")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()

    work = scratch_dir("debugger-")
    results: dict[str, Any] = {"steps": args.steps, "runs": []}
    print(
        f"numpy loop, {args.steps} steps, mini-batches of <batch> x {FEATURES} float32, 4 "
        f"tensors of {FEATURES} floats + the loss a step; "
        f"{'synchronous' if args.sync else 'background'} writes; median of {args.repeats} (s)"
    )
    try:
        for batch in [int(b) for b in args.batches.split(",") if b.strip()]:
            train(50, batch, None)  # warm up numpy and the page cache
            for interval in [int(i) for i in args.intervals.split(",") if i.strip()]:
                results["runs"].append(_measure(work, args, batch, interval))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
