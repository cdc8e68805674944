"""Imported by ``site`` at the start of every Python of a multi-host process-runtime job
(this folder is first on its ``PYTHONPATH``): the host names resolve
(:mod:`mlstudio_hostnames`). A ``sitecustomize`` this one hides (later on ``sys.path``)
runs after it, as it would have without this folder."""

import os
import sys

import mlstudio_hostnames

mlstudio_hostnames.install_from_environment()


def _run_hidden() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    from importlib.machinery import PathFinder

    spec = PathFinder.find_spec(__name__, rest)
    if spec is None or spec.loader is None:
        return
    from importlib.util import module_from_spec

    module = module_from_spec(spec)
    sys.modules[__name__] = module
    spec.loader.exec_module(module)


_run_hidden()
