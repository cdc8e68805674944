"""Profiling in worker processes gives what profiling in-process gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jupyter_mlstudio.monitoring import program
from jupyter_mlstudio.monitoring.parallel import profile_blocks, worker_count
from jupyter_mlstudio.monitoring.readers import (
    DatasetError,
    ReadStats,
    csv_block_chunks,
    json_block_chunks,
    read_blocks,
)

from .helpers import CSV_FORMAT, feature, load, run, write_csv


def _data(tmp_path: Path) -> Path:
    rng = np.random.default_rng(5)
    rows = [
        (
            int(rng.integers(0, 100)),
            f"{rng.normal(3, 1):.4f}",
            ["a", "b", "c"][i % 3],
            "late" if i == 2900 else i % 5,
        )
        for i in range(3000)
    ]
    return write_csv(tmp_path / "d.csv", ["n", "x", "s", "turns"], rows)


def _stats(path: Path, workers: int) -> dict[str, Any]:
    blocks = read_blocks([path], chunk_bytes=2048, csv_header=True)
    profile, stats = profile_blocks(blocks, csv_block_chunks, workers=workers)
    profile.replay(
        lambda: (
            c
            for b in read_blocks([path], chunk_bytes=2048, csv_header=True)
            for c in csv_block_chunks(b, ReadStats())
        )
    )
    assert stats.records == 3000
    return profile.statistics(stats.parse_errors)


def test_two_workers_match_one(tmp_path: Path) -> None:
    path = _data(tmp_path)
    one, two = _stats(path, 1), _stats(path, 2)
    assert [f["name"] for f in two["features"]] == ["n", "x", "s", "turns"]
    assert two["dataset"] == one["dataset"] == {"item_count": 3000, "mlstudio_parse_errors": 0}
    for name in ("n", "x"):
        a = feature(one, name)["numerical_statistics"]
        b = feature(two, name)["numerical_statistics"]
        assert b["common"] == a["common"]
        assert b["mean"] == pytest.approx(a["mean"])
        assert b["std_dev"] == pytest.approx(a["std_dev"])
        assert (b["min"], b["max"]) == (a["min"], a["max"])
        assert sum(
            len(level) * 2**h for h, level in enumerate(b["distribution"]["kll"]["sketch"]["data"])
        ) == pytest.approx(3000, rel=0.02)
    # "turns" holds one string after 2,900 numbers: String, every value in its sketches
    for body in (one, two):
        turns = feature(body, "turns")
        assert turns["inferred_type"] == "String"
        buckets = turns["string_statistics"]["distribution"]["categorical"]["buckets"]
        assert sum(b["count"] for b in buckets) == 3000
        assert turns["string_statistics"]["distinct_count"] == 6.0
    assert feature(two, "s")["string_statistics"]["distinct_count"] == 3.0


def test_json_columns_keep_their_first_seen_order(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    lines = [json.dumps({"a": i}) for i in range(200)] + [json.dumps({"b": 1, "a": 2})] * 200
    path.write_text("\n".join(lines) + "\n")
    profile, _ = profile_blocks(read_blocks([path], chunk_bytes=512), json_block_chunks, workers=2)
    assert list(profile.columns) == ["a", "b"]
    assert profile.item_count == 400


def test_a_worker_failure_is_the_run_failure(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 500 + b"\xff\xfe,3\n" + b"1,2\n" * 500)
    with pytest.raises(DatasetError, match="not UTF-8"):
        profile_blocks(
            read_blocks([path], chunk_bytes=256, csv_header=True), csv_block_chunks, workers=2
        )


def test_the_program_uses_workers_for_large_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _data(tmp_path)
    monkeypatch.setattr(program, "PARALLEL_MIN_BYTES", 0)
    calls: list[int] = []
    real = program.profile_blocks

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(program, "profile_blocks", spy)
    out = tmp_path / "out"
    assert (
        run(
            dataset_format=CSV_FORMAT,
            dataset_source=str(path),
            output_path=str(out),
            MLSTUDIO_MONITOR_WORKERS="2",
        )
        == 0
    )
    assert calls == [2]
    assert load(out / "statistics.json")["dataset"]["item_count"] == 3000


def test_worker_count_from_the_environment() -> None:
    assert worker_count({"MLSTUDIO_MONITOR_WORKERS": "3"}) == 3
    assert worker_count({"MLSTUDIO_MONITOR_WORKERS": "0"}) == 1
    assert 1 <= worker_count({}) <= 4


def test_a_read_failure_stops_the_workers(tmp_path: Path) -> None:
    first = write_csv(tmp_path / "d" / "a.csv", ["a", "b"], [(1, 2)] * 50)
    write_csv(tmp_path / "d" / "b.csv", ["a", "c"], [(1, 2)] * 50)
    blocks = read_blocks([first, tmp_path / "d" / "b.csv"], chunk_bytes=64, csv_header=True)
    with pytest.raises(DatasetError, match="header differs"):
        profile_blocks(blocks, csv_block_chunks, workers=2)
