"""``DataCaptureConfig`` with the names and signature of
``sagemaker.model_monitor.DataCaptureConfig`` (SDK v2).

Pass it to ``deploy(data_capture_config=...)``: the endpoint then keeps a sample of its
requests and answers as SageMaker's capture records (docs/hosting.md), readable with
``predictor.captures()``. Without ``destination_s3_uri`` the studio writes them under
``<artifact root>/data-capture``; a local folder is sent as an absolute path.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..exceptions import ValidationError

#: SageMaker SDK capture options → the API's ``CaptureMode``
_MODES = {"REQUEST": "Input", "RESPONSE": "Output", "INPUT": "Input", "OUTPUT": "Output"}


class DataCaptureConfig:
    """What an endpoint captures of its invocations (``deploy(data_capture_config=...)``).

    Args:
        enable_capture: Capture at all.
        sampling_percentage: The share of invocations captured, 0 to 100.
        destination_s3_uri: Where the capture files go: ``s3://``, ``file://`` or a local
            folder (sent absolute); None: ``<artifact root>/data-capture``.
        kms_key_id: Recorded in the endpoint configuration; not used.
        capture_options: ``"REQUEST"`` and/or ``"RESPONSE"`` (``"INPUT"``/``"OUTPUT"``
            too); default both.
        csv_content_types: Bodies of these media types are kept as CSV text; default
            ``["text/csv"]``. Bodies of unlisted types are kept in base64.
        json_content_types: Bodies of these media types are kept as JSON text; default
            ``["application/json"]``.
        sagemaker_session: Accepted for SageMaker compatibility and not used.

    Raises:
        ValidationError: ``enable_capture`` not a bool, ``sampling_percentage`` outside 0
            to 100, or an unknown capture option.
    """

    def __init__(
        self,
        enable_capture: bool,
        sampling_percentage: float = 20,
        destination_s3_uri: str | None = None,
        kms_key_id: str | None = None,
        capture_options: Sequence[str] | None = None,
        csv_content_types: Sequence[str] | None = None,
        json_content_types: Sequence[str] | None = None,
        sagemaker_session: Any = None,
    ) -> None:
        if not isinstance(enable_capture, bool):
            raise ValidationError("enable_capture must be True or False", field="enable_capture")
        if (
            isinstance(sampling_percentage, bool)
            or not isinstance(sampling_percentage, int | float)
            or not 0 <= sampling_percentage <= 100
        ):
            raise ValidationError(
                f"sampling_percentage must be a number from 0 to 100, not {sampling_percentage!r}",
                field="sampling_percentage",
            )
        options = list(capture_options or ["REQUEST", "RESPONSE"])
        for option in options:
            if not isinstance(option, str) or option.upper() not in _MODES:
                raise ValidationError(
                    f"capture option {option!r} is not one of REQUEST, RESPONSE",
                    field="capture_options",
                )
        self.enable_capture = enable_capture
        self.sampling_percentage = sampling_percentage
        self.destination_s3_uri = _location(destination_s3_uri)
        self.kms_key_id = kms_key_id
        self.capture_options = options
        self.csv_content_types = list(csv_content_types or ["text/csv"])
        self.json_content_types = list(json_content_types or ["application/json"])
        self.sagemaker_session = sagemaker_session

    def _to_request_dict(self) -> dict[str, Any]:
        """The ``DataCaptureConfig`` of a CreateEndpointConfig request.

        SageMaker's name: ``Model.deploy`` calls it, as the SageMaker SDK does.

        Returns:
            The configuration in the API's field names.
        """
        request: dict[str, Any] = {
            "EnableCapture": self.enable_capture,
            "InitialSamplingPercentage": self.sampling_percentage,
        }
        if self.destination_s3_uri is not None:
            request["DestinationS3Uri"] = self.destination_s3_uri
        request["CaptureOptions"] = [
            {"CaptureMode": _MODES[option.upper()]} for option in self.capture_options
        ]
        if self.kms_key_id is not None:
            request["KmsKeyId"] = self.kms_key_id
        request["CaptureContentTypeHeader"] = {
            "CsvContentTypes": list(self.csv_content_types),
            "JsonContentTypes": list(self.json_content_types),
        }
        return request

    def __repr__(self) -> str:
        return (
            f"DataCaptureConfig(enable_capture={self.enable_capture}, "
            f"sampling_percentage={self.sampling_percentage}, "
            f"destination_s3_uri={self.destination_s3_uri!r})"
        )


def _location(uri: str | None) -> str | None:
    if uri is None or "://" in uri:
        return uri
    return os.path.abspath(os.path.expanduser(uri))
