"""Turning rows a strategy read into the parts of a ReadResult every strategy shares.

Every strategy hands rows as ``(id, random_value, created_at)`` with ``created_at`` in its
storage's text form, plus the function that turns that form into ``keys.iso_utc`` text. Only the
at most ``limit`` items a response carries are converted.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from bench.fingerprint import fingerprint, fingerprint_aggregate, fingerprint_rows, round_avg
from bench.strategies.base import Aggregate, Item, QueryShape, ReadResult, Timings

Row = tuple[str, float, str]
ToIso = Callable[[str], str]


@dataclass(frozen=True)
class Answer:
    rows: int
    fingerprint: str
    items: list[Item] = field(default_factory=list)
    aggregate: Aggregate | None = None

    def result(
        self, *, endpoint: str, query: QueryShape, snapshot: str | None, timings: Timings
    ) -> ReadResult:
        return ReadResult(
            endpoint=endpoint,
            query=query,
            rows=self.rows,
            fingerprint=self.fingerprint,
            snapshot=snapshot,
            timings=timings,
            items=self.items,
            aggregate=self.aggregate,
        )


def _items(rows: list[Row], to_iso: ToIso) -> list[Item]:
    return [Item(id=row[0], random_value=row[1], created_at=to_iso(row[2])) for row in rows]


def answer_all(rows: list[Row], *, limit: int, to_iso: ToIso) -> Answer:
    """Every row read: the digest over all of them, the first ``limit`` in id order as items."""
    rows.sort()
    digest = fingerprint([row[0] for row in rows], [row[1] for row in rows])
    return Answer(rows=len(rows), fingerprint=digest, items=_items(rows[:limit], to_iso))


def answer_items(rows: list[Row], *, to_iso: ToIso) -> Answer:
    """A few rows (latest, point), kept in the order the query returned them."""
    digest = fingerprint_rows([(row[0], row[1]) for row in rows])
    return Answer(rows=len(rows), fingerprint=digest, items=_items(rows, to_iso))


def answer_aggregate(
    *, count: int, avg: float | None, minimum: float | None, maximum: float | None
) -> Answer:
    aggregate = Aggregate(count=count, avg=round_avg(avg), min=minimum, max=maximum)
    return Answer(rows=count, fingerprint=fingerprint_aggregate(aggregate), aggregate=aggregate)


def timings(*, start_ns: int, end_ns: int, read_ns: int, copy_ns: int | None = None) -> Timings:
    return Timings(
        total_ms=(end_ns - start_ns) / 1e6,
        read_ms=read_ns / 1e6,
        copy_ms=None if copy_ns is None else copy_ns / 1e6,
    )
