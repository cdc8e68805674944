"""``TrackingClient``: the one object the fluent API (``Run``, ``Experiment``,
``ExperimentAnalytics``) talks to.

The store is chosen from a tracking URI: the ``tracking_uri`` argument, else
``MLSTUDIO_TRACKING_URI``, else the studio's own configuration (see
:func:`.tracking_uri.open_tracking`): the SQL store itself, or a studio's REST API —
one :class:`~jupyter_mlstudio.store.base.TrackingStore` either way. Metric points are
validated here, at ``log_metric`` time, then buffered and written in batches
(:mod:`.buffer`).
"""

from __future__ import annotations

import math
import numbers
import operator
import os
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from ..entities import (
    Experiment,
    ExperimentSummary,
    ParameterValue,
    Trial,
    TrialComponent,
)
from ..entities.common import METRIC_NAME_MAX, validate_time
from ..exceptions import ConflictError, NotFoundError, ValidationError
from ..services.tracking.experiments import create_run
from ..store.base import ExperimentSortBy, SortOrder, TrackingStore
from ..store.columns import micros_of
from .buffer import MetricBuffer
from .connection import studio_connection
from .tracking_uri import Tracking, open_tracking
from .transport import StudioConnection

ENV_TRACKING_URI = "MLSTUDIO_TRACKING_URI"
_STEP_LIMIT = 2**63
_NAMES_KEPT = 10_000  # validated metric names remembered per client
_isfinite = math.isfinite
_time_ns = time.time_ns


