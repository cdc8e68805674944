"""Every artifact store passes the shared contract suite."""

from jupyter_mlstudio.testing.artifact_contract import ArtifactStoreContract


class TestArtifactStoreContract(ArtifactStoreContract):
    pass
