"""``EndpointInput``, ``BatchTransformInput`` and ``MonitoringOutput`` with the names of
``sagemaker.model_monitor`` (SDK v2): what a monitoring schedule reads and where it
writes, in the shapes of CreateMonitoringSchedule's ``MonitoringJobDefinition``."""

from __future__ import annotations

from typing import Any

from ...exceptions import ValidationError

#: where a monitoring execution sees its files (as SageMaker's analyzer does)
CONTAINER_BASE_PATH = "/opt/ml/processing"
ENDPOINT_INPUT_PATH = f"{CONTAINER_BASE_PATH}/input/endpoint"
OUTPUT_PATH = f"{CONTAINER_BASE_PATH}/output"


class EndpointInput:
    """An endpoint whose captured requests and answers a schedule analyses.

    Args:
        endpoint_name: The endpoint (it must capture its data: ``DataCaptureConfig``).
        destination: Where the execution sees the captured files (default for a name
            given alone: ``/opt/ml/processing/input/endpoint``).
        s3_input_mode: ``File`` (the files are copied in).
        s3_data_distribution_type: ``FullyReplicated``.
        start_time_offset: The window's start relative to the scheduled time, e.g.
            ``-PT1H``.
        end_time_offset: The window's end relative to the scheduled time, e.g. ``-PT0H``.
        features_attribute: Accepted for SageMaker compatibility (bias and
            explainability monitors only); refused when given.
        inference_attribute: Model quality: where the prediction is in the endpoint's
            answer (a CSV index or a JSON key).
        probability_attribute: Model quality: where the probability is.
        probability_threshold_attribute: Model quality: the probability from which the
            prediction is the positive class.
        exclude_features_attribute: Accepted for SageMaker compatibility; refused when
            given.

    Raises:
        ValidationError: No endpoint name, or an attribute the studio does not use.
    """

    def __init__(
        self,
        endpoint_name: str,
        destination: str,
        s3_input_mode: str = "File",
        s3_data_distribution_type: str = "FullyReplicated",
        start_time_offset: str | None = None,
        end_time_offset: str | None = None,
        features_attribute: str | None = None,
        inference_attribute: str | None = None,
        probability_attribute: str | int | None = None,
        probability_threshold_attribute: float | None = None,
        exclude_features_attribute: str | None = None,
    ) -> None:
        if not endpoint_name or not isinstance(endpoint_name, str):
            raise ValidationError("endpoint_name is required", field="endpoint_name")
        for name, value in (
            ("features_attribute", features_attribute),
            ("exclude_features_attribute", exclude_features_attribute),
        ):
            if value is not None:
                raise ValidationError(
                    f"{name} is not supported (bias and explainability monitors only)",
                    field=name,
                )
        self.endpoint_name = endpoint_name
        self.destination = destination
        self.s3_input_mode = s3_input_mode
        self.s3_data_distribution_type = s3_data_distribution_type
        self.start_time_offset = start_time_offset
        self.end_time_offset = end_time_offset
        self.features_attribute = features_attribute
        self.inference_attribute = inference_attribute
        self.probability_attribute = probability_attribute
        self.probability_threshold_attribute = probability_threshold_attribute
        self.exclude_features_attribute = exclude_features_attribute

    def _to_request_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "EndpointName": self.endpoint_name,
            "LocalPath": self.destination,
            "S3InputMode": self.s3_input_mode,
            "S3DataDistributionType": self.s3_data_distribution_type,
        }
        optional = {
            "StartTimeOffset": self.start_time_offset,
            "EndTimeOffset": self.end_time_offset,
            "InferenceAttribute": self.inference_attribute,
            "ProbabilityAttribute": self.probability_attribute,
            "ProbabilityThresholdAttribute": self.probability_threshold_attribute,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        return {"EndpointInput": body}

    def __repr__(self) -> str:
        return f"EndpointInput({self.endpoint_name!r})"


def endpoint_input_of(endpoint_input: Any) -> EndpointInput:
    """An ``endpoint_input`` argument as an :class:`EndpointInput`.

    Args:
        endpoint_input: An endpoint name or an :class:`EndpointInput`.

    Returns:
        The input (a name gets the default ``destination``).

    Raises:
        ValidationError: Anything else, naming ``endpoint_input``.
    """
    if isinstance(endpoint_input, EndpointInput):
        return endpoint_input
    if isinstance(endpoint_input, str) and endpoint_input:
        return EndpointInput(endpoint_input, ENDPOINT_INPUT_PATH)
    raise ValidationError(
        "endpoint_input must be an endpoint name or an EndpointInput", field="endpoint_input"
    )


class BatchTransformInput:
    """A batch transform's captured data as a schedule's input: not supported by the
    studio (schedules watch endpoints); making one raises.

    Args:
        data_captured_destination_s3_uri: Where the transform captured its data.
        destination: Where the execution would see it.
        dataset_format: A :class:`~.dataset_format.MonitoringDatasetFormat`.
        kwargs: SageMaker's other arguments.

    Raises:
        ValidationError: Always, naming ``batch_transform_input``.
    """

    def __init__(
        self,
        data_captured_destination_s3_uri: str,
        destination: str,
        dataset_format: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        raise ValidationError(
            "batch transform inputs are not supported: monitor an endpoint (EndpointInput)",
            field="batch_transform_input",
        )


class MonitoringOutput:
    """Where a monitoring execution's files go.

    Args:
        source: The folder the execution writes (``/opt/ml/processing/output``).
        destination: Where its files are published (``s3://``, ``file://`` or a local
            path), under ``<endpoint>/<schedule>/<yyyy>/<mm>/<dd>/<hh>/``; None: the
            studio's artifact store.
        s3_upload_mode: Recorded in the request (``Continuous``); files are published
            when the execution ends.
    """

    def __init__(
        self, source: str, destination: str | None = None, s3_upload_mode: str = "Continuous"
    ) -> None:
        self.source = source
        self.destination = destination
        self.s3_upload_mode = s3_upload_mode

    def _to_request_dict(self) -> dict[str, Any]:
        output: dict[str, Any] = {"LocalPath": self.source, "S3UploadMode": self.s3_upload_mode}
        if self.destination is not None:
            output["S3Uri"] = self.destination
        return {"S3Output": output}