class TrackingClient:
    """Experiments, runs, metrics and run files of one studio.

    Thread-safe; one per process and URI is enough (:meth:`for_uri` caches them). Every
    method raises :mod:`jupyter_mlstudio.exceptions` errors only (``ValidationError``
    naming the field, ``NotFoundError``, ``ConflictError``, ``StoreUnavailableError``).

    Args:
        tracking_uri: Where to track (:mod:`.tracking_uri`): ``http(s)://`` a running
            studio, ``sqlite:///`` or ``postgresql://`` a metadata store; None reads
            ``MLSTUDIO_TRACKING_URI``, else uses the studio's configuration.
        token: The Jupyter token of an ``http(s)://`` studio; None reads
            ``MLSTUDIO_TOKEN``, ``JPY_API_TOKEN`` or ``JUPYTER_TOKEN``.
        artifact_root: Where run files go on a SQL tracking URI; None reads
            ``MLSTUDIO_ARTIFACT_ROOT``, else the home's ``artifacts`` folder.

    Raises:
        ValidationError: ``field="tracking_uri"``, a URI of no known scheme.
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        *,
        token: str | None = None,
        artifact_root: str | None = None,
    ) -> None:
        uri = tracking_uri or os.environ.get(ENV_TRACKING_URI) or None
        self._tracking: Tracking = open_tracking(uri, token=token, artifact_root=artifact_root)
        #: experiments, trials, runs and metrics (the SQL store, or a studio's REST store)
        self.store: TrackingStore = self._tracking.store
        self._files = self._tracking.files
        self._metrics = MetricBuffer(self.store.log_metric_columns)
        self._metric_names: set[str] = set()  # names already validated
        self._studio: StudioConnection | None = None
        self._studio_lock = threading.Lock()

    @classmethod
    def for_uri(cls, tracking_uri: str | None = None) -> TrackingClient:
        """The client shared by everything in this process that uses the same URI.

        Args:
            tracking_uri: As for :class:`TrackingClient`.

        Returns:
            The process's client of that URI, created on first use.
        """
        uri = tracking_uri or os.environ.get(ENV_TRACKING_URI) or ""
        key = (os.getpid(), uri)
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = cls(uri or None)
            return client

    @property
    def tracking_uri(self) -> str:
        """The URI of the store or studio tracked into (passwords and tokens left out)."""
        return self._tracking.uri

    @property
    def studio(self) -> StudioConnection:
        """The studio that runs this client's jobs and endpoints (:mod:`.connection`):
        the tracking URI's studio, else the home's owner, started in the background when
        none runs. Found on first use."""
        with self._studio_lock:
            if self._studio is None:
                self._studio = studio_connection(self._tracking)
            return self._studio

    def close(self) -> None:
        """Write pending metrics and release the store."""
        try:
            self._metrics.close()
        finally:
            self._tracking.close()

    # -- experiments and trials -------------------------------------------------------

    def get_experiment(self, experiment_name: str) -> Experiment:
        """An experiment.

        Args:
            experiment_name: Its name.

        Returns:
            The experiment.

        Raises:
            NotFoundError: There is none by that name.
        """
        return self.store.get_experiment(experiment_name)

    def get_or_create_experiment(
        self,
        experiment_name: str,
        *,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment:
        """The experiment of that name, created when missing.

        Args:
            experiment_name: Its name.
            display_name: The name shown, when it is created.
            tags: Tags by key, when it is created.

        Returns:
            The experiment (the one another process created meanwhile, if it did).
        """
        try:
            return self.store.get_experiment(experiment_name)
        except NotFoundError:
            pass
        try:
            return self.store.create_experiment(
                experiment_name, display_name=display_name, tags=tags
            )
        except ConflictError:  # another process created it in between
            return self.store.get_experiment(experiment_name)

    def iter_experiments(
        self,
        *,
        sort_by: ExperimentSortBy = "CreationTime",
        sort_order: SortOrder = "Descending",
    ) -> Iterator[ExperimentSummary]:
        """Every experiment, with its trial and run counts, read page by page.

        Args:
            sort_by: ``CreationTime`` or ``Name``.
            sort_order: ``Ascending`` or ``Descending``.

        Returns:
            An iterator of the summaries.
        """
        token: str | None = None
        while True:
            page = self.store.list_experiments(
                sort_by=sort_by,
                sort_order=sort_order,
                max_results=1000,
                next_token=token,
            )
            yield from page.items
            if not page.next_token:
                return
            token = page.next_token

    def delete_experiment(self, experiment_name: str) -> None:
        """Delete an experiment, its trials and the runs that belong to it only.

        Args:
            experiment_name: The experiment.

        Raises:
            NotFoundError: There is none by that name.
        """
        self._files.delete_experiment(experiment_name)

    def get_or_create_trial(
        self, trial_name: str, experiment_name: str, *, tags: Mapping[str, str] | None = None
    ) -> Trial:
        """The trial of that name, created when missing.

        Args:
            trial_name: Its name.
            experiment_name: Its experiment, when it is created.
            tags: Tags by key, when it is created.

        Returns:
            The trial.

        Raises:
            NotFoundError: ``experiment_name`` does not exist.
        """
        try:
            return self.store.create_trial(trial_name, experiment_name, tags=tags)
        except ConflictError:
            return self.store.get_trial(trial_name)

    def get_trial(self, trial_name: str) -> Trial:
        """A trial.

        Args:
            trial_name: Its name.

        Returns:
            The trial.

        Raises:
            NotFoundError: There is none by that name.
        """
        return self.store.get_trial(trial_name)

    def iter_trials(self, *, experiment_name: str | None = None) -> Iterator[Trial]:
        """Every trial, read page by page.

        Args:
            experiment_name: Only this experiment's.

        Returns:
            An iterator of the trials.
        """
        token: str | None = None
        while True:
            page = self.store.list_trials(
                experiment_name=experiment_name, max_results=1000, next_token=token
            )
            yield from page.items
            if not page.next_token:
                return
            token = page.next_token

    # -- runs -----------------------------------------------------------------------

    def get_or_create_trial_component(
        self,
        trial_component_name: str,
        *,
        trial_name: str | None = None,
        display_name: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> TrialComponent:
        """The run of that name, created when missing, and in ``trial_name``.

        Args:
            trial_component_name: The run's trial component name.
            trial_name: The trial it must belong to (added to it when it is not).
            display_name: The name shown, when it is created.
            tags: Tags by key, when it is created.

        Returns:
            The run.
        """
        try:
            return create_run(
                self.store,
                trial_component_name,
                trial_name=trial_name,
                display_name=display_name,
                tags=tags,
            )
        except ConflictError:
            pass
        component = self.store.get_trial_component(trial_component_name)
        if trial_name is not None and trial_name not in component.trial_names:
            self.store.associate_trial_component(trial_component_name, trial_name)
            component = self.store.get_trial_component(trial_component_name)
        return component

    def get_trial_component(self, trial_component_name: str) -> TrialComponent:
        """A run.

        Args:
            trial_component_name: Its trial component name.

        Returns:
            The run.

        Raises:
            NotFoundError: There is none by that name.
        """
        return self.store.get_trial_component(trial_component_name)

    def update_trial_component(self, trial_component_name: str, **changes: Any) -> TrialComponent:
        """Change a run: set fields, merge parameters and artifacts.

        Args:
            trial_component_name: The run.
            changes: As the store's ``update_trial_component`` takes them:
                ``display_name``, ``status``, ``status_message``, ``start_time``,
                ``end_time`` (None clears), ``parameters``, ``parameters_to_remove``,
                ``input_artifacts``, ``output_artifacts``.

        Returns:
            The run, changed.

        Raises:
            NotFoundError: There is none by that name.
        """
        return self.store.update_trial_component(trial_component_name, **changes)

    def iter_trial_components(
        self,
        *,
        experiment_name: str | None = None,
        trial_name: str | None = None,
        sort_order: str = "Descending",
    ) -> Iterator[TrialComponent]:
        """Every run of an experiment (or trial, or the whole studio), read page by page.

        Args:
            experiment_name: Only this experiment's runs.
            trial_name: Only this trial's runs.
            sort_order: By creation time, ``Ascending`` or ``Descending``.

        Returns:
            An iterator of the runs.
        """
        token: str | None = None
        while True:
            page = self.store.list_trial_components(
                experiment_name=experiment_name,
                trial_name=trial_name,
                sort_order=sort_order,  # type: ignore[arg-type]
                max_results=1000,
                next_token=token,
            )
            yield from page.items
            if not page.next_token:
                return
            token = page.next_token

    def log_parameters(
        self, trial_component_name: str, parameters: Mapping[str, Any]
    ) -> TrialComponent:
        """Record parameters of a run, replacing earlier values of the same names.

        Args:
            trial_component_name: The run.
            parameters: Numbers (stored as floats) or strings by name; booleans become
                ``"True"``/``"False"``.

        Returns:
            The run, updated.

        Raises:
            ValidationError: NaN, infinity or another type (``Parameters.<name>``).
        """
        if not isinstance(parameters, Mapping):
            raise ValidationError("parameters must be a mapping", field="Parameters")
        checked = {name: parameter_value(name, value) for name, value in parameters.items()}
        return self.store.update_trial_component(trial_component_name, parameters=checked)

    # -- metrics --------------------------------------------------------------------

    def log_metric(
        self,
        trial_component_name: str,
        name: str,
        value: Any,
        step: Any = None,
        timestamp: datetime | float | None = None,
    ) -> None:
        """Validate one point now and queue it; see :mod:`.buffer` for when it is written.

        The common case (a known name, a float value, an int step or None, no timestamp)
        takes a few checks and four list appends; anything else goes the full way.

        Args:
            trial_component_name: The run.
            name: The metric, 1 to 255 characters.
            value: A real number; not NaN or infinity.
            step: An integer ≥ 0, or None.
            timestamp: A datetime (naive means UTC) or seconds since the epoch; default now.

        Raises:
            ValidationError: A bad point (``MetricName``, ``Value``, ``Step``, ``Timestamp``).
        """
        if type(name) is not str or name not in self._metric_names:
            check_metric_name(name)
            if len(self._metric_names) < _NAMES_KEPT:
                self._metric_names.add(name)
        if type(value) is not float or not _isfinite(value):
            value = metric_value(name, value)
        if step is not None and (type(step) is not int or not 0 <= step < _STEP_LIMIT):
            step = metric_step(name, step)
        stamp = _time_ns() // 1000 if timestamp is None else metric_timestamp(timestamp)
        self._metrics.add(trial_component_name, name, value, step, stamp)

    def flush(self) -> None:
        """Write every queued metric point.

        Raises:
            StudioError: The first error of a background write since the last flush.
        """
        self._metrics.flush()

    def get_metric_series(
        self, trial_component_name: str, metric_name: str, *, as_dataframe: bool = False
    ) -> Any:
        """Every point of one metric of a run, ordered by step (pending points written first).

        Args:
            trial_component_name: The run.
            metric_name: The metric.
            as_dataframe: Return a pandas DataFrame instead of a list.

        Returns:
            ``MetricPoint`` items, or a DataFrame with the columns ``MetricName``,
            ``Step``, ``Value`` and ``Timestamp``.

        Raises:
            NotFoundError: No such run.
        """
        self.flush()
        points = self.store.get_metric_series(trial_component_name, metric_name)
        if not as_dataframe:
            return points
        import pandas as pd

        return pd.DataFrame(
            {
                "MetricName": [p.metric_name for p in points],
                "Step": pd.array([p.step for p in points], dtype="Int64"),
                "Value": [p.value for p in points],
                "Timestamp": pd.to_datetime([p.timestamp for p in points], utc=True),
            }
        )

    # -- run files ------------------------------------------------------------------

    def upload_run_file(
        self, trial_component_name: str, path: str, data: bytes, content_type: str | None = None
    ) -> str:
        """Store a file of a run in the artifact store, in the run's folder.

        Args:
            trial_component_name: The run.
            path: The file's path in the run's folder.
            data: Its content.
            content_type: Its media type.

        Returns:
            The file's artifact URI.
        """
        return self._files.put_run_artifact(trial_component_name, path, data, content_type)[1]

    def download_run_file(self, trial_component_name: str, path: str) -> bytes:
        """The content of a run's file (as :meth:`upload_run_file` stored it).

        Args:
            trial_component_name: The run.
            path: The file's path in the run's folder.

        Returns:
            The file's bytes.

        Raises:
            NotFoundError: No such run or file.
        """
        return self._files.get_run_artifact(trial_component_name, path)[0]


_clients: dict[tuple[int, str], TrackingClient] = {}
_clients_lock = threading.Lock()


def resolve_client(session: Any = None) -> TrackingClient:
    """The tracking client a ``sagemaker_session`` argument stands for.

    Args:
        session: None (the default client), a :class:`TrackingClient`, a tracking URI
            string, or a :class:`~.session.Session` (its client).

    Returns:
        The client.

    Raises:
        ValidationError: ``field="sagemaker_session"``, anything else.
    """
    if session is None:
        return TrackingClient.for_uri()
    if isinstance(session, TrackingClient):
        return session
    if isinstance(session, str):
        return TrackingClient.for_uri(session)
    wrapped = getattr(session, "tracking_client", None)  # a Session (session.py)
    if isinstance(wrapped, TrackingClient):
        return wrapped
    raise ValidationError(
        "sagemaker_session must be None, a Session, a TrackingClient or a tracking URI",
        field="sagemaker_session",
    )


def check_metric_name(name: Any) -> str:
    """A valid metric name, or ``ValidationError(field="MetricName")``."""
    if not isinstance(name, str) or not name:
        raise ValidationError("metric name must be a non-empty string", field="MetricName")
    if len(name) > METRIC_NAME_MAX:
        raise ValidationError(
            f"metric name must be at most {METRIC_NAME_MAX} characters (got {len(name)})",
            field="MetricName",
        )
    return name


def metric_value(name: str, value: Any) -> float:
    """A finite float, or ``ValidationError(field="Value")``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValidationError(
            f"metric {name!r}: the value must be a real number, not {type(value).__name__}",
            field="Value",
        )
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError(
            f"metric {name!r}: the value {number} is refused; NaN and infinity cannot be logged",
            field="Value",
        )
    return number


