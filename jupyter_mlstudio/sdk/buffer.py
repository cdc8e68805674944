"""Buffered, batched metric logging: one background flusher thread per buffer.

``log_metric`` only validates a point and appends it to four columns in memory (name,
value, step, time stamp; no object per point); a daemon thread sends
what is pending every :data:`FLUSH_INTERVAL` seconds, or as soon as
:data:`FLUSH_POINTS` points are waiting, in batches of at most :data:`BATCH_POINTS`
points per run as one :class:`~jupyter_mlstudio.store.columns.MetricColumns` (each batch
is one store transaction, or one HTTP request with a columnar body). ``flush()``,
the end of a ``with Run(...)`` block and interpreter exit (``atexit``) send everything.

How much a crash can lose: a process killed hard (SIGKILL, ``os._exit``, a segfault, the
machine going down) loses the points not yet written: those logged during the last
flush interval (about one second), never more than :data:`MAX_PENDING` points, because
``log_metric`` writes inline once that many are waiting. A batch is written whole or not
at all. A normal exit, ``sys.exit`` or an exception loses nothing.

Errors while sending in the background are kept and raised by the next ``flush()`` (so
by the end of the ``with`` block): ``StoreUnavailableError`` keeps the points for the
next attempt; a point the store refuses by name (``field`` ``MetricData[i]...``) is
dropped alone and the rest of its batch sent again; any other error drops that batch (a
deleted run, for instance).
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
import weakref
from collections.abc import Callable

from ..exceptions import StoreUnavailableError, StudioError, ValidationError
from ..store.columns import MetricColumns

logger = logging.getLogger(__name__)

#: Seconds between background flushes.
FLUSH_INTERVAL = 1.0
#: Pending points that wake the flusher before the interval is over.
FLUSH_POINTS = 10_000
#: Most points sent in one call (the REST API takes at most 10,000 per request).
BATCH_POINTS = 10_000
#: Pending points at which ``add`` stops queueing and writes inline (back-pressure).
MAX_PENDING = 50_000

#: Writes one batch of one run: ``TrackingStore.log_metric_columns``.
Sender = Callable[[str, MetricColumns], None]

#: the field of an error about one point of a batch: ``MetricData[3].Value``
_POINT_FIELD = re.compile(r"^MetricData\[(\d+)\]")

_live: weakref.WeakSet[MetricBuffer] = weakref.WeakSet()


class _Columns:
    """The pending points of one run: four growing lists, no object per point."""

    __slots__ = ("names", "steps", "timestamps", "values")

    def __init__(self) -> None:
        self.names: list[str] = []
        self.values: list[float] = []
        self.steps: list[int | None] = []
        self.timestamps: list[int] = []

    def batch(self) -> MetricColumns:
        return MetricColumns(self.names, self.values, self.steps, self.timestamps)


class MetricBuffer:
    """Points waiting to be written, per run (trial component), as columns. Thread-safe.

    Args:
        send: Writes one batch of one run (``store.log_metric_columns``).
        interval: Seconds between background flushes.
        flush_points: Pending points that wake the flusher early.
        max_pending: Pending points at which :meth:`add` writes inline.
    """

    def __init__(
        self,
        send: Sender,
        *,
        interval: float = FLUSH_INTERVAL,
        flush_points: int = FLUSH_POINTS,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._send = send
        self._interval = interval
        self._flush_points = flush_points
        self._max_pending = max_pending
        self._reset()
        _live.add(self)

    def _reset(self) -> None:
        """Fresh state (also in a forked child, whose parent's thread does not exist)."""
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._send_lock = threading.Lock()  # one batch at a time, in logging order
        self._pending: dict[str, _Columns] = {}
        self._count = 0
        self._errors: list[StudioError] = []
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        """Points queued and not yet handed to the store."""
        return self._count

    def add(
        self, trial_component_name: str, name: str, value: float, step: int | None, stamp: int
    ) -> None:
        """Queue one validated point (the caller validated it: this only appends).

        Args:
            trial_component_name: The run.
            name: The metric.
            value: A finite float.
            step: An integer step, or None.
            stamp: Microseconds since the epoch, UTC.
        """
        with self._lock:
            columns = self._pending.get(trial_component_name)
            if columns is None:
                columns = self._pending[trial_component_name] = _Columns()
                if self._thread is None and not self._closed:
                    self._start()
            columns.names.append(name)
            columns.values.append(value)
            columns.steps.append(step)
            columns.timestamps.append(stamp)
            self._count = count = self._count + 1
            if count == self._flush_points:
                self._wake.notify()
        if count >= self._max_pending:
            self._drain()

    def flush(self) -> None:
        """Write everything pending now; raise the first error met since the last flush.

        Raises:
            StudioError: The first error of a write since the last flush.
        """
        self._drain()
        with self._lock:
            errors, self._errors = self._errors, []
        if errors:
            raise errors[0]

    def close(self) -> None:
        """Flush and stop the background thread.

        Raises:
            StudioError: As :meth:`flush`.
        """
        with self._lock:
            self._closed = True
            self._wake.notify()
        self.flush()

    # -- inside ---------------------------------------------------------------------

    def _start(self) -> None:
        self._thread = threading.Thread(
            target=self._loop, name="mlstudio-metrics-flusher", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._closed and self._count < self._flush_points:
                    self._wake.wait(self._interval)
                closed = self._closed
            self._drain()
            if closed:
                return

    def _drain(self) -> None:
        with self._send_lock:
            with self._lock:
                pending, self._pending, self._count = self._pending, {}, 0
            for run, columns in pending.items():
                points = columns.batch()
                for start in range(0, len(points), BATCH_POINTS):
                    batch = points.slice(start, start + BATCH_POINTS)
                    try:
                        self._send_batch(run, batch)
                    except StoreUnavailableError as exc:
                        self._requeue(run, points.slice(start, len(points)), exc)
                        break
                    except StudioError as exc:
                        logger.warning("dropping %d metric points of %s: %s", len(batch), run, exc)
                        with self._lock:
                            self._errors.append(exc)

    def _send_batch(self, run: str, batch: MetricColumns) -> None:
        """Send ``batch`` (written whole or not at all); a point refused by name is dropped
        and the others sent again, so one bad point never costs the good ones."""
        while len(batch):
            try:
                self._send(run, batch)
                return
            except ValidationError as exc:
                match = _POINT_FIELD.match(exc.field or "")
                index = int(match.group(1)) if match else -1
                if not 0 <= index < len(batch):
                    raise
                logger.warning("dropping a metric point of %s: %s", run, exc.message)
                with self._lock:
                    self._errors.append(exc)
                batch = batch.without(index)

    def _requeue(self, run: str, points: MetricColumns, error: StudioError) -> None:
        with self._lock:
            later = self._pending.get(run)
            columns = self._pending[run] = _Columns()
            columns.names.extend(points.names)
            columns.values.extend(points.values)
            columns.steps.extend(points.steps)
            columns.timestamps.extend(points.timestamps)
            if later is not None:
                columns.names.extend(later.names)
                columns.values.extend(later.values)
                columns.steps.extend(later.steps)
                columns.timestamps.extend(later.timestamps)
            self._count += len(points)
            self._errors.append(error)


def _reset_after_fork() -> None:
    """A forked child starts with empty buffers: its parent writes what it queued."""
    for buffer in list(_live):
        buffer._reset()


def _flush_all_at_exit() -> None:
    for buffer in list(_live):
        if buffer._pid != os.getpid():
            continue
        try:
            buffer.close()
        except StudioError as exc:
            logger.error("metric points could not be written at exit: %s", exc)


atexit.register(_flush_all_at_exit)
os.register_at_fork(after_in_child=_reset_after_fork)
