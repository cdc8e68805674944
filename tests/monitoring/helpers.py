"""Builders of datasets and captured records for the analyzer's tests."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jupyter_mlstudio.monitoring.program import main

CAPTURE_FORMAT = json.dumps(
    {"sagemakerCaptureJson": {"captureIndexNames": ["endpointInput", "endpointOutput"]}}
)
CSV_FORMAT = json.dumps({"csv": {"header": True, "output_columns_position": "START"}})


def write_csv(path: Path, header: Sequence[str] | None, rows: Iterable[Sequence[Any]]) -> Path:
    """A CSV file (with ``header`` when given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] if header else []
    lines += [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def capture_record(
    event_id: str,
    when: str,
    data: str,
    *,
    encoding: str = "CSV",
    content_type: str = "text/csv",
    output: str | None = "0.5",
) -> dict[str, Any]:
    """One record in SageMaker's capture format."""
    capture: dict[str, Any] = {
        "endpointInput": {
            "observedContentType": content_type,
            "mode": "INPUT",
            "data": data,
            "encoding": encoding,
        }
    }
    if output is not None:
        capture["endpointOutput"] = {
            "observedContentType": "text/csv",
            "mode": "OUTPUT",
            "data": output,
            "encoding": "CSV",
        }
    return {
        "captureData": capture,
        "eventMetadata": {"eventId": event_id, "inferenceTime": when},
        "eventVersion": "0",
    }


def write_capture(folder: Path, records: Iterable[Mapping[str, Any] | str]) -> Path:
    """Records (objects, or raw lines) into one capture file in SageMaker's hourly layout."""
    hour = folder / "ep" / "AllTraffic" / "2026" / "12" / "06" / "10"
    hour.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    (hour / "00-00-000000-abcd.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def run(**env: str) -> int:
    """The analyzer in-process with ``env`` as its whole environment."""
    return main(dict(env))


def load(path: Path) -> Any:
    """A JSON file."""
    return json.loads(path.read_text())


def feature(body: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The entry of ``features`` named ``name``."""
    return next(f for f in body["features"] if f["name"] == name)
