"""botocore for the studio's own use, independent of the environment's AWS settings.

The service models that ship with botocore (the SageMaker API's validation, pipeline
property paths) are read with a loader of their own, and clients for the studio's own S3
server come from a session that ignores ``AWS_PROFILE``: a profile named in the
environment that the AWS config files lack makes botocore raise ``ProfileNotFound`` on
first use, which must not stop the studio from starting.
"""

from __future__ import annotations

import functools

import botocore.session
from botocore.loaders import Loader, create_loader
from botocore.model import ServiceModel


@functools.cache
def shared_loader() -> Loader:
    """One loader of botocore's data files for the process (models parsed once)."""
    return create_loader()


@functools.cache
def service_model(service: str) -> ServiceModel:
    """The model botocore ships for ``service`` (``sagemaker``, ``sts``, ``logs``).

    Args:
        service: The service's botocore name.

    Returns:
        The model (loaded once per process).
    """
    data = shared_loader().load_service_model(service, "service-2")
    return ServiceModel(data, service_name=service)


def isolated_session() -> botocore.session.Session:
    """A botocore session that reads no profile from the environment (credentials and
    endpoints are given to its clients explicitly)."""
    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    session.register_component("data_loader", shared_loader())
    return session
