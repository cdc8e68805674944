"""Execution variables (``sagemaker.workflow.execution_variables``): values of the running
execution, referenced as ``{"Get": "Execution.<name>"}``."""

from __future__ import annotations

from .entities import PipelineVariable, RequestType


class ExecutionVariable(PipelineVariable):
    """A value of the running execution (its id, start time, ...).

    Args:
        name: The variable's name (``PipelineExecutionId``, ...).
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExecutionVariable):
            return NotImplemented
        return self.name == other.name

    def __hash__(self) -> int:
        return hash(("Execution", self.name))

    def to_string(self) -> PipelineVariable:
        """Execution variables are strings: itself."""
        return self

    @property
    def expr(self) -> RequestType:
        """``{"Get": "Execution.<name>"}``."""
        return {"Get": f"Execution.{self.name}"}


class ExecutionVariables:
    """The execution variables SageMaker defines."""

    START_DATETIME = ExecutionVariable("StartDateTime")
    CURRENT_DATETIME = ExecutionVariable("CurrentDateTime")
    PIPELINE_NAME = ExecutionVariable("PipelineName")
    PIPELINE_ARN = ExecutionVariable("PipelineArn")
    PIPELINE_EXECUTION_ID = ExecutionVariable("PipelineExecutionId")
    PIPELINE_EXECUTION_ARN = ExecutionVariable("PipelineExecutionArn")
    TRAINING_JOB_NAME = ExecutionVariable("TrainingJobName")
    PROCESSING_JOB_NAME = ExecutionVariable("ProcessingJobName")


#: the names an ``Execution.<name>`` reference may use
EXECUTION_VARIABLE_NAMES = frozenset(
    v.name for v in vars(ExecutionVariables).values() if isinstance(v, ExecutionVariable)
)
