"""Variant choice by weight and TargetVariant, round robin over instances."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from jupyter_mlstudio.exceptions import NoHealthyInstanceError, ValidationError
from jupyter_mlstudio.hosting.routing import RoutedVariant, RoutingTable, Target, traffic_shares


def variant(name: str, weight: float, hosts: int = 1) -> RoutedVariant:
    targets = tuple(Target(f"algo-{i + 1}", f"http://127.0.0.1:{9000 + i}") for i in range(hosts))
    return RoutedVariant(name, weight, targets)


def test_weights_split_traffic_close_to_their_shares() -> None:
    table = RoutingTable((variant("a", 3.0), variant("b", 1.0)))
    rng = random.Random(7)
    counts = Counter(table.choose(rng=rng).name for _ in range(20_000))
    assert abs(counts["a"] / 20_000 - 0.75) < 0.02
    assert abs(counts["b"] / 20_000 - 0.25) < 0.02


def test_target_variant_wins_over_weights_even_at_weight_zero() -> None:
    table = RoutingTable((variant("a", 1.0), variant("b", 0.0)))
    assert {table.choose("b").name for _ in range(50)} == {"b"}
    assert {table.choose().name for _ in range(50)} == {"a"}


def test_unknown_target_variant_is_a_400_naming_the_variants() -> None:
    table = RoutingTable((variant("a", 1.0), variant("b", 1.0)))
    with pytest.raises(ValidationError) as info:
        table.choose("c")
    assert info.value.field == "TargetVariant"
    assert "a, b" in info.value.message


def test_variants_without_healthy_instances_get_no_traffic() -> None:
    table = RoutingTable((variant("a", 5.0, hosts=0), variant("b", 1.0)))
    assert {table.choose().name for _ in range(50)} == {"b"}
    with pytest.raises(NoHealthyInstanceError):
        RoutingTable((variant("a", 1.0, hosts=0),)).choose()
    with pytest.raises(NoHealthyInstanceError):
        table.choose("a").next_target()


def test_round_robin_over_instances() -> None:
    routed = variant("a", 1.0, hosts=3)
    hosts = [routed.next_target().host for _ in range(6)]
    assert hosts == ["algo-1", "algo-2", "algo-3", "algo-1", "algo-2", "algo-3"]


def test_traffic_shares() -> None:
    assert traffic_shares([3, 1]) == [0.75, 0.25]
    assert traffic_shares([0, 0]) == [0.0, 0.0]
