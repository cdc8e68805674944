"""jupyter_mlstudio: a local-first ML studio inside JupyterLab."""

from __future__ import annotations

from typing import Any

from .version import __version__ as __version__


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-mlstudio"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.extension import StudioApp

    return [{"module": "jupyter_mlstudio", "app": StudioApp}]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_mlstudio``: the ``%mlstudio`` and ``%%mlstudio_run`` magics."""
    from .sdk.magics import load_ipython_extension as load

    load(ipython)
