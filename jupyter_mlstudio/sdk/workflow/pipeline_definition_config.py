"""``PipelineDefinitionConfig`` (``sagemaker.workflow.pipeline_definition_config``)."""

from __future__ import annotations


class PipelineDefinitionConfig:
    """Switches of how a pipeline's definition is written.

    Args:
        use_custom_job_prefix: Keep the jobs' names (their base name, without the
            time stamp) in the steps' arguments, so that the jobs an execution starts are
            named ``<name>-<suffix>``; False (SageMaker's default): leave them out.
    """

    def __init__(self, use_custom_job_prefix: bool) -> None:
        self.use_custom_job_prefix = use_custom_job_prefix
