"""Built-in Debugger and profiler rules, run by rule evaluation jobs (:mod:`.evaluate`).

:func:`implementation` finds a rule's class by SageMaker's name: the tensor rules in
:mod:`.builtin`, the profiler rules in :mod:`.profiler`; :mod:`.catalog` is the table of
names and parameters both the studio and the evaluator check against.
"""

from __future__ import annotations

from .base import Finding, Rule, RuleContext
from .catalog import RULES, RuleSpec


def implementation(name: str) -> type[Rule]:
    """The class that runs the built-in rule ``name``.

    Args:
        name: SageMaker's name (``LossNotDecreasing``, ``CPUBottleneck``, ...).

    Returns:
        The rule's class.

    Raises:
        KeyError: No such built-in rule.
    """
    spec = RULES[name]
    if spec.profiler:
        from .profiler import IMPLEMENTATIONS
    else:
        from .builtin import IMPLEMENTATIONS
    return IMPLEMENTATIONS[name]


__all__ = ["RULES", "Finding", "Rule", "RuleContext", "RuleSpec", "implementation"]
