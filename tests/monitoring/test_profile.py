"""Baseline statistics and suggested constraints of the analyzer (real DataSketches)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from datasketches import kll_doubles_sketch

from jupyter_mlstudio.monitoring import ANALYZER_IMAGE
from jupyter_mlstudio.monitoring.checks import suggest_constraints
from jupyter_mlstudio.monitoring.profile import DatasetProfile, kll_levels
from jupyter_mlstudio.monitoring.readers import ReadStats, csv_chunks

from .helpers import CSV_FORMAT, feature, load, run, write_csv

ROWS = [
    (1, 2.5, "red", 10),
    (0, -1.0, "blue", 20),
    (1, 4.0, "red", ""),
    (1, "", "green", 40),
    (0, 0.5, "red", 50),
]


def _baseline(tmp_path: Path, rows: Sequence[Sequence[object]] = ROWS) -> Path:
    write_csv(tmp_path / "data" / "train.csv", ["label", "x", "color", "n"], rows)
    out = tmp_path / "out"
    assert (
        run(dataset_format=CSV_FORMAT, dataset_source=str(tmp_path / "data"), output_path=str(out))
        == 0
    )
    return out


def test_analyzer_image_constant() -> None:
    assert ANALYZER_IMAGE == "mlstudio/model-monitor-analyzer"


def test_statistics_of_a_known_csv(tmp_path: Path) -> None:
    stats = load(_baseline(tmp_path) / "statistics.json")
    assert stats["version"] == 0.0
    assert stats["dataset"] == {"item_count": 5, "mlstudio_parse_errors": 0}
    assert [f["name"] for f in stats["features"]] == ["label", "x", "color", "n"]

    label = feature(stats, "label")
    assert label["inferred_type"] == "Integral"
    num = label["numerical_statistics"]
    assert num["common"] == {"num_present": 5, "num_missing": 0}
    assert num["sum"] == 3.0
    assert num["mean"] == pytest.approx(0.6)
    assert num["min"] == 0.0
    assert num["max"] == 1.0
    assert num["std_dev"] == pytest.approx(np.std([1, 0, 1, 1, 0]))

    x = feature(stats, "x")
    assert x["inferred_type"] == "Fractional"
    num = x["numerical_statistics"]
    assert num["common"] == {"num_present": 4, "num_missing": 1}
    assert num["mean"] == pytest.approx(1.5)
    assert num["sum"] == pytest.approx(6.0)
    assert (num["min"], num["max"]) == (-1.0, 4.0)
    kll = num["distribution"]["kll"]
    assert len(kll["buckets"]) == 10
    assert kll["buckets"][0]["lower_bound"] == -1.0
    assert kll["buckets"][-1]["upper_bound"] == 4.0
    assert sum(b["count"] for b in kll["buckets"]) == pytest.approx(4)
    assert kll["sketch"]["parameters"] == {"c": 0.64, "k": 2048.0}
    assert sorted(v for level in kll["sketch"]["data"] for v in level) == [-1.0, 0.5, 2.5, 4.0]

    color = feature(stats, "color")
    assert color["inferred_type"] == "String"
    strings = color["string_statistics"]
    assert strings["common"] == {"num_present": 5, "num_missing": 0}
    assert strings["distinct_count"] == 3.0
    assert strings["distribution"]["categorical"]["buckets"] == [
        {"value": "red", "count": 3},
        {"value": "blue", "count": 1},
        {"value": "green", "count": 1},
    ]
    assert feature(stats, "n")["inferred_type"] == "Integral"
    assert feature(stats, "n")["numerical_statistics"]["common"]["num_missing"] == 1


def test_suggested_constraints(tmp_path: Path) -> None:
    constraints = load(_baseline(tmp_path) / "constraints.json")
    assert feature(constraints, "label") == {
        "name": "label",
        "inferred_type": "Integral",
        "completeness": 1.0,
        "num_constraints": {"is_non_negative": True},
    }
    x = feature(constraints, "x")
    assert x["completeness"] == pytest.approx(0.8)
    assert x["num_constraints"] == {"is_non_negative": False}
    assert feature(constraints, "color")["string_constraints"] == {
        "domains": ["blue", "green", "red"]
    }
    config = constraints["monitoring_config"]
    assert config["evaluate_constraints"] == "Enabled"
    assert config["datatype_check_threshold"] == 1.0
    assert config["distribution_constraints"] == {
        "perform_comparison": "Enabled",
        "comparison_threshold": 0.1,
        "comparison_method": "Robust",
        "categorical_comparison_threshold": 0.1,
        "categorical_drift_method": "LInfinity",
    }


def test_many_distinct_strings_get_no_domain() -> None:
    profile = DatasetProfile()
    from jupyter_mlstudio.monitoring.readers import Chunk

    values = [f"id-{i}" for i in range(500)]
    profile.add(Chunk(["id"], [values], 500))
    stats = profile.statistics()
    assert feature(stats, "id")["string_statistics"]["distinct_count"] == pytest.approx(
        500, rel=0.03
    )
    assert "string_constraints" not in feature(suggest_constraints(stats), "id")


def test_csv_without_header_names_columns_like_sagemaker(tmp_path: Path) -> None:
    write_csv(tmp_path / "d" / "a.csv", None, [(1, "a"), (2, "b")])
    out = tmp_path / "out"
    fmt = json.dumps({"csv": {"header": False}})
    assert run(dataset_format=fmt, dataset_source=str(tmp_path / "d"), output_path=str(out)) == 0
    stats = load(out / "statistics.json")
    assert [f["name"] for f in stats["features"]] == ["_c0", "_c1"]
    assert stats["dataset"]["item_count"] == 2


def test_json_lines_dataset(tmp_path: Path) -> None:
    source = tmp_path / "d" / "rows.jsonl"
    source.parent.mkdir()
    rows = [{"a": 1, "b": "x"}, {"a": 2.5, "b": "y", "c": True}, {"a": None, "b": "x"}]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    out = tmp_path / "out"
    fmt = json.dumps({"json": {"lines": True}})
    assert run(dataset_format=fmt, dataset_source=str(source), output_path=str(out)) == 0
    stats = load(out / "statistics.json")
    assert stats["dataset"] == {"item_count": 3, "mlstudio_parse_errors": 1}
    a = feature(stats, "a")
    assert a["inferred_type"] == "Fractional"
    assert a["numerical_statistics"]["common"] == {"num_present": 2, "num_missing": 1}
    assert feature(stats, "b")["inferred_type"] == "String"
    assert feature(stats, "c")["string_statistics"]["common"]["num_missing"] == 2


def test_integral_and_fractional_inference_follows_the_text() -> None:
    from jupyter_mlstudio.monitoring.readers import Chunk

    profile = DatasetProfile()
    profile.add(
        Chunk(["i", "f", "e", "s"], [["1", "-2"], ["1", "2.0"], ["1e3", "4"], ["1", "nan"]], 2)
    )
    types = {f["name"]: f["inferred_type"] for f in profile.statistics()["features"]}
    assert types == {"i": "Integral", "f": "Fractional", "e": "Fractional", "s": "String"}


def test_a_column_that_turns_to_strings_late_is_counted_whole(tmp_path: Path) -> None:
    rows = [(i % 7, "v") for i in range(3000)] + [("oops", "v")]
    path = write_csv(tmp_path / "late.csv", ["n", "s"], rows)
    stats = ReadStats()
    profile = DatasetProfile()

    def chunks(read: ReadStats):  # type: ignore[no-untyped-def]
        return csv_chunks([path], header=True, stats=read, chunk_bytes=1024)

    for chunk in chunks(stats):
        profile.add(chunk)
    assert profile.chunks > 5
    profile.replay(lambda: chunks(ReadStats()))
    n = feature(profile.statistics(), "n")
    assert n["inferred_type"] == "String"
    assert n["string_statistics"]["distinct_count"] == 8.0
    buckets = n["string_statistics"]["distribution"]["categorical"]["buckets"]
    assert sum(b["count"] for b in buckets) == 3001


def test_kll_levels_read_the_sketch_exactly() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(size=50_000)
    sketch = kll_doubles_sketch(200)
    sketch.update(values)
    levels = kll_levels(sketch)
    assert sum(len(level) * 2**h for h, level in enumerate(levels)) == pytest.approx(
        50_000, rel=0.01
    )
    retained = [v for level in levels for v in level]
    assert len(retained) == sketch.num_retained
    assert set(retained) <= set(values.tolist())
    single = kll_doubles_sketch(200)
    single.update(math.pi)
    assert kll_levels(single) == [[math.pi]]
    assert kll_levels(kll_doubles_sketch(200)) == []


@pytest.mark.parametrize(
    ("body", "typed"),
    [
        ("1,2.5,a\n2,3.5,b\n", True),
        ("1,2.5,a\n2,,b\n", False),  # a missing number: parsed in Python
        ("1,2.5,a\n" * 60 + "2.5,3,b\n", False),  # an int column with a fraction later
        ("1,nan,a\n", False),
        ('1,2.5,"a,b"\n', False),  # quoted: Python's csv module
    ],
)
def test_csv_blocks_of_numbers_parse_in_numpy(body: str, typed: bool, tmp_path: Path) -> None:
    from jupyter_mlstudio.monitoring.readers import csv_block_chunks, read_blocks

    path = tmp_path / "d.csv"
    path.write_text("i,f,s\n" + body)
    stats = ReadStats()
    chunks = [c for b in read_blocks([path], csv_header=True) for c in csv_block_chunks(b, stats)]
    assert len(chunks) == 1
    chunk = chunks[0]
    # the fractional column: an array only when the whole block parsed in numpy
    assert isinstance(chunk.columns[1], np.ndarray) is typed
    if typed:
        assert chunk.columns[0].dtype == np.int64
        assert chunk.columns[1].dtype == np.float64
        assert chunk.text(1) == [line.split(",")[1] for line in body.splitlines()]
    profile = DatasetProfile()
    profile.add(chunk)
    assert profile.item_count == len(body.splitlines())


def test_numpy_and_python_parsing_give_the_same_statistics(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    rows = [(int(rng.integers(-50, 50)), f"{rng.normal():.5f}", "xyz"[i % 3]) for i in range(4000)]
    rows[3000] = (rows[3000][0], "", "x")  # one block falls back to Python
    path = write_csv(tmp_path / "d.csv", ["i", "f", "s"], rows)
    typed = DatasetProfile()
    python = DatasetProfile()
    for chunk in csv_chunks([path], header=True, stats=ReadStats(), chunk_bytes=4096):
        typed.add(chunk)
        python.add(type(chunk)(chunk.names, [chunk.text(j) for j in range(3)], chunk.rows))
    a, b = typed.statistics(), python.statistics()
    for name in ("i", "f", "s"):
        fa, fb = feature(a, name), feature(b, name)
        assert fa["inferred_type"] == fb["inferred_type"]
        sa = fa.get("numerical_statistics") or fa["string_statistics"]
        sb = fb.get("numerical_statistics") or fb["string_statistics"]
        assert sa["common"] == sb["common"]
        assert sa.get("mean") == pytest.approx(sb.get("mean"))
        assert sa.get("distinct_count") == sb.get("distinct_count")
    assert feature(a, "i")["inferred_type"] == "Integral"
    assert feature(a, "f")["numerical_statistics"]["common"]["num_missing"] == 1
