"""The SageMaker Python SDK v2's Model Monitor flow, as SageMaker's sample notebooks write
it: train an ``SKLearn`` model, ``deploy`` it with a ``DataCaptureConfig``, send CSV
traffic (shifted from the training data), ``DefaultModelMonitor.suggest_baseline`` over
the training features, a one-time schedule (``CronExpressionGenerator.now()`` with
``data_analysis_start_time="-PT1H"``), its execution's ``wait()`` and
``constraint_violations()``. Prints what the test checks on a line ``RESULT <json>``.

Usage: python v2_model_monitor.py BASE_NAME
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sagemaker
from sagemaker.model_monitor import (
    CronExpressionGenerator,
    DataCaptureConfig,
    DefaultModelMonitor,
)
from sagemaker.model_monitor.dataset_format import DatasetFormat
from sagemaker.serializers import CSVSerializer
from sagemaker.sklearn import SKLearn

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
HERE = Path(__file__).resolve().parent
#: how long the script waits for the schedule's first execution to be listed
EXECUTION_TIMEOUT_S = 120


def rows() -> np.ndarray:
    """label, x0, x1: the label is 1 where x0 > x1."""
    rng = np.random.default_rng(0)
    features = rng.uniform(0, 10, size=(200, 2))
    labels = (features[:, 0] > features[:, 1]).astype(float)
    return np.column_stack([labels, features])


def main(base_name: str) -> None:
    session = sagemaker.Session()
    bucket = session.default_bucket()
    data = rows()
    with tempfile.TemporaryDirectory() as folder:
        np.savetxt(Path(folder) / "train.csv", data, delimiter=",")
        train_uri = session.upload_data(folder, bucket=bucket, key_prefix=f"{base_name}/train")
    with tempfile.TemporaryDirectory() as folder:
        # the baseline: the features the endpoint receives, with a header
        np.savetxt(
            Path(folder) / "baseline.csv",
            data[:, 1:],
            delimiter=",",
            header="x0,x1",
            comments="",
        )
        baseline_uri = session.upload_data(
            str(Path(folder) / "baseline.csv"), bucket=bucket, key_prefix=f"{base_name}/baseline"
        )

    estimator = SKLearn(
        entry_point="train.py",
        source_dir=str(HERE / "sklearn_source"),
        framework_version="1.2-1",
        py_version="py3",
        instance_type="ml.m5.large",
        instance_count=1,
        role=ROLE,
        base_job_name=base_name,
        sagemaker_session=session,
    )
    estimator.fit({"train": train_uri}, logs=False)

    capture_uri = f"s3://{bucket}/{base_name}/data-capture"
    predictor = estimator.deploy(
        initial_instance_count=1,
        instance_type="ml.m5.large",
        serializer=CSVSerializer(),
        data_capture_config=DataCaptureConfig(
            enable_capture=True, sampling_percentage=100, destination_s3_uri=capture_uri
        ),
    )
    # shifted traffic: x0 far above anything the model was trained on
    shifted = data[:50, 1:].copy()
    shifted[:, 0] += 100.0
    for row in shifted:
        predictor.predict(row)

    monitor = DefaultModelMonitor(
        role=ROLE,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        volume_size_in_gb=20,
        max_runtime_in_seconds=1800,
        sagemaker_session=session,
    )
    monitor.suggest_baseline(
        baseline_dataset=baseline_uri,
        dataset_format=DatasetFormat.csv(header=True),
        output_s3_uri=f"s3://{bucket}/{base_name}/baseline-results",
        wait=True,
        logs=False,
    )
    statistics = monitor.baseline_statistics()
    constraints = monitor.suggested_constraints()

    schedule_name = f"{base_name}-schedule"
    monitor.create_monitoring_schedule(
        monitor_schedule_name=schedule_name,
        endpoint_input=predictor.endpoint_name,
        output_s3_uri=f"s3://{bucket}/{base_name}/reports",
        statistics=statistics,
        constraints=constraints,
        schedule_cron_expression=CronExpressionGenerator.now(),
        data_analysis_start_time="-PT1H",
        data_analysis_end_time="-PT0H",
    )
    described = monitor.describe_schedule()
    deadline = time.monotonic() + EXECUTION_TIMEOUT_S
    executions = monitor.list_executions()
    while not executions and time.monotonic() < deadline:
        time.sleep(1)
        executions = monitor.list_executions()
    execution = executions[-1]
    execution.wait(logs=False)
    job = execution.describe()
    violations = execution.constraint_violations()
    listed = session.sagemaker_client.list_monitoring_executions(
        MonitoringScheduleName=schedule_name
    )["MonitoringExecutionSummaries"]

    monitor.stop_monitoring_schedule()
    stopped = monitor.describe_schedule()["MonitoringScheduleStatus"]
    job_definition = monitor.job_definition_name
    monitor.delete_monitoring_schedule()  # and the job definition it made
    definitions_left = session.sagemaker_client.list_data_quality_job_definitions(
        EndpointName=predictor.endpoint_name
    )["JobDefinitionSummaries"]
    predictor.delete_model()
    predictor.delete_endpoint()
    print(
        "\nRESULT",
        json.dumps(
            {
                "endpoint_name": predictor.endpoint_name,
                "schedule_name": schedule_name,
                "schedule_arn": described["MonitoringScheduleArn"],
                "schedule_config": described["MonitoringScheduleConfig"],
                "schedule_status": described["MonitoringScheduleStatus"],
                "stopped_status": stopped,
                "job_definition": job_definition,
                "definitions_left": definitions_left,
                "baseline_item_count": statistics.body_dict["dataset"]["item_count"],
                "baseline_features": [f["name"] for f in statistics.body_dict["features"]],
                "execution_job": execution.job_name,
                "execution_status": job["ProcessingJobStatus"],
                "execution_output": execution.output.destination,
                "listed_status": listed[0]["MonitoringExecutionStatus"],
                "violations": violations.body_dict["violations"],
            },
            default=str,
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1])
