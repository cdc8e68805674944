"""The jobs, models and endpoints part of the metadata store contract.

:class:`JobsEndpointsContract` is part of ``StoreContract`` (see store_contract.py) and
needs a ``store`` fixture yielding a fresh, empty
:class:`~jupyter_mlstudio.store.base.MetadataStore`: a TrackingStore alone has none of
these records.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from ..entities import (
    ContainerDefinition,
    DesiredVariant,
    EndpointStatus,
    Job,
    JobKind,
    JobStatus,
    ProductionVariant,
    SecondaryStatus,
    utcnow,
)
from ..exceptions import ConflictError, NotFoundError, ValidationError
from ..store.base import MetadataStore, TaggedKind
from .store_contract_monitoring import schedule as monitoring_schedule
from .store_helpers import expect


def make_job(name: str, kind: JobKind = JobKind.TRAINING, **fields: Any) -> Job:
    now = utcnow()
    values: dict[str, Any] = {
        "job_name": name,
        "kind": kind,
        "status": JobStatus.IN_PROGRESS,
        "creation_time": now,
        "last_modified_time": now,
        "spec": {"HyperParameters": {"epochs": "3"}},
    }
    values.update(fields)
    return Job(**values)


def variant(name: str = "AllTraffic", model: str = "model-a") -> ProductionVariant:
    return ProductionVariant(variant_name=name, model_name=model)


class JobsEndpointsContract:
    """Jobs, models, endpoint configs and endpoints."""

    @pytest.mark.parametrize("max_results", [0, -1, 1001, True])
    def test_max_results_range_of_jobs_and_endpoints(
        self, store: MetadataStore, max_results: int
    ) -> None:
        for call in (store.list_jobs, store.list_endpoints):
            with expect(ValidationError, "MaxResults"):
                call(max_results=max_results)

    # -- jobs --------------------------------------------------------------------

    def test_create_and_get_job(self, store: MetadataStore) -> None:
        job = make_job("job-1", tags={"k": "v"}, experiment_name="exp-1")
        created = store.create_job(job)
        assert created.job_name == "job-1"
        assert created.spec == job.spec
        assert created.tags == {"k": "v"}
        assert store.get_job("job-1") == created
        assert store.get_job("job-1", JobKind.TRAINING) == created
        with pytest.raises(NotFoundError):
            store.get_job("job-1", JobKind.PROCESSING)
        with pytest.raises(NotFoundError):
            store.get_job("missing")
        with pytest.raises(ConflictError):
            store.create_job(make_job("job-1", JobKind.PROCESSING))
        with expect(ValidationError, "JobName"):
            store.create_job(make_job("j" * 64))

    def test_list_jobs(self, store: MetadataStore) -> None:
        base = utcnow()
        for i in range(5):
            kind = JobKind.TRAINING if i % 2 == 0 else JobKind.PROCESSING
            store.create_job(make_job(f"job-{i}", kind, creation_time=base + timedelta(seconds=i)))
        store.update_job("job-0", status=JobStatus.COMPLETED)
        names = lambda page: [j.job_name for j in page.items]  # noqa: E731
        assert names(store.list_jobs()) == ["job-4", "job-3", "job-2", "job-1", "job-0"]
        assert names(store.list_jobs(kind=JobKind.PROCESSING)) == ["job-3", "job-1"]
        assert names(store.list_jobs(status=JobStatus.COMPLETED)) == ["job-0"]
        assert names(store.list_jobs(name_contains="JOB-2")) == ["job-2"]
        first = store.list_jobs(max_results=2, sort_order="Ascending")
        second = store.list_jobs(max_results=2, sort_order="Ascending", next_token=first.next_token)
        third = store.list_jobs(max_results=2, sort_order="Ascending", next_token=second.next_token)
        assert names(first) + names(second) + names(third) == [f"job-{i}" for i in range(5)]
        assert third.next_token is None

    def test_update_job_fields(self, store: MetadataStore) -> None:
        store.create_job(make_job("job-1", outputs={"a": 1}))
        start = utcnow()
        job = store.update_job(
            "job-1",
            runtime="process",
            exit_code=0,
            start_time=start,
            outputs={"b": {"nested": [1, 2]}},
        )
        assert job.runtime == "process"
        assert job.exit_code == 0
        assert job.start_time == start
        assert job.outputs == {"a": 1, "b": {"nested": [1, 2]}}
        job = store.update_job("job-1", failure_reason="boom", exit_code=None)
        assert job.failure_reason == "boom"
        assert job.exit_code is None
        assert job.runtime == "process"
        with pytest.raises(NotFoundError):
            store.update_job("missing", status=JobStatus.FAILED)

    @pytest.mark.parametrize("terminal", [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.STOPPED])
    def test_update_job_terminal_status(self, store: MetadataStore, terminal: JobStatus) -> None:
        store.create_job(make_job("job-1"))
        store.update_job("job-1", status=JobStatus.STOPPING)
        store.update_job("job-1", status=terminal)
        for other in JobStatus:
            if other != terminal:
                with pytest.raises(ConflictError):
                    store.update_job("job-1", status=other)
        assert store.get_job("job-1").status == terminal
        # The same status again, and other fields, are still allowed.
        again = store.update_job("job-1", status=terminal, outputs={"model": "file:///m"})
        assert again.outputs == {"model": "file:///m"}

    @pytest.mark.parametrize("ended", [JobStatus.FAILED, JobStatus.STOPPED])
    def test_reopen_job_runs_an_ended_job_again(
        self, store: MetadataStore, ended: JobStatus
    ) -> None:
        store.create_job(make_job("job-1"))
        store.update_job(
            "job-1", status=ended, failure_reason="boom", end_time=utcnow(), outputs={"a": 1}
        )
        job = store.reopen_job("job-1", outputs={"b": 2})
        assert job.status == JobStatus.IN_PROGRESS
        assert job.failure_reason is None
        assert job.end_time is None
        assert job.outputs == {"a": 1, "b": 2}
        assert store.get_job("job-1") == job
        done = store.update_job("job-1", status=JobStatus.COMPLETED)
        assert done.status == JobStatus.COMPLETED  # and it may end again

    def test_reopen_job_refuses_a_running_or_completed_job(self, store: MetadataStore) -> None:
        store.create_job(make_job("job-1"))
        with pytest.raises(ConflictError):
            store.reopen_job("job-1")
        store.update_job("job-1", status=JobStatus.COMPLETED)
        with pytest.raises(ConflictError):
            store.reopen_job("job-1", outputs={"b": 2})
        assert store.get_job("job-1").outputs == {}
        assert store.get_job("job-1").status == JobStatus.COMPLETED
        with pytest.raises(NotFoundError):
            store.reopen_job("missing")

    def test_secondary_status_transitions(self, store: MetadataStore) -> None:
        store.create_job(make_job("job-1"))
        store.update_job("job-1", secondary_status=SecondaryStatus.STARTING, status_message="go")
        store.update_job("job-1", secondary_status=SecondaryStatus.DOWNLOADING)
        store.update_job(
            "job-1", secondary_status=SecondaryStatus.DOWNLOADING, status_message="50%"
        )
        store.update_job("job-1", secondary_status=SecondaryStatus.TRAINING)
        job = store.update_job(
            "job-1", status=JobStatus.COMPLETED, secondary_status=SecondaryStatus.COMPLETED
        )
        transitions = job.secondary_status_transitions
        assert [t.status for t in transitions] == [
            SecondaryStatus.STARTING,
            SecondaryStatus.DOWNLOADING,
            SecondaryStatus.TRAINING,
            SecondaryStatus.COMPLETED,
        ]
        assert transitions[0].status_message == "go"
        assert transitions[1].status_message == "50%"
        for earlier, later in itertools.pairwise(transitions):
            assert earlier.end_time is not None
            assert earlier.end_time == later.start_time
        assert transitions[-1].end_time is not None  # closed by the terminal status
        assert job.secondary_status is SecondaryStatus.COMPLETED
        assert store.get_job("job-1") == job

    # -- endpoints ---------------------------------------------------------------

    def test_endpoint_config(self, store: MetadataStore) -> None:
        config = store.create_endpoint_config(
            "config-1",
            [variant("a", "model-a"), variant("b", "model-b")],
            data_capture_config={"EnableCapture": True},
        )
        assert [v.variant_name for v in config.production_variants] == ["a", "b"]
        assert config.data_capture_config == {"EnableCapture": True}
        assert store.get_endpoint_config("config-1") == config
        with pytest.raises(ConflictError):
            store.create_endpoint_config("config-1", [variant()])
        with expect(ValidationError, "ProductionVariants"):
            store.create_endpoint_config("config-2", [])
        with expect(ValidationError, "ProductionVariants"):
            store.create_endpoint_config("config-2", [variant("a"), variant("a")])
        with expect(ValidationError, "EndpointConfigName"):
            store.create_endpoint_config("bad name", [variant()])
        with pytest.raises(NotFoundError):
            store.get_endpoint_config("missing")
        with pytest.raises(NotFoundError):
            store.delete_endpoint_config("missing")

    def test_endpoints(self, store: MetadataStore) -> None:
        store.create_endpoint_config("config-1", [variant()])
        store.create_endpoint_config("config-2", [variant()])
        endpoint = store.create_endpoint("ep-1", "config-1", tags={"k": "v"})
        assert endpoint.endpoint_status is EndpointStatus.CREATING
        assert endpoint.endpoint_config_name == "config-1"
        assert endpoint.tags == {"k": "v"}
        assert store.get_endpoint("ep-1") == endpoint
        with pytest.raises(ConflictError):
            store.create_endpoint("ep-1", "config-1")
        with pytest.raises(NotFoundError):
            store.create_endpoint("ep-2", "missing")
        with expect(ValidationError, "EndpointName"):
            store.create_endpoint("e" * 64, "config-1")
        with pytest.raises(ConflictError):
            store.delete_endpoint_config("config-1")  # in use
        updated = store.update_endpoint(
            "ep-1", status=EndpointStatus.IN_SERVICE, endpoint_config_name="config-2"
        )
        assert updated.endpoint_status is EndpointStatus.IN_SERVICE
        assert updated.endpoint_config_name == "config-2"
        store.delete_endpoint_config("config-1")  # no longer in use
        failed = store.update_endpoint("ep-1", status=EndpointStatus.FAILED, failure_reason="x")
        assert failed.failure_reason == "x"
        assert store.update_endpoint("ep-1", failure_reason=None).failure_reason is None
        with pytest.raises(NotFoundError):
            store.update_endpoint("ep-1", endpoint_config_name="missing")
        with pytest.raises(NotFoundError):
            store.update_endpoint("missing", status=EndpointStatus.FAILED)
        store.delete_endpoint("ep-1")
        with pytest.raises(NotFoundError):
            store.get_endpoint("ep-1")
        with pytest.raises(NotFoundError):
            store.delete_endpoint("ep-1")
        store.delete_endpoint_config("config-2")

    def test_list_endpoints(self, store: MetadataStore) -> None:
        store.create_endpoint_config("config-1", [variant()])
        for i in range(4):
            store.create_endpoint(f"ep-{i}", "config-1")
        store.update_endpoint("ep-2", status=EndpointStatus.IN_SERVICE)
        names = lambda page: [e.endpoint_name for e in page.items]  # noqa: E731
        assert names(store.list_endpoints()) == ["ep-3", "ep-2", "ep-1", "ep-0"]
        assert names(store.list_endpoints(status=EndpointStatus.IN_SERVICE)) == ["ep-2"]
        assert names(store.list_endpoints(name_contains="EP-1")) == ["ep-1"]
        first = store.list_endpoints(max_results=3)
        second = store.list_endpoints(max_results=3, next_token=first.next_token)
        assert names(first) + names(second) == ["ep-3", "ep-2", "ep-1", "ep-0"]
        assert second.next_token is None

    def test_endpoint_desired_variants(self, store: MetadataStore) -> None:
        store.create_endpoint_config("config-1", [variant("a"), variant("b")])
        store.create_endpoint_config("config-2", [variant("a")])
        store.create_endpoint("ep-1", "config-1")
        desired = {
            "a": DesiredVariant(desired_weight=3.0),
            "b": DesiredVariant(desired_weight=0.0, desired_instance_count=2),
        }
        endpoint = store.update_endpoint("ep-1", desired_variants=desired)
        assert endpoint.desired_variants == desired
        assert store.get_endpoint("ep-1").desired_variants == desired
        kept = store.update_endpoint("ep-1", status=EndpointStatus.IN_SERVICE)
        assert kept.desired_variants == desired  # other updates leave them
        with expect(ValidationError, "DesiredVariants"):
            store.update_endpoint("ep-1", desired_variants={"a": {"desired_weight": 1}})  # type: ignore[dict-item]
        assert store.get_endpoint("ep-1").desired_variants == desired  # nothing half-written
        moved = store.update_endpoint("ep-1", endpoint_config_name="config-2")
        assert moved.desired_variants == {}  # a new config starts from its own weights
        cleared = store.update_endpoint("ep-1", desired_variants={"a": desired["a"]})
        assert store.update_endpoint("ep-1", desired_variants=None).desired_variants == {}
        assert cleared.desired_variants == {"a": desired["a"]}

    # -- models ------------------------------------------------------------------

    def test_pipeline_model(self, store: MetadataStore) -> None:
        first = ContainerDefinition(
            model_data_url="file:///tmp/pre.tar.gz",
            environment={"SAGEMAKER_PROGRAM": "pre.py"},
            container_hostname="preprocess",
        )
        second = ContainerDefinition(image="byoc:1", model_data_url="file:///tmp/m.tar.gz")
        model = store.create_model("pipe-1", first, containers=[first, second])
        assert model.containers == [first, second]
        assert model.is_pipeline
        assert model.serving_containers == [first, second]
        assert model.inference_execution_config == {"Mode": "Serial"}
        api = model.to_api()
        assert "PrimaryContainer" not in api
        assert [c.get("ContainerHostname") for c in api["Containers"]] == ["preprocess", None]
        assert api["InferenceExecutionConfig"] == {"Mode": "Serial"}
        assert store.get_model("pipe-1") == model
        assert store.list_models().items[0].containers == [first, second]
        single = store.create_model("single-1", second)
        assert single.containers == []
        assert not single.is_pipeline
        assert "Containers" not in single.to_api()
        with expect(ValidationError, "Containers"):
            store.create_model("pipe-2", first, containers=[first] * 16)
        with pytest.raises(NotFoundError):
            store.get_model("pipe-2")

    def test_models(self, store: MetadataStore) -> None:
        container = ContainerDefinition(
            model_data_url="file:///tmp/model.tar.gz",
            environment={"SAGEMAKER_PROGRAM": "train.py"},
        )
        model = store.create_model("model-1", container, tags={"k": "v"})
        assert model.primary_container == container
        assert model.tags == {"k": "v"}
        assert model.to_api()["PrimaryContainer"] == {
            "ModelDataUrl": "file:///tmp/model.tar.gz",
            "Environment": {"SAGEMAKER_PROGRAM": "train.py"},
        }
        assert store.get_model("model-1") == model
        with pytest.raises(ConflictError):
            store.create_model("model-1", ContainerDefinition())
        with expect(ValidationError, "ModelName"):
            store.create_model("bad_name", ContainerDefinition())
        with expect(ValidationError, "Tags"):
            store.create_model("model-2", ContainerDefinition(), tags={"k": 1})  # type: ignore[dict-item]
        with pytest.raises(NotFoundError):
            store.get_model("model-2")  # nothing half-written
        store.create_model("model-2", ContainerDefinition(image="byoc:1"))
        names = [m.model_name for m in store.list_models().items]
        assert names == ["model-2", "model-1"]
        assert [m.model_name for m in store.list_models(name_contains="L-1").items] == ["model-1"]
        first = store.list_models(max_results=1, sort_order="Ascending")
        token = first.next_token
        second = store.list_models(max_results=1, sort_order="Ascending", next_token=token)
        assert [m.model_name for m in first.items + second.items] == ["model-1", "model-2"]
        store.delete_model("model-1")
        with pytest.raises(NotFoundError):
            store.get_model("model-1")
        with pytest.raises(NotFoundError):
            store.delete_model("model-1")

    def test_list_endpoint_configs(self, store: MetadataStore) -> None:
        for i in range(3):
            store.create_endpoint_config(f"config-{i}", [variant()])
        names = lambda page: [c.endpoint_config_name for c in page.items]  # noqa: E731
        assert names(store.list_endpoint_configs()) == ["config-2", "config-1", "config-0"]
        assert names(store.list_endpoint_configs(name_contains="G-1")) == ["config-1"]
        first = store.list_endpoint_configs(max_results=2)
        second = store.list_endpoint_configs(max_results=2, next_token=first.next_token)
        assert names(first) + names(second) == ["config-2", "config-1", "config-0"]
        with expect(ValidationError, "MaxResults"):
            store.list_endpoint_configs(max_results=0)

    # -- tags --------------------------------------------------------------------

    def test_set_tags_of_every_tagged_kind(self, store: MetadataStore) -> None:
        store.create_job(make_job("job-t", tags={"a": "1", "b": "2"}))
        store.create_model("model-t", ContainerDefinition(image="img:1"), tags={"a": "1"})
        store.create_endpoint_config("config-t", [variant(model="model-t")])
        store.create_endpoint("endpoint-t", "config-t", tags={"a": "1"})
        store.create_experiment("exp-t", tags={"a": "1"})
        store.create_trial("trial-t", "exp-t", tags={"a": "1"})
        store.create_trial_component("tc-t", tags={"a": "1"})
        store.create_model_package_group("group-t", tags={"a": "1"})
        store.create_pipeline("pipe-t", definition="{}", tags={"a": "1"})
        store.create_monitoring_schedule(monitoring_schedule("schedule-t", "endpoint-t"))
        reads: dict[TaggedKind, Callable[[], dict[str, str]]] = {
            "job": lambda: store.get_job("job-t").tags,
            "model": lambda: store.get_model("model-t").tags,
            "endpoint": lambda: store.get_endpoint("endpoint-t").tags,
            "experiment": lambda: store.get_experiment("exp-t").tags,
            "trial": lambda: store.get_trial("trial-t").tags,
            "trial_component": lambda: store.get_trial_component("tc-t").tags,
            "model_package_group": lambda: store.get_model_package_group("group-t").tags,
            "pipeline": lambda: store.get_pipeline("pipe-t").tags,
            "monitoring_schedule": lambda: store.get_monitoring_schedule("schedule-t").tags,
        }
        names: dict[TaggedKind, str] = {
            "job": "job-t",
            "model": "model-t",
            "endpoint": "endpoint-t",
            "experiment": "exp-t",
            "trial": "trial-t",
            "trial_component": "tc-t",
            "model_package_group": "group-t",
            "pipeline": "pipe-t",
            "monitoring_schedule": "schedule-t",
        }
        for kind, read in reads.items():
            name = names[kind]
            before = read()
            # remove, then set: "a" removed and set again is the new value; "zz" absent
            after = store.set_tags(kind, name, add={"a": "new", "c": "3"}, remove=["a", "zz"])
            assert after == {**before, "a": "new", "c": "3"}, kind
            assert read() == after, kind
            assert store.set_tags(kind, name, remove=["a", "c"]) == {
                k: v for k, v in before.items() if k != "a"
            }, kind
            assert store.set_tags(kind, name, add={"a": ""}) == {**before, "a": ""}, kind
            with pytest.raises(NotFoundError):
                store.set_tags(kind, "missing", add={"x": "1"})
            with expect(ValidationError, "Tags"):
                store.set_tags(kind, name, add={"k" * 129: "v"})
            with expect(ValidationError, "Tags"):
                store.set_tags(kind, name, add={"k": "v" * 257})
            assert read() == {**before, "a": ""}, kind  # nothing of a refused call is kept
        assert store.get_job("job-t").spec == {"HyperParameters": {"epochs": "3"}}
        assert store.get_model("model-t").primary_container.image == "img:1"
        assert store.get_endpoint("endpoint-t").endpoint_config_name == "config-t"
