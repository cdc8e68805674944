"""Tracking URIs: which tracking store a URI stands for.

========================================= ==============================================
URI                                       store
========================================= ==============================================
none (``None`` or ``""``)                 the SQL store of the studio's configuration
                                          (``MLSTUDIO_HOME``, ``MLSTUDIO_DATABASE_URL``)
``sqlite:///path.db``, ``postgresql://…`` the SQL store on that database
``http://host:port/base/``, ``https://…`` :class:`~.rest_store.RestStore`: that studio's
                                          REST API
========================================= ==============================================

Both are a :class:`~jupyter_mlstudio.store.base.TrackingStore` and pass the same contract
suites; with a SQL store, run files go straight to the artifact store (through
:class:`~jupyter_mlstudio.services.tracking.experiments.ExperimentService`), with a REST
store through the studio. A driver suffix (``postgresql+psycopg://``) keeps the scheme it
extends.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..artifacts.base import ArtifactStore
from ..config import resolve_config
from ..exceptions import ValidationError
from ..services.tracking.experiments import ExperimentService, RunFiles
from ..store.base import TrackingStore
from ..stores import open_stores
from .rest_store import RestRunFiles, RestStore
from .transport import StudioConnection

#: schemes served by a running studio's REST API
HTTP_SCHEMES = ("http", "https")
#: schemes of the SQL metadata stores, written directly
SQL_SCHEMES = ("sqlite", "postgresql", "postgres")


@dataclass
class Tracking:
    """What a tracking URI opens.

    Attributes:
        store: Experiments, trials, runs and metrics.
        files: Run files, and the deletes that take them along.
        uri: The URI opened (passwords and tokens left out).
        studio: The studio of an ``http(s)://`` URI; None for a SQL store.
        database_url: The SQL store's URL (None over HTTP): a studio started for this
            tracking serves the same records.
        artifact_root: Where a SQL store's run files go (None over HTTP).
        artifacts: The artifact store of a SQL tracking's run files (closed with it).
    """

    store: TrackingStore
    files: RunFiles
    uri: str
    studio: StudioConnection | None = None
    database_url: str | None = None
    artifact_root: str | None = None
    artifacts: ArtifactStore | None = None

    def close(self) -> None:
        """Release the store (and the artifact store of a SQL tracking)."""
        try:
            if self.artifacts is not None:
                self.artifacts.close()
        finally:
            self.store.close()


def open_tracking(
    uri: str | None, *, token: str | None = None, artifact_root: str | None = None
) -> Tracking:
    """The store a tracking URI stands for.

    Args:
        uri: A tracking URI (table above); None or ``""`` means the studio's own
            configuration.
        token: The Jupyter token of an ``http(s)://`` studio; None reads it from the
            environment (``MLSTUDIO_TOKEN``, ``JPY_API_TOKEN``, ``JUPYTER_TOKEN``).
        artifact_root: Where a SQL store's run files go; None uses
            ``MLSTUDIO_ARTIFACT_ROOT``, else the home's ``artifacts`` folder.

    Returns:
        The opened tracking; the caller closes it.

    Raises:
        ValidationError: ``field="tracking_uri"``, when ``uri`` is not a URI or its
            scheme is none of the above.
    """
    if uri is None or uri == "":
        return _open_sql(None, artifact_root)
    if not isinstance(uri, str) or "://" not in uri:
        raise ValidationError(
            f"invalid tracking URI {uri!r}: use http(s)://host:port/, sqlite:///path or "
            "postgresql://...",
            field="tracking_uri",
        )
    scheme = uri.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme in HTTP_SCHEMES:
        studio = StudioConnection(uri, token=token)
        store = RestStore(studio)
        return Tracking(store, RestRunFiles(store), studio.uri, studio=studio)
    if scheme in SQL_SCHEMES:
        return _open_sql(uri, artifact_root)
    raise ValidationError(
        f"unsupported tracking URI scheme {scheme!r}: use http(s)://, sqlite:/// or postgresql://",
        field="tracking_uri",
    )


def _open_sql(database_url: str | None, artifact_root: str | None) -> Tracking:
    config = resolve_config(database_url=database_url, artifact_root=artifact_root)
    store, artifacts = open_stores(config)
    return Tracking(
        store,
        ExperimentService(store, artifacts),
        store.health().url,
        database_url=config.database_url,
        artifact_root=config.artifact_root,
        artifacts=artifacts,
    )
