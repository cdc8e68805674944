"""Lineage walks over records written directly to the store (no runtime): a transform
job's model, a tuning job and its best training job, and jobs that read each other's
outputs (no cycle: a job is produced only by jobs created before it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlstudio.entities import ContainerDefinition, Job, JobKind, JobStatus, utcnow
from jupyter_mlstudio.entities.registry import package_arn
from jupyter_mlstudio.services.jobs.tuning.summaries import TUNING_TAG
from jupyter_mlstudio.services.lineage.service import LineageService
from jupyter_mlstudio.store import open_store
from jupyter_mlstudio.store.base import MetadataStore

from .test_lineage import by_type, edges

START = utcnow()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MetadataStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'records.db'}")
    yield opened
    opened.close()


def job(store: MetadataStore, name: str, kind: JobKind, minute: int, **fields: Any) -> Job:
    when = START + timedelta(minutes=minute)
    return store.create_job(
        Job(
            job_name=name,
            kind=kind,
            status=JobStatus.COMPLETED,
            creation_time=when,
            last_modified_time=when,
            **fields,
        )
    )


def channel(uri: str) -> dict[str, Any]:
    return {"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": uri}}}


def test_tuning_and_transform(store: MetadataStore) -> None:
    model_data = "s3://bucket/tune/best/model.tar.gz"
    job(store, "tune", JobKind.TUNING, 0, outputs={"BestTrainingJob": {"TrainingJobName": "best"}})
    job(
        store,
        "best",
        JobKind.TRAINING,
        1,
        spec={"InputDataConfig": [channel("s3://bucket/data/")]},
        outputs={"ModelArtifacts": {"S3ModelArtifacts": model_data}},
        tags={TUNING_TAG: "tune"},
    )
    store.create_model("scorer", ContainerDefinition(image="byoc:1", model_data_url=model_data))
    job(
        store,
        "score",
        JobKind.TRANSFORM,
        2,
        spec={
            "ModelName": "scorer",
            "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3://bucket/new"}}},
        },
        outputs={"TransformOutput": {"S3OutputPath": "s3://bucket/scored"}},
    )
    service = LineageService(store)
    answer = service.lineage(arn="arn:mlstudio:sagemaker:local:transform-job/score")
    assert [(e["Type"], e["Name"]) for e in answer["Entities"]] == [
        ("TransformJob", "score"),
        ("Artifact", "s3://bucket/new"),
        ("Model", "scorer"),
        ("Artifact", model_data),
        ("TrainingJob", "best"),
        ("HyperParameterTuningJob", "tune"),
        ("Artifact", "s3://bucket/data"),  # no trailing slash: one spelling per place
    ]
    assert {
        ("Model:scorer", "ContributedTo", "TransformJob:score"),
        ("HyperParameterTuningJob:tune", "AssociatedWith", "TrainingJob:best"),
    } <= edges(answer)
    # a tuning job's lineage goes to its best training job
    tuned = service.lineage(arn="arn:mlstudio:sagemaker:local:hyper-parameter-tuning-job/tune")
    assert [e["Name"] for e in tuned["Entities"][:2]] == ["tune", "best"]
    assert "TrainingJob" in by_type(tuned)


def test_jobs_reading_each_others_outputs_make_no_cycle(store: MetadataStore) -> None:
    def processing(name: str, minute: int, read: str, write: str) -> None:
        job(
            store,
            name,
            JobKind.PROCESSING,
            minute,
            spec={"ProcessingInputs": [{"InputName": "in", "S3Input": {"S3Uri": read}}]},
            outputs={"ProcessingOutputs": [{"OutputName": "out", "S3Uri": write}]},
        )

    processing("first", 0, "s3://b/y", "s3://b/x")
    processing("second", 1, "s3://b/x", "s3://b/y")  # reads first's, writes what first read
    processing("third", 2, "s3://b/y/part", "s3://b/z")
    answer = LineageService(store).lineage(arn="arn:mlstudio:sagemaker:local:processing-job/third")
    assert [(e["Type"], e["Name"]) for e in answer["Entities"]] == [
        ("ProcessingJob", "third"),
        ("Artifact", "s3://b/y/part"),
        ("ProcessingJob", "second"),  # wrote the folder the input lies in
        ("Artifact", "s3://b/x"),
        ("ProcessingJob", "first"),
        ("Artifact", "s3://b/y"),  # first read it before second wrote it: no producer
    ]
    assert answer["Truncated"] is False


def test_a_model_made_from_a_version_names_that_version_only(store: MetadataStore) -> None:
    """Two versions of one model data: the model made from the second (ModelPackageName)
    derives from it alone; a model made from the model data directly matches both."""
    model_data = "file:///models/churn/model.tar.gz"
    spec = {"InferenceSpecification": {"Containers": [{"ModelDataUrl": model_data}]}}
    store.create_model_package_group("churn")
    store.create_model_package("churn", spec=spec)
    second = store.create_model_package("churn", spec=spec)
    named = package_arn("churn", second.model_package_version)
    store.create_model(
        "from-version",
        ContainerDefinition(model_data_url=model_data, model_package_name=named),
    )
    store.create_model("from-data", ContainerDefinition(model_data_url=model_data))
    service = LineageService(store)

    exact = by_type(service.lineage(model_name="from-version"))
    assert [p["Name"] for p in exact["ModelPackage"]] == ["churn/2"]
    assert ("ModelPackage:churn/2", "DerivedFrom", "Model:from-version") in edges(
        service.lineage(model_name="from-version")
    )
    matched = by_type(service.lineage(model_name="from-data"))
    assert sorted(p["Name"] for p in matched["ModelPackage"]) == ["churn/1", "churn/2"]

    store.create_model(
        "from-gone",
        ContainerDefinition(model_package_name=package_arn("churn", 9)),
    )
    gone = by_type(service.lineage(model_name="from-gone"))["ModelPackage"]
    assert [(p["Name"], p["Details"]) for p in gone] == [("churn/9", {"Deleted": "true"})]