def metric_step(name: str, step: Any) -> int:
    """An integer step 0 to 2**63 - 1, or ``ValidationError(field="Step")``."""
    if isinstance(step, bool):
        raise ValidationError(f"metric {name!r}: step must be an integer", field="Step")
    try:
        step = operator.index(step)
    except TypeError:
        raise ValidationError(
            f"metric {name!r}: step must be an integer, not {type(step).__name__}",
            field="Step",
        ) from None
    if not 0 <= step < _STEP_LIMIT:
        raise ValidationError(f"metric {name!r}: step must be >= 0", field="Step")
    return int(step)


def metric_timestamp(value: Any) -> int:
    """Microseconds since the epoch of a datetime (naive means UTC) or of seconds since
    the epoch, or ``ValidationError(field="Timestamp")``."""
    if isinstance(value, datetime):
        # naive datetimes are taken as UTC; the store refuses moments outside years 1..9999
        return micros_of(validate_time(value, field="Timestamp"))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        seconds = float(value)
        try:
            return micros_of(datetime.fromtimestamp(seconds, timezone.utc))
        except (OverflowError, OSError, ValueError):  # NaN, infinity, out of range
            pass
    raise ValidationError(
        "timestamp must be a datetime or seconds since the epoch", field="Timestamp"
    )


def parameter_value(name: Any, value: Any) -> ParameterValue:
    """A validated parameter value, or ``ValidationError`` naming what is wrong."""
    if not isinstance(name, str) or not name:
        raise ValidationError("parameter names must be non-empty strings", field="Parameters")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValidationError(
                f"parameter {name!r}: NaN and infinity are refused", field=f"Parameters.{name}"
            )
        return number
    raise ValidationError(
        f"parameter {name!r} must be a number or a string, not {type(value).__name__}",
        field=f"Parameters.{name}",
    )
