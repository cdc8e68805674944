"""Chart data for the compare and run views: metric series of many runs, downsampled."""

from __future__ import annotations

from collections.abc import Sequence

from ...entities import ChartSeries
from ...store.base import MetadataStore


class ChartService:
    def __init__(self, store: MetadataStore) -> None:
        self._store = store

    def metric_chart(
        self,
        metric_name: str,
        *,
        trial_component_names: Sequence[str] = (),
        experiment_name: str | None = None,
        max_points: int = 500,
    ) -> list[ChartSeries]:
        """The series of the selected runs that logged ``metric_name``, in selection order
        (named runs first, then the experiment's runs by name)."""
        chart = self._store.get_metric_chart(
            trial_component_names,
            metric_name,
            experiment_name=experiment_name,
            max_points=max_points,
        )
        return list(chart.values())

    def metric_names(
        self, *, trial_component_names: Sequence[str] = (), experiment_name: str | None = None
    ) -> list[str]:
        return self._store.list_metric_names(trial_component_names, experiment_name=experiment_name)
