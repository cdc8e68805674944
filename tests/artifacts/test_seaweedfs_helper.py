"""The SeaweedFS test helper skips without ``weed``, but fails in CI."""

from __future__ import annotations

import pytest

from tests.support import seaweedfs


def test_missing_weed_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seaweedfs, "find_weed", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="weed"):
        seaweedfs.weed_or_skip()


def test_missing_weed_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seaweedfs, "find_weed", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="may not be skipped in CI"):
        seaweedfs.weed_or_skip()
