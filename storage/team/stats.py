"""Chance-corrected agreement coefficients, as plain functions over category labels.

:func:`cohen_kappa` takes two aligned sequences of decisions (one per item);
:func:`krippendorff_alpha` takes one row of values per unit, ``None`` where an
annotator gave none. Both return ``None`` when the coefficient is undefined
(every decision in one category: expected disagreement is zero), where other
tools return NaN. Tests cross-check them against scikit-learn and the
``krippendorff`` package.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import permutations


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's κ of two annotators' decisions on the same items."""
    if len(first) != len(second):
        raise ValueError("both annotators must decide the same items")
    total = len(first)
    if total == 0:
        return None
    observed = sum(1 for one, other in zip(first, second, strict=True) if one == other) / total
    counts_first, counts_second = Counter(first), Counter(second)
    expected = sum(
        counts_first[category] * counts_second[category] for category in counts_first
    ) / (total * total)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(units: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's α (nominal) over ``units``: each a row of one value per annotator.

    Units with fewer than two values are not pairable and count for nothing.
    """
    coincidences: Counter[tuple[Hashable, Hashable]] = Counter()
    for unit in units:
        values = [value for value in unit if value is not None]
        if len(values) < 2:
            continue
        weight = 1 / (len(values) - 1)
        for one, other in permutations(values, 2):
            coincidences[(one, other)] += weight
    marginals: Counter[Hashable] = Counter()
    for (one, _other), weight in coincidences.items():
        marginals[one] += weight
    total = sum(marginals.values())
    if total <= 1:
        return None
    observed = sum(weight for (one, other), weight in coincidences.items() if one != other)
    expected = sum(
        marginals[one] * marginals[other]
        for one in marginals
        for other in marginals
        if one != other
    )
    if expected == 0:
        return None
    return 1 - (total - 1) * observed / expected
