"""Helpers the tests, ``benchmarks/`` and ``scripts/`` share; not part of the package.

* :mod:`tests.support.studio_server`: a real studio (``jupyter server``) or a bare model
  server in a subprocess, the iris model, and the aiohttp load generator (run it as
  ``python -m tests.support.studio_server`` from the repository root);
* :mod:`tests.support.docker_engine`, :mod:`tests.support.postgres`,
  :mod:`tests.support.seaweedfs`: a Docker engine, a PostgreSQL server and a SeaweedFS S3
  gateway for the tests that need one (started when missing, skipped when they cannot be);
* :mod:`tests.support.auth`: the handlers that lack Jupyter's authentication.

Code outside pytest (``benchmarks/*.py``, ``scripts/check_auth.py``) puts the repository
root on ``sys.path`` first. The contract suites third-party stores and runtimes run stay
in ``jupyter_mlstudio.testing`` (docs/development.md).
"""
