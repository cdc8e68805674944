"""sagemaker-core (the SageMaker Python SDK v3) experiment resources: an ``Experiment``,
a ``Trial`` in it, a ``TrialComponent`` with parameters associated with the trial and
given metrics (``batch_put_metrics``, the sagemaker-metrics client) and read back per
step (``batch_get_metrics``), then ``get``, ``get_all``, ``update`` and ``refresh``.
Prints what the test checks as JSON on a line starting with ``RESULT``.

Usage: python v3_core_experiments.py BASE_NAME
"""

from __future__ import annotations

import datetime
import json
import sys

from sagemaker.core.resources import Experiment, Trial, TrialComponent
from sagemaker.core.shapes import (
    MetricQuery,
    RawMetricData,
    TrialComponentParameterValue,
    TrialComponentStatus,
)
from sagemaker.core.utils.utils import Unassigned

RESULT = "RESULT"


def main(base_name: str) -> None:
    experiment = Experiment.create(
        experiment_name=f"{base_name}-exp", display_name="v3-experiment", description="sdk v3"
    )
    trial = Trial.create(
        trial_name=f"{base_name}-trial", experiment_name=experiment.experiment_name
    )
    component = TrialComponent.create(
        trial_component_name=f"{base_name}-tc",
        display_name="v3-component",
        status=TrialComponentStatus(primary_status="InProgress"),
        parameters={
            "learning_rate": TrialComponentParameterValue(number_value=0.1),
            "optimizer": TrialComponentParameterValue(string_value="adam"),
        },
    )
    component.associate_trail(trial_name=trial.trial_name)
    now = datetime.datetime.now(datetime.timezone.utc)
    component.batch_put_metrics(
        metric_data=[
            # steps from 1: sagemaker-core's serializer drops falsy members, a Step of 0 too
            RawMetricData(metric_name="loss", timestamp=now, step=step, value=1.0 / step)
            for step in range(1, 4)
        ]
    )
    component.update(status=TrialComponentStatus(primary_status="Completed"))
    component.refresh()
    (loss,) = TrialComponent.batch_get_metrics(
        metric_queries=[
            MetricQuery(
                metric_name="loss",
                resource_arn=component.trial_component_arn,
                metric_stat="Last",
                period="IterationNumber",
                x_axis_type="IterationNumber",
            )
        ]
    ).metric_query_results
    fetched = Experiment.get(experiment.experiment_name)
    experiments = [found.experiment_name for found in Experiment.get_all()]
    trials = [
        found.trial_name for found in Trial.get_all(experiment_name=experiment.experiment_name)
    ]
    components = [
        found.trial_component_name for found in TrialComponent.get_all(trial_name=trial.trial_name)
    ]
    result = {
        "experiment": experiment.experiment_name,
        "experiment_arn": fetched.experiment_arn,
        "experiment_display_name": fetched.display_name,
        "trial": trial.trial_name,
        "trial_component": component.trial_component_name,
        "status": component.status.primary_status,
        "parameters": {
            name: value.string_value
            if isinstance(value.number_value, Unassigned)
            else value.number_value
            for name, value in component.parameters.items()
        },
        "experiments": experiments,
        "loss": [loss.status, loss.x_axis_values, loss.metric_values],
        "trials": trials,
        "components": components,
    }
    # a line of its own: rich's wait panels leave the cursor mid-line
    print(f"\n{RESULT} {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
