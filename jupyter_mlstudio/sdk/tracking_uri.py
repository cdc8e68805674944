"""Tracking URIs: which :class:`~.backends.TrackingBackend` a URI stands for.

========================================= ==============================================
URI                                       backend
========================================= ==============================================
none (``None`` or ``""``)                 :class:`~.backends.DirectBackend` on the
                                          studio's configuration (``MLSTUDIO_HOME``, ...)
``sqlite:///path.db``, ``postgresql://…`` :class:`~.backends.DirectBackend` on that
                                          database
``http://host:port/base/``, ``https://…`` :class:`~.http.HttpBackend`: that studio's
                                          REST API
========================================= ==============================================

A driver suffix (``postgresql+psycopg://``) keeps the scheme it extends.
"""

from __future__ import annotations

from ..exceptions import ValidationError
from .backends import DirectBackend, TrackingBackend
from .http import HttpBackend

#: schemes served by a running studio's REST API
HTTP_SCHEMES = ("http", "https")
#: schemes of the SQL metadata stores, written directly
SQL_SCHEMES = ("sqlite", "postgresql", "postgres")


def open_backend(
    uri: str | None, *, token: str | None = None, artifact_root: str | None = None
) -> TrackingBackend:
    """The backend a tracking URI stands for.

    Args:
        uri: A tracking URI (table above); None or ``""`` means the studio's own
            configuration.
        token: The Jupyter token of an ``http(s)://`` studio; None reads it from the
            environment (``MLSTUDIO_TOKEN``, ``JPY_API_TOKEN``, ``JUPYTER_TOKEN``).
        artifact_root: Where a direct backend keeps run files; None uses
            ``MLSTUDIO_ARTIFACT_ROOT``, else the home's ``artifacts`` folder.

    Returns:
        A new backend; the caller closes it.

    Raises:
        ValidationError: ``field="tracking_uri"``, when ``uri`` is not a URI or its
            scheme is none of the above.
    """
    if uri is None or uri == "":
        return DirectBackend(artifact_root=artifact_root)
    if not isinstance(uri, str) or "://" not in uri:
        raise ValidationError(
            f"invalid tracking URI {uri!r}: use http(s)://host:port/, sqlite:///path or "
            "postgresql://...",
            field="tracking_uri",
        )
    scheme = uri.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme in HTTP_SCHEMES:
        return HttpBackend(uri, token=token)
    if scheme in SQL_SCHEMES:
        return DirectBackend(database_url=uri, artifact_root=artifact_root)
    raise ValidationError(
        f"unsupported tracking URI scheme {scheme!r}: use http(s)://, sqlite:/// or postgresql://",
        field="tracking_uri",
    )
