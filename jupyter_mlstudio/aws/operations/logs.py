"""CloudWatch Logs over the studio's job logs: DescribeLogStreams, GetLogEvents and
FilterLogEvents.

The SageMaker SDK tails a job's log with a ``logs`` client (``fit()``, ``wait()`` with
``logs=True``): it lists the streams of ``/aws/sagemaker/TrainingJobs`` (or
``ProcessingJobs``, ``TransformJobs``) whose names start with ``<job name>/``, then reads
each stream forward from its head until a page comes back empty. Here a stream is one
host's log, ``<job name>/algo-<i>``, and an event is one of its lines. The studio keeps
no time per line: every event carries the time the job started, so the SDK's (time,
count) positions still find where it stopped. Tokens are byte offsets in the host's log
(``f/<n>`` forward, ``b/<n>`` backward); a line still being written (no newline yet, the
job running) is left for the next read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ...entities import Job, JobKind
from ...entities.jobs import TERMINAL_JOB_STATUSES
from ...exceptions import NotFoundError
from ...services.jobs.layout import log_path
from ..errors import AwsError
from ..registry import LOGS, Call

NOT_FOUND = "ResourceNotFoundException"
INVALID = "InvalidParameterException"
#: GetLogEvents' page limits: 10,000 events, 1 MB
MAX_EVENTS = 10_000
MAX_BYTES = 1024 * 1024
#: DescribeLogStreams' default page size
DEFAULT_STREAMS = 50


def _training_hosts(spec: dict[str, Any]) -> int:
    resources = spec.get("ResourceConfig") or {}
    groups = resources.get("InstanceGroups") or []
    if groups:
        return sum(int(g.get("InstanceCount") or 0) for g in groups)
    return int(resources.get("InstanceCount") or 1)


def _processing_hosts(spec: dict[str, Any]) -> int:
    cluster = (spec.get("ProcessingResources") or {}).get("ClusterConfig") or {}
    return int(cluster.get("InstanceCount") or 1)


def _transform_hosts(spec: dict[str, Any]) -> int:
    return int((spec.get("TransformResources") or {}).get("InstanceCount") or 1)


#: the log groups SageMaker writes job logs to, and how many hosts a job of each has
GROUPS: dict[str, tuple[JobKind, Callable[[dict[str, Any]], int]]] = {
    "/aws/sagemaker/TrainingJobs": (JobKind.TRAINING, _training_hosts),
    "/aws/sagemaker/ProcessingJobs": (JobKind.PROCESSING, _processing_hosts),
    "/aws/sagemaker/TransformJobs": (JobKind.TRANSFORM, _transform_hosts),
}


@dataclass(frozen=True)
class Stream:
    """One host's log of a job."""

    job: Job
    host: str
    path: Path

    @property
    def name(self) -> str:
        return f"{self.job.job_name}/{self.host}"

    @property
    def timestamp(self) -> int:
        """Every event's time: the job's start (its creation before it starts), in ms."""
        return _millis(self.job.start_time or self.job.creation_time)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _group(call: Call) -> tuple[str, JobKind, Callable[[dict[str, Any]], int]]:
    params = call.params
    name = params.get("logGroupName") or params.get("logGroupIdentifier") or ""
    name = name.split(":log-group:", 1)[-1].removesuffix(":*")  # an ARN names it too
    if name not in GROUPS:
        raise AwsError(NOT_FOUND, f"The specified log group does not exist: {name!r}.")
    kind, hosts = GROUPS[name]
    return name, kind, hosts


def _streams(call: Call, job: Job, hosts: Callable[[dict[str, Any]], int]) -> Iterator[Stream]:
    """The job's hosts that have written to their log."""
    for i in range(1, hosts(job.spec) + 1):
        path = log_path(call.studio.config, job.job_name, f"algo-{i}")
        if path.is_file():
            yield Stream(job, f"algo-{i}", path)


