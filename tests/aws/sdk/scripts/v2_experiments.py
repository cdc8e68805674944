"""The SageMaker Python SDK v2's experiment tracking, as a user writes it: parameters and
metrics logged inside ``with Run(...)``, then the experiment read back as a DataFrame by
``ExperimentAnalytics``. Prints what the test checks on a line ``RESULT <json>``.

Usage: python v2_experiments.py EXPERIMENT_NAME
"""

from __future__ import annotations

import json
import sys

import sagemaker
from sagemaker.analytics import ExperimentAnalytics
from sagemaker.experiments.run import Run


def main(experiment: str) -> None:
    session = sagemaker.Session()
    with Run(experiment_name=experiment, run_name="run-1", sagemaker_session=session) as run:
        run.log_parameter("learning_rate", 0.1)
        run.log_parameters({"max_depth": 3, "criterion": "gini"})
        for step, loss in enumerate([0.9, 0.5, 0.3]):
            run.log_metric(name="loss", value=loss, step=step)
        run_name = run.run_name
    frame = ExperimentAnalytics(experiment_name=experiment, sagemaker_session=session).dataframe()
    print(
        "\nRESULT",
        json.dumps(
            {"run_name": run_name, "rows": frame.to_dict(orient="records")},
            default=str,
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1])
