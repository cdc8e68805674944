"""The SageMaker Python SDK v3's experiment runs (``sagemaker.core.experiments``), as a
user writes them: a ``Run`` that logs parameters, metrics (the sagemaker-metrics client)
and a file (uploaded to the default bucket), then ``load_run`` and ``list_runs``. Prints
what the test checks as JSON on a line starting with ``RESULT``.

Usage: python v3_run.py BASE_NAME
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import boto3
from sagemaker.core.experiments.run import Run, list_runs, load_run

RESULT = "RESULT"


def main(base_name: str) -> None:
    experiment = f"{base_name}-exp"
    with Run(experiment_name=experiment, run_name="run-1") as run:
        run.log_parameter("learning_rate", 0.1)
        run.log_parameters({"optimizer": "adam", "epochs": 3})
        for step, loss in enumerate([0.9, 0.5, 0.25]):
            run.log_metric(name="loss", value=loss, step=step)
        with tempfile.TemporaryDirectory() as folder:
            notes = Path(folder) / "notes.txt"
            notes.write_text("a note\n")
            run.log_file(str(notes), name="notes", is_output=True)
    with load_run(experiment_name=experiment, run_name="run-1") as loaded:
        loaded_name = loaded.run_name
        component = loaded._trial_component.trial_component_name
        notes_uri = loaded._trial_component.output_artifacts["notes"].value
    runs = list_runs(experiment_name=experiment)
    where = urlparse(notes_uri)
    notes_body = boto3.client("s3").get_object(Bucket=where.netloc, Key=where.path[1:])["Body"]
    result = {
        "experiment": experiment,
        "run": loaded_name,
        "trial_component": component,
        "listed": [r.run_name for r in runs],
        "notes_uri": notes_uri,
        "notes": notes_body.read().decode(),
    }
    # a line of its own, as the other scripts print theirs
    print(f"\n{RESULT} {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
