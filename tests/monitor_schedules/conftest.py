"""Fixtures of the monitoring schedule tests: a studio on the process runtime whose clock
the test moves (the data and requests are in tests/support/monitoring.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from jupyter_mlstudio.config import StudioConfig, resolve_config
from jupyter_mlstudio.services.studio import Studio

from ..support.monitoring import T0


@dataclass
class Clock:
    """The studio's time; tests set ``now``."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def monitor_config(tmp_path: Path) -> StudioConfig:
    home = tmp_path / "home"
    home.mkdir()
    return resolve_config(home=home, default_runtime="process")


@pytest.fixture
def open_studio(monitor_config: StudioConfig, clock: Clock) -> Iterator[Callable[[], Studio]]:
    opened: list[Studio] = []

    def make() -> Studio:
        studio = Studio.open(monitor_config, clock=clock)
        opened.append(studio)
        return studio

    yield make
    for studio in opened:
        studio.close()
