"""Debugger for PyTorch models, by smdebug's names: two lines in a training script.

::

    from jupyter_mlstudio.debugger.torch import get_hook

    hook = get_hook()                 # the job's DebugHookConfig, or a hook doing nothing
    hook.register_module(model)       # weights, gradients, outputs; a step per forward pass
    hook.register_loss(criterion)     # the loss, and its inputs (predictions, labels)

    hook.set_mode(modes.TRAIN)        # optional: steps of each mode are counted apart

``register_module`` adds a forward pre-hook on the model — each forward pass after the
first starts a new step, and the parameters are saved at its start (``<name>`` into
``weights``, or ``biases`` for names ending in ``bias``) — a forward hook on every
submodule (``<module>_output_<i>`` into ``outputs``, ``<module>_input_<i>`` into
``inputs``; only when those collections are included), and a hook on each parameter's
gradient (``gradient/<name>`` into ``gradients``). ``register_loss`` saves
``<LossClass>_output_0`` into ``losses`` and its inputs as ``<LossClass>_input_0`` (the
predictions) and ``_input_1`` (the labels), the names ClassImbalance looks for. Tensors
are copied off the device only at steps that are saved. torch is imported by the
methods, so this module imports without it.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from . import hook as base
from .config import CollectionKeys


def _numpy(tensor: Any) -> np.ndarray:
    value = tensor.detach()
    if value.is_floating_point() and str(value.dtype) not in ("torch.float32", "torch.float64"):
        value = value.float()  # float16/bfloat16: numpy has no bfloat16
    return np.asarray(value.cpu().numpy())


def _tensors(value: Any) -> list[Any]:
    """The tensors in a module's inputs or outputs (a tensor, or a tuple/list of them)."""
    if hasattr(value, "detach"):
        return [value]
    if isinstance(value, (tuple, list)):
        return [v for v in value if hasattr(v, "detach")]
    return []


class Hook(base.Hook):
    """A :class:`~.hook.Hook` that collects from a PyTorch model by itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._forwards = 0
        self._model: Any = None
        self._handles: list[Any] = []

    def register_module(self, module: Any) -> None:
        """Collect from ``module`` (a ``torch.nn.Module``): see the module docstring.

        Args:
            module: The model (its forward pass starts each step).
        """
        self._model = module
        self._handles.append(module.register_forward_pre_hook(self._start_step))
        for name, child in module.named_modules():
            if child is not module:
                self._handles.append(child.register_forward_hook(self._io_saver(name)))
        for name, parameter in module.named_parameters():
            if parameter.requires_grad:
                self._handles.append(parameter.register_hook(self._gradient_saver(name)))

    def register_loss(self, loss_module: Any) -> None:
        """Save the loss a loss module (``torch.nn.CrossEntropyLoss()``, ...) computes.

        Args:
            loss_module: The loss module, called as ``loss_module(predictions, labels)``.
        """
        prefix = type(loss_module).__name__
        self._handles.append(loss_module.register_forward_hook(self._loss_saver(prefix)))

    def _start_step(self, module: Any, inputs: Any) -> None:
        if self._forwards:
            self.next_step()
        self._forwards += 1
        for name, parameter in module.named_parameters():
            group = CollectionKeys.BIASES if name.endswith("bias") else CollectionKeys.WEIGHTS
            if self.would_save(name, group):
                self.save_tensor(name, _numpy(parameter), group)

    def _io_saver(self, name: str) -> Any:
        def save(module: Any, inputs: Any, outputs: Any) -> None:
            for kind, group, value in (
                ("input", CollectionKeys.INPUTS, inputs),
                ("output", CollectionKeys.OUTPUTS, outputs),
            ):
                for i, tensor in enumerate(_tensors(value)):
                    tensor_name = f"{name}_{kind}_{i}"
                    if self.would_save(tensor_name, group):
                        self.save_tensor(tensor_name, _numpy(tensor), group)

        return save

    def _gradient_saver(self, name: str) -> Any:
        def save(gradient: Any) -> None:
            tensor_name = f"gradient/{name}"
            if self.would_save(tensor_name, CollectionKeys.GRADIENTS):
                self.save_tensor(tensor_name, _numpy(gradient), CollectionKeys.GRADIENTS)

        return save

    def _loss_saver(self, prefix: str) -> Any:
        def save(module: Any, inputs: Any, output: Any) -> None:
            name = f"{prefix}_output_0"
            if self.would_save(name, CollectionKeys.LOSSES):
                self.save_tensor(name, _numpy(output), CollectionKeys.LOSSES)
            groups = (CollectionKeys.PREDICTIONS, CollectionKeys.LABELS)
            for i, tensor in enumerate(_tensors(inputs)[:2]):
                input_name = f"{prefix}_input_{i}"
                if self.would_save(input_name, groups[i]):
                    self.save_tensor(input_name, _numpy(tensor), groups[i])

        return save

    def close(self) -> None:
        """Remove the hooks from the model and close (:meth:`.hook.Hook.close`)."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        super().close()


class NoOpHook(base.NoOpHook):
    """A hook doing nothing, with the PyTorch methods (used without a configuration)."""

    def register_module(self, module: Any) -> None:
        """Nothing to collect."""

    def register_loss(self, loss_module: Any) -> None:
        """Nothing to collect."""


_HOOK: Hook | NoOpHook | None = None


def get_hook(json_file_path: str | os.PathLike[str] | None = None) -> Hook | NoOpHook:
    """The job's PyTorch hook, made once from its DebugHookConfig JSON; a
    :class:`NoOpHook` when the job has none.

    Args:
        json_file_path: The configuration file (default as
            :meth:`.hook.Hook.create_from_json_file`).

    Returns:
        The same hook on every call (per process).
    """
    global _HOOK
    if _HOOK is None:
        try:
            made = Hook.create_from_json_file(json_file_path)
        except base.HookConfigNotFound:
            _HOOK = NoOpHook()
        else:
            assert isinstance(made, Hook)
            _HOOK = made
    return _HOOK
