"""Debugger and profiler settings of an estimator, with ``sagemaker.debugger``'s names.

``Estimator(rules=[Rule.sagemaker(rule_configs.loss_not_decreasing()),
ProfilerRule.sagemaker(rule_configs.ProfilerReport())], debugger_hook_config=
DebuggerHookConfig(collection_configs=[CollectionConfig("losses", {"save_interval": "1"})]),
profiler_config=ProfilerConfig(system_monitor_interval_millis=500))``: :func:`debug_request`
turns them into CreateTrainingJob's ``DebugHookConfig``, ``DebugRuleConfigurations``,
``ProfilerConfig`` and ``ProfilerRuleConfigurations``. The training script saves tensors
with :mod:`jupyter_mlstudio.debugger`; each rule runs beside the job in the studio.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..exceptions import ValidationError
from . import rule_configs
from .rule_configs import ActionList, ProfilerRuleConfig

#: what the SageMaker SDK sends as a built-in rule's image (any image is accepted)
DEFAULT_RULE_EVALUATOR_IMAGE = "mlstudio/debugger-rules"


class CollectionConfig:
    """A tensor collection the hook saves, and how often.

    Args:
        name: The collection (``losses``, ``weights``, ``gradients``, ``metrics``, ...).
        parameters: ``{"save_interval": "10", "include_regex": ...}`` (strings).
    """

    def __init__(self, name: str, parameters: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.parameters = dict(parameters or {})

    def _to_request_dict(self) -> dict[str, Any]:
        return {
            "CollectionName": self.name,
            "CollectionParameters": {k: str(v) for k, v in self.parameters.items()},
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CollectionConfig) and (self.name, self.parameters) == (
            other.name,
            other.parameters,
        )

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.parameters.items()))))

    def __repr__(self) -> str:
        return f"CollectionConfig({self.name!r}, {self.parameters!r})"


class DebuggerHookConfig:
    """Where the job's hook saves tensors and what it saves.

    Args:
        s3_output_path: Where they are published (``<path>/<job>/debug-output``); default
            the estimator's output path, else the studio's artifact store.
        container_local_output_path: Where the job writes them (below ``/opt/ml``; default
            ``/opt/ml/output/tensors``).
        hook_parameters: ``{"save_interval": "10", ...}`` for every collection.
        collection_configs: :class:`CollectionConfig` objects.
    """

    def __init__(
        self,
        s3_output_path: str | None = None,
        container_local_output_path: str | None = None,
        hook_parameters: Mapping[str, Any] | None = None,
        collection_configs: Sequence[CollectionConfig] | None = None,
    ) -> None:
        self.s3_output_path = s3_output_path
        self.container_local_output_path = container_local_output_path
        self.hook_parameters = dict(hook_parameters or {})
        self.collection_configs = list(collection_configs or ())


class ProfilerConfig:
    """How often every host of the job is sampled.

    Args:
        s3_output_path: Accepted for SageMaker compatibility (the samples stay with the
            job in the studio).
        system_monitor_interval_millis: 100, 200, 500 (default), 1000, 5000 or 60000.
        framework_profile_params: Accepted and not used (no framework profiling).
        disable_profiler: No sampling.
        kwargs: Other SageMaker arguments, accepted and not used.
    """

    def __init__(
        self,
        s3_output_path: str | None = None,
        system_monitor_interval_millis: int | None = None,
        framework_profile_params: Any = None,
        disable_profiler: bool = False,
        **kwargs: Any,
    ) -> None:
        self.s3_output_path = s3_output_path
        self.system_monitor_interval_millis = system_monitor_interval_millis
        self.framework_profile_params = framework_profile_params
        self.disable_profiler = disable_profiler

    def _to_request_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"DisableProfiler": bool(self.disable_profiler)}
        if self.s3_output_path:
            body["S3OutputPath"] = self.s3_output_path
        if self.system_monitor_interval_millis is not None:
            body["ProfilingIntervalInMilliseconds"] = int(self.system_monitor_interval_millis)
        return body


class _RuleBase:
    def __init__(
        self,
        name: str,
        rule_parameters: Mapping[str, Any],
        container_local_output_path: str | None,
        s3_output_path: str | None,
    ) -> None:
        self.name = name
        self.image_uri = DEFAULT_RULE_EVALUATOR_IMAGE
        self.rule_parameters = dict(rule_parameters)
        self.container_local_output_path = container_local_output_path
        self.s3_output_path = s3_output_path

    def _to_request_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "RuleConfigurationName": self.name,
            "RuleEvaluatorImage": self.image_uri,
            "RuleParameters": {k: _string(v) for k, v in self.rule_parameters.items()},
        }
        if self.container_local_output_path:
            body["LocalPath"] = self.container_local_output_path
        if self.s3_output_path:
            body["S3OutputPath"] = self.s3_output_path
        return body

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.rule_parameters!r})"


class Rule(_RuleBase):
    """A built-in debugging rule that watches the job's saved tensors (make it with
    :meth:`sagemaker`).

    Args:
        name: The configuration's name.
        rule_parameters: The rule's parameters (``rule_to_invoke`` names the rule).
        collections_to_save: What the hook saves for it.
        actions: What happens when it fires (``rule_configs.StopTraining()``).
        container_local_output_path: Where the rule job writes its output.
        s3_output_path: Where the rule's output is published.
    """

    def __init__(
        self,
        name: str,
        rule_parameters: Mapping[str, Any],
        collections_to_save: Sequence[CollectionConfig],
        actions: Any = None,
        container_local_output_path: str | None = None,
        s3_output_path: str | None = None,
    ) -> None:
        super().__init__(name, rule_parameters, container_local_output_path, s3_output_path)
        self.collection_configs = list(collections_to_save)
        self.actions = actions

    @classmethod
    def sagemaker(
        cls,
        base_config: Mapping[str, Any],
        name: str | None = None,
        container_local_output_path: str | None = None,
        s3_output_path: str | None = None,
        other_trials_s3_input_paths: Sequence[str] | None = None,
        rule_parameters: Mapping[str, Any] | None = None,
        collections_to_save: Sequence[CollectionConfig] | None = None,
        actions: Any = None,
    ) -> Rule:
        """A built-in rule.

        Args:
            base_config: ``rule_configs.<rule>()``.
            name: The configuration's name (default the rule's).
            container_local_output_path: Where the rule job writes its output.
            s3_output_path: Where the rule's output is published.
            other_trials_s3_input_paths: Accepted; no built-in rule here compares trials.
            rule_parameters: The rule's parameters, over its defaults
                (``{"num_steps": "10"}``).
            collections_to_save: What the hook saves for it (default the rule's own).
            actions: ``rule_configs.StopTraining()`` or an ``ActionList``.

        Returns:
            The rule, for ``Estimator(rules=[...])``.

        Raises:
            ValidationError: ``rule_to_invoke`` given, or actions that are not actions.
        """
        if rule_parameters and "rule_to_invoke" in rule_parameters:
            raise ValidationError(
                "rule_to_invoke cannot be given for a built-in rule", field="rule_parameters"
            )
        if actions is not None and not rule_configs.is_valid_action_object(actions):
            raise ValidationError("actions must be an Action or an ActionList", field="actions")
        configuration = base_config["DebugRuleConfiguration"]
        parameters = {
            f"other_trial_{i}": path for i, path in enumerate(other_trials_s3_input_paths or ())
        }
        parameters.update(configuration.get("RuleParameters") or {})
        parameters.update(rule_parameters or {})
        defaults = [
            CollectionConfig(c["CollectionName"], c.get("CollectionParameters"))
            for c in base_config.get("CollectionConfigurations") or ()
        ]
        return cls(
            name or configuration["RuleConfigurationName"],
            parameters,
            list(collections_to_save or defaults),
            actions,
            container_local_output_path,
            s3_output_path,
        )

    def prepare_actions(self, training_job_name: str) -> None:
        """Put the actions into the rule's parameters (``action_json``).

        Args:
            training_job_name: The job a StopTraining action stops.
        """
        self.rule_parameters.pop("action_json", None)
        if self.actions is None:
            return
        actions = self.actions if isinstance(self.actions, ActionList) else ActionList(self.actions)
        actions.update_training_job_prefix_if_not_specified(training_job_name)
        self.rule_parameters["action_json"] = actions.serialize()


class ProfilerRule(_RuleBase):
    """A built-in profiling rule that watches every host's system figures (make it with
    :meth:`sagemaker`)."""

    @classmethod
    def sagemaker(
        cls,
        base_config: ProfilerRuleConfig,
        name: str | None = None,
        container_local_output_path: str | None = None,
        s3_output_path: str | None = None,
    ) -> ProfilerRule:
        """A built-in profiling rule.

        Args:
            base_config: ``rule_configs.ProfilerReport()``, ``rule_configs.CPUBottleneck()``...
            name: The configuration's name (default the rule's).
            container_local_output_path: Where the rule job writes its output.
            s3_output_path: Where the rule's output is published.

        Returns:
            The rule, for ``Estimator(rules=[...])``.
        """
        return cls(
            name or base_config.rule_name,
            base_config.rule_parameters,
            container_local_output_path,
            s3_output_path,
        )


def _string(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def debug_request(
    job_name: str,
    rules: Sequence[Any] | None,
    hook_config: DebuggerHookConfig | bool | None,
    profiler_config: ProfilerConfig | None,
    disable_profiler: bool,
) -> dict[str, Any]:
    """The CreateTrainingJob members of an estimator's Debugger and profiler settings.

    As the SageMaker SDK does: the hook is configured unless ``hook_config`` is False, with
    the collections of every rule and of the hook's own configuration (each once).

    Args:
        job_name: The job (a rule's StopTraining stops it).
        rules: :class:`Rule` and :class:`ProfilerRule` objects.
        hook_config: A :class:`DebuggerHookConfig`, None (the default one) or False (none).
        profiler_config: A :class:`ProfilerConfig`, or None (sampled every 500 ms).
        disable_profiler: No sampling and no profiling rules.

    Returns:
        ``DebugHookConfig``, ``DebugRuleConfigurations``, ``ProfilerConfig`` and
        ``ProfilerRuleConfigurations``, those that apply.

    Raises:
        ValidationError: A rule that is neither kind, or profiling rules with the
            profiler off.
    """
    debug_rules, profiler_rules = [], []
    for i, rule in enumerate(rules or ()):
        if isinstance(rule, Rule):
            debug_rules.append(rule)
        elif isinstance(rule, ProfilerRule):
            profiler_rules.append(rule)
        else:
            raise ValidationError(
                "give Rule.sagemaker(...) or ProfilerRule.sagemaker(...)", field=f"rules[{i}]"
            )
    body: dict[str, Any] = {}
    if hook_config is not False:
        hook = hook_config if isinstance(hook_config, DebuggerHookConfig) else DebuggerHookConfig()
        collections: dict[str, CollectionConfig] = {}
        for collection in [c for r in debug_rules for c in r.collection_configs] + list(
            hook.collection_configs
        ):
            collections[collection.name] = collection  # the hook's own come last and win
        spec: dict[str, Any] = {
            "CollectionConfigurations": [c._to_request_dict() for c in collections.values()]
        }
        if hook.s3_output_path:
            spec["S3OutputPath"] = hook.s3_output_path
        if hook.container_local_output_path:
            spec["LocalPath"] = hook.container_local_output_path
        if hook.hook_parameters:
            spec["HookParameters"] = {k: _string(v) for k, v in hook.hook_parameters.items()}
        body["DebugHookConfig"] = spec
    if debug_rules:
        for rule in debug_rules:
            rule.prepare_actions(job_name)
        body["DebugRuleConfigurations"] = [r._to_request_dict() for r in debug_rules]
    off = disable_profiler or (profiler_config is not None and profiler_config.disable_profiler)
    if off and profiler_rules:
        raise ValidationError("profiling rules need the profiler", field="disable_profiler")
    if off:
        body["ProfilerConfig"] = {"DisableProfiler": True}
    elif profiler_config is not None:
        body["ProfilerConfig"] = profiler_config._to_request_dict()
    if profiler_rules:
        body["ProfilerRuleConfigurations"] = [r._to_request_dict() for r in profiler_rules]
    return body


__all__ = [
    "CollectionConfig",
    "DebuggerHookConfig",
    "ProfilerConfig",
    "ProfilerRule",
    "Rule",
    "debug_request",
    "rule_configs",
]
