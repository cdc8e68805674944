"""``rule_configs``: the built-in Debugger and profiler rules with SageMaker's names.

``from jupyter_mlstudio.sdk.debugger import rule_configs`` stands for
``from sagemaker.debugger import rule_configs``: the debugging rules are functions that
return a rule's base configuration (``Rule.sagemaker(rule_configs.loss_not_decreasing())``),
the profiling rules are classes (``ProfilerRule.sagemaker(rule_configs.CPUBottleneck())``),
and ``StopTraining``, ``Email``, ``SMS`` and ``ActionList`` are a rule's actions. Every rule
runs in the studio (:mod:`jupyter_mlstudio.debugger.rules`); email and SMS are accepted and
not sent.
"""

from __future__ import annotations

import json
from typing import Any

from ..debugger.rules.catalog import RULES


def _base(name: str, collection: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "DebugRuleConfiguration": {
            "RuleConfigurationName": name,
            "RuleParameters": {"rule_to_invoke": name},
        }
    }
    if collection:  # SageMaker's default collection of the rule
        config["CollectionConfigurations"] = [
            {"CollectionName": collection, "CollectionParameters": {"save_interval": "500"}}
        ]
    return config


def loss_not_decreasing() -> dict[str, Any]:
    """LossNotDecreasing: the loss has not gone down by ``diff_percent`` over
    ``num_steps`` saved steps.

    Returns:
        The rule's base configuration (saves the ``losses`` collection).
    """
    return _base("LossNotDecreasing", "losses")


def overfit() -> dict[str, Any]:
    """Overfit: the validation loss moves away from the training loss.

    Returns:
        The rule's base configuration.
    """
    return _base("Overfit")


def overtraining() -> dict[str, Any]:
    """Overtraining: neither loss has improved for a while.

    Returns:
        The rule's base configuration.
    """
    return _base("Overtraining")


def stalled_training_rule() -> dict[str, Any]:
    """StalledTrainingRule: nothing new was saved for ``threshold`` seconds.

    Returns:
        The rule's base configuration.
    """
    return _base("StalledTrainingRule")


def exploding_tensor() -> dict[str, Any]:
    """ExplodingTensor: a saved tensor holds NaN or infinite values.

    Returns:
        The rule's base configuration.
    """
    return _base("ExplodingTensor")


def vanishing_gradient() -> dict[str, Any]:
    """VanishingGradient: the gradients' mean absolute value fell below ``threshold``.

    Returns:
        The rule's base configuration (saves the ``gradients`` collection).
    """
    return _base("VanishingGradient", "gradients")


def weight_update_ratio() -> dict[str, Any]:
    """WeightUpdateRatio: weight updates too large or too small against the weights.

    Returns:
        The rule's base configuration (saves the ``weights`` collection).
    """
    return _base("WeightUpdateRatio", "weights")


def class_imbalance() -> dict[str, Any]:
    """ClassImbalance: the labels seen are too unevenly spread over the classes.

    Returns:
        The rule's base configuration.
    """
    return _base("ClassImbalance")


class ProfilerRuleConfig:
    """A built-in profiling rule and its parameters (the classes below).

    Args:
        rule_parameters: The rule's parameters, over its defaults.
    """

    rule_name = ""

    def __init__(self, **rule_parameters: Any) -> None:
        spec = RULES[self.rule_name]
        self.rule_parameters: dict[str, Any] = {
            key: default for key, (_, default) in spec.parameters.items()
        }
        self.rule_parameters.update(rule_parameters)
        self.rule_parameters["rule_to_invoke"] = self.rule_name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.rule_parameters!r})"


class ProfilerReport(ProfilerRuleConfig):
    """Runs every profiling rule and writes the profiler report."""

    rule_name = "ProfilerReport"


class CPUBottleneck(ProfilerRuleConfig):
    """The CPU is busier than ``threshold`` % for too many samples."""

    rule_name = "CPUBottleneck"


class IOBottleneck(ProfilerRuleConfig):
    """Disk or network wait dominates for too many samples."""

    rule_name = "IOBottleneck"


class LowGPUUtilization(ProfilerRuleConfig):
    """The GPUs are little or unevenly used."""

    rule_name = "LowGPUUtilization"


class MaxInitializationTime(ProfilerRuleConfig):
    """Training took longer than ``threshold`` minutes to start."""

    rule_name = "MaxInitializationTime"


class OverallSystemUsage(ProfilerRuleConfig):
    """Figures of every host's system use."""

    rule_name = "OverallSystemUsage"


class Action:
    """What happens when a rule fires (:class:`StopTraining`, :class:`Email`, :class:`SMS`).

    Args:
        fields: The action's settings (None values left out).
    """

    name = ""

    def __init__(self, **fields: Any) -> None:
        self.fields = {k: v for k, v in fields.items() if v is not None}

    def serialize(self) -> dict[str, Any]:
        """The action as the rule's ``action_json`` holds it.

        Returns:
            ``{"name": ..., <fields>}``.
        """
        return {"name": self.name, **self.fields}


class StopTraining(Action):
    """Stop the training job when the rule fires.

    Args:
        training_job_prefix: Stop the job whose name starts so (default: the rule's job).
    """

    name = "stoptraining"

    def __init__(self, training_job_prefix: str | None = None) -> None:
        super().__init__(training_job_prefix=training_job_prefix)


class Email(Action):
    """Email when the rule fires (accepted; the studio sends no email).

    Args:
        email_address: The address.
    """

    name = "email"

    def __init__(self, email_address: str) -> None:
        super().__init__(endpoint=email_address)


class SMS(Action):
    """Text when the rule fires (accepted; the studio sends no text messages).

    Args:
        phone_number: The number.
    """

    name = "sms"

    def __init__(self, phone_number: str) -> None:
        super().__init__(endpoint=phone_number)


class ActionList:
    """The actions of one rule.

    Args:
        actions: :class:`Action` objects.
    """

    def __init__(self, *actions: Action) -> None:
        self.actions = list(actions)

    def update_training_job_prefix_if_not_specified(self, training_job_name: str) -> None:
        """Make :class:`StopTraining` stop ``training_job_name`` unless it names a prefix.

        Args:
            training_job_name: The job the rule watches.
        """
        for action in self.actions:
            if isinstance(action, StopTraining):
                action.fields.setdefault("training_job_prefix", training_job_name)

    def serialize(self) -> str:
        """The rule parameter ``action_json``.

        Returns:
            The actions as a JSON list.
        """
        return json.dumps([action.serialize() for action in self.actions])


def is_valid_action_object(actions: Any) -> bool:
    """Whether ``actions`` is an :class:`Action` or an :class:`ActionList`.

    Args:
        actions: What a rule was given.

    Returns:
        True for an action or a list of them.
    """
    return isinstance(actions, (Action, ActionList))