def _jobs(call: Call, kind: JobKind, prefix: str) -> list[Job]:
    """The jobs of ``kind`` whose streams may start with ``prefix``."""
    service = call.studio.job_kinds[kind]
    if "/" in prefix:
        try:
            return [service.describe(prefix.split("/", 1)[0])]
        except NotFoundError:
            return []
    jobs: list[Job] = []
    token: str | None = None
    while True:
        page = service.list(name_contains=prefix or None, max_results=100, next_token=token)
        jobs.extend(j for j in page.items if j.job_name.startswith(prefix))
        token = page.next_token
        if not token:
            return jobs


@LOGS.operation("DescribeLogStreams", not_found=NOT_FOUND)
def describe_log_streams(call: Call) -> dict[str, Any]:
    """List the log streams of a job log group: one per host that has logged.

    Args:
        call: A DescribeLogStreams request.

    Returns:
        ``logStreams`` (and ``nextToken`` when more follow).
    """
    params = call.params
    group, kind, hosts = _group(call)
    prefix = params.get("logStreamNamePrefix") or ""
    by_time = params.get("orderBy") == "LastEventTime"
    if by_time and prefix:
        raise AwsError(INVALID, "Cannot order by LastEventTime with a logStreamNamePrefix.")
    streams = [
        s
        for job in _jobs(call, kind, prefix)
        for s in _streams(call, job, hosts)
        if s.name.startswith(prefix)
    ]
    streams.sort(
        key=(lambda s: (s.timestamp, s.name)) if by_time else (lambda s: s.name),
        reverse=bool(params.get("descending")),
    )
    start = _offset(params.get("nextToken"), "s")
    end = start + int(params.get("limit") or DEFAULT_STREAMS)
    answer: dict[str, Any] = {"logStreams": [_describe(call, group, s) for s in streams[start:end]]}
    if end < len(streams):
        answer["nextToken"] = f"s/{end}"
    return answer


def _describe(call: Call, group: str, stream: Stream) -> dict[str, Any]:
    stat = stream.path.stat()
    return {
        "logStreamName": stream.name,
        "creationTime": _millis(stream.job.creation_time),
        "firstEventTimestamp": stream.timestamp,
        "lastEventTimestamp": stream.timestamp,
        "lastIngestionTime": int(stat.st_mtime * 1000),
        "storedBytes": stat.st_size,
        "arn": (
            f"arn:aws:logs:{call.region}:{call.account_id}:log-group:{group}"
            f":log-stream:{stream.name}"
        ),
    }


def _offset(token: Any, kind: str) -> int:
    if not token:
        return 0
    head, _, number = str(token).partition("/")
    if head != kind or not number.isdigit():
        raise AwsError(INVALID, "The specified nextToken is invalid.")
    return int(number)


@LOGS.operation("GetLogEvents", not_found=NOT_FOUND)
def get_log_events(call: Call) -> dict[str, Any]:
    """Read a host's log of a job, a line an event, forward or backward from a token.

    Args:
        call: A GetLogEvents request.

    Returns:
        ``events``, ``nextForwardToken`` and ``nextBackwardToken``.
    """
    params = call.params
    _, kind, hosts = _group(call)
    name = params["logStreamName"]
    stream = next(
        (
            s
            for job in _jobs(call, kind, name)
            for s in _streams(call, job, hosts)
            if s.name == name
        ),
        None,
    )
    if stream is None:
        raise AwsError(NOT_FOUND, f"The specified log stream does not exist: {name!r}.")
    limit = min(int(params.get("limit") or MAX_EVENTS), MAX_EVENTS)
    token = params.get("nextToken")
    data = stream.path.read_bytes()
    if stream.job.status not in TERMINAL_JOB_STATUSES:
        data = data[: data.rfind(b"\n") + 1]  # the line being written waits for its newline
    if token and str(token).startswith("f/"):
        start, end = _forward(data, _offset(token, "f"), limit)
    elif token:
        start, end = _backward(data, min(_offset(token, "b"), len(data)), limit)
    elif params.get("startFromHead"):
        start, end = _forward(data, 0, limit)
    else:
        start, end = _backward(data, len(data), limit)
    begin, finish = params.get("startTime"), params.get("endTime")
    shown = (begin is None or stream.timestamp >= begin) and (
        finish is None or stream.timestamp < finish
    )
    lines = data[start:end].splitlines() if shown else []
    events = [
        {
            "timestamp": stream.timestamp,
            "message": line.decode("utf-8", errors="replace"),
            "ingestionTime": stream.timestamp,
        }
        for line in lines
    ]
    return {"events": events, "nextForwardToken": f"f/{end}", "nextBackwardToken": f"b/{start}"}


