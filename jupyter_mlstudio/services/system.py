"""Health of the studio's parts: metadata store, artifact root, runtimes."""

from __future__ import annotations

from dataclasses import dataclass

from ..artifacts.base import ArtifactHealth, ArtifactStore
from ..config import StudioConfig
from ..runtime.detect import RuntimeInfo, available_runtimes, resolve_runtime
from ..store.base import MetadataStore, StoreHealth
from ..version import __version__


@dataclass(frozen=True)
class StudioHealth:
    version: str
    store: StoreHealth
    artifacts: ArtifactHealth
    runtimes: list[RuntimeInfo]
    default_runtime: str

    @property
    def ok(self) -> bool:
        return self.store.ok and self.artifacts.ok

    def to_api(self) -> dict[str, object]:
        return {
            "Version": self.version,
            "Store": {
                "Backend": self.store.backend,
                "Url": self.store.url,
                "Ok": self.store.ok,
                "SchemaRevision": self.store.schema_revision,
                "HeadRevision": self.store.head_revision,
                "Detail": self.store.detail,
            },
            "ArtifactRoot": {
                "Uri": self.artifacts.uri,
                "Ok": self.artifacts.ok,
                "Detail": self.artifacts.detail,
            },
            "Runtimes": [
                {"Name": r.name, "Available": r.available, "Detail": r.detail}
                for r in self.runtimes
            ],
            "DefaultRuntime": self.default_runtime,
        }


class SystemService:
    def __init__(self, config: StudioConfig, store: MetadataStore, artifacts: ArtifactStore):
        self._config = config
        self._store = store
        self._artifacts = artifacts

    def health(self) -> StudioHealth:
        runtimes = available_runtimes(self._config.ray_address)
        return StudioHealth(
            version=__version__,
            store=self._store.health(),
            artifacts=self._artifacts.health(),
            runtimes=runtimes,
            default_runtime=resolve_runtime(self._config.default_runtime, runtimes),
        )
