"""The package's version (``jupyter_mlstudio.__version__``).

Hatch writes it into ``_version.py`` when the package is built or installed; a source
tree that never was has version ``dev``. Modules of the package import it from here, not
from the package itself, whose ``__init__`` imports the server extension.
"""

from __future__ import annotations

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only outside an installed package
    import warnings

    warnings.warn("Importing 'jupyter_mlstudio' outside a proper installation.", stacklevel=1)
    __version__ = "dev"

__all__ = ["__version__"]
