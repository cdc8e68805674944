"""Profiling on several cores: blocks of the input go to worker processes, each keeps a
profile of its part, and the parts' sketches are merged (KLL, HyperLogLog and
frequent-strings sketches all merge).

The parent only reads raw blocks of lines; parsing and profiling happen in the workers.
Each worker's queue holds at most two blocks, so memory stays bounded whatever the size
of the input. Workers are forked (Linux), so they inherit the block-to-chunks function.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable, Iterable
from typing import Any

from .profile import DatasetProfile
from .readers import Block, Chunk, DatasetError, ReadStats

ToChunks = Callable[[Block, ReadStats], Iterable[Chunk]]

WORKERS_ENV = "MLSTUDIO_MONITOR_WORKERS"
"""Environment variable: number of worker processes (default: the cores this process may
use, at most 4; 1 profiles in-process)."""
PARALLEL_MIN_BYTES = 16 << 20
"""Inputs smaller than this are profiled in-process (forking costs more than it saves)."""
_WAIT = 1.0


def worker_count(env: dict[str, str] | None = None) -> int:
    """How many worker processes to use.

    Args:
        env: The environment (default ``os.environ``).

    Returns:
        ``MLSTUDIO_MONITOR_WORKERS`` when set, else the usable cores (at most 4).
    """
    raw = (env if env is not None else os.environ).get(WORKERS_ENV, "")
    if raw.strip().isdigit():
        return max(1, int(raw))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _work(
    slot: int, inbox: Any, outbox: Any, to_chunks: ToChunks, string_columns: list[str]
) -> None:  # pragma: no cover - runs in the forked worker
    profile = DatasetProfile(string_columns)
    stats = ReadStats()
    failure: str | None = None
    while True:
        item = inbox.get()
        if item is None:
            break
        if failure is not None:
            continue  # keep draining so the parent never blocks on a full queue
        index, block = item
        try:
            for chunk in to_chunks(block, stats):
                profile.add(chunk, order=index)
        except DatasetError as exc:
            failure = str(exc)
        except Exception as exc:  # reported by the parent as the run's failure
            failure = f"analyzer error: {type(exc).__name__}: {exc}"
    outbox.put((slot, failure, profile, stats))


def _put(box: Any, item: Any, process: Any) -> None:
    while True:
        try:
            box.put(item, timeout=_WAIT)
            return
        except queue.Full:
            if not process.is_alive():
                raise DatasetError("a profiling worker stopped unexpectedly") from None


def profile_blocks(
    blocks: Iterable[Block],
    to_chunks: ToChunks,
    *,
    string_columns: Iterable[str] = (),
    workers: int = 1,
) -> tuple[DatasetProfile, ReadStats]:
    """Profile every block, in ``workers`` processes (in-process when 1).

    Args:
        blocks: The input's blocks, in order.
        to_chunks: Parses a block into chunks (counting records and parse errors).
        string_columns: Columns known to be String.
        workers: Worker processes.

    Returns:
        The merged profile and the merged read counts.

    Raises:
        DatasetError: When a block cannot be read, or a worker dies.
    """
    strings = list(string_columns)
    if workers <= 1:
        profile, stats = DatasetProfile(strings), ReadStats()
        for index, block in enumerate(blocks):
            for chunk in to_chunks(block, stats):
                profile.add(chunk, order=index)
        return profile, stats
    context = multiprocessing.get_context("fork")
    inboxes = [context.Queue(maxsize=2) for _ in range(workers)]
    outbox = context.Queue()
    processes = [
        context.Process(target=_work, args=(slot, inbox, outbox, to_chunks, strings), daemon=True)
        for slot, inbox in enumerate(inboxes)
    ]
    for process in processes:
        process.start()
    finished = False
    try:
        for index, block in enumerate(blocks):
            slot = index % workers
            _put(inboxes[slot], (index, block), processes[slot])
        for inbox, process in zip(inboxes, processes, strict=True):
            _put(inbox, None, process)
        results: list[tuple[int, str | None, DatasetProfile, ReadStats]] = []
        while len(results) < workers:
            try:
                results.append(outbox.get(timeout=_WAIT))
            except queue.Empty:
                if not any(p.is_alive() for p in processes) and outbox.empty():
                    raise DatasetError("a profiling worker stopped unexpectedly") from None
        finished = True
    finally:
        for process in processes:
            if not finished:
                process.terminate()  # a failed read: the workers wait for blocks
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    profile, stats = DatasetProfile(strings), ReadStats()
    results.sort(key=lambda r: r[0])
    for _, failure, _, _ in results:
        if failure is not None:
            raise DatasetError(failure)
    for _, _, part, part_stats in results:
        profile.merge(part)
        stats.records += part_stats.records
        stats.parse_errors += part_stats.parse_errors
        stats.error_examples.extend(part_stats.error_examples[: 5 - len(stats.error_examples)])
    return profile, stats
