"""Data capture: sampled request/response records of an endpoint as JSON lines.

Records follow SageMaker's capture format and layout: one file per variant and flush at
``<destination>/<EndpointName>/<VariantName>/yyyy/mm/dd/hh/<uuid>.jsonl``. ``offer`` is
called on the event loop for every answered request and only samples and queues; a
background thread writes the queued records every second (and on ``close``), so capture
never slows a request down. The destination is any artifact URI (``s3://``, ``file://``
or a local path).
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import random
import threading
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..artifacts import open_artifact_store
from ..artifacts.base import ArtifactStore
from ..exceptions import NotFoundError, ValidationError

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
_CSV_TYPES = ("text/csv",)
_JSON_TYPES = ("application/json", "application/jsonlines")


@dataclass(frozen=True)
class CaptureSettings:
    """A validated ``DataCaptureConfig``."""

    destination: str
    sampling_percentage: float = 100.0
    capture_input: bool = True
    capture_output: bool = True
    csv_types: tuple[str, ...] = _CSV_TYPES
    json_types: tuple[str, ...] = _JSON_TYPES

    @classmethod
    def parse(
        cls, config: Mapping[str, Any] | None, default_destination: str
    ) -> CaptureSettings | None:
        """None when capture is off; ValidationError naming the field otherwise."""
        if not config:
            return None
        base = "DataCaptureConfig"
        enabled = config.get("EnableCapture", True)
        if not isinstance(enabled, bool):
            raise ValidationError(
                f"{base}.EnableCapture must be true or false", field=f"{base}.EnableCapture"
            )
        if not enabled:
            return None
        pct = config.get("InitialSamplingPercentage", 100)
        if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 <= pct <= 100:
            raise ValidationError(
                f"{base}.InitialSamplingPercentage must be a number from 0 to 100",
                field=f"{base}.InitialSamplingPercentage",
            )
        destination = config.get("DestinationS3Uri") or default_destination
        if not isinstance(destination, str):
            raise ValidationError(
                f"{base}.DestinationS3Uri must be a URI", field=f"{base}.DestinationS3Uri"
            )
        modes = {"Input", "Output"}
        options = config.get("CaptureOptions")
        if options is not None:
            if not isinstance(options, list) or not options:
                raise ValidationError(
                    f"{base}.CaptureOptions must list CaptureMode Input and/or Output",
                    field=f"{base}.CaptureOptions",
                )
            modes = set()
            for i, option in enumerate(options):
                mode = option.get("CaptureMode") if isinstance(option, Mapping) else None
                if mode not in ("Input", "Output"):
                    raise ValidationError(
                        f"{base}.CaptureOptions[{i}].CaptureMode must be Input or Output",
                        field=f"{base}.CaptureOptions[{i}].CaptureMode",
                    )
                modes.add(mode)
        header = config.get("CaptureContentTypeHeader") or {}
        if not isinstance(header, Mapping):
            raise ValidationError(
                f"{base}.CaptureContentTypeHeader must be an object",
                field=f"{base}.CaptureContentTypeHeader",
            )
        return cls(
            destination=destination,
            sampling_percentage=float(pct),
            capture_input="Input" in modes,
            capture_output="Output" in modes,
            csv_types=tuple(header.get("CsvContentTypes") or _CSV_TYPES),
            json_types=tuple(header.get("JsonContentTypes") or _JSON_TYPES),
        )

    def encode(self, content_type: str | None, data: bytes) -> tuple[str, str]:
        """(encoding, data) as SageMaker writes it: CSV and JSON as text, the rest base64."""
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media in self.csv_types or media in self.json_types:
            try:
                return ("CSV" if media in self.csv_types else "JSON", data.decode("utf-8"))
            except UnicodeDecodeError:
                pass
        return "BASE64", base64.b64encode(data).decode("ascii")


def open_destination(uri: str) -> ArtifactStore:
    return open_artifact_store(uri.rstrip("/"))


class DataCapture:
    """Samples and writes the capture records of one endpoint. Thread-safe."""

    def __init__(self, endpoint_name: str, settings: CaptureSettings) -> None:
        self.endpoint_name = endpoint_name
        self.settings = settings
        self._store = open_destination(settings.destination)
        self._queue: queue.SimpleQueue[tuple[str, dict[str, Any]] | None] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"mlstudio-capture-{endpoint_name}", daemon=True
        )
        self._thread.start()
        self.written = 0

    def offer(
        self,
        variant: str,
        request_type: str | None,
        request_body: bytes,
        response_type: str | None,
        response_body: bytes,
        event_id: str | None = None,
    ) -> bool:
        """Queue a record if this request is sampled; True when it is."""
        settings = self.settings
        if self._closed.is_set() or random.random() * 100 >= settings.sampling_percentage:
            return False
        data: dict[str, Any] = {}
        if settings.capture_input:
            encoding, text = settings.encode(request_type, request_body)
            data["endpointInput"] = {
                "observedContentType": request_type or "",
                "mode": "INPUT",
                "data": text,
                "encoding": encoding,
            }
        if settings.capture_output:
            encoding, text = settings.encode(response_type, response_body)
            data["endpointOutput"] = {
                "observedContentType": response_type or "",
                "mode": "OUTPUT",
                "data": text,
                "encoding": encoding,
            }
        now = datetime.now(timezone.utc)
        record = {
            "captureData": data,
            "eventMetadata": {
                "eventId": event_id or str(uuid.uuid4()),
                "inferenceTime": now.strftime("%Y-%m-%dT%H:%M:%S.")
                + f"{now.microsecond // 1000:03d}Z",
                "variantName": variant,
            },
            "eventVersion": "0",
        }
        self._queue.put((variant, record))
        return True

    def _run(self) -> None:
        while True:
            stop = self._closed.wait(FLUSH_SECONDS)
            self._flush()
            if stop:
                return

    def _flush(self) -> None:
        batches: dict[str, list[dict[str, Any]]] = defaultdict(list)
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                batches[item[0]].append(item[1])
        now = datetime.now(timezone.utc)
        for variant, records in batches.items():
            name = f"{now:%M-%S-%f}-{uuid.uuid4().hex[:8]}.jsonl"  # sorts by time
            key = f"{self.endpoint_name}/{variant}/{now:%Y/%m/%d/%H}/{name}"
            body = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)
            try:
                self._store.put_bytes(
                    key, body.encode("utf-8"), content_type="application/jsonlines"
                )
                self.written += len(records)
            except Exception:  # a broken destination must not stop serving
                log.exception("data capture: could not write %s records to %s", len(records), key)

    def close(self) -> None:
        """Write what is queued and stop the writer."""
        if not self._closed.is_set():
            self._closed.set()
            self._thread.join(timeout=30)
            self._store.close()


def read_records(
    destination: str,
    endpoint_name: str,
    *,
    variant: str | None = None,
    max_results: int = 50,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The newest ``max_results`` records under an endpoint's capture prefix (newest
    first) and the URIs of the files they came from."""
    prefix = f"{endpoint_name}/{variant}" if variant else endpoint_name
    with open_destination(destination) as store:
        try:
            files = [
                i
                for i in store.list(prefix, recursive=True)
                if not i.is_dir and i.path.endswith(".jsonl")
            ]
        except NotFoundError:
            return [], []
        files.sort(key=lambda i: i.path.rsplit("/", 5)[-5:], reverse=True)
        records: list[dict[str, Any]] = []
        used: list[str] = []
        for info in files:
            lines = store.get_bytes(info.path).decode("utf-8").splitlines()
            used.append(store.uri_for(info.path))
            for line in reversed(lines):
                if line.strip():
                    records.append(json.loads(line))
                    if len(records) >= max_results:
                        return records, used
        return records, used
