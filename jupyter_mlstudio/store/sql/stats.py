"""Mean and standard deviation of finite floats, computed so that nothing overflows.

Plain sums and squares overflow long before the values do: ``1e308 + 1e308`` is infinite
(``math.fsum`` raises), and so is the squared deviation of ``{1e200, -1e200}``. Yet the
mean of finite values lies between their minimum and maximum, and their population
standard deviation is at most half their range, so both are finite. The functions here
scale the inputs by a power of two (exact: only the exponent changes) so that the largest
magnitude is below 1, do the arithmetic there, and scale the result back. The results
are then kept within those bounds, which only absorbs the last rounding at the very top
of the float range.

Two groups are combined with Chan et al.'s parallel update, written with weights
``n_a / n`` and ``n_b / n`` and on standard deviations rather than sums of squares
(which could overflow), so summaries can be folded together in any order.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

_MAX = sys.float_info.max


def _exponent(*magnitudes: float) -> int:
    """An ``e`` with every magnitude below ``2**e`` (0 when all are zero)."""
    return math.frexp(max(magnitudes))[1]


def _unscale(value: float, exponent: int) -> float:
    try:
        return math.ldexp(value, exponent)
    except OverflowError:  # a rounding past the largest float: the bounds below apply
        return math.copysign(_MAX, value)


def _within(mean: float, low: float, high: float) -> float:
    return min(max(mean, low), high)


def _spread(std_dev: float, low: float, high: float) -> float:
    # Halves first: ``high - low`` itself may overflow.
    return min(std_dev, high * 0.5 - low * 0.5)


def describe(values: Sequence[float]) -> tuple[float, float]:
    """The mean and population standard deviation of finite values.

    Args:
        values: at least one finite float.

    Returns:
        ``(mean, std_dev)``, both finite.
    """
    low, high = min(values), max(values)
    exponent = _exponent(-low, high)
    ldexp = math.ldexp
    scaled = [ldexp(x, -exponent) for x in values]
    count = len(scaled)
    mean = math.fsum(scaled) / count
    variance = math.fsum([(x - mean) * (x - mean) for x in scaled]) / count
    return (
        _within(_unscale(mean, exponent), low, high),
        _spread(_unscale(math.sqrt(variance), exponent), low, high),
    )


def combine(
    a: tuple[int, float, float],
    b: tuple[int, float, float],
    low: float,
    high: float,
) -> tuple[float, float]:
    """The mean and population standard deviation of two groups together.

    Args:
        a: ``(count, mean, std_dev)`` of the first group (count at least 1).
        b: the same for the second group.
        low: the least value of both groups.
        high: the greatest value of both groups.

    Returns:
        ``(mean, std_dev)`` of the union, both finite.
    """
    count_a, mean_a, std_a = a
    count_b, mean_b, std_b = b
    exponent = _exponent(abs(mean_a), abs(mean_b), std_a, std_b)
    ma, mb = math.ldexp(mean_a, -exponent), math.ldexp(mean_b, -exponent)
    sa, sb = math.ldexp(std_a, -exponent), math.ldexp(std_b, -exponent)
    count = count_a + count_b
    wa, wb = count_a / count, count_b / count
    delta = mb - ma
    mean = ma + delta * wb
    variance = wa * sa * sa + wb * sb * sb + wa * wb * delta * delta
    return (
        _within(_unscale(mean, exponent), low, high),
        _spread(_unscale(math.sqrt(variance), exponent), low, high),
    )


def combine_means(count_a: int, mean_a: float, count_b: int, mean_b: float) -> float:
    """The mean of two groups of ``count_a`` and ``count_b`` values.

    Works on halves (exact for normal floats), so the difference of the means cannot
    overflow, and keeps the result between the two means.
    """
    ha, hb = mean_a * 0.5, mean_b * 0.5
    half = ha + (hb - ha) * (count_b / (count_a + count_b))
    return 2.0 * min(max(half, min(ha, hb)), max(ha, hb))


def mean(values: Sequence[float]) -> float:
    """The mean of finite values (at least one), finite whatever their size."""
    low, high = min(values), max(values)
    exponent = _exponent(-low, high)
    ldexp = math.ldexp
    scaled = math.fsum([ldexp(x, -exponent) for x in values]) / len(values)
    return _within(_unscale(scaled, exponent), low, high)
