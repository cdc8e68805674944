"""Endpoint configurations deleted while an endpoint still uses them.

SageMaker lets DeleteEndpointConfig delete the configuration of a running endpoint (the
endpoint keeps running), and the SageMaker SDK relies on it: ``Predictor.delete_endpoint()``
deletes the configuration first, then the endpoint. The studio's store keeps an
endpoint's configuration as long as the endpoint exists, so the API answers such a delete
by retiring the configuration: DescribeEndpointConfig and ListEndpointConfigs no longer
show it, and it is deleted with the last endpoint that uses it (DeleteEndpoint). The
retired names are kept in ``<home>/aws-retired-endpoint-configs.json``, so a restarted
studio still hides, then deletes, them.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

from ..exceptions import ConflictError, NotFoundError
from .registry import Call

RETIRED_FILE = "aws-retired-endpoint-configs.json"
_LOCK = threading.Lock()


def _path(call: Call) -> Path:
    return call.studio.config.home / RETIRED_FILE


def _read(path: Path) -> set[str]:
    try:
        names = json.loads(path.read_text())
    except (OSError, ValueError):
        return set()
    return {str(n) for n in names} if isinstance(names, list) else set()


def _write(path: Path, names: set[str]) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_text(json.dumps(sorted(names)))
    partial.replace(path)


def retired(call: Call) -> set[str]:
    """The configurations deleted through the API that an endpoint still uses.

    Args:
        call: Any request (the studio's home).

    Returns:
        Their names.
    """
    with _LOCK:
        return _read(_path(call))


def delete_or_retire(call: Call, name: str) -> None:
    """Delete the configuration, or retire it while an endpoint uses it.

    Args:
        call: The DeleteEndpointConfig request.
        name: The configuration.
    """
    try:
        call.studio.endpoints.delete_endpoint_config(name)
    except ConflictError:
        with _LOCK:
            path = _path(call)
            _write(path, _read(path) | {name})


def release(call: Call, name: str) -> None:
    """Delete the retired configuration ``name`` once no endpoint uses it.

    Args:
        call: The DeleteEndpoint request that freed it.
        name: The configuration the deleted endpoint used.
    """
    with _LOCK:
        path = _path(call)
        names = _read(path)
        if name not in names:
            return
        try:
            call.studio.endpoints.delete_endpoint_config(name)
        except ConflictError:
            return  # another endpoint still uses it
        except NotFoundError:
            pass
        names.discard(name)
        with contextlib.suppress(OSError):
            _write(path, names)
