"""``c.StudioApp.autoscaling_period`` reaches the controller of the server's studio."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.test_api import studio_of


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    studio_app = {**jp_server_config["StudioApp"], "autoscaling_period": 2.5}
    return {**jp_server_config, "StudioApp": studio_app}


async def test_the_setting_sets_the_evaluation_period(jp_serverapp: Any) -> None:
    assert studio_of(jp_serverapp).autoscaling.period_s == 2.5
