"""The lineage service: from an endpoint, a model, a registered version or a job, what
produced it, walked back through the records.

endpoint → its configuration → the models of its variants → the registered version a
model was created from → the model data → the job that wrote it (a tuning job's training
job, with its tuning job) → that job's inputs → the jobs that wrote them → ...; each job
with the pipeline execution and step that started it and the run it is tracked in.

A model created from a registered version (``ModelPackageName``) keeps its name; a model
created before it did, or from the version's model data directly, is matched to the
versions whose container has the same model data and image and that were registered
before the model was created.
"""

from __future__ import annotations

import contextlib
import functools
from collections import deque
from collections.abc import Callable
from typing import Any

from ...entities import Job, JobKind, Model, ModelPackage
from ...entities.registry import ARN_PREFIX, package_arn, package_of
from ...exceptions import NotFoundError, ValidationError
from ...store.base import MetadataStore
from ..jobs.tuning.summaries import TUNING_TAG
from ..pipelines.executions import EXECUTION_STATUS
from .graph import MAX_DEPTH, AssociationType, LineageEntity, LineageGraph
from .index import LineageIndex, job_inputs, job_outputs, normalise_uri, package_model_data

#: the query fields of a lineage request, one of which names where the walk starts
FIELDS = ("Arn", "EndpointName", "ModelName", "ModelPackageArn")
#: a job kind → its ARN's resource type
JOB_ARN_TYPES = {
    JobKind.TRAINING: "training-job",
    JobKind.PROCESSING: "processing-job",
    JobKind.TRANSFORM: "transform-job",
    JobKind.TUNING: "hyper-parameter-tuning-job",
    JobKind.AUTOML: "automl-job",
}
_KIND_OF_ARN_TYPE = {v: k for k, v in JOB_ARN_TYPES.items()}


def resource_arn(resource_type: str, name: str) -> str:
    """``arn:mlstudio:sagemaker:local:<type>/<name>``."""
    return f"{ARN_PREFIX}:{resource_type}/{name}"


def job_arn(job: Job) -> str:
    if job.kind is JobKind.PIPELINE_EXECUTION:
        return str(job.spec.get("PipelineExecutionArn") or resource_arn("pipeline", job.job_name))
    return resource_arn(JOB_ARN_TYPES[job.kind], job.job_name)


def start_of(query: dict[str, str | None]) -> tuple[str, str]:
    """``(field, value)`` of the one field given of :data:`FIELDS`.

    Raises:
        ValidationError: naming the fields when none or several are given.
    """
    given = [(k, v) for k, v in query.items() if k in FIELDS and v]
    if len(given) != 1:
        named = ", ".join(k for k, _ in given) or "none"
        raise ValidationError(
            f"give exactly one of {', '.join(FIELDS)} (given: {named})",
            field=given[1][0] if len(given) > 1 else "Arn",
        )
    return given[0][0], str(given[0][1])


class LineageService:
    """Lineage walks over one studio's records.

    Args:
        store: The metadata store.
        max_depth: Most hops from the entity asked about.
        max_entities: Most entities in one answer.
    """

    def __init__(
        self, store: MetadataStore, *, max_depth: int = MAX_DEPTH, max_entities: int = 300
    ) -> None:
        self._store = store
        self._max_depth = max_depth
        self._max_entities = max_entities

    def lineage(
        self,
        *,
        arn: str | None = None,
        endpoint_name: str | None = None,
        model_name: str | None = None,
        model_package_arn: str | None = None,
    ) -> dict[str, Any]:
        """The lineage of one entity, named by exactly one argument.

        Args:
            arn: An endpoint's, model's, registered version's or job's ARN.
            endpoint_name: An endpoint's name.
            model_name: A model's name.
            model_package_arn: A registered version's ARN or ``<group>/<version>``.

        Returns:
            ``{"Entities": [...], "Edges": [...], "Truncated": bool}``: the entity asked
            about first, then what produced it, nearest first.

        Raises:
            ValidationError: naming the field when none or several are given, or the ARN
                names nothing a lineage starts from.
            NotFoundError: when the entity does not exist.
        """
        field, value = start_of(
            {
                "Arn": arn,
                "EndpointName": endpoint_name,
                "ModelName": model_name,
                "ModelPackageArn": model_package_arn,
            }
        )
        walk = _Walk(self._store, self._max_depth, self._max_entities)
        walk.start(field, value)
        return walk.run()


