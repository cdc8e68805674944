"""``ModelMetrics``, ``MetricsSource`` and ``FileSource`` with the names of
``sagemaker.model_metrics`` (SDK v2): the evaluation reports a registered model version
points at (``ModelMetrics`` of CreateModelPackage)."""

from __future__ import annotations

from typing import Any


class MetricsSource:
    """A metrics report: its media type and where it is.

    Args:
        content_type: The report's media type (``application/json``).
        s3_uri: Where it is (``s3://``, ``file://`` or a path).
        content_digest: Its digest, when known.
    """

    def __init__(self, content_type: Any, s3_uri: Any, content_digest: Any = None) -> None:
        self.content_type = content_type
        self.s3_uri = s3_uri
        self.content_digest = content_digest

    def _to_request_dict(self) -> dict[str, Any]:
        body = {"ContentType": self.content_type, "S3Uri": self.s3_uri}
        if self.content_digest is not None:
            body["ContentDigest"] = self.content_digest
        return body


class FileSource:
    """A file of a drift check baseline.

    Args:
        s3_uri: Where it is.
        content_digest: Its digest, when known.
        content_type: Its media type, when known.
    """

    def __init__(self, s3_uri: Any, content_digest: Any = None, content_type: Any = None) -> None:
        self.s3_uri = s3_uri
        self.content_digest = content_digest
        self.content_type = content_type

    def _to_request_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"S3Uri": self.s3_uri}
        if self.content_digest is not None:
            body["ContentDigest"] = self.content_digest
        if self.content_type is not None:
            body["ContentType"] = self.content_type
        return body


class ModelMetrics:
    """The reports of a model version: quality, data quality, bias, explainability.

    Args:
        model_statistics: ``ModelQuality.Statistics``.
        model_constraints: ``ModelQuality.Constraints``.
        model_data_statistics: ``ModelDataQuality.Statistics``.
        model_data_constraints: ``ModelDataQuality.Constraints``.
        bias: ``Bias.Report``.
        explainability: ``Explainability.Report``.
        bias_pre_training: ``Bias.PreTrainingReport``.
        bias_post_training: ``Bias.PostTrainingReport``.
    """

    def __init__(
        self,
        model_statistics: MetricsSource | None = None,
        model_constraints: MetricsSource | None = None,
        model_data_statistics: MetricsSource | None = None,
        model_data_constraints: MetricsSource | None = None,
        bias: MetricsSource | None = None,
        explainability: MetricsSource | None = None,
        bias_pre_training: MetricsSource | None = None,
        bias_post_training: MetricsSource | None = None,
    ) -> None:
        self.model_statistics = model_statistics
        self.model_constraints = model_constraints
        self.model_data_statistics = model_data_statistics
        self.model_data_constraints = model_data_constraints
        self.bias = bias
        self.explainability = explainability
        self.bias_pre_training = bias_pre_training
        self.bias_post_training = bias_post_training

    def _to_request_dict(self) -> dict[str, Any]:
        groups = {
            "ModelQuality": {
                "Statistics": self.model_statistics,
                "Constraints": self.model_constraints,
            },
            "ModelDataQuality": {
                "Statistics": self.model_data_statistics,
                "Constraints": self.model_data_constraints,
            },
            "Bias": {
                "Report": self.bias,
                "PreTrainingReport": self.bias_pre_training,
                "PostTrainingReport": self.bias_post_training,
            },
            "Explainability": {"Report": self.explainability},
        }
        body: dict[str, Any] = {}
        for group, sources in groups.items():
            given = {k: v._to_request_dict() for k, v in sources.items() if v is not None}
            if given:
                body[group] = given
        return body
