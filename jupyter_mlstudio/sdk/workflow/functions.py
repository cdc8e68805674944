"""Functions of pipeline variables (``sagemaker.workflow.functions``): ``Join`` and
``JsonGet``, evaluated when the pipeline runs. ``Join`` is defined in :mod:`.entities`
(every variable's ``to_string`` makes one) and exported here."""

from __future__ import annotations

from ...exceptions import ValidationError
from .entities import (
    Join,
    NamedStep,
    PipelineVariable,
    RequestType,
    StepReference,
    expression_of,
)
from .properties import PropertyFile

__all__ = ["Join", "JsonGet", "expression_of"]


class JsonGet(PipelineVariable):
    """A value read from a JSON file when the pipeline runs: a processing step's property
    file (``step_name`` and ``property_file``), or a file at ``s3_uri``.

    Args:
        step_name: The processing step that writes the property file.
        property_file: The :class:`~.properties.PropertyFile`, or its name.
        json_path: The JSONPath of the value in the file (``metrics.accuracy.value``).
        s3_uri: A ``Join`` naming the file instead of a property file.
        step: The step object, instead of (or besides) its name.

    Raises:
        ValidationError: Both or neither of ``property_file`` and ``s3_uri``
            (``property_file``); ``s3_uri`` that is not a ``Join`` (``s3_uri``); a
            property file without a step name (``step_name``).
    """

    def __init__(
        self,
        step_name: str | None = None,
        property_file: PropertyFile | str | None = None,
        json_path: str | None = None,
        s3_uri: Join | None = None,
        step: NamedStep | None = None,
    ) -> None:
        if (property_file is None) == (s3_uri is None):
            raise ValidationError(
                "give JsonGet a property_file or an s3_uri (not both)", field="property_file"
            )
        if s3_uri is not None and not isinstance(s3_uri, Join):
            raise ValidationError("JsonGet's s3_uri must be a Join", field="s3_uri")
        if step_name is None and step is not None:
            step_name = step.name
        if property_file is not None and (not isinstance(step_name, str) or not step_name):
            raise ValidationError(
                "JsonGet of a property file needs the step's name", field="step_name"
            )
        if not isinstance(json_path, str) or not json_path:
            raise ValidationError("JsonGet needs a json_path", field="json_path")
        self.step_name = step_name
        self.property_file = property_file
        self.json_path = json_path
        self.s3_uri = s3_uri
        self.step = step

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, JsonGet):
            return NotImplemented
        return self.expr == other.expr

    def __hash__(self) -> int:
        return hash(repr(self.expr))

    @property
    def property_file_name(self) -> str | None:
        """The property file's name (None with ``s3_uri``)."""
        if isinstance(self.property_file, PropertyFile):
            return self.property_file.name
        return self.property_file

    @property
    def expr(self) -> RequestType:
        """``{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.<step>.PropertyFiles.<name>"},
        "Path": ...}}`` (or ``"S3Uri"``: the join's expression)."""
        if self.s3_uri is not None:
            return {"Std:JsonGet": {"S3Uri": self.s3_uri.expr, "Path": self.json_path}}
        reference = f"Steps.{self.step_name}.PropertyFiles.{self.property_file_name}"
        return {"Std:JsonGet": {"PropertyFile": {"Get": reference}, "Path": self.json_path}}

    @property
    def _referenced_steps(self) -> list[StepReference]:
        if self.step is not None:
            return [self.step]
        if self.step_name:
            return [self.step_name]
        return self.s3_uri._referenced_steps if self.s3_uri is not None else []
