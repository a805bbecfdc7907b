"""The one interface every read strategy implements (SPEC.md: the five strategies).

A strategy is an object with a ``name`` and a ``read(request) -> ReadResult``. The API, the
in-function benchmark and the tests all call strategies only through this interface and the
registry in ``bench.strategies``. A strategy times only its own storage work, with
``time.perf_counter_ns``; the tmp strategies report ``copy_ms`` and ``read_ms`` apart.
"""

from dataclasses import dataclass, field
from typing import Literal, Protocol

QueryShape = Literal["all", "latest", "point", "aggregate"]
QUERY_SHAPES: tuple[QueryShape, ...] = ("all", "latest", "point", "aggregate")
MIN_LIMIT = 1
MAX_LIMIT = 1000
DEFAULT_LIMIT = 10


@dataclass(frozen=True)
class ReadRequest:
    """What to read. Validated where it is built (``bench.api`` / the benchmark runner)."""

    query: QueryShape = "all"
    limit: int = DEFAULT_LIMIT
    item_id: str | None = None  # for "point"; None picks a random existing id


@dataclass(frozen=True)
class Timings:
    total_ms: float
    read_ms: float
    copy_ms: float | None = None  # tmp strategies only


@dataclass(frozen=True)
class Item:
    id: str
    random_value: float
    created_at: str  # ISO-8601 UTC, bench.dynamo.keys.iso_utc


@dataclass(frozen=True)
class Aggregate:
    count: int
    avg: float | None
    min: float | None
    max: float | None


@dataclass(frozen=True)
class ReadResult:
    endpoint: str
    query: QueryShape
    rows: int  # rows the query read (all: every row; aggregate: the count)
    fingerprint: str  # digest of the rows read, equal across strategies for equal data
    snapshot: str | None  # snapshot version (ULID) read; None for ddb
    timings: Timings
    items: list[Item] = field(default_factory=list)  # at most request.limit rows
    aggregate: Aggregate | None = None


class Strategy(Protocol):
    name: str

    def read(self, request: ReadRequest) -> ReadResult: ...
