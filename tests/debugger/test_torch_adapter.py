"""The PyTorch hook (only where torch is installed; it is not in the studio's venv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlstudio.debugger import SaveConfig, create_trial, modes

torch = pytest.importorskip("torch")

from jupyter_mlstudio.debugger.torch import Hook, NoOpHook, get_hook  # noqa: E402


def test_a_step_per_forward_pass(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    hook = Hook(tmp_path, save_config=SaveConfig(save_interval=2), include_collections=["all"])
    hook.register_module(model)
    hook.register_loss(criterion)
    hook.set_mode(modes.TRAIN)
    x, y = torch.randn(16, 4), torch.randint(0, 3, (16,))
    for _ in range(5):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    hook.close()
    trial = create_trial(tmp_path)
    assert trial.steps(modes.TRAIN) == [0, 2, 4]
    assert trial.tensor("0.weight").value(2).shape == (8, 4)
    assert "biases" in trial.tensor("0.bias").collections
    assert trial.tensor("gradient/2.weight").value(4).shape == (3, 8)
    assert trial.tensor("CrossEntropyLoss_output_0").is_scalar()
    assert trial.tensor("CrossEntropyLoss_input_1").value(0).tolist() == y.tolist()
    assert trial.has_tensor("1_output_0")


def test_without_a_configuration() -> None:
    hook = get_hook()
    assert isinstance(hook, NoOpHook)
    hook.register_module(torch.nn.Linear(2, 2))
    hook.register_loss(torch.nn.MSELoss())
