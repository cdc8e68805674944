"""``DatasetFormat`` and ``MonitoringDatasetFormat`` with the names of
``sagemaker.model_monitor`` (SDK v2): the ``dataset_format`` a baseline job reads.

The studio's analyzer reads CSV and JSON lines; ``parquet`` is refused (by
``suggest_baseline``, naming ``dataset_format``).
"""

from __future__ import annotations

from typing import Any

from ...exceptions import ValidationError

#: the formats a baseline job reads
BASELINE_FORMATS = ("csv", "json")


class DatasetFormat:
    """The format of a baseline dataset (the analyzer's ``dataset_format`` variable)."""

    @staticmethod
    def csv(header: bool = True, output_columns_position: str = "START") -> dict[str, Any]:
        """Comma-separated values.

        Args:
            header: Whether the first line names the columns.
            output_columns_position: Where the model's output columns are: ``START`` or
                ``END``.

        Returns:
            ``{"csv": {"header": ..., "output_columns_position": ...}}``.
        """
        return {"csv": {"header": header, "output_columns_position": output_columns_position}}

    @staticmethod
    def json(lines: bool = True) -> dict[str, Any]:
        """JSON records.

        Args:
            lines: One JSON object per line.

        Returns:
            ``{"json": {"lines": ...}}``.
        """
        return {"json": {"lines": lines}}

    @staticmethod
    def sagemaker_capture_json() -> dict[str, Any]:
        """An endpoint's capture files (what monitoring executions read; not a baseline).

        Returns:
            ``{"sagemakerCaptureJson": {}}``.
        """
        return {"sagemakerCaptureJson": {}}

    @staticmethod
    def parquet() -> dict[str, Any]:
        """Parquet files: not supported by the studio's analyzer (``suggest_baseline``
        refuses it, naming ``dataset_format``).

        Returns:
            ``{"parquet": {}}``.
        """
        return {"parquet": {}}


class MonitoringDatasetFormat:
    """The format of a batch transform's captured data, in the API's form (batch transform
    inputs are not supported by the studio; kept for imports)."""

    @staticmethod
    def csv(header: bool = True) -> dict[str, Any]:
        """Comma-separated values.

        Args:
            header: Whether the first line names the columns.

        Returns:
            ``{"Csv": {"Header": ...}}``.
        """
        return {"Csv": {"Header": header}}

    @staticmethod
    def json(lines: bool = True) -> dict[str, Any]:
        """JSON records.

        Args:
            lines: One JSON object per line.

        Returns:
            ``{"Json": {"Line": ...}}``.
        """
        return {"Json": {"Line": lines}}

    @staticmethod
    def parquet() -> dict[str, Any]:
        """Parquet files.

        Returns:
            ``{"Parquet": {}}``.
        """
        return {"Parquet": {}}


def baseline_format(dataset_format: Any) -> dict[str, Any]:
    """A baseline's ``dataset_format``, checked.

    Args:
        dataset_format: What :class:`DatasetFormat` makes.

    Returns:
        The format, as given.

    Raises:
        ValidationError: Not ``csv`` or ``json`` (``parquet`` and capture files included),
            naming ``dataset_format``.
    """
    if not isinstance(dataset_format, dict) or len(dataset_format) != 1:
        raise ValidationError(
            "dataset_format must be DatasetFormat.csv(...) or DatasetFormat.json(...)",
            field="dataset_format",
        )
    (kind,) = dataset_format
    if kind not in BASELINE_FORMATS:
        raise ValidationError(
            f"{kind} baseline datasets are not supported: use DatasetFormat.csv(header=...)"
            " or DatasetFormat.json(lines=True)",
            field="dataset_format",
        )
    options = dataset_format[kind]
    if kind == "json" and isinstance(options, dict) and options.get("lines") is False:
        raise ValidationError(
            "JSON baseline datasets must be JSON lines: DatasetFormat.json(lines=True)",
            field="dataset_format",
        )
    return dataset_format
