"""What every perf case returns, and the timing helper they share."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PerfResult:
    case: str
    ours_ms: float
    baseline_ms: float | None  # None for absolute targets
    target: str  # human form, e.g. "<= 1.3x" or "< 1 ms"
    met: bool
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline_ms is None or self.baseline_ms == 0:
            return None
        return self.ours_ms / self.baseline_ms


def median_ms(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in ms after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(samples)


def ratio_result(
    case: str, *, ours_ms: float, baseline_ms: float, at_most: float, note: str = ""
) -> PerfResult:
    """A case whose target is ours / baseline <= at_most."""
    return PerfResult(
        case=case,
        ours_ms=ours_ms,
        baseline_ms=baseline_ms,
        target=f"<= {at_most}x",
        met=ours_ms <= baseline_ms * at_most,
        note=note,
    )
