"""jupyter_mlstudio: a local-first ML studio inside JupyterLab."""

from __future__ import annotations

from typing import Any

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only outside an installed package
    import warnings

    warnings.warn("Importing 'jupyter_mlstudio' outside a proper installation.", stacklevel=1)
    __version__ = "dev"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-mlstudio"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.extension import StudioApp

    return [{"module": "jupyter_mlstudio", "app": StudioApp}]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_mlstudio``: the ``%mlstudio`` and ``%%mlstudio_run`` magics."""
    from .sdk.magics import load_ipython_extension as load

    load(ipython)
