"""The one statistics module: every summary (sessions, reports, trends) comes from here.

Method, stated once so every number is reproducible:

- Statistics are computed on successful requests only; failed requests are counted in ``errors``.
- Percentiles use linear interpolation between closest ranks, numpy's default ``"linear"``
  method (Hyndman & Fan type 7): for sorted values ``x[0..n-1]`` and ``q`` in [0, 100], the rank
  is ``h = (n - 1) * q / 100`` and the percentile is
  ``x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])``.
- ``std`` is the sample standard deviation (divisor ``n - 1``); a single value has no spread and
  reports ``0.0``.
- Every figure is ``None`` when there is no successful value (``n == 0``).
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

from bench.results import ResultRecord

PERCENTILE_METHOD = (
    "linear interpolation between closest ranks (numpy's default 'linear' method, "
    "Hyndman & Fan type 7)"
)
STD_METHOD = "sample standard deviation (n - 1)"
SUMMARY_FIELDS = ("n", "errors", "mean", "min", "p50", "p90", "p95", "p99", "max", "std")


@dataclass(frozen=True)
class Summary:
    n: int  # successful values
    errors: int  # failed requests, not part of any other figure
    mean: float | None
    min: float | None
    p50: float | None
    p90: float | None
    p95: float | None
    p99: float | None
    max: float | None
    std: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> "Summary":
        """The inverse of ``as_dict`` (stored session summaries); missing figures read as None."""

        def number(key: str) -> float | None:
            value = data.get(key)
            return None if value is None else float(str(value))

        return cls(
            n=int(str(data.get("n", 0))),
            errors=int(str(data.get("errors", 0))),
            mean=number("mean"),
            min=number("min"),
            p50=number("p50"),
            p90=number("p90"),
            p95=number("p95"),
            p99=number("p99"),
            max=number("max"),
            std=number("std"),
        )


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ascending ``sorted_values``, linear interpolation."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q={q} is outside 0..100")
    rank = (len(sorted_values) - 1) * q / 100
    lower = math.floor(rank)
    fraction = rank - lower
    if fraction == 0:
        return float(sorted_values[lower])
    below, above = sorted_values[lower], sorted_values[lower + 1]
    return float(below + fraction * (above - below))


def summarize(values: Sequence[float], *, errors: int = 0) -> Summary:
    """Summary of successful request times ``values`` (ms), plus the count of failed ones."""
    n = len(values)
    if n == 0:
        return Summary(n=0, errors=errors, **dict.fromkeys(SUMMARY_FIELDS[2:]))
    ordered = sorted(values)
    mean = math.fsum(ordered) / n
    std = math.sqrt(math.fsum((value - mean) ** 2 for value in ordered) / (n - 1)) if n > 1 else 0.0
    # fsum can round the mean just outside [min, max] when all values are (nearly) equal.
    mean = min(max(mean, ordered[0]), ordered[-1])
    return Summary(
        n=n,
        errors=errors,
        mean=mean,
        min=float(ordered[0]),
        p50=percentile(ordered, 50),
        p90=percentile(ordered, 90),
        p95=percentile(ordered, 95),
        p99=percentile(ordered, 99),
        max=float(ordered[-1]),
        std=std,
    )


def summarize_records(records: Iterable[ResultRecord]) -> dict[str, Summary]:
    """Per endpoint (in order of first appearance), the summary of ``latency_ms`` of its records.

    A record counts as an error when it is not ``ok``; an ok record without a time is skipped.
    """
    values: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for record in records:
        values.setdefault(record.endpoint, [])
        errors.setdefault(record.endpoint, 0)
        if not record.ok:
            errors[record.endpoint] += 1
        elif record.latency_ms is not None:
            values[record.endpoint].append(record.latency_ms)
    return {
        endpoint: summarize(times, errors=errors[endpoint]) for endpoint, times in values.items()
    }
