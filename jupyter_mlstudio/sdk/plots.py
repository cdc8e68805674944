"""Plotly charts of tracked runs, for notebooks.

``plot_metric("churn", "loss")`` draws one line per run of the experiment, metric against
step. It returns a ``plotly.graph_objects.FigureWidget`` (live in JupyterLab through
ipywidgets) or, with ``widget=False``, a plain ``Figure``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..exceptions import NotFoundError, ValidationError
from .client import TrackingClient, resolve_client


def smooth(values: Sequence[float], weight: float) -> list[float]:
    """Exponential moving average with bias correction (``weight`` in [0, 1))."""
    if not 0 <= weight < 1:
        raise ValidationError("smoothing must be in [0, 1)", field="smoothing")
    if weight == 0:
        return list(values)
    out: list[float] = []
    last = 0.0
    for i, value in enumerate(values, start=1):
        last = last * weight + (1 - weight) * value
        out.append(last / (1 - weight**i))
    return out


def metric_traces(
    experiment_name: str,
    metric_name: str,
    *,
    runs: Sequence[str] | None = None,
    smoothing: float = 0.0,
    max_runs: int = 100,
    client: TrackingClient | None = None,
) -> list[dict[str, Any]]:
    """One ``{"name", "x", "y"}`` per run that logged ``metric_name`` (steps on x)."""
    tracker = client or resolve_client()
    wanted = set(runs) if runs else None
    traces: list[dict[str, Any]] = []
    for component in tracker.iter_trial_components(experiment_name=experiment_name):
        label = component.display_name or component.trial_component_name
        if wanted is not None and not (
            {component.trial_component_name, label} & wanted
            or component.trial_component_name.removeprefix(f"{experiment_name}-") in wanted
        ):
            continue
        if not any(m.metric_name == metric_name for m in component.metrics):
            continue
        points = tracker.get_metric_series(component.trial_component_name, metric_name)
        x = [p.step if p.step is not None else i for i, p in enumerate(points)]
        y = smooth([p.value for p in points], smoothing)
        traces.append({"name": label, "x": x, "y": y})
        if len(traces) >= max_runs:
            break
    if not traces:
        raise NotFoundError(
            f"no run of experiment {experiment_name!r} logged the metric {metric_name!r}",
            field="metric_name",
        )
    return traces


def plot_metric(
    experiment_name: str,
    metric_name: str,
    *,
    runs: Sequence[str] | None = None,
    log_y: bool = False,
    smoothing: float = 0.0,
    max_runs: int = 100,
    widget: bool = True,
    client: TrackingClient | None = None,
) -> Any:
    """A line chart of a metric against step, one line per run of an experiment.

    Args:
        experiment_name: The experiment.
        metric_name: The metric.
        runs: Only these runs (by run name, trial component name or display name);
            default every run that logged the metric.
        log_y: A logarithmic y axis.
        smoothing: Exponential moving average weight, in [0, 1) (0: none).
        max_runs: At most this many lines.
        widget: Return a ``plotly.graph_objects.FigureWidget`` (live in JupyterLab);
            False: a plain ``Figure``.
        client: The tracking client; default the process's default one.

    Returns:
        The plotly figure.

    Raises:
        NotFoundError: No run of the experiment logged the metric.
        ValidationError: ``smoothing`` outside [0, 1).
    """
    import plotly.graph_objects as go

    traces = metric_traces(
        experiment_name,
        metric_name,
        runs=runs,
        smoothing=smoothing,
        max_runs=max_runs,
        client=client,
    )
    figure_class = go.FigureWidget if widget else go.Figure
    figure = figure_class(
        data=[go.Scatter(x=t["x"], y=t["y"], name=t["name"], mode="lines") for t in traces]
    )
    title = f"{metric_name} — {experiment_name}"
    if smoothing:
        title += f" (smoothing {smoothing:g})"
    figure.update_layout(
        title=title,
        xaxis_title="step",
        yaxis_title=metric_name,
        yaxis_type="log" if log_y else "linear",
        legend_title="run",
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
    )
    return figure
