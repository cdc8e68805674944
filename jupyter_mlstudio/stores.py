"""Open the two stores of a configuration: the metadata store and the artifact store."""

from __future__ import annotations

from .artifacts import open_artifact_store
from .artifacts.base import ArtifactStore
from .config import StudioConfig
from .store import open_store
from .store.base import MetadataStore


def open_stores(config: StudioConfig) -> tuple[MetadataStore, ArtifactStore]:
    """The metadata store and artifact store of ``config``, both open or neither.

    A SQLite database's folder (the studio home) is created first.

    Args:
        config: The resolved configuration.

    Returns:
        The two stores; the caller closes both.

    Raises:
        StoreUnavailableError: Either cannot be opened.
    """
    if config.database_url.startswith("sqlite:"):
        config.home.mkdir(parents=True, exist_ok=True)
    store = open_store(config.database_url)
    try:
        artifacts = open_artifact_store(config.artifact_root)
    except Exception:
        store.close()
        raise
    return store, artifacts
