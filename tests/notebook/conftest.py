"""The example notebooks run outside JupyterLab (nbclient), as a script would: their first
job or endpoint starts a background studio for the test's home, stopped here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlstudio.ownership import current_owner, stop_owner


@pytest.fixture(autouse=True)
def _stop_the_background_studio(tmp_path: Path) -> Iterator[None]:
    yield
    if current_owner(tmp_path) is not None:
        assert stop_owner(tmp_path), "the notebook's background studio did not stop"
