"""The statistics module against numpy / statistics on fixed data, and its properties."""

import statistics
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.results import ResultRecord
from bench.stats import Summary, percentile, summarize, summarize_records

FIXED = [12.5, 3.25, 7.0, 100.0, 3.25, 45.125, 9.75, 0.5, 18.0, 61.0, 2.0]


def make_record(
    *,
    endpoint: str = "sqlite-efs",
    server_ms: float | None = 10.0,
    client_ms: float | None = None,
    status: int = 200,
    error: str | None = None,
) -> ResultRecord:
    return ResultRecord(
        endpoint=endpoint,
        query="all",
        iteration=0,
        status=status,
        client_ms=client_ms,
        server_total_ms=server_ms,
        copy_ms=None,
        read_ms=server_ms,
        rows=10,
        fingerprint="f",
        cold_start=False,
        measured_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        error=error,
    )


@pytest.mark.parametrize("q", [0, 1, 25, 50, 90, 95, 99, 99.9, 100])
def test_percentile_matches_numpy_linear_method(q: float) -> None:
    ordered = sorted(FIXED)

    ours = percentile(ordered, q)

    assert ours == pytest.approx(float(np.percentile(FIXED, q, method="linear")), rel=1e-12)


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([10.0, 20.0], 50) == 15.0
    assert percentile([10.0, 20.0, 40.0], 75) == 30.0
    assert percentile([7.0], 99) == 7.0


def test_percentile_rejects_no_values_and_out_of_range_q() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="q=101 is outside 0..100"):
        percentile([1.0], 101)


def test_summarize_matches_numpy_and_statistics_on_fixed_data() -> None:
    summary = summarize(FIXED, errors=2)

    expected = Summary(
        n=11,
        errors=2,
        mean=statistics.fmean(FIXED),
        min=0.5,
        p50=float(np.percentile(FIXED, 50)),
        p90=float(np.percentile(FIXED, 90)),
        p95=float(np.percentile(FIXED, 95)),
        p99=float(np.percentile(FIXED, 99)),
        max=100.0,
        std=statistics.stdev(FIXED),
    )
    assert summary.n == expected.n and summary.errors == expected.errors
    for field in ("mean", "min", "p50", "p90", "p95", "p99", "max", "std"):
        assert getattr(summary, field) == pytest.approx(getattr(expected, field), rel=1e-12)
    assert summary.std == pytest.approx(float(np.std(FIXED, ddof=1)), rel=1e-12)


def test_summarize_of_nothing_has_no_figures_but_keeps_errors() -> None:
    assert summarize([], errors=3) == Summary(
        n=0,
        errors=3,
        mean=None,
        min=None,
        p50=None,
        p90=None,
        p95=None,
        p99=None,
        max=None,
        std=None,
    )


def test_summarize_of_one_value_has_zero_spread() -> None:
    assert summarize([4.5]) == Summary(
        n=1, errors=0, mean=4.5, min=4.5, p50=4.5, p90=4.5, p95=4.5, p99=4.5, max=4.5, std=0.0
    )


def test_summary_round_trips_through_a_dict() -> None:
    summary = summarize(FIXED, errors=1)

    assert Summary.from_dict(summary.as_dict()) == summary
    assert Summary.from_dict({"n": 0}) == summarize([])


def test_summarize_records_groups_by_endpoint_and_counts_failures_apart() -> None:
    records = [
        make_record(endpoint="ddb", server_ms=4.0),
        make_record(endpoint="sqlite-efs", server_ms=1.0),
        make_record(endpoint="ddb", server_ms=2.0),
        make_record(endpoint="ddb", server_ms=None, status=500, error="boom"),
        make_record(endpoint="sqlite-efs", server_ms=3.0, client_ms=30.0),
        make_record(endpoint="sqlite-efs", server_ms=None),  # ok but untimed: skipped
    ]

    summaries = summarize_records(records)

    assert list(summaries) == ["ddb", "sqlite-efs"]
    assert summaries["ddb"] == summarize([4.0, 2.0], errors=1)
    # client time wins over server time when both are there
    assert summaries["sqlite-efs"] == summarize([1.0, 30.0])


finite_ms = st.floats(min_value=0.0, max_value=1e7, allow_nan=False, allow_infinity=False)


@given(st.lists(finite_ms, min_size=1, max_size=200))
def test_summary_figures_are_ordered(values: list[float]) -> None:
    s = summarize(values)

    assert s.min is not None and s.max is not None and s.mean is not None
    assert s.p50 is not None and s.p90 is not None and s.p95 is not None and s.p99 is not None
    assert s.min <= s.p50 <= s.p90 <= s.p95 <= s.p99 <= s.max
    assert s.min <= s.mean <= s.max
    assert s.std is not None and s.std >= 0
    assert s.n == len(values)


@given(st.lists(finite_ms, min_size=1, max_size=100), st.floats(min_value=0, max_value=100))
def test_percentile_agrees_with_numpy_everywhere(values: list[float], q: float) -> None:
    ours = percentile(sorted(values), q)

    assert ours == pytest.approx(float(np.percentile(values, q)), rel=1e-9, abs=1e-9)