class _Walk:
    """One breadth-first walk: each entity kept once, at most ``max_depth`` hops away.

    The queue holds ``(parent id, visit)``: ``visit(depth)`` adds what led to the parent,
    ``depth`` being the parent's plus one.
    """

    def __init__(self, store: MetadataStore, max_depth: int, max_entities: int) -> None:
        self.store = store
        self.max_depth = max_depth
        self.graph = LineageGraph(max_entities)
        self.index = LineageIndex(store)
        self.queue: deque[tuple[str, Callable[[int], None]]] = deque()

    def later(self, parent: str, visit: Callable[[int], None]) -> None:
        self.queue.append((parent, visit))

    def run(self) -> dict[str, Any]:
        while self.queue:
            parent, visit = self.queue.popleft()
            depth = self.graph.entities[parent].depth + 1
            if depth > self.max_depth:
                self.graph.truncated = True
                continue
            visit(depth)
        answer = self.graph.to_api()
        answer["Truncated"] = self.graph.truncated or self.index.truncated
        return answer

    # -- the start ---------------------------------------------------------------------------

    def start(self, field: str, value: str) -> None:
        if field == "EndpointName":
            self._endpoint(self._get(lambda: self.store.get_endpoint(value), field))
        elif field == "ModelName":
            self._add_model(self._get(lambda: self.store.get_model(value), field), 0)
        elif field == "ModelPackageArn":
            group, version = package_of(value, field)
            package = self._get(lambda: self.store.get_model_package(group, version), field)
            self._add_package(package, 0)
        else:
            self._arn_start(value)

    def _arn_start(self, arn: str) -> None:
        prefix = f"{ARN_PREFIX}:"
        resource, _, name = arn[len(prefix) :].partition("/")
        if not arn.startswith(prefix) or not name:
            raise ValidationError(f"{arn!r} is not an ARN of this studio", field="Arn")
        if resource == "endpoint":
            self._endpoint(self._get(lambda: self.store.get_endpoint(name), "Arn"))
        elif resource == "model":
            self._add_model(self._get(lambda: self.store.get_model(name), "Arn"), 0)
        elif resource == "model-package":
            group, version = package_of(arn, "Arn")
            package = self._get(lambda: self.store.get_model_package(group, version), "Arn")
            self._add_package(package, 0)
        elif resource in _KIND_OF_ARN_TYPE:
            kind = _KIND_OF_ARN_TYPE[resource]
            job = self._get(lambda: self.store.get_job(name, kind), "Arn")
            job_id = self._add_job(job, 0)
            best = (job.outputs.get("BestTrainingJob") or {}).get("TrainingJobName")
            if kind is JobKind.TUNING and best:  # what a tuning job produced: its best job
                self.later(job_id, lambda d: self._best_training_job(job_id, str(best), d))
        else:
            raise ValidationError(
                "lineage starts from an endpoint, a model, a model package or a job,"
                f" not a {resource or 'resource'}",
                field="Arn",
            )

    @staticmethod
    def _get(read: Callable[[], Any], field: str) -> Any:
        try:
            return read()
        except NotFoundError as exc:
            raise NotFoundError(exc.message, field=field) from None

    def _best_training_job(self, tuning_id: str, name: str, depth: int) -> None:
        with contextlib.suppress(NotFoundError):
            job = self.store.get_job(name, JobKind.TRAINING)
            self.graph.link(tuning_id, self._add_job(job, depth), "AssociatedWith")

    # -- endpoints and models ---------------------------------------------------------------

    def _endpoint(self, endpoint: Any) -> None:
        arn = resource_arn("endpoint", endpoint.endpoint_name)
        status = endpoint.endpoint_status.value
        self.graph.add(LineageEntity(arn, "Endpoint", endpoint.endpoint_name, arn, status))
        name = endpoint.endpoint_config_name
        self.later(arn, lambda d: self._endpoint_config(arn, name, d))

    def _endpoint_config(self, endpoint_id: str, name: str, depth: int) -> None:
        arn = resource_arn("endpoint-config", name)
        try:
            config = self.store.get_endpoint_config(name)
        except NotFoundError:
            self._missing(arn, "EndpointConfig", name, depth)
            self.graph.link(arn, endpoint_id, "ContributedTo")
            return
        self.graph.add(LineageEntity(arn, "EndpointConfig", name, arn, depth=depth))
        self.graph.link(arn, endpoint_id, "ContributedTo")
        for variant in config.production_variants:
            model_name = variant.model_name
            self.later(arn, functools.partial(self._model_named, model_name, arn))

    def _model_named(self, name: str, consumer: str, depth: int) -> None:
        try:
            model = self.store.get_model(name)
        except NotFoundError:
            arn = resource_arn("model", name)
            self._missing(arn, "Model", name, depth)
            self.graph.link(arn, consumer, "ContributedTo")
            return
        self.graph.link(self._add_model(model, depth), consumer, "ContributedTo")

    def _missing(self, arn: str, kind: Any, name: str, depth: int) -> None:
        """A record named by another that no longer exists."""
        self.graph.add(
            LineageEntity(arn, kind, name, arn, depth=depth, details={"Deleted": "true"})
        )

    def _add_model(self, model: Model, depth: int) -> str:
        arn = resource_arn("model", model.model_name)
        if self.graph.add(LineageEntity(arn, "Model", model.model_name, arn, depth=depth)):
            self.later(arn, lambda d: self._model_sources(model, arn, d))
        return arn

    def _model_sources(self, model: Model, model_id: str, depth: int) -> None:
        self._step_of(model_id, model_id, depth)
        named = model.primary_container.model_package_name
        if named:  # made from a registered version: the record says which
            try:
                group, version = package_of(named, "ModelPackageName")
                package = self.store.get_model_package(group, version)
            except (NotFoundError, ValidationError):
                self._missing(named, "ModelPackage", named.split("model-package/")[-1], depth)
                self.graph.link(named, model_id, "DerivedFrom")
            else:
                self.graph.link(self._add_package(package, depth), model_id, "DerivedFrom")
            return
        url = model.primary_container.model_data_url
        if not url:
            return
        uri = normalise_uri(url)
        packages = [
            p
            for p in self.index.packages_with(uri)
            if p.creation_time <= model.creation_time
            and _image(p) == (model.primary_container.image or None)
        ]
        for package in packages:
            self.graph.link(self._add_package(package, depth), model_id, "DerivedFrom")
        if not packages:
            self.graph.link(self._add_artifact(uri, depth, None), model_id, "ContributedTo")

    def _add_package(self, package: ModelPackage, depth: int) -> str:
        arn = package_arn(package.model_package_group_name, package.model_package_version)
        name = f"{package.model_package_group_name}/{package.model_package_version}"
        status = package.model_approval_status.value
        entity = LineageEntity(arn, "ModelPackage", name, arn, status, depth=depth)
        if self.graph.add(entity):
            self.later(arn, lambda d: self._package_sources(package, arn, d))
        return arn

    def _package_sources(self, package: ModelPackage, package_id: str, depth: int) -> None:
        self._step_of(package_id, package_id, depth)
        for url in package_model_data(package):
            artifact = self._add_artifact(normalise_uri(url), depth, None)
            self.graph.link(artifact, package_id, "ContributedTo")

    # -- artifacts and jobs -----------------------------------------------------------------

    def _add_artifact(self, uri: str, depth: int, consumer: Job | None) -> str:
        """An artifact; the jobs that wrote it are looked up once, created before
        ``consumer`` (the job that read it, if any)."""
        if self.graph.add(LineageEntity(uri, "Artifact", uri, uri=uri, depth=depth)):
            self.later(uri, lambda d: self._producers(uri, consumer, d))
        return uri

    def _producers(self, uri: str, consumer: Job | None, depth: int) -> None:
        for job in self.index.producers(uri, before=consumer):
            self.graph.link(self._add_job(job, depth), uri, "Produced")

    def _add_job(self, job: Job, depth: int) -> str:
        arn = job_arn(job)
        status = (
            EXECUTION_STATUS[job.status]
            if job.kind is JobKind.PIPELINE_EXECUTION
            else job.status.value
        )
        entity = LineageEntity(
            arn, job.kind.value, job.job_name, arn, status, depth=depth, details=_pipeline_of(job)
        )
        if self.graph.add(entity):
            self.later(arn, lambda d: self._job_sources(job, arn, d))
        return arn

    def _job_sources(self, job: Job, job_id: str, depth: int) -> None:
        self._step_of(job.job_name, job_id, depth)
        tuning = job.tags.get(TUNING_TAG)
        if tuning:
            with contextlib.suppress(NotFoundError):
                parent = self.store.get_job(tuning, JobKind.TUNING)
                self.graph.link(self._add_job(parent, depth), job_id, "AssociatedWith")
        for _name, uri in job_inputs(job):
            if uri in set(job_outputs(job)):
                continue
            self.graph.link(self._add_artifact(uri, depth, job), job_id, "ContributedTo")
        model_name = job.spec.get("ModelName") if job.kind is JobKind.TRANSFORM else None
        if model_name:
            self._model_named(str(model_name), job_id, depth)
        if job.trial_component_name:
            self._run(job.trial_component_name, job_id, depth)

    def _run(self, name: str, job_id: str, depth: int) -> None:
        try:
            run = self.store.get_trial_component(name)
        except NotFoundError:
            return
        arn = resource_arn("experiment-trial-component", name)
        status = run.status.primary_status.value
        self.graph.add(LineageEntity(arn, "Run", name, arn, status, depth=depth))
        self.graph.link(job_id, arn, "AssociatedWith")

    # -- pipelines ---------------------------------------------------------------------------

    def _step_of(self, key: str, made_id: str, depth: int) -> None:
        """The pipeline step that started the job named ``key`` (or made the model or
        version of ARN ``key``) and its execution with all its steps."""
        ref = self.index.step_of(key)
        if ref is None:
            return
        execution_arn = job_arn(ref.execution)
        step_id = self._add_step(ref.execution, ref.step_name, ref.record, depth)
        made: AssociationType = "AssociatedWith"
        if made_id.startswith(f"{ARN_PREFIX}:model"):  # a Model or RegisterModel step
            made = "Produced"
        self.graph.link(step_id, made_id, made)
        known = execution_arn in self.graph.entities
        self._add_job(ref.execution, depth + 1)
        self.graph.link(execution_arn, step_id, "AssociatedWith")
        if not known:
            steps = ref.execution.outputs.get("Steps") or {}
            for name, record in sorted(steps.items(), key=lambda s: s[1].get("StartTime") or ""):
                other = self._add_step(ref.execution, name, record, depth + 2)
                self.graph.link(execution_arn, other, "AssociatedWith")

    def _add_step(self, execution: Job, name: str, record: dict[str, Any], depth: int) -> str:
        execution_arn = job_arn(execution)
        step_id = f"{execution_arn}/step/{name}"
        details = {"PipelineExecutionArn": execution_arn, **_pipeline_of(execution)}
        if record.get("CacheHitResult"):
            source = (record["CacheHitResult"] or {}).get("SourcePipelineExecutionArn")
            details["CacheHitSource"] = str(source or "")
        status = record.get("StepStatus")
        self.graph.add(
            LineageEntity(step_id, "PipelineStep", name, None, status, depth=depth, details=details)
        )
        return step_id


def _pipeline_of(job: Job) -> dict[str, str]:
    """A pipeline execution's pipeline name (its ARN has it lowercased)."""
    if job.kind is not JobKind.PIPELINE_EXECUTION:
        return {}
    return {"PipelineName": str(job.spec.get("PipelineName") or "")}


def _image(package: ModelPackage) -> str | None:
    containers = (package.spec.get("InferenceSpecification") or {}).get("Containers") or []
    return (containers[0].get("Image") or None) if containers else None
