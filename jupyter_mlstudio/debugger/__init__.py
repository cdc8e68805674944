"""SageMaker Debugger's script side, by smdebug's names: standard library and numpy only.

In a training script::

    from jupyter_mlstudio.debugger import Hook, modes

    hook = Hook.create_from_json_file()     # the job's DebugHookConfig
    hook.set_mode(modes.TRAIN)
    for step in range(steps):
        ...
        hook.save_scalar("loss", loss)
        hook.save_tensor("weights/w", w, "weights")
        hook.next_step()
    hook.close()

:func:`get_hook` returns a hook that saves nothing when the job has no Debugger
configuration; the adapters (:mod:`.sklearn`, :mod:`.torch`) use it, so a script runs
the same with and without one. :func:`create_trial` reads the saved tensors back; the
built-in rules (:mod:`.rules`) read them while the job runs.
"""

from __future__ import annotations

from typing import Any

from . import modes
from .config import Collection, CollectionKeys, SaveConfig, SaveConfigMode
from .hook import Hook, HookConfigNotFound, NoOpHook, get_hook
from .modes import ModeKeys


def __getattr__(name: str) -> Any:
    if name == "create_trial":  # the reader is not needed inside training jobs
        from .trials import create_trial

        return create_trial
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Collection",
    "CollectionKeys",
    "Hook",
    "HookConfigNotFound",
    "ModeKeys",
    "NoOpHook",
    "SaveConfig",
    "SaveConfigMode",
    "create_trial",
    "get_hook",
    "modes",
]
