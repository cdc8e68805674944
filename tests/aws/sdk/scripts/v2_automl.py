"""The SageMaker Python SDK v2's Autopilot flow, as SageMaker's sample notebooks write it:
``AutoML(...).fit()`` on a local CSV (the SDK uploads it), the job described while it runs,
the best candidate and the leaderboard, ``create_model`` / ``deploy`` with
``inference_response_keys``, predictions on raw rows, a batch transform, ``AutoML.attach``.
Prints what the test checks on a line ``RESULT <json>``.

Usage: python v2_automl.py BASE_NAME TABLE.csv
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time

import sagemaker
from sagemaker.automl.automl import AutoML
from sagemaker.deserializers import CSVDeserializer
from sagemaker.predictor import Predictor
from sagemaker.serializers import CSVSerializer

ROLE = "arn:aws:iam::000000000000:role/SageMakerRole"
TARGET = "churned"


def main(base_name: str, table: str) -> None:
    session = sagemaker.Session()
    bucket = session.default_bucket()
    with open(table, newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    train, held_out = body[:-5], body[-5:]
    train_file = f"{table}.train.csv"
    with open(train_file, "w", newline="") as out:
        csv.writer(out).writerows([header, *train])
    target = header.index(TARGET)
    features = [[v for i, v in enumerate(row) if i != target] for row in held_out]

    automl = AutoML(
        role=ROLE,
        target_attribute_name=TARGET,
        sagemaker_session=session,
        max_candidates=4,
        mode="HYPERPARAMETER_TUNING",
    )
    job_name = f"{base_name}-job"
    automl.fit(train_file, job_name=job_name, wait=False, logs=False)
    seen = []
    while True:  # the samples' polling loop
        described = automl.describe_auto_ml_job()
        status = described["AutoMLJobStatus"]
        secondary = described["AutoMLJobSecondaryStatus"]
        if not seen or seen[-1] != secondary:
            seen.append(secondary)
        if status in ("Completed", "Failed", "Stopped"):
            break
        time.sleep(1)
    best = automl.best_candidate()
    leaderboard = automl.list_candidates(
        sort_by="FinalObjectiveMetricValue", sort_order="Descending", max_results=10
    )
    keys = ["predicted_label", "probability"]
    predictor = automl.deploy(
        initial_instance_count=1,
        instance_type="ml.m5.xlarge",
        candidate=best,
        endpoint_name=f"{base_name}-ep",
        inference_response_keys=keys,
        predictor_cls=Predictor,
        serializer=CSVSerializer(),
        deserializer=CSVDeserializer(),
    )
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(features)
    answers = predictor.predict(text.getvalue())

    model = automl.create_model(
        name=f"{base_name}-batch", candidate=best, inference_response_keys=["predicted_label"]
    )
    data_uri = f"s3://{bucket}/{base_name}/batch/rows.csv"
    sagemaker.s3.S3Uploader.upload_string_as_file_body(
        text.getvalue(), data_uri, sagemaker_session=session
    )
    output = f"s3://{bucket}/{base_name}/batch-out"
    transformer = model.transformer(
        instance_count=1, instance_type="ml.m5.xlarge", assemble_with="Line", output_path=output
    )
    transformer.transform(data_uri, content_type="text/csv", split_type="Line", wait=True)
    written = sagemaker.s3.S3Downloader.read_file(f"{output}/rows.csv.out", session)
    attached = AutoML.attach(job_name, sagemaker_session=session)

    predictor.delete_model()
    predictor.delete_endpoint()
    model.delete_model()
    print(
        "\nRESULT",
        json.dumps(
            {
                "job_name": job_name,
                "status": described["AutoMLJobStatus"],
                "secondary": seen,
                "best": best["CandidateName"],
                "objective": best["FinalAutoMLJobObjectiveMetric"],
                "leaderboard": [
                    [c["CandidateName"], c["FinalAutoMLJobObjectiveMetric"]["Value"]]
                    for c in leaderboard
                ],
                "notebooks": described["AutoMLJobArtifacts"],
                "features": features,
                "answers": answers,
                "batch": written.split(),
                "attached_best": attached.best_candidate()["CandidateName"],
                "attached_target": attached.target_attribute_name,
                "endpoint_name": f"{base_name}-ep",
            }
        ),
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