def _forward(data: bytes, start: int, limit: int) -> tuple[int, int]:
    """The byte range of at most ``limit`` lines (and ``MAX_BYTES``) from ``start`` on."""
    start = min(start, len(data))
    end = start
    for _ in range(limit):
        if end >= len(data):
            break
        newline = data.find(b"\n", end, start + MAX_BYTES)
        if newline < 0:
            if end == start:  # one line longer than a page: cut it
                end = min(len(data), start + MAX_BYTES)
            break
        end = newline + 1
    return start, end


def _backward(data: bytes, end: int, limit: int) -> tuple[int, int]:
    """The byte range of at most ``limit`` lines (and ``MAX_BYTES``) that end at ``end``."""
    start = end
    for _ in range(limit):
        if start <= 0:
            break
        newline = data.rfind(b"\n", max(0, end - MAX_BYTES), start - 1)
        if newline < 0 and end - MAX_BYTES > 0:
            break
        start = newline + 1
    return start, end


@LOGS.operation("FilterLogEvents", not_found=NOT_FOUND)
def filter_log_events(call: Call) -> dict[str, Any]:
    """Read the events of a job log group's streams (by name or prefix), stream after
    stream, a line an event; ``filterPattern`` is a term every event must contain.

    The SDK v3's ModelBuilder reads ``/aws/sagemaker/Endpoints/<name>`` with it while an
    endpoint starts: that group does not exist here (ResourceNotFoundException, which the
    SDK expects of an endpoint that has not logged yet).

    Args:
        call: A FilterLogEvents request.

    Returns:
        ``events``, ``searchedLogStreams`` and ``nextToken`` when more follow.
    """
    params = call.params
    _, kind, hosts = _group(call)
    names = params.get("logStreamNames")
    prefix = params.get("logStreamNamePrefix") or ""
    if names and prefix:
        raise AwsError(INVALID, "logStreamNames and logStreamNamePrefix are exclusive.")
    wanted = [
        s
        for job in _jobs(call, kind, "" if names else prefix)
        for s in _streams(call, job, hosts)
        if (s.name in names if names else s.name.startswith(prefix))
    ]
    wanted.sort(key=lambda s: s.name)
    begin, finish = params.get("startTime"), params.get("endTime")
    term = (params.get("filterPattern") or "").strip().strip('"')
    events = [
        {
            "logStreamName": s.name,
            "timestamp": s.timestamp,
            "message": line,
            "ingestionTime": s.timestamp,
            "eventId": f"{s.name}/{i}",
        }
        for s in wanted
        if (begin is None or s.timestamp >= begin) and (finish is None or s.timestamp < finish)
        for i, line in enumerate(s.path.read_text(errors="replace").splitlines())
        if term in line
    ]
    start = _offset(params.get("nextToken"), "e")
    end = start + min(int(params.get("limit") or MAX_EVENTS), MAX_EVENTS)
    answer: dict[str, Any] = {
        "events": events[start:end],
        "searchedLogStreams": [
            {"logStreamName": s.name, "searchedCompletely": True} for s in wanted
        ],
    }
    if end < len(events):
        answer["nextToken"] = f"e/{end}"
    return answer
