"""``bench.fingerprint``: equal data gives an equal digest, whatever form the numbers came in."""

import functools
import operator
from decimal import Decimal

import pytest

from bench.fingerprint import fingerprint, fingerprint_aggregate, fingerprint_rows, round_avg
from bench.strategies.base import Aggregate


def test_fingerprint_is_equal_for_numbers_from_text_decimal_and_float() -> None:
    ids = ["01A", "01B"]

    from_float = fingerprint(ids, [0.1, 0.25])
    from_text = fingerprint(ids, [float("0.1"), float("0.250")])
    from_decimal = fingerprint(ids, [float(Decimal("0.1")), float(Decimal("0.25"))])

    assert from_float == from_text == from_decimal


def test_fingerprint_changes_with_one_value_one_id_or_one_row_more() -> None:
    base = fingerprint(["01A", "01B"], [0.1, 0.25])

    variants = {
        fingerprint(["01A", "01B"], [0.1, 0.2500000000000001]),
        fingerprint(["01A", "01C"], [0.1, 0.25]),
        fingerprint(["01A", "01B", "01C"], [0.1, 0.25, 0.5]),
        fingerprint([], []),
    }

    assert base not in variants
    assert len(variants) == 4


def test_fingerprint_rejects_ids_and_values_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="2 ids but 1 values"):
        fingerprint(["01A", "01B"], [0.1])


def test_fingerprint_rows_does_not_depend_on_row_order() -> None:
    assert fingerprint_rows([("01B", 0.25), ("01A", 0.1)]) == fingerprint(
        ["01A", "01B"], [0.1, 0.25]
    )


def test_round_avg_hides_summation_order_differences() -> None:
    values = [0.1] * 10 + [0.7, 0.3]
    # Plain left-to-right addition, as a database may do it (Python's sum() compensates).
    forwards = functools.reduce(operator.add, values) / len(values)
    backwards = functools.reduce(operator.add, reversed(values)) / len(values)

    assert forwards != backwards
    assert (round_avg(forwards), round_avg(None)) == (round_avg(backwards), None)


def test_fingerprint_aggregate_covers_every_field() -> None:
    base = Aggregate(count=3, avg=0.5, min=0.1, max=0.9)

    digests = {
        fingerprint_aggregate(base),
        fingerprint_aggregate(Aggregate(count=4, avg=0.5, min=0.1, max=0.9)),
        fingerprint_aggregate(Aggregate(count=3, avg=0.6, min=0.1, max=0.9)),
        fingerprint_aggregate(Aggregate(count=3, avg=0.5, min=0.2, max=0.9)),
        fingerprint_aggregate(Aggregate(count=3, avg=0.5, min=0.1, max=0.8)),
        fingerprint_aggregate(Aggregate(count=0, avg=None, min=None, max=None)),
    }

    assert len(digests) == 6
