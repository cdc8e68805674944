"""The query protocol's services (STS, IAM): their forms in, their XML out.

botocore sends such a request as a form: ``Action``, ``Version`` (which tells the service
apart: STS's 2011-06-15, IAM's 2010-05-08) and the parameters flattened, a list's items as
``Name.member.<i>``, a structure's members as ``Name.Member``. :func:`query_params` reads
them back into the nested request the operation's input shape describes (numbers and
booleans typed, so :func:`.service_model.validate_input` checks them as it checks JSON);
:func:`xml_members` writes an answer's members as the query protocol's XML does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from .errors import AwsError
from .service_model import operation_model


@dataclass(frozen=True)
class QueryService:
    """One service of the query protocol.

    Attributes:
        name: botocore's name of it (``sts``).
        namespace: The XML namespace of its answers.
    """

    name: str
    namespace: str


#: the ``Version`` a form names → its service
QUERY_SERVICES = {
    "2011-06-15": QueryService("sts", "https://sts.amazonaws.com/doc/2011-06-15/"),
    "2010-05-08": QueryService("iam", "https://iam.amazonaws.com/doc/2010-05-08/"),
}
#: botocore's name of each service → its XML namespace
NAMESPACES = {service.name: service.namespace for service in QUERY_SERVICES.values()}


def query_params(service: str, action: str, fields: dict[str, str]) -> dict[str, Any]:
    """A form's fields as the request its input shape describes.

    Args:
        service: botocore's name of the service.
        action: The operation.
        fields: The form's fields, less ``Action`` and ``Version``.

    Returns:
        The request: nested structures and lists, numbers and booleans typed (a value
        that is not one stays text, for validation to refuse). An operation the service
        does not have keeps the fields as they came (it is refused when dispatched).
    """
    try:
        shape = operation_model(service, action).input_shape
    except AwsError:
        return dict(fields)
    if shape is None:
        return {}
    found = _value(shape, fields, "")
    return found if isinstance(found, dict) else {}


def _value(shape: Any, fields: dict[str, str], key: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            item = _value(member, fields, f"{key}.{name}" if key else name)
            if item is not None:
                out[name] = item
        return out if out or not key else None
    if kind == "list":
        items: list[Any] = []
        while (item := _value(shape.member, fields, f"{key}.member.{len(items) + 1}")) is not None:
            items.append(item)
        if not items and fields.get(key) == "":  # botocore's empty list
            return []
        return items or None
    if kind == "map":
        entries: dict[str, Any] = {}
        while (name := fields.get(f"{key}.entry.{len(entries) + 1}.key")) is not None:
            entries[name] = _value(shape.value, fields, f"{key}.entry.{len(entries) + 1}.value")
        return entries or None
    raw = fields.get(key)
    if raw is None:
        return None
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("float", "double"):
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def xml_members(value: Any) -> str:
    """An answer's value as the query protocol's XML: a structure's members as elements,
    a list's items as ``<member>``, booleans in lower case.

    Args:
        value: The shaped answer, or one of its values.

    Returns:
        The XML text (no root element).
    """
    if isinstance(value, dict):
        return "".join(f"<{k}>{xml_members(v)}</{k}>" for k, v in value.items())
    if isinstance(value, list):
        return "".join(f"<member>{xml_members(v)}</member>" for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))
