"""skip_unseen_records: a logger's level goes up to what its handlers show, never above."""

from __future__ import annotations

import logging
import uuid

import pytest

from jupyter_mlstudio.server.log_levels import lowest_shown_level, skip_unseen_records


class Collect(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def app() -> logging.Logger:
    """An application logger as traitlets sets it up: DEBUG, filtered at the handler, not
    propagating (made outside the logging registry, so no test plugin adds handlers)."""
    logger = logging.Logger(f"test-app-{uuid.uuid4().hex[:8]}", logging.DEBUG)
    logger.propagate = False
    return logger


def test_a_logger_rises_to_its_handlers_level_and_writes_the_same(app: logging.Logger) -> None:
    shown = Collect(logging.INFO)
    app.addHandler(shown)
    child = logging.Logger(f"{app.name}.access", logging.DEBUG)
    child.parent = app  # as Jupyter hangs tornado's loggers under its own

    assert skip_unseen_records([app, child]) == {app.name: logging.INFO, child.name: logging.INFO}
    assert not app.isEnabledFor(logging.DEBUG)
    assert not child.isEnabledFor(logging.DEBUG)
    child.debug("unseen")
    child.info("seen")
    app.warning("also seen")
    assert [r.getMessage() for r in shown.records] == ["seen", "also seen"]


def test_a_handler_that_shows_debug_keeps_debug(app: logging.Logger) -> None:
    quiet, verbose = Collect(logging.WARNING), Collect(logging.DEBUG)
    app.addHandler(quiet)
    app.addHandler(verbose)
    assert skip_unseen_records([app]) == {}
    app.debug("kept")
    assert [r.getMessage() for r in verbose.records] == ["kept"]


def test_a_handler_with_no_level_shows_everything(app: logging.Logger) -> None:
    app.addHandler(Collect(logging.NOTSET))
    assert lowest_shown_level(app) == logging.NOTSET
    assert skip_unseen_records([app]) == {}
    assert app.isEnabledFor(logging.DEBUG)


def test_a_logger_reaching_no_handler_is_left_alone(app: logging.Logger) -> None:
    """Logging not set up yet: a handler added later must still get debug records."""
    assert lowest_shown_level(app) is None
    assert skip_unseen_records([app]) == {}
    assert app.isEnabledFor(logging.DEBUG)


def test_a_logger_set_higher_is_left_alone(app: logging.Logger) -> None:
    app.addHandler(Collect(logging.INFO))
    app.setLevel(logging.ERROR)
    assert skip_unseen_records([app]) == {}
    assert app.level == logging.ERROR
