"""Rows → frozen entities: the one place each entity is built from the database."""

from __future__ import annotations

from ...entities import (
    ContainerDefinition,
    DesiredVariant,
    Endpoint,
    EndpointConfig,
    EndpointStatus,
    Experiment,
    ExperimentSummary,
    Job,
    JobKind,
    JobStatus,
    MetricSummary,
    Model,
    ProductionVariant,
    SecondaryStatus,
    SecondaryStatusTransition,
    Trial,
    TrialComponent,
    TrialComponentArtifact,
    TrialComponentPrimaryStatus,
    TrialComponentSource,
    TrialComponentStatus,
)
from .models import (
    EndpointConfigRow,
    EndpointRow,
    ExperimentRow,
    JobRow,
    MetricSummaryRow,
    ModelRow,
    TrialComponentRow,
    TrialRow,
)


def experiment(row: ExperimentRow) -> Experiment:
    return Experiment(
        experiment_name=row.name,
        display_name=row.display_name,
        description=row.description,
        tags={tag.key: tag.value for tag in row.tags},
        creation_time=row.creation_time,
        last_modified_time=row.last_modified_time,
    )


def experiment_summary(
    row: ExperimentRow, trial_count: int, trial_component_count: int
) -> ExperimentSummary:
    return ExperimentSummary(
        experiment_name=row.name,
        display_name=row.display_name,
        creation_time=row.creation_time,
        last_modified_time=row.last_modified_time,
        tags={tag.key: tag.value for tag in row.tags},
        trial_count=trial_count,
        trial_component_count=trial_component_count,
    )


def trial(row: TrialRow) -> Trial:
    return Trial(
        trial_name=row.name,
        experiment_name=row.experiment.name,
        display_name=row.display_name,
        tags={tag.key: tag.value for tag in row.tags},
        creation_time=row.creation_time,
        last_modified_time=row.last_modified_time,
    )


def metric_summary(row: MetricSummaryRow) -> MetricSummary:
    # Rows with count > 0 always have these (count == 0 rows are never converted).
    assert row.time_stamp is not None
    assert row.min is not None
    assert row.max is not None
    assert row.last is not None
    return MetricSummary(
        metric_name=row.metric_name,
        time_stamp=row.time_stamp,
        max=row.max,
        min=row.min,
        last=row.last,
        count=row.count,
        avg=row.mean,
        std_dev=row.std_dev,
    )


def trial_component(row: TrialComponentRow) -> TrialComponent:
    """Needs ``tags``, ``parameters``, ``artifacts``, ``metric_summaries`` and ``trials``
    loaded (see ``store.TC_LOAD``)."""
    artifacts: dict[str, dict[str, TrialComponentArtifact]] = {"input": {}, "output": {}}
    for artifact in row.artifacts:
        artifacts[artifact.direction][artifact.name] = TrialComponentArtifact(
            value=artifact.value, media_type=artifact.media_type
        )
    return TrialComponent(
        trial_component_name=row.name,
        display_name=row.display_name,
        status=TrialComponentStatus(
            primary_status=TrialComponentPrimaryStatus(row.status), message=row.status_message
        ),
        start_time=row.start_time,
        end_time=row.end_time,
        creation_time=row.creation_time,
        last_modified_time=row.last_modified_time,
        parameters={
            p.name: p.number_value if p.string_value is None else p.string_value
            for p in row.parameters
            if p.number_value is not None or p.string_value is not None
        },
        input_artifacts=artifacts["input"],
        output_artifacts=artifacts["output"],
        metrics=[
            metric_summary(s)
            for s in sorted(row.metric_summaries, key=lambda s: s.metric_name)
            if s.count > 0
        ],
        source=(
            TrialComponentSource(source_arn=row.source_arn, source_type=row.source_type)
            if row.source_arn is not None
            else None
        ),
        tags={tag.key: tag.value for tag in row.tags},
        trial_names=sorted(t.name for t in row.trials),
    )


def job(row: JobRow) -> Job:
    return Job(
        job_name=row.name,
        kind=JobKind(row.kind),
        status=JobStatus(row.status),
        secondary_status=SecondaryStatus(row.secondary_status) if row.secondary_status else None,
        failure_reason=row.failure_reason,
        exit_code=row.exit_code,
        runtime=row.runtime,
        spec=row.spec,
        outputs=row.outputs,
        experiment_name=row.experiment_name,
        trial_component_name=row.trial_component_name,
        creation_time=row.creation_time,
        start_time=row.start_time,
        end_time=row.end_time,
        last_modified_time=row.last_modified_time,
        secondary_status_transitions=[
            SecondaryStatusTransition(
                status=SecondaryStatus(t.status),
                start_time=t.start_time,
                end_time=t.end_time,
                status_message=t.status_message,
            )
            for t in row.transitions
        ],
        tags={tag.key: tag.value for tag in row.tags},
    )


def model(row: ModelRow) -> Model:
    return Model(
        model_name=row.name,
        primary_container=ContainerDefinition.model_validate(row.primary_container),
        containers=[ContainerDefinition.model_validate(c) for c in row.containers or []],
        inference_execution_config={"Mode": "Serial"} if row.containers else None,
        creation_time=row.creation_time,
        tags=dict(row.tags or {}),
    )


def endpoint_config(row: EndpointConfigRow) -> EndpointConfig:
    return EndpointConfig(
        endpoint_config_name=row.name,
        production_variants=[ProductionVariant.model_validate(v) for v in row.production_variants],
        data_capture_config=row.data_capture_config,
        creation_time=row.creation_time,
    )


def endpoint(row: EndpointRow) -> Endpoint:
    return Endpoint(
        endpoint_name=row.name,
        endpoint_config_name=row.endpoint_config.name,
        endpoint_status=EndpointStatus(row.status),
        failure_reason=row.failure_reason,
        desired_variants={
            k: DesiredVariant.model_validate(v) for k, v in (row.desired_variants or {}).items()
        },
        creation_time=row.creation_time,
        last_modified_time=row.last_modified_time,
        tags={tag.key: tag.value for tag in row.tags},
    )
