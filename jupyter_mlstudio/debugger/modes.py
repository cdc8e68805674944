"""The modes a hook saves steps under, by smdebug's names (``modes.TRAIN``, ...).

Every saved step belongs to one mode. A hook counts steps twice: a global step over the
whole run and a step per mode (so evaluation step 3 is the fourth evaluation step, whatever
the global step is).
"""

from __future__ import annotations

from enum import Enum


class ModeKeys(Enum):
    """smdebug's modes: training, evaluation, prediction, and global (no mode set)."""

    TRAIN = 1
    EVAL = 2
    PREDICT = 3
    GLOBAL = 4


TRAIN = ModeKeys.TRAIN
EVAL = ModeKeys.EVAL
PREDICT = ModeKeys.PREDICT
GLOBAL = ModeKeys.GLOBAL

ALL_MODES = (TRAIN, EVAL, PREDICT, GLOBAL)


def parse_mode(value: ModeKeys | str | None) -> ModeKeys | None:
    """A mode from an enum member or its name (``"train"``, ``"EVAL"``); None stays None.

    Raises:
        ValueError: Not a mode's name.
    """
    if value is None or isinstance(value, ModeKeys):
        return value
    text = str(value).strip().upper()
    if text.startswith("MODEKEYS."):
        text = text[len("MODEKEYS.") :]
    if not text:
        return None
    try:
        return ModeKeys[text]
    except KeyError:
        raise ValueError(f"{value!r} is not a mode (TRAIN, EVAL, PREDICT, GLOBAL)") from None


__all__ = ["ALL_MODES", "EVAL", "GLOBAL", "PREDICT", "TRAIN", "ModeKeys", "parse_mode"]
