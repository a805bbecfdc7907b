"""The record of one timed request, shared by every producer and consumer of results.

Producers: the in-function benchmark (``/benchmark``, stored as benchmark_result items) and the
client-side ``runbenchmark``. Consumers: ``bench.stats``, the CSV/Markdown/chart reports and
``exportreport``. The CSV columns of SPEC.md Reports are ``CSV_COLUMNS``, in order.
"""

from dataclasses import dataclass
from datetime import datetime

CSV_COLUMNS = (
    "endpoint",
    "query",
    "iteration",
    "status",
    "client_ms",
    "server_total_ms",
    "copy_ms",
    "read_ms",
    "rows",
    "fingerprint",
    "cold_start",
    "measured_at",
)


@dataclass(frozen=True)
class ResultRecord:
    endpoint: str  # strategy name, e.g. "sqlite-efs"
    query: str  # query shape: all / latest / point / aggregate
    # 0-based within its strategy. Warm-ups are not recorded, except a container's first answer
    # (cold_start true), which runbenchmark keeps with iteration -1.
    iteration: int
    status: int  # HTTP status (200 for a successful in-function read, 599 for a client failure)
    client_ms: float | None  # measured by the client (None for in-function sessions)
    server_total_ms: float | None  # the strategy's own total, as the function reported it
    copy_ms: float | None  # tmp strategies only
    read_ms: float | None
    rows: int | None
    fingerprint: str | None
    cold_start: bool
    measured_at: datetime
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and 200 <= self.status < 300

    @property
    def latency_ms(self) -> float | None:
        """The figure statistics are computed on: client time when measured, else server time."""
        return self.client_ms if self.client_ms is not None else self.server_total_ms
