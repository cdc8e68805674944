"""Contract test suites for pluggable backends: subclass one in your own tests.

* :mod:`jupyter_mlstudio.testing.store_contract`: ``TrackingContract`` for a
  :class:`~jupyter_mlstudio.store.base.TrackingStore` (experiments, runs, metrics, chart
  data), ``StoreContract`` for a whole :class:`~jupyter_mlstudio.store.base.MetadataStore`;
* :mod:`jupyter_mlstudio.testing.artifact_contract` (``ArtifactStoreContract``): an
  :class:`~jupyter_mlstudio.artifacts.base.ArtifactStore`;
* :mod:`jupyter_mlstudio.testing.runtime_contract` (``RuntimeContract``): a runtime.

They need pytest (the ``test`` extra). How to use them: docs/development.md.
"""
