"""``TrainingInput``: a channel of a training job, as ``sagemaker.inputs.TrainingInput``."""

from __future__ import annotations

from typing import Any

from .workflow.entities import is_pipeline_variable


class TrainingInput:
    """One input channel of a training job, copied into ``/opt/ml/input/data/<channel>``.

    ``config`` is the channel in the CreateTrainingJob request's form (without its name).

    Args:
        s3_data: The data: ``s3://...``, ``file://...`` or a local path, or a pipeline
            variable (a step's output).
        distribution: ``FullyReplicated`` (every host gets everything) or
            ``ShardedByS3Key`` (the files are split between the hosts).
        compression: Recorded in the request; the files are copied as they are.
        content_type: The data's media type, in the job's ``inputdataconfig.json``.
        record_wrapping: ``None`` or ``RecordIO``, in the job's ``inputdataconfig.json``.
        s3_data_type: Recorded in the request; everything under ``s3_data`` is copied
            (``S3Prefix``).
        input_mode: In the job's ``inputdataconfig.json``; the data is always copied
            before the start (``File``).
    """

    def __init__(
        self,
        s3_data: str,
        distribution: str | None = None,
        compression: str | None = None,
        content_type: str | None = None,
        record_wrapping: str | None = None,
        s3_data_type: str = "S3Prefix",
        input_mode: str | None = None,
    ) -> None:
        uri = s3_data if is_pipeline_variable(s3_data) else str(s3_data)
        source: dict[str, Any] = {"S3Uri": uri, "S3DataType": s3_data_type}
        if distribution:
            source["S3DataDistributionType"] = distribution
        self.config: dict[str, Any] = {"DataSource": {"S3DataSource": source}}
        if compression:
            self.config["CompressionType"] = compression
        if content_type:
            self.config["ContentType"] = content_type
        if record_wrapping:
            self.config["RecordWrapperType"] = record_wrapping
        if input_mode:
            self.config["InputMode"] = input_mode

    def __repr__(self) -> str:
        uri = self.config["DataSource"]["S3DataSource"]["S3Uri"]
        return f"TrainingInput({uri.expr if is_pipeline_variable(uri) else uri!r})"


def channels_of(inputs: Any) -> list[dict[str, Any]]:
    """The ``InputDataConfig`` of a CreateTrainingJob request.

    Args:
        inputs: ``fit``'s ``inputs``: None, a location (the ``training`` channel), a
            :class:`TrainingInput`, or a mapping of channel names to either.

    Returns:
        One ``{"ChannelName": ..., "DataSource": ...}`` per channel.
    """
    if inputs is None:
        return []
    if not isinstance(inputs, dict):
        inputs = {"training": inputs}
    channels = []
    for name, value in inputs.items():
        config = value.config if isinstance(value, TrainingInput) else TrainingInput(value).config
        channels.append({"ChannelName": str(name), **config})
    return channels
