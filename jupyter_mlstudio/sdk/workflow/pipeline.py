"""``Pipeline`` (``sagemaker.workflow.pipeline``): a pipeline's parameters and steps, and
its definition in SageMaker's JSON (Version ``2020-12-01``).

``create``/``upsert`` send the definition to the studio, ``start`` runs it there (its
pipeline executor) and returns a :class:`~.pipeline_execution.PipelineExecution`
(SageMaker's ``_PipelineExecution``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ...exceptions import ConflictError, NotFoundError, ValidationError
from ..pipeline_client import PipelineClient, pipeline_client
from ._compile import StepsCompiler, to_json
from ._step_base import Step
from ._validate import check_definition
from .execution_variables import ExecutionVariables
from .parameters import Parameter
from .pipeline_definition_config import PipelineDefinitionConfig
from .pipeline_execution import PipelineExecution
from .pipeline_experiment_config import PipelineExperimentConfig
from .step_collections import StepCollection

#: the definition schema's version
DEFINITION_VERSION = "2020-12-01"
#: steps of one execution the studio runs at once
MAX_PARALLEL_STEPS = 4
#: SageMaker's pipeline names
PIPELINE_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$")

_DEFAULT_EXPERIMENT_CFG = PipelineExperimentConfig(
    ExecutionVariables.PIPELINE_NAME, ExecutionVariables.PIPELINE_EXECUTION_ID
)
_DEFAULT_DEFINITION_CFG = PipelineDefinitionConfig(use_custom_job_prefix=False)


class Pipeline:
    """A pipeline: parameters and steps.

    Args:
        name: The pipeline's name (letters, digits and ``-``).
        parameters: Its :class:`~.parameters.Parameter` objects.
        pipeline_experiment_config: The experiment and trial its executions' jobs are
            tracked in (default: the pipeline's name and the execution's id); None: none.
        steps: Its steps and step collections (a condition step's branches are not
            listed here; steps that the listed ones refer to are added).
        sagemaker_session: The session that will run it (a ``PipelineSession``).
        pipeline_definition_config: How the definition is written
            (``use_custom_job_prefix``).

    Raises:
        ValidationError: A bad ``name``, or a parameter that is not a ``Parameter``
            (``parameters``).
    """

    def __init__(
        self,
        name: str = "",
        parameters: Sequence[Parameter] | None = None,
        pipeline_experiment_config: PipelineExperimentConfig | None = _DEFAULT_EXPERIMENT_CFG,
        steps: Sequence[Step | StepCollection] | None = None,
        sagemaker_session: Any = None,
        pipeline_definition_config: PipelineDefinitionConfig | None = _DEFAULT_DEFINITION_CFG,
    ) -> None:
        if name and (not isinstance(name, str) or not PIPELINE_NAME.match(name)):
            raise ValidationError(
                f"pipeline names are letters, digits and '-' (got {name!r})", field="name"
            )
        for i, parameter in enumerate(parameters or ()):
            if not isinstance(parameter, Parameter):
                raise ValidationError(
                    "parameters must be Parameter objects", field=f"parameters[{i}]"
                )
        self.name = name
        self.parameters = list(parameters or ())
        self.pipeline_experiment_config = pipeline_experiment_config
        self.steps = list(steps or ())
        self.sagemaker_session = sagemaker_session
        self.pipeline_definition_config = pipeline_definition_config
        self._version = DEFINITION_VERSION
        self._metadata: dict[str, str] = {}

    def to_request(self) -> dict[str, Any]:
        """The definition as JSON values (what :meth:`definition` writes).

        Returns:
            ``Version``, ``Metadata``, ``Parameters``, ``PipelineExperimentConfig`` and
            ``Steps``, every expression written as SageMaker writes it.

        Raises:
            ValidationError: The definition SageMaker would refuse, naming the field (see
                :meth:`definition`).
        """
        steps = StepsCompiler(self.steps, self.pipeline_definition_config).build()
        experiment = self.pipeline_experiment_config
        request = {
            "Version": self._version,
            "Metadata": dict(self._metadata),
            "Parameters": [p.to_request() for p in self.parameters],
            "PipelineExperimentConfig": experiment.to_request() if experiment else None,
            "Steps": steps,
        }
        definition = to_json(request, "definition")
        assert isinstance(definition, dict)
        check_definition(definition)
        return definition

    def definition(self) -> str:
        """The pipeline's definition, SageMaker's pipeline definition JSON.

        Returns:
            The JSON text (Version ``2020-12-01``).

        Raises:
            ValidationError: Naming the field: two steps of one name
                (``Steps.<name>.Name``), a name in ``depends_on`` or a ``JsonGet`` that is
                no step of the pipeline, a reference to a parameter the pipeline does not
                declare or to a property file a step does not write
                (``Steps.<name>.Arguments...``), steps that wait for each other in a cycle
                (``Steps.<name>.DependsOn``), a value that is not JSON.
        """
        return json.dumps(self.to_request())

    # -- the pipeline in the studio -----------------------------------------------------------
    @property
    def _client(self) -> PipelineClient:
        if not self.name:
            raise ValidationError("the pipeline has no name", field="name")
        return pipeline_client(self.sagemaker_session)

    def _changes(
        self, role_arn: str | None, description: str | None, parallelism_config: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"PipelineDefinition": self.definition()}
        if role_arn is not None:
            body["RoleArn"] = role_arn
        if description is not None:
            body["PipelineDescription"] = description
        _check_parallelism(parallelism_config)
        return body

    def create(
        self,
        role_arn: str | None = None,
        description: str | None = None,
        tags: Sequence[dict[str, str]] | None = None,
        parallelism_config: Any = None,
    ) -> dict[str, Any]:
        """Create the pipeline in the studio, with this definition.

        Args:
            role_arn: Kept with the pipeline (the studio runs every step as you).
            description: Its description.
            tags: ``{"Key": ..., "Value": ...}`` dicts.
            parallelism_config: SageMaker's ``ParallelismConfiguration``; the studio runs
                at most four steps of an execution at once and refuses any other value.

        Returns:
            The pipeline, as DescribePipeline answers (``PipelineArn`` ...).

        Raises:
            ConflictError: A pipeline of this name exists (``upsert`` updates it).
            ValidationError: A definition the studio refuses, naming the field.
        """
        body = self._changes(role_arn, description, parallelism_config)
        body.update(PipelineName=self.name, Tags=[dict(t) for t in tags or ()])
        return self._client.create_pipeline(body)

    def update(
        self,
        role_arn: str | None = None,
        description: str | None = None,
        parallelism_config: Any = None,
    ) -> dict[str, Any]:
        """Replace the studio's definition of this pipeline with this one.

        Executions already running carry on with the definition they started with.

        Args:
            role_arn: Kept with the pipeline (None: unchanged).
            description: Its description (None: unchanged).
            parallelism_config: As for :meth:`create`.

        Returns:
            The pipeline, as DescribePipeline answers.

        Raises:
            NotFoundError: The studio has no pipeline of this name.
        """
        body = self._changes(role_arn, description, parallelism_config)
        return self._client.update_pipeline(self.name, body)

    def upsert(
        self,
        role_arn: str | None = None,
        description: str | None = None,
        tags: Sequence[dict[str, str]] | None = None,
        parallelism_config: Any = None,
    ) -> dict[str, Any]:
        """Create the pipeline, or update it when it exists.

        Args:
            role_arn: As for :meth:`create`.
            description: As for :meth:`create`.
            tags: As for :meth:`create` (kept only when the pipeline is created).
            parallelism_config: As for :meth:`create`.

        Returns:
            The pipeline, as DescribePipeline answers.
        """
        try:
            return self.create(role_arn, description, tags, parallelism_config)
        except ConflictError:
            return self.update(role_arn, description, parallelism_config)

    def describe(self) -> dict[str, Any]:
        """The pipeline as the studio keeps it (DescribePipeline).

        Returns:
            ``PipelineArn``, ``PipelineName``, ``PipelineDefinition`` (the JSON text),
            ``PipelineStatus``, description, role, times and tags.

        Raises:
            NotFoundError: The studio has no pipeline of this name.
        """
        return self._client.describe_pipeline(self.name)

    def delete(self) -> dict[str, Any]:
        """Delete the pipeline from the studio; its running executions are stopped (their
        records and jobs are kept).

        Returns:
            ``PipelineArn`` of the pipeline deleted.

        Raises:
            NotFoundError: The studio has no pipeline of this name.
        """
        arn = self.describe()["PipelineArn"]
        self._client.delete_pipeline(self.name)
        return {"PipelineArn": arn}

    def start(
        self,
        parameters: dict[str, str | bool | int | float] | None = None,
        execution_display_name: str | None = None,
        execution_description: str | None = None,
        parallelism_config: Any = None,
        selective_execution_config: Any = None,
    ) -> PipelineExecution:
        """Start an execution of the studio's definition of this pipeline.

        Args:
            parameters: Values of the pipeline's parameters (the others take their
                defaults); each is checked against the parameter's type.
            execution_display_name: The execution's display name.
            execution_description: Its description.
            parallelism_config: As for :meth:`create`.
            selective_execution_config: Not supported: the studio runs every step (steps
                whose arguments and code are unchanged come from the cache with
                ``CacheConfig``).

        Returns:
            The execution (SageMaker's ``_PipelineExecution``).

        Raises:
            ValueError: The pipeline has not been created (call ``create`` or ``upsert``
                first), as SageMaker's SDK says.
            ValidationError: A parameter the pipeline does not declare, or a value of the
                wrong type (``PipelineParameters``).
        """
        _check_parallelism(parallelism_config)
        if selective_execution_config is not None:
            raise ValidationError(
                "selective executions are not supported: every step runs (use CacheConfig"
                " to serve unchanged steps from an earlier execution)",
                field="selective_execution_config",
            )
        client = self._client
        try:
            client.describe_pipeline(self.name)
        except NotFoundError:
            raise ValueError(
                "This pipeline is not associated with a Pipeline in the studio. "
                "Please invoke create() first before attempting to invoke start()."
            ) from None
        body: dict[str, Any] = {
            "PipelineParameters": [
                {"Name": name, "Value": str(value)}  # as SageMaker's SDK sends them
                for name, value in (parameters or {}).items()
            ]
        }
        if execution_display_name is not None:
            body["PipelineExecutionDisplayName"] = execution_display_name
        if execution_description is not None:
            body["PipelineExecutionDescription"] = execution_description
        started = client.start_execution(self.name, body)
        return PipelineExecution(started["PipelineExecutionArn"], self.sagemaker_session)

    def list_executions(
        self,
        sort_by: str | None = None,
        sort_order: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """The pipeline's executions (ListPipelineExecutions), newest first by default.

        Args:
            sort_by: ``CreationTime`` (the only order the studio keeps) or None.
            sort_order: ``Ascending`` or ``Descending``.
            max_results: At most this many (1 to 100).
            next_token: Where the previous page ended.

        Returns:
            ``PipelineExecutionSummaries`` (``PipelineExecutionArn``,
            ``PipelineExecutionStatus``, ``StartTime``, display name, failure reason) and
            ``NextToken`` when there are more.
        """
        if sort_by not in (None, "CreationTime"):
            raise ValidationError("sort_by must be CreationTime", field="sort_by")
        return self._client.list_executions(
            self.name, sort_order=sort_order, max_results=max_results, next_token=next_token
        )

    def __repr__(self) -> str:
        return f"Pipeline({self.name!r}, steps={[s.name for s in self.steps]})"


def _check_parallelism(config: Any) -> None:
    """SageMaker's ``ParallelismConfiguration`` (or its dict): the studio runs at most
    :data:`MAX_PARALLEL_STEPS` steps of an execution at once, within any bound of that or
    more; a lower bound it would not keep is refused."""
    if config is None:
        return
    steps = (
        config.get("MaxParallelExecutionSteps")
        if isinstance(config, dict)
        else getattr(config, "max_parallel_execution_steps", None)
    )
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < MAX_PARALLEL_STEPS:
        raise ValidationError(
            f"the studio runs up to {MAX_PARALLEL_STEPS} steps of an execution at once;"
            f" a bound below that ({steps!r}) is not supported",
            field="parallelism_config",
        )


#: SageMaker's name for the execution class
_PipelineExecution = PipelineExecution
