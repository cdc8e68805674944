"""``Run``, ``load_run`` and ``list_runs`` with the names and signatures of
``sagemaker.experiments`` (SageMaker Python SDK v2).

A run is a trial component named ``<experiment>-<run name>`` in the trial
``Default-Run-Group-<experiment>`` of its experiment, as in SageMaker. ``sagemaker_session``
takes ``None`` (the default client: ``MLSTUDIO_TRACKING_URI`` or the studio's
configuration), a :class:`~.client.TrackingClient` or a tracking URI.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import secrets
import threading
import warnings
from collections.abc import Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

from ..entities import (
    TrialComponent,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    utcnow,
    validate_name,
    validate_tags,
    validate_time,
)
from ..entities.common import TRIAL_COMPONENT_NAME_MAX
from ..exceptions import NotFoundError, StudioError, ValidationError
from . import curves
from .client import TrackingClient, resolve_client

RUN_GROUP_TEMPLATE = "Default-Run-Group-{}"
RUN_NAME_BASE = "Run"
DELIMITER = "-"
RUN_SOURCE_TAG = ("mlstudio:trial-component-source", "run")
ENV_EXPERIMENT_NAME = "MLSTUDIO_EXPERIMENT_NAME"
ENV_RUN_NAME = "MLSTUDIO_RUN_NAME"
_MESSAGE_MAX = 1024  # the longest status message the store keeps

_context = threading.local()


def _run_stack() -> list[Run]:
    stack: list[Run] | None = getattr(_context, "runs", None)
    if stack is None:
        stack = _context.runs = []
    return stack


def current_run() -> Run | None:
    """The run of the innermost ``with Run(...)`` block of this thread.

    Returns:
        That run, or None outside every ``with Run(...)`` block.
    """
    stack = _run_stack()
    return stack[-1] if stack else None


def _generate_run_name() -> str:
    return f"{RUN_NAME_BASE}-{utcnow():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def trial_component_name_of(experiment_name: str, run_name: str) -> str:
    """The trial component name of a run, as SageMaker names it.

    Args:
        experiment_name: The run's experiment.
        run_name: The run's name.

    Returns:
        ``<experiment_name>-<run_name>``.

    Raises:
        ValidationError: ``field="run_name"``, when that is over 120 characters.
    """
    name = f"{experiment_name}{DELIMITER}{run_name}"
    if len(name) > TRIAL_COMPONENT_NAME_MAX:
        raise ValidationError(
            f"experiment name and run name together must be at most "
            f"{TRIAL_COMPONENT_NAME_MAX - 1} characters (got {len(name) - 1})",
            field="run_name",
        )
    return name


def _safe_file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "artifact"


class Run:
    """A run: parameters, metrics and artifacts of one try at a model.

    ``Run(...)`` creates the experiment, its run group trial and the run when they are
    missing (and loads them when they exist). As a context manager it marks the run
    InProgress with a start time on entry, and on exit writes pending metrics, sets the end
    time and the status: Completed, or Failed with the exception's message. Jobs started
    inside the block (``Estimator.fit``, ...) log to the run.

    Args:
        experiment_name: The run's experiment (created when missing).
        run_name: The run's name; default ``Run-<UTC time>-<hex>``. With the experiment's
            name it makes the trial component ``<experiment>-<run>`` (at most 120
            characters).
        experiment_display_name: The experiment's display name, when it is created.
        run_display_name: The run's display name, when it is created.
        tags: ``[{"Key": ..., "Value": ...}]`` or a mapping, for the experiment, trial and
            run when they are created.
        sagemaker_session: None (the default client: ``MLSTUDIO_TRACKING_URI`` or the
            studio's configuration), a :class:`~.session.Session`, a
            :class:`~.client.TrackingClient` or a tracking URI.
        artifact_bucket: Ignored, with a warning: run files go to the studio's artifact
            store under ``runs/<trial component>/``.
        artifact_prefix: Ignored, with a warning (as ``artifact_bucket``).

    Raises:
        ValidationError: A bad name or tag, naming the argument.
        StoreUnavailableError: The studio or its store cannot be reached.
    """

    def __init__(
        self,
        experiment_name: str,
        run_name: str | None = None,
        experiment_display_name: str | None = None,
        run_display_name: str | None = None,
        tags: list[dict[str, str]] | Mapping[str, str] | None = None,
        sagemaker_session: Any = None,
        artifact_bucket: str | None = None,
        artifact_prefix: str | None = None,
    ) -> None:
        if artifact_bucket is not None or artifact_prefix is not None:
            warnings.warn(
                "artifact_bucket and artifact_prefix are ignored: run files go to the studio's "
                "artifact store under runs/<trial component>/",
                stacklevel=2,
            )
        validate_name(experiment_name, field="experiment_name", max_length=TRIAL_COMPONENT_NAME_MAX)
        run_name = run_name if run_name is not None else _generate_run_name()
        validate_name(run_name, field="run_name", max_length=TRIAL_COMPONENT_NAME_MAX)
        component_name = trial_component_name_of(experiment_name, run_name)
        tag_map = validate_tags(tags, field="tags")
        client = resolve_client(sagemaker_session)
        client.get_or_create_experiment(
            experiment_name, display_name=experiment_display_name, tags=tag_map or None
        )
        group = RUN_GROUP_TEMPLATE.format(experiment_name)
        client.get_or_create_trial(group, experiment_name, tags=tag_map or None)
        component = client.get_or_create_trial_component(
            component_name,
            trial_name=group,
            display_name=run_display_name,
            tags={**tag_map, RUN_SOURCE_TAG[0]: RUN_SOURCE_TAG[1]},
        )
        self._attach(client, experiment_name, run_name, component)

    @classmethod
    def _existing(
        cls, client: TrackingClient, experiment_name: str, run_name: str, component: TrialComponent
    ) -> Run:
        run = cls.__new__(cls)
        run._attach(client, experiment_name, run_name, component)
        return run

    def _attach(
        self,
        client: TrackingClient,
        experiment_name: str,
        run_name: str,
        component: TrialComponent,
    ) -> None:
        self._client = client
        self.experiment_name = experiment_name
        self.run_name = run_name
        self.run_group_name = RUN_GROUP_TEMPLATE.format(experiment_name)
        self.trial_component_name = component.trial_component_name
        self._trial_component = component

    def __repr__(self) -> str:
        return f"Run(experiment_name={self.experiment_name!r}, run_name={self.run_name!r})"

    # -- context --------------------------------------------------------------------

    def __enter__(self) -> Run:
        changes: dict[str, Any] = {
            "status": TrialComponentPrimaryStatus.IN_PROGRESS,
            "status_message": None,
            "end_time": None,
        }
        if self._trial_component.start_time is None:
            changes["start_time"] = utcnow()
        self._trial_component = self._client.update_trial_component(
            self.trial_component_name, **changes
        )
        _run_stack().append(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        stack = _run_stack()
        if self in stack:
            stack.remove(self)
        flush_error: StudioError | None = None
        try:
            self._client.flush()
        except StudioError as error:  # still close the run, then report it
            flush_error = error
        failure = exc if exc is not None else flush_error
        if failure is None:
            status, message = TrialComponentPrimaryStatus.COMPLETED, None
        else:
            status = TrialComponentPrimaryStatus.FAILED
            message = (str(failure) or type(failure).__name__)[:_MESSAGE_MAX]
        self._trial_component = self._client.update_trial_component(
            self.trial_component_name, status=status, status_message=message, end_time=utcnow()
        )
        if flush_error is not None:
            raise flush_error

    def flush(self) -> None:
        """Write the metric points logged so far.

        Raises:
            StudioError: A background write failed since the last flush (the run was
                deleted: NotFoundError; the store cannot be reached:
                StoreUnavailableError, the points kept for the next try).
        """
        self._client.flush()

    def close(self) -> None:
        """Write what is pending (SageMaker's name for :meth:`flush`).

        Raises:
            StudioError: As :meth:`flush`.
        """
        self.flush()

    # -- parameters and metrics -------------------------------------------------------

    def log_parameter(self, name: str, value: Any) -> None:
        """Record one parameter, replacing an earlier value.

        Args:
            name: The parameter's name.
            value: A number (stored as a float) or a string; a bool becomes ``"True"`` or
                ``"False"``.

        Raises:
            ValidationError: NaN, infinity or another type (``field="Parameters.<name>"``).
        """
        self.log_parameters({name: value})

    def log_parameters(self, parameters: Mapping[str, Any]) -> None:
        """Record parameters, replacing earlier values of the same names.

        Args:
            parameters: Values by name, as :meth:`log_parameter` takes them.

        Raises:
            ValidationError: A bad value (``field="Parameters.<name>"``).
        """
        self._trial_component = self._client.log_parameters(self.trial_component_name, parameters)

    def log_metric(
        self,
        name: str,
        value: float,
        step: int | None = None,
        timestamp: datetime | float | None = None,
    ) -> None:
        """Record one point of a metric. Buffered: written within about a second.

        Args:
            name: The metric's name, 1 to 255 characters.
            value: A real number (``int``, ``float``, numpy scalars); not NaN or infinity.
            step: An integer ≥ 0 (the x of charts); None counts the point by its order.
            timestamp: A datetime (naive means UTC) or seconds since the epoch; default now.

        Raises:
            ValidationError: A bad point, at once (``MetricName``, ``Value``, ``Step`` or
                ``Timestamp``), never later at flush time.
        """
        self._client.log_metric(self.trial_component_name, name, value, step, timestamp)

    def get_metric_series(self, name: str, *, as_dataframe: bool = False) -> Any:
        """Every point of one metric of this run, by step (pending points written first).

        Args:
            name: The metric.
            as_dataframe: Return a pandas DataFrame instead of a list.

        Returns:
            ``MetricPoint`` items, or a DataFrame with the columns ``MetricName``,
            ``Step``, ``Value`` and ``Timestamp``.
        """
        return self._client.get_metric_series(
            self.trial_component_name, name, as_dataframe=as_dataframe
        )

    # -- artifacts ------------------------------------------------------------------

    def log_artifact(
        self, name: str, value: str, media_type: str | None = None, is_output: bool = True
    ) -> None:
        """Record an artifact by value (nothing is uploaded).

        Args:
            name: The artifact's name (a later one of the same name replaces it).
            value: A URI, a path or a short string.
            media_type: Its media type.
            is_output: An output of the run (else an input).
        """
        artifact = TrialComponentArtifact(value=value, media_type=media_type)
        key = "output_artifacts" if is_output else "input_artifacts"
        self._trial_component = self._client.update_trial_component(
            self.trial_component_name, **{key: {name: artifact}}
        )

    def log_file(
        self,
        file_path: str | os.PathLike[str],
        name: str | None = None,
        media_type: str | None = None,
        is_output: bool = True,
    ) -> None:
        """Upload a local file into the run's folder and record it as an artifact.

        Args:
            file_path: The file.
            name: The artifact's name; default the file's name.
            media_type: Default guessed from the file's name.
            is_output: An output of the run (else an input).

        Raises:
            ValidationError: ``file_path`` is not an existing file.
        """
        path = os.fspath(file_path)
        if not os.path.isfile(path):
            raise ValidationError(f"{path!r} is not an existing file", field="file_path")
        file_name = os.path.basename(path)
        media_type = media_type or mimetypes.guess_type(file_name)[0]
        with open(path, "rb") as handle:
            uri = self._client.upload_run_file(
                self.trial_component_name, file_name, handle.read(), media_type
            )
        self.log_artifact(name or file_name, uri, media_type, is_output)

    def log_confusion_matrix(
        self, y_true: Any, y_pred: Any, title: str | None = None, is_output: bool = True
    ) -> None:
        """Upload a confusion matrix as a chart of the run (SageMaker's JSON fields).

        Args:
            y_true: The true labels.
            y_pred: The predicted labels.
            title: The chart's title, also its artifact and file name (default
                ``ConfusionMatrix-<hex>``).
            is_output: An output of the run (else an input).
        """
        self._log_chart(curves.confusion_matrix(y_true, y_pred, title), title, is_output)

    def log_roc_curve(
        self, y_true: Any, y_score: Any, title: str | None = None, is_output: bool = True
    ) -> None:
        """Upload a ROC curve (with its area) as a chart of the run.

        Args:
            y_true: The true binary labels.
            y_score: The scores of the positive class.
            title: The chart's title, also its artifact and file name (default
                ``ROCCurve-<hex>``).
            is_output: An output of the run (else an input).
        """
        self._log_chart(curves.roc_curve(y_true, y_score, title), title, is_output)

    def log_precision_recall(
        self,
        y_true: Any,
        predicted_probabilities: Any,
        positive_label: Any = None,
        title: str | None = None,
        is_output: bool = True,
        no_skill: Any = None,
    ) -> None:
        """Upload a precision-recall curve (with its average precision) as a chart.

        Args:
            y_true: The true labels.
            predicted_probabilities: The predicted probabilities of ``positive_label``.
            positive_label: The positive class; default 1 (labels 0/1 or -1/1).
            title: The chart's title, also its artifact and file name (default
                ``PrecisionRecallCurve-<hex>``).
            is_output: An output of the run (else an input).
            no_skill: The no-skill line of the chart, recorded as given.
        """
        data = curves.precision_recall(
            y_true, predicted_probabilities, positive_label, title, no_skill
        )
        self._log_chart(data, title, is_output)

    def _log_chart(self, data: dict[str, Any], title: str | None, is_output: bool) -> None:
        name = title or f"{data['type']}-{secrets.token_hex(4)}"
        payload = json.dumps(data).encode()
        uri = self._client.upload_run_file(
            self.trial_component_name, f"{_safe_file_name(name)}.json", payload, "application/json"
        )
        self.log_artifact(name, uri, "application/json", is_output)


def load_run(
    run_name: str | None = None,
    experiment_name: str | None = None,
    sagemaker_session: Any = None,
) -> Run:
    """An existing run.

    Args:
        run_name: The run's name; None: the job's run named by ``MLSTUDIO_EXPERIMENT_NAME``
            and ``MLSTUDIO_RUN_NAME`` (with ``MLSTUDIO_TRACKING_URI``), else the run of the
            innermost ``with Run(...)`` block of this thread.
        experiment_name: The run's experiment (needed with ``run_name``).
        sagemaker_session: As for :class:`Run`.

    Returns:
        The run; use it as a context manager to mark it InProgress and then Completed.

    Raises:
        ValidationError: ``run_name`` without ``experiment_name``.
        NotFoundError: No such run, or nothing names one.
    """
    if run_name is not None and experiment_name is None:
        raise ValidationError("experiment_name is needed with run_name", field="experiment_name")
    if run_name is None:
        env_experiment = os.environ.get(ENV_EXPERIMENT_NAME)
        env_run = os.environ.get(ENV_RUN_NAME)
        if env_experiment and env_run:
            experiment_name, run_name = env_experiment, env_run
        else:
            run = current_run()
            if run is not None:
                return run
            raise NotFoundError(
                "no run to load: give run_name and experiment_name, set "
                f"{ENV_EXPERIMENT_NAME} and {ENV_RUN_NAME}, or call inside a `with Run(...)` "
                "block"
            )
    assert experiment_name is not None
    client = resolve_client(sagemaker_session)
    name = trial_component_name_of(experiment_name, run_name)
    try:
        component = client.get_trial_component(name)
    except NotFoundError:
        raise NotFoundError(
            f"run {run_name!r} of experiment {experiment_name!r} does not exist", field="run_name"
        ) from None
    return Run._existing(client, experiment_name, run_name, component)


def list_runs(
    experiment_name: str,
    created_before: datetime | None = None,
    created_after: datetime | None = None,
    sagemaker_session: Any = None,
    max_results: int | None = None,
    next_token: str | None = None,
    sort_by: str = "CreationTime",
    sort_order: str = "Descending",
) -> list[Run]:
    """The runs of an experiment, newest first by default.

    Args:
        experiment_name: The experiment.
        created_before: Only runs created before (naive means UTC).
        created_after: Only runs created after (naive means UTC).
        sagemaker_session: As for :class:`Run`.
        max_results: At most this many (after sorting); default all.
        next_token: Accepted for SageMaker compatibility and ignored (every run is
            considered, then ``max_results`` kept).
        sort_by: ``CreationTime`` or ``Name``.
        sort_order: ``Ascending`` or ``Descending``.

    Returns:
        The runs (the trial components of the experiment, jobs' runs included).

    Raises:
        ValidationError: A bad argument, naming it.
        NotFoundError: No such experiment.
    """
    if sort_by not in ("CreationTime", "Name"):
        raise ValidationError("sort_by must be CreationTime or Name", field="sort_by")
    if sort_order not in ("Ascending", "Descending"):
        raise ValidationError("sort_order must be Ascending or Descending", field="sort_order")
    if max_results is not None and max_results < 1:
        raise ValidationError("max_results must be at least 1", field="max_results")
    client = resolve_client(sagemaker_session)
    client.get_experiment(experiment_name)  # NotFoundError for an unknown experiment
    before = validate_time(created_before, field="created_before")
    after = validate_time(created_after, field="created_after")
    found = [
        c
        for c in client.iter_trial_components(experiment_name=experiment_name)
        if (before is None or c.creation_time < before)
        and (after is None or c.creation_time > after)
    ]
    descending = sort_order == "Descending"
    if sort_by == "Name":
        found.sort(key=lambda c: c.trial_component_name, reverse=descending)
    else:
        found.sort(key=lambda c: c.creation_time, reverse=descending)
    if max_results is not None:
        found = found[:max_results]
    prefix = f"{experiment_name}{DELIMITER}"
    return [
        Run._existing(client, experiment_name, c.trial_component_name.removeprefix(prefix), c)
        for c in found
    ]
