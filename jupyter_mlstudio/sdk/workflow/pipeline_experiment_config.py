"""``PipelineExperimentConfig`` (``sagemaker.workflow.pipeline_experiment_config``): the
experiment and trial (run group) an execution's jobs are tracked in."""

from __future__ import annotations

from typing import Any

from .entities import Entity, Expression, RequestType


class PipelineExperimentConfig(Entity):
    """The experiment and trial of an execution's jobs.

    Args:
        experiment_name: A string, parameter or execution variable (SageMaker's default:
            ``ExecutionVariables.PIPELINE_NAME``).
        trial_name: A string, parameter or execution variable (SageMaker's default:
            ``ExecutionVariables.PIPELINE_EXECUTION_ID``).
    """

    def __init__(self, experiment_name: Any, trial_name: Any) -> None:
        self.experiment_name = experiment_name
        self.trial_name = trial_name

    def to_request(self) -> RequestType:
        """The definition's ``PipelineExperimentConfig``.

        Returns:
            ``{"ExperimentName", "TrialName"}`` (expressions are written by the pipeline).
        """
        return {"ExperimentName": self.experiment_name, "TrialName": self.trial_name}


class PipelineExperimentConfigProperty(Expression):
    """A reference to the execution's experiment or trial name.

    Args:
        name: ``ExperimentName`` or ``TrialName``.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def expr(self) -> RequestType:
        """``{"Get": "PipelineExperimentConfig.<name>"}``."""
        return {"Get": f"PipelineExperimentConfig.{self.name}"}


class PipelineExperimentConfigProperties:
    """The references to the execution's experiment config."""

    EXPERIMENT_NAME = PipelineExperimentConfigProperty("ExperimentName")
    TRIAL_NAME = PipelineExperimentConfigProperty("TrialName")
