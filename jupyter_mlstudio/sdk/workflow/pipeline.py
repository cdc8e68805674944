"""``Pipeline`` (``sagemaker.workflow.pipeline``): a pipeline's parameters and steps, and
its definition in SageMaker's JSON (Version ``2020-12-01``).

Running a pipeline (``upsert``, ``start``) is the studio's pipeline executor's part,
which takes this definition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from ...exceptions import ValidationError
from ._compile import StepsCompiler, to_json
from ._step_base import Step
from ._validate import check_definition
from .execution_variables import ExecutionVariables
from .parameters import Parameter
from .pipeline_definition_config import PipelineDefinitionConfig
from .pipeline_experiment_config import PipelineExperimentConfig
from .step_collections import StepCollection

#: the definition schema's version
DEFINITION_VERSION = "2020-12-01"
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

    def __repr__(self) -> str:
        return f"Pipeline({self.name!r}, steps={[s.name for s in self.steps]})"
