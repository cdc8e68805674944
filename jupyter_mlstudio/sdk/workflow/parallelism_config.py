"""``ParallelismConfiguration`` (``sagemaker.workflow.parallelism_config``)."""

from __future__ import annotations

from typing import Any


class ParallelismConfiguration:
    """How many steps of one execution may run at once.

    Args:
        max_parallel_execution_steps: The bound. The studio runs up to four steps at once;
            ``Pipeline.create``/``start`` refuse a bound below four.
    """

    def __init__(self, max_parallel_execution_steps: int) -> None:
        self.max_parallel_execution_steps = max_parallel_execution_steps

    def to_request(self) -> dict[str, Any]:
        """``{"MaxParallelExecutionSteps": n}``, as SageMaker writes it.

        Returns:
            The request dict.
        """
        return {"MaxParallelExecutionSteps": self.max_parallel_execution_steps}
